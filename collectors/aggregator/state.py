"""Live state: calls in the queue or connected, and agents with their state and since when."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

# Display states of an agent (docs/METRICS.md#agents-by-state).
LOGGED_OFF = "logged_off"
AVAILABLE = "available"
RINGING = "ringing"
ON_CALL = "on_call"
WRAP_UP = "wrap_up"
PAUSED = "paused"
# A non-session agent that is not on a call, ringing, in wrap-up or paused: never "available".
NO_SESSION = "no_session"

# Presence (docs/METRICS.md#presence): what is known about whether the agent is on duty.
SESSION = "session"  # a source stated it: login, member add, AMI member, roster shift
CALLS = "calls"  # no statement, but call activity within the idle gap: an estimate
UNKNOWN = "unknown"  # nothing said (or the session ended): not available, no idle time

# What a source last stated about the agent's session (``LiveAgent.stated``).
STATED_IN, STATED_OUT, STATED_NONE = "in", "out", ""

# What ``LiveAgent.mark`` gives a non-session agent in each state: distinct from the session
# states, so that no state time is counted for it (``metrics.STATE_TIME`` knows none of them).
_UNTIMED = {
    AVAILABLE: "-available",
    RINGING: "-ringing",
    ON_CALL: "-on_call",
    WRAP_UP: "-wrap_up",
    PAUSED: "-paused",
    NO_SESSION: "-no_session",
    LOGGED_OFF: "-logged_off",
}


@dataclass(slots=True)
class LiveCall:
    """A call that entered a queue and has not ended yet."""

    call_id: str
    queue: str
    enqueued: float
    caller: str = ""
    position: int | None = None
    did: str = ""
    agent: str = ""
    answered: float | None = None
    wait: float | None = None
    ring_no_answer: int = 0
    source: str = ""

    # Written out: a compiled module still runs the ``__init__`` that ``dataclass`` generates
    # as plain Python, and one call is made per call offered (4x slower).
    def __init__(
        self,
        call_id: str,
        queue: str,
        enqueued: float,
        caller: str = "",
        position: int | None = None,
        did: str = "",
        agent: str = "",
        answered: float | None = None,
        wait: float | None = None,
        ring_no_answer: int = 0,
        source: str = "",
    ) -> None:
        self.call_id, self.queue, self.enqueued = call_id, queue, enqueued
        self.caller, self.position, self.did, self.agent = caller, position, did, agent
        self.answered, self.wait, self.ring_no_answer = answered, wait, ring_no_answer
        self.source = source

    @property
    def key(self) -> str:
        return call_key(self.queue, self.call_id)

    def to_json(self) -> str:
        # A list in field order (``from_json`` reads it back positionally): ``asdict`` costs
        # more than the rest of a batch commit.
        return orjson.dumps(
            [self.call_id, self.queue, self.enqueued, self.caller, self.position, self.did,
             self.agent, self.answered, self.wait, self.ring_no_answer, self.source]
        ).decode()  # fmt: skip

    @classmethod
    def from_json(cls, raw: str | bytes) -> LiveCall:
        return cls(*orjson.loads(raw))


@dataclass(slots=True)
class Handoff:
    """A call that left a queue by a transfer, remembered for a while (bounded: see
    ``call_rules``) so that lines of the other queue written under another call id find it.

    Asterisk logs an attended transfer into another queue with the agent's *consultation*
    call id on the ``ENTERQUEUE`` in the target queue and the original caller's id on the
    ``CONNECT`` there (``docs/queue-log-transfers.md``).
    """

    call_id: str  # the original caller's call id
    queue: str  # the queue it left ("" while not known: paired from the target queue's side)
    agent: str  # the agent who transferred it
    answered: float  # when it was answered there: its consultation entered the target later
    at: float  # when it left (on its source's clock): what its expiry is measured from
    caller: str = ""
    consult: str = ""  # the consultation call id, once known
    target: str = ""  # the queue whose consultation entry it took over, once paired
    source: str = ""

    def to_json(self) -> str:
        return orjson.dumps(
            [self.call_id, self.queue, self.agent, self.answered, self.at, self.caller,
             self.consult, self.target, self.source]
        ).decode()  # fmt: skip

    @classmethod
    def from_json(cls, raw: str | bytes) -> Handoff:
        values: list[Any] = orjson.loads(raw)
        return cls(*values)


def call_key(queue: str, call_id: str) -> str:
    """Live calls are keyed by queue and call id: one call may visit several queues."""
    return f"{queue}\x1f{call_id}"


@dataclass(slots=True)
class LiveAgent:
    """An agent's state. ``activity`` is what the agent does; ``paused`` is orthogonal to it
    because Asterisk lets an agent pause while still on a call.

    ``presence`` is ``SESSION``, ``CALLS`` or ``UNKNOWN`` (docs/METRICS.md#presence);
    ``logged_in`` is kept equal to ``presence == SESSION``. ``stated`` is what a source last
    said about the session (``STATED_IN``/``STATED_OUT``/none), ``on_shift`` whether the roster
    puts the agent on a shift now; ``last_activity`` is the source time (``source``'s clock) of
    the agent's last call activity, from which the idle gap of a ``CALLS`` agent is measured.
    """

    agent: str
    logged_in: bool = False
    activity: str = AVAILABLE  # available | ringing | on_call | wrap_up
    paused: bool = False
    reason: str = ""
    since: float = 0.0
    call_id: str = ""
    call_queue: str = ""
    last_call_id: str = ""
    last_queue: str = ""
    last_call_enqueued: float = 0.0
    queues: list[str] = field(default_factory=list)
    presence: str = UNKNOWN
    stated: str = STATED_NONE
    on_shift: bool = False
    last_activity: float = 0.0
    source: str = ""

    @property
    def state(self) -> str:
        """The one state a screen shows: a non-session agent shows its call state, else
        ``no_session`` (``logged_off`` once a source stated the end of its session)."""
        activity = self.activity
        if self.presence == SESSION:
            if activity in (ON_CALL, WRAP_UP):
                return activity
            if self.paused:
                return PAUSED
            return activity
        if activity in (ON_CALL, WRAP_UP, RINGING):
            return activity
        if self.paused:
            return PAUSED
        if self.presence == UNKNOWN and self.stated == STATED_OUT:
            return LOGGED_OFF
        return NO_SESSION

    @property
    def mark(self) -> str:
        """The state, told apart by whether its time is counted (session agents only)."""
        state = self.state
        if self.presence == SESSION:
            return state
        return _UNTIMED.get(state, state)

    def to_json(self) -> str:
        return orjson.dumps(
            [self.agent, self.logged_in, self.activity, self.paused, self.reason, self.since,
             self.call_id, self.call_queue, self.last_call_id, self.last_queue,
             self.last_call_enqueued, self.queues, self.presence, self.stated, self.on_shift,
             self.last_activity, self.source]
        ).decode()  # fmt: skip

    @classmethod
    def from_json(cls, raw: str | bytes) -> LiveAgent:
        values: list[Any] = orjson.loads(raw)
        if len(values) == 12:
            # Written before presence existed, when any activity set ``logged_in`` for good:
            # that was no statement, so it becomes a call-activity estimate, which lapses after
            # the idle gap unless a source (login, AMI member list, roster) says more.
            agent = cls(*values)
            agent.presence = CALLS if agent.logged_in else UNKNOWN
            agent.logged_in, agent.last_activity = False, agent.since
            return agent
        return cls(*values)
