"""Live state: calls in the queue or connected, and agents with their state and since when."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

# Display states of an agent (SPEC §3 "agent states").
LOGGED_OFF = "logged_off"
AVAILABLE = "available"
RINGING = "ringing"
ON_CALL = "on_call"
WRAP_UP = "wrap_up"
PAUSED = "paused"


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
    because Asterisk lets an agent pause while still on a call."""

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

    @property
    def state(self) -> str:
        """The one state a screen shows."""
        if not self.logged_in:
            return LOGGED_OFF
        if self.activity in (ON_CALL, WRAP_UP):
            return self.activity
        if self.paused:
            return PAUSED
        return self.activity

    def to_json(self) -> str:
        return orjson.dumps(
            [self.agent, self.logged_in, self.activity, self.paused, self.reason, self.since,
             self.call_id, self.call_queue, self.last_call_id, self.last_queue,
             self.last_call_enqueued, self.queues]
        ).decode()  # fmt: skip

    @classmethod
    def from_json(cls, raw: str | bytes) -> LiveAgent:
        values: list[Any] = orjson.loads(raw)
        return cls(*values)
