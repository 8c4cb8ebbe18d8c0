"""Canonical events → Asterisk queue_log lines: the inverse of the binding queue_log mapping.

Some fields a line needs are not in the event they come from (the position a call entered
with, the login time of an agent), so :class:`QueueLogWriter` remembers them from earlier
events. Events without a queue_log form (``ring``, ``acw_start``, ``acw_end``) render as
``None`` and are skipped. ``SURVEY|score`` is not an Asterisk event: dialplans log it with
``QueueLog()`` and the parser understands it.

Asterisk semantics kept here: ``calltime`` is the time the caller was bridged, so it is
talk + hold; ``holdtime``/``waittime`` are the queue wait; ``RINGNOANSWER`` is in milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from collectors.events import Event, Kind


def _num(value: float | None) -> str:
    """A duration as Asterisk writes it (whole seconds); unknown is empty."""
    return "" if value is None else str(round(value))


def _opt(value: int | None) -> str:
    return "" if value is None else str(value)


def _epoch(ts: float) -> str:
    return str(int(ts)) if ts == int(ts) else f"{ts:.6f}".rstrip("0")


def _split_target(target: str) -> tuple[str, str]:
    ext, _, context = target.rpartition("@")
    return (ext, context) if ext else (target, "")


class QueueLogWriter:
    """Renders events as queue_log lines (without the trailing newline).

    Args:
        channels: agent name → login channel, for ``AGENTLOGIN``/``AGENTLOGOFF`` when a login
            event carries no channel in ``target``; the default is ``Agent/<name>``.
    """

    def __init__(self, *, channels: dict[str, str] | None = None) -> None:
        self.channels = dict(channels or {})
        self._entered: dict[str, int] = {}  # call id → position it entered at
        self._login: dict[str, float] = {}  # agent → login time
        self._renderers: dict[str, Callable[[Event], list[str] | None]] = {
            Kind.ENQUEUE: self._enqueue,
            Kind.ANSWER: lambda e: ["CONNECT", _num(e.wait), f"{e.call_id}.1", _num(e.ring)],
            Kind.COMPLETE: self._complete,
            Kind.TRANSFER: self._transfer,
            Kind.ABANDON: lambda e: ["ABANDON", _opt(e.position), self._orig(e), _num(e.wait)],
            Kind.EXIT_TIMEOUT: lambda e: ["EXITWITHTIMEOUT", *self._exit_fields(e)],
            Kind.EXIT_EMPTY: lambda e: ["EXITEMPTY", *self._exit_fields(e)],
            Kind.EXIT_KEY: lambda e: ["EXITWITHKEY", e.reason, *self._exit_fields(e)],
            Kind.RING_NO_ANSWER: self._ring_no_answer,
            Kind.SURVEY: lambda e: ["SURVEY", "" if e.score is None else f"{e.score:g}"],
            Kind.MEMBER_ADD: lambda e: ["ADDMEMBER", ""],
            Kind.MEMBER_REMOVE: lambda e: ["REMOVEMEMBER", ""],
            Kind.LOGIN: self._login_line,
            Kind.LOGOUT: self._logout_line,
            Kind.PAUSE: lambda e: ["PAUSE" if e.queue else "PAUSEALL", e.reason],
            Kind.UNPAUSE: lambda e: ["UNPAUSE", e.reason] if e.queue else ["UNPAUSEALL", ""],
            Kind.SYSTEM_START: lambda e: ["QUEUESTART", ""],
            Kind.CALL_INFO: self._info,
        }

    def render(self, event: Event) -> str | None:
        """The queue_log line of ``event``, or ``None`` when it has no queue_log form."""
        renderer = self._renderers.get(event.kind)
        fields = renderer(event) if renderer else None
        if fields is None:
            return None
        call_id = event.call_id or "NONE"
        queue = event.queue or "NONE"
        agent = event.agent or "NONE"
        return "|".join([_epoch(event.ts), call_id, queue, agent, *fields])

    def render_all(self, events: Iterable[Event]) -> list[str]:
        """The lines of ``events`` in order, skipping those without a queue_log form."""
        lines = (self.render(event) for event in events)
        return [line for line in lines if line is not None]

    def _orig(self, event: Event) -> str:
        return _opt(self._entered.pop(event.call_id, event.position))

    def _enqueue(self, event: Event) -> list[str]:
        if event.position is not None:
            self._entered[event.call_id] = event.position
            return ["ENTERQUEUE", "", event.target, str(event.position)]
        return ["ENTERQUEUE", "", event.target]

    def _exit_fields(self, event: Event) -> list[str]:
        return [_opt(event.position), self._orig(event), _num(event.wait)]

    def _calltime(self, event: Event) -> str:
        if event.talk is None:
            return ""
        return _num(event.talk + (event.hold or 0.0))

    def _complete(self, event: Event) -> list[str]:
        name = "COMPLETEAGENT" if event.reason == "agent" else "COMPLETECALLER"
        return [name, _num(event.wait), self._calltime(event), self._orig(event)]

    def _transfer(self, event: Event) -> list[str]:
        tail = [_num(event.wait), self._calltime(event), self._orig(event)]
        if event.reason == "attended":
            return ["ATTENDEDTRANSFER", "BRIDGE", event.target, *tail]
        ext, context = _split_target(event.target)
        name = "BLINDTRANSFER" if event.reason == "blind" else "TRANSFER"
        return [name, ext, context, *tail]

    def _ring_no_answer(self, event: Event) -> list[str]:
        name = "RINGCANCELED" if event.reason == "canceled" else "RINGNOANSWER"
        return [name, "" if event.ring is None else str(round(event.ring * 1000))]

    def _channel(self, event: Event) -> str:
        return event.target or self.channels.get(event.agent, f"Agent/{event.agent}")

    def _login_line(self, event: Event) -> list[str]:
        self._login[event.agent] = event.ts
        return ["AGENTLOGIN", self._channel(event)]

    def _logout_line(self, event: Event) -> list[str]:
        since = self._login.pop(event.agent, None)
        logged = "" if since is None else str(round(event.ts - since))
        return ["AGENTLOGOFF", self._channel(event), logged]

    def _info(self, event: Event) -> list[str] | None:
        if event.reason == "did":
            return ["DID", event.target]
        if event.reason == "info":
            return ["INFO", *event.target.split("|")]
        if event.reason in ("configreload", "syscompat"):
            return [event.reason.upper(), ""]
        return None


class QueueLogFileSink:
    """A runner sink that appends the events' queue_log lines to a file (as Asterisk does).

    Args:
        path: the queue_log file; created if missing, always appended to.
        channels: agent name → login channel (see :class:`QueueLogWriter`).
    """

    def __init__(self, path: Path, *, channels: dict[str, str] | None = None) -> None:
        self.path = Path(path)
        self.writer = QueueLogWriter(channels=channels)
        self.lines = 0

    def __call__(self, events: Iterable[Event]) -> None:
        lines = self.writer.render_all(events)
        if not lines:
            return
        # Opened per batch so that a collector following the file sees whole lines at once
        # and log rotation (rename + new file) is picked up on the next batch.
        with self.path.open("a", encoding="utf-8") as out:
            out.write("".join(line + "\n" for line in lines))
        self.lines += len(lines)
