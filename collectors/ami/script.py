"""Recorded AMI scripts, and the queues' state they imply (for :mod:`.fake_server`).

A script file holds AMI blocks exactly as on the wire, separated by blank lines (LF in the
file; they are sent with CRLF). Lines starting with ``#`` are comments; a line starting with
``!`` is a directive for the fake server (``!oversize N``, ``!sleep S``). Malformed blocks are
kept as they are, to be sent as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from collectors.ami.protocol import Message, encode, parse_block

_MEMBER_FIELDS = (
    "Queue",
    "Name",
    "Location",
    "StateInterface",
    "Membership",
    "Penalty",
    "CallsTaken",
    "LastCall",
    "LastPause",
    "LoginTime",
    "InCall",
    "Status",
    "Paused",
    "PausedReason",
    "Wrapuptime",
)
_EVENT_NAMES = {"MemberName": "Name", "Interface": "Location"}


@dataclass(frozen=True)
class Block:
    """One scripted block: the bytes to send and, when it is valid AMI, what it says."""

    raw: bytes
    message: Message | None


@dataclass(frozen=True)
class Directive:
    name: str
    arg: str


Item = Block | Directive


def load_script(path: Path | str) -> list[Item]:
    """Read a script file (see the module docstring)."""
    items: list[Item] = []
    lines: list[bytes] = []

    def close() -> None:
        if lines:
            parsed = parse_block(lines, b"")
            message = parsed if isinstance(parsed, Message) else None
            items.append(Block(b"\r\n".join(lines) + b"\r\n\r\n", message))
            lines.clear()

    for raw in Path(path).read_bytes().split(b"\n"):
        line = raw.rstrip(b"\r")
        if line.startswith(b"#"):
            continue
        if line.startswith(b"!"):
            close()
            name, _, arg = line[1:].decode().partition(" ")
            items.append(Directive(name.strip(), arg.strip()))
        elif line:
            lines.append(line)
        else:
            close()
    close()
    return items


@dataclass
class QueueModel:
    """The queues' state as ``QueueStatus`` reports it, kept up to date by replayed events."""

    clock: float = 0.0
    members: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    entries: dict[str, list[dict[str, str | float]]] = field(default_factory=dict)

    def load(self, items: Iterable[Item]) -> None:
        """Take the state from a status file's ``QueueMember``/``QueueEntry`` blocks."""
        for item in items:
            msg = item.message if isinstance(item, Block) else None
            if msg is not None and msg.event == "QueueMember":
                self._set_member(msg)
            elif msg is not None and msg.event == "QueueEntry":
                wait = float(msg.get("Wait") or 0)
                self._join(msg, self.clock - wait)

    def apply(self, msg: Message) -> None:
        """Follow one replayed event."""
        name = msg.event
        if name == "QueueCallerJoin":
            self._join(msg, self.clock)
        elif name == "QueueCallerLeave":
            queue = self.entries.get(msg.get("Queue"), [])
            queue[:] = [e for e in queue if e["Uniqueid"] != msg.get("Uniqueid")]
        elif name == "QueueMemberRemoved":
            self.members.pop((msg.get("Queue"), msg.get("MemberName")), None)
        elif name in ("QueueMemberAdded", "QueueMemberPause", "QueueMemberStatus"):
            self._set_member(msg)

    def _join(self, msg: Message, joined: float) -> None:
        entry: dict[str, str | float] = {"joined": joined}
        for key in ("Channel", "Uniqueid", "CallerIDNum", "CallerIDName"):
            entry[key] = msg.get(key) or "<unknown>"
        self.entries.setdefault(msg.get("Queue"), []).append(entry)

    def _set_member(self, msg: Message) -> None:
        values = {_EVENT_NAMES.get(k, k): v for k, v in msg.fields}
        key = (values.get("Queue", ""), values.get("Name", ""))
        member = self.members.setdefault(key, dict.fromkeys(_MEMBER_FIELDS, ""))
        member.update({k: v for k, v in values.items() if k in member})

    def status(self, action_id: str) -> bytes:
        """The whole answer to a ``QueueStatus`` action, ``ActionID`` on every block."""
        tag = f"ActionID: {action_id}\n" if action_id else ""
        out = [_block(f"Response: Success\n{tag}EventList: start\nMessage: {_FOLLOWS}\n")]
        queues = sorted({q for q, _ in self.members} | set(self.entries))
        for queue in queues:
            waiting = self.entries.get(queue, [])
            out.append(_block(_PARAMS.format(queue=queue, calls=len(waiting)) + tag))
            for (q, _), member in self.members.items():
                if q == queue:
                    out.append(encode([("Event", "QueueMember"), *member.items(), *_pairs(tag)]))
            for position, entry in enumerate(waiting, 1):
                wait = max(0, int(self.clock - float(entry["joined"])))
                out.append(
                    _block(_ENTRY.format(queue=queue, position=position, wait=wait, **entry) + tag)
                )
        items = len(out) - 1 - len(queues)
        out.append(
            _block(f"Event: QueueStatusComplete\n{tag}EventList: Complete\nListItems: {items}\n")
        )
        return b"".join(out)


_FOLLOWS = "Queue status will follow"
_PARAMS = (
    "Event: QueueParams\nQueue: {queue}\nMax: 0\nStrategy: ringall\nCalls: {calls}\nHoldtime: 0\n"
    "TalkTime: 0\nCompleted: 0\nAbandoned: 0\nServiceLevel: 60\nServicelevelPerf: 0.0\nWeight: 0\n"
)
_ENTRY = (
    "Event: QueueEntry\nQueue: {queue}\nPosition: {position}\nChannel: {Channel}\n"
    "Uniqueid: {Uniqueid}\nCallerIDNum: {CallerIDNum}\nCallerIDName: {CallerIDName}\n"
    "ConnectedLineNum: <unknown>\nConnectedLineName: <unknown>\nWait: {wait}\nPriority: 0\n"
)


def _pairs(text: str) -> list[tuple[str, str]]:
    return [(k, v) for k, _, v in (line.partition(": ") for line in text.splitlines())]


def _block(text: str) -> bytes:
    """``Key: Value`` lines (LF) as one block on the wire."""
    return encode(_pairs(text))


def timestamp(item: Item) -> float | None:
    """The ``Timestamp`` of a scripted event, ``None`` when it has none (or no valid one)."""
    if isinstance(item, Block) and item.message is not None and item.message.get("Timestamp"):
        try:
            return float(item.message.get("Timestamp"))
        except ValueError:
            return None
    return None
