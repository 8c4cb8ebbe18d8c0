"""AMI events → canonical events (the table is in ``docs/ami.md``).

The mapping gives the same canonical events as the queue_log parser for the same happenings.
AMI says less per event than queue_log, so the mapper keeps a little state per call:

- Asterisk raises ``QueueCallerAbandon`` for a caller who hung up *and* for one sent out of the
  queue by a timeout or an empty queue (``EXITWITHTIMEOUT``/``EXITEMPTY`` in queue_log). What
  follows tells them apart: ``VarSet QUEUESTATUS=TIMEOUT`` (``LEAVEEMPTY``, ``LEAVEUNAVAIL``)
  means an exit, the caller channel's ``Hangup`` an abandon. The abandon is held until one of
  them arrives, or ``settle_seconds`` pass (then it is an abandon).
- ``QueueCallerLeave`` comes for every caller leaving, answered ones too (just before
  ``AgentConnect``). A leave neither answered nor abandoned is an exit: ``QUEUESTATUS`` says
  which, and without one it is a key press (``EXITWITHKEY``, the key being the caller's last
  ``DTMFEnd``) once the ``Hangup`` or ``settle_seconds`` show no answer is coming.
- ``AgentComplete`` says ``Reason: transfer`` but not how; a ``BlindTransfer`` or
  ``AttendedTransfer`` seen before it for the same caller supplies the kind and the target.

Event ids are ``ami:<server>:<key>:<Event>:<hash of the block>``, so the same block (with its
``Timestamp``: set ``timestampevents = yes``) replayed gives the same id; a call's end is
``ami:<server>:<uniqueid>:end:<hash of the block that ended it>`` whichever event decided its
kind. State read from a ``QueueStatus`` answer gets ids that depend on the state only (see
:mod:`.members`; a waiting caller is ``<uniqueid>:enqueue:<queue>:state``), so reading it again
after a reconnect repeats ids the aggregator drops rather than counting twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from collectors.ami import fields as f
from collectors.ami.fields import EventMaker, MappingError
from collectors.ami.members import Handler, MemberTracker
from collectors.ami.protocol import Message
from collectors.events import Event, Kind

__all__ = ["AmiMapper", "MappingError"]

_EXITS = {
    "TIMEOUT": Kind.EXIT_TIMEOUT,
    "LEAVEEMPTY": Kind.EXIT_EMPTY,
    "LEAVEUNAVAIL": Kind.EXIT_EMPTY,
}
_TRANSFER_DEST = {"App": "DestApp", "Bridge": "DestBridgeUniqueid", "Link": "LocalTwoChannel"}


@dataclass(slots=True)
class _Call:
    """A caller in a queue as far as AMI has told: what decides how the call ends."""

    queue: str
    joined: float | None  # event time of the join; None when the join was not seen
    seen_at: float  # receive clock of the last change (settling, expiry)
    answered: bool = False
    digit: str = ""
    end: tuple[float, float | None, int | None, str] | None = None  # ts, wait, position, seed
    abandoned: bool = False
    pending_since: float | None = None


class AmiMapper:
    """Turns the AMI events of one server into canonical events.

    Args:
        source: the ``source`` every event carries (``ami:<host>:<port>``).
        server: the server part of event ids (``<host>:<port>`` or a configured name).
        settle_seconds: how long an abandon or an unanswered leave waits for the event that says
            what it was (``VarSet QUEUESTATUS``, ``Hangup``, ``AgentConnect``).
        max_call_age: a call with no news for this long is forgotten (its end was never seen).
        max_transfers: transfer details kept while waiting for their ``AgentComplete``.
    """

    def __init__(
        self,
        *,
        source: str,
        server: str,
        settle_seconds: float = 3.0,
        max_call_age: float = 86_400.0,
        max_transfers: int = 10_000,
    ) -> None:
        self.make = EventMaker(source, server)
        self.settle_seconds = settle_seconds
        self.max_call_age = max_call_age
        self.max_transfers = max_transfers
        self.calls: dict[str, _Call] = {}
        self.members = MemberTracker(self.make)
        self.vanished_calls = 0
        self._transfers: dict[str, tuple[str, str]] = {}
        self._listed_calls: set[str] | None = None
        self._handlers: dict[str, Handler] = {
            "QueueCallerJoin": self._join,
            "AgentCalled": self._ring,
            "AgentRingNoAnswer": self._ring_no_answer,
            "AgentConnect": self._connect,
            "AgentComplete": self._complete,
            "QueueCallerAbandon": self._abandon,
            "QueueCallerLeave": self._leave,
            "VarSet": self._varset,
            "Hangup": self._hangup,
            "DTMFEnd": self._dtmf,
            "BlindTransfer": self._transfer,
            "AttendedTransfer": self._transfer,
            "QueueEntry": self._entry,
            "QueueStatusComplete": self._snapshot_done,
            "Shutdown": self._shutdown,
            **self.members.handlers,
        }
        self._handled = frozenset(self._handlers)

    @property
    def handled(self) -> frozenset[str]:
        """Event names the mapper reads; any other event is ignored (not an error)."""
        return self._handled

    def map(self, msg: Message, *, now: float) -> list[Event]:
        """The canonical events of one AMI event (often none yet: see the module docstring).

        Args:
            msg: an ``Event:`` message.
            now: the receive time; also the event's time when it has no ``Timestamp``.

        Raises:
            MappingError: a field the mapping needs is missing or malformed.
        """
        handler = self._handlers.get(msg.event)
        if handler is None:
            return []
        ts = f.number(msg, "Timestamp", needed=False) or now
        return handler(msg, ts, now)

    def begin_snapshot(self) -> None:
        """A ``QueueStatus`` was sent: note whom its answer lists (or live events mention), so
        that ``QueueStatusComplete`` can tell who went away while the connection was down."""
        self._listed_calls = set()
        self.members.begin_snapshot()

    def expire(self, *, now: float) -> list[Event]:
        """End the calls whose deciding event did not come within ``settle_seconds``."""
        out: list[Event] = []
        for uid, call in list(self.calls.items()):
            if call.pending_since is not None and now - call.pending_since >= self.settle_seconds:
                del self.calls[uid]
                out.extend(self._resolve(uid, call))
            elif now - call.seen_at > self.max_call_age:
                del self.calls[uid]
                self.vanished_calls += 1
        return out

    def resolve_all(self) -> list[Event]:
        """End every call still waiting to be decided (the collector is stopping)."""
        out: list[Event] = []
        for uid, call in list(self.calls.items()):
            if call.pending_since is not None:
                del self.calls[uid]
                out.extend(self._resolve(uid, call))
        return out

    # -- the call's life ----------------------------------------------------------------------

    def _call_event(self, kind: str, ts: float, msg: Message, **fields: object) -> list[Event]:
        """The one event of a call block: call id, queue and agent read from it."""
        uid, queue = f.required(msg, "Uniqueid"), f.required(msg, "Queue")
        if kind != Kind.ENQUEUE:
            fields["agent"] = f.agent(msg)
        event_id = self.make.block_id(uid, msg)
        return [self.make(kind, ts, event_id, call_id=uid, queue=queue, **fields)]

    def _join(self, msg: Message, ts: float, now: float) -> list[Event]:
        out = self._call_event(
            Kind.ENQUEUE, ts, msg, position=f.integer(msg, "Position"), target=f.caller(msg)
        )
        self.calls[out[0].call_id] = _Call(queue=out[0].queue, joined=ts, seen_at=now)
        self._touch(out[0].call_id)
        return out

    def _ring(self, msg: Message, ts: float, now: float) -> list[Event]:
        return self._call_event(Kind.RING, ts, msg)

    def _ring_no_answer(self, msg: Message, ts: float, now: float) -> list[Event]:
        ring_ms = f.number(msg, "RingTime", needed=False)  # milliseconds, as in queue_log
        ring = ring_ms / 1000.0 if ring_ms is not None else None
        return self._call_event(Kind.RING_NO_ANSWER, ts, msg, ring=ring)

    def _connect(self, msg: Message, ts: float, now: float) -> list[Event]:
        wait, ring = f.number(msg, "HoldTime"), f.number(msg, "RingTime", needed=False)
        out = self._call_event(Kind.ANSWER, ts, msg, wait=wait, ring=ring)
        call = self.calls.get(out[0].call_id)
        if call is not None:
            call.answered, call.pending_since, call.end, call.seen_at = True, None, None, now
        return out

    def _complete(self, msg: Message, ts: float, now: float) -> list[Event]:
        wait, talk = f.number(msg, "HoldTime"), f.number(msg, "TalkTime")
        uid = f.required(msg, "Uniqueid")
        reason, kind, target = msg.get("Reason").strip().lower(), Kind.COMPLETE, ""
        if reason == "transfer":
            kind = Kind.TRANSFER
            reason, target = self._transfers.pop(uid, ("transfer", ""))
        self.calls.pop(uid, None)
        return self._call_event(kind, ts, msg, wait=wait, talk=talk, reason=reason, target=target)

    def _call(self, msg: Message, now: float) -> tuple[str, _Call]:
        uid, queue = f.required(msg, "Uniqueid"), f.required(msg, "Queue")
        call = self.calls.get(uid)
        if call is None or call.queue != queue:
            call = self.calls[uid] = _Call(queue=queue, joined=None, seen_at=now)
        call.seen_at = now
        self._touch(uid)
        return uid, call

    def _abandon(self, msg: Message, ts: float, now: float) -> list[Event]:
        wait, position = f.number(msg, "HoldTime"), f.integer(msg, "Position")
        _, call = self._call(msg, now)
        call.end, call.abandoned = (ts, wait, position, msg.digest()), True
        call.pending_since = now
        return []

    def _leave(self, msg: Message, ts: float, now: float) -> list[Event]:
        position = f.integer(msg, "Position")
        _, call = self._call(msg, now)
        if call.answered or call.abandoned:
            return []
        # Asterisk counts waits in whole seconds: time(NULL) minus the time_t of the join.
        wait = float(int(ts) - int(call.joined)) if call.joined is not None else None
        call.end, call.pending_since = (ts, wait, position, msg.digest()), now
        return []

    def _varset(self, msg: Message, ts: float, now: float) -> list[Event]:
        if msg.get("Variable") != "QUEUESTATUS":
            return []
        kind = _EXITS.get(msg.get("Value").strip().upper())
        uid = msg.get("Uniqueid")
        call = self.calls.get(uid)
        if kind is None or call is None or call.end is None or call.answered:
            return []
        del self.calls[uid]
        return [self._end(uid, call, kind)]

    def _hangup(self, msg: Message, ts: float, now: float) -> list[Event]:
        uid = msg.get("Uniqueid")
        call = self.calls.pop(uid, None)
        return self._resolve(uid, call) if call is not None else []

    def _dtmf(self, msg: Message, ts: float, now: float) -> list[Event]:
        call = self.calls.get(msg.get("Uniqueid"))
        if call is not None and not call.answered and msg.get("Direction") == "Received":
            call.digit = msg.get("Digit")
        return []

    def _resolve(self, uid: str, call: _Call) -> list[Event]:
        if call.answered or call.end is None:
            return []
        if call.abandoned:
            return [self._end(uid, call, Kind.ABANDON)]
        return [self._end(uid, call, Kind.EXIT_KEY, reason=call.digit)]

    def _end(self, uid: str, call: _Call, kind: str, reason: str = "") -> Event:
        ts, wait, position, seed = call.end or (call.seen_at, None, None, "")
        event_id = self.make.state_id(uid, "end", seed)
        return self.make(
            kind,
            ts,
            event_id,
            call_id=uid,
            queue=call.queue,
            wait=wait,
            position=position,
            reason=reason,
        )

    def _transfer(self, msg: Message, ts: float, now: float) -> list[Event]:
        uid = msg.get("TransfereeUniqueid")
        if msg.get("Result") != "Success" or not uid:
            return []
        if msg.event == "BlindTransfer":
            self._transfers[uid] = ("blind", f"{msg.get('Extension')}@{msg.get('Context')}")
        elif msg.get("DestType") in _TRANSFER_DEST:
            self._transfers[uid] = ("attended", msg.get(_TRANSFER_DEST[msg.get("DestType")]))
        while len(self._transfers) > self.max_transfers:
            del self._transfers[next(iter(self._transfers))]
        return []

    # -- state and housekeeping ---------------------------------------------------------------

    def _touch(self, uid: str) -> None:
        if self._listed_calls is not None:
            self._listed_calls.add(uid)

    def _entry(self, msg: Message, ts: float, now: float) -> list[Event]:
        """A caller waiting, from a ``QueueStatus`` answer: enqueued unless already known."""
        uid, queue = f.required(msg, "Uniqueid"), f.required(msg, "Queue")
        wait = f.number(msg, "Wait", needed=False) or 0.0
        self._touch(uid)
        known = self.calls.get(uid)
        if known is not None and known.queue == queue:
            return []  # counted when it joined: never enqueue twice
        joined = now - wait
        self.calls[uid] = _Call(queue=queue, joined=joined, seen_at=now)
        event_id = self.make.state_id(uid, "enqueue", queue, "state")
        position, target = f.integer(msg, "Position"), f.caller(msg)
        return [
            self.make(
                Kind.ENQUEUE,
                joined,
                event_id,
                call_id=uid,
                queue=queue,
                position=position,
                target=target,
            )
        ]

    def _snapshot_done(self, msg: Message, ts: float, now: float) -> list[Event]:
        """Callers waiting before but not listed now left in a way AMI will not tell again:
        they are forgotten and counted in ``vanished_calls``; removed members are removed."""
        listed, self._listed_calls = self._listed_calls, None
        if listed is None:
            return []
        for uid, call in list(self.calls.items()):
            if uid not in listed and not call.answered and call.pending_since is None:
                del self.calls[uid]
                self.vanished_calls += 1
        return self.members.end_snapshot(now)

    def _shutdown(self, msg: Message, ts: float, now: float) -> list[Event]:
        """Asterisk is stopping: the calls in flight are gone (queue_log says QUEUESTART)."""
        self.calls.clear()
        event_id = self.make.block_id("system", msg)
        return [self.make(Kind.SYSTEM_START, ts, event_id, reason="shutdown")]
