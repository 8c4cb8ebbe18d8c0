"""Applies canonical events to live state and counters, in memory, with no I/O.

The engine is the single implementation of the counting rules of docs/METRICS.md (in
``call_rules``, ``handoff_rules`` and ``agent_rules``). The consumer feeds it events from the
stream and writes what changed to Redis in one transaction per batch; the report command and
the tests feed it directly.

Why a chain of classes (``Counting`` → ``AgentRules`` → ``CallRules`` → ``HandoffRules`` →
``Engine``, and ``PartitionEngine`` below it) and not rule objects composed together: the rules
are one state machine over one state (calls, agents, hand-offs, the deltas), and they call each
other both ways (a call rule settles agent state; ``CallRules`` leaves the transfer hooks to
``HandoffRules``), while ``PartitionEngine`` filters what is counted by overriding the three
counting primitives (``_inc``, ``_ainc``, ``_agent_time``) that every rule calls. mypyc compiles
the chain to native classes: a ``self`` attribute is a struct field and a rule calling another
is a vtable call, on the path every event takes. Composed objects would add a hop per access
and a Python-visible way to inject the partition's filter into every rule set. Each class is
one file's worth of rules; only ``Engine`` and ``PartitionEngine`` are instantiated.
"""

from __future__ import annotations

from collections.abc import Callable

from collectors.aggregator.counting import AggregatorConfig, Changes, MKey, QKey
from collectors.aggregator.handoff_rules import HandoffRules
from collectors.events import Event, Kind

__all__ = ["AggregatorConfig", "Changes", "Engine", "MKey", "QKey"]


class Engine(HandoffRules):
    """Live state plus counter deltas since the last :meth:`take_changes`."""

    def __init__(self, config: AggregatorConfig) -> None:
        super().__init__(config)
        self._handlers: dict[str, Callable[[Event], None]] = {
            Kind.ENQUEUE: self._enqueue,
            Kind.RING: self._ring,
            Kind.RING_NO_ANSWER: self._ring_no_answer,
            Kind.ANSWER: self._answer,
            Kind.COMPLETE: self._end_handled,
            Kind.TRANSFER: self._end_handled,
            Kind.ABANDON: self._end_unanswered,
            Kind.EXIT_TIMEOUT: self._end_unanswered,
            Kind.EXIT_EMPTY: self._end_unanswered,
            Kind.EXIT_KEY: self._end_unanswered,
            Kind.SURVEY: self._survey,
            Kind.CALL_INFO: self._call_info,
            Kind.LOGIN: self._login,
            Kind.MEMBER_ADD: self._member_add,
            Kind.LOGOUT: self._logout,
            Kind.MEMBER_REMOVE: self._member_remove,
            Kind.PAUSE: self._pause,
            Kind.UNPAUSE: self._unpause,
            Kind.ACW_START: self._acw_start,
            Kind.ACW_END: self._acw_end,
            Kind.SYSTEM_START: self._system_start,
        }

    # -- entry points -------------------------------------------------------------------

    def apply(self, event: Event) -> bool:
        """Apply one event; ``False`` when its kind is not one the engine knows."""
        kind = event.kind
        # The four kinds that make up most of a center's events are called directly:
        # a call through the table costs compiled code a Python-level call.
        if kind == "enqueue":
            self._at(event.ts)
            self._enqueue(event)
        elif kind == "answer":
            self._at(event.ts)
            if event.call_id in self._ringing:
                # The call is answered: every member still ringing for it stops (ring-all
                # strategies log no RINGNOANSWER for them), or they would show ringing.
                self._release_ringing(event.call_id, event.ts)
            self._answer(event)
        elif kind == "complete":
            self._at(event.ts)
            self._end_handled(event)
        elif kind == "survey":
            self._at(event.ts)
            self._survey(event)
        else:
            handler = self._handlers.get(kind)
            if handler is None:
                return False
            self._at(event.ts)
            handler(event)
        if event.ts > self.last_event_ts:
            self.last_event_ts = event.ts
        if event.ts > self.source_clock.get(event.source, 0.0):
            self.source_clock[event.source] = event.ts
        return True

    def _at(self, ts: float) -> None:
        """Make ``ts``'s bucket the current one (nearly every count of the event lands there)."""
        if ts != self._bucket_ts:
            self._bucket_ts, self._bucket = ts, self.clock.bucket(ts)
            if self._bucket[2] > self._tick_minute:
                # Once per new minute of events: roster shifts and lapsed estimates.
                self._tick_minute = self._bucket[2]
                self.tick_presence(ts)

    def apply_all(self, events: list[Event]) -> int:
        """Apply events in order; returns how many were of a kind the engine does not know."""
        unknown = 0
        for event in events:
            if not self.apply(event):
                unknown += 1
        return unknown

    def days_of(self, events: list[Event]) -> set[str]:
        """The local days the events fall on."""
        clock = self.clock
        return {clock.day_of(event.ts) for event in events}

    def take_changes(self) -> Changes:
        """Hand over what changed since the last call and start a new change set."""
        changes = Changes(
            qdelta=self.interval_deltas(),
            adelta=self.adelta,
            mdelta=self.mdelta,
            calls={k: self.calls.get(k) for k in self.dirty_calls},
            agents={k: self.agents[k] for k in self.dirty_agents},
            outbox=self.outbox,
            handoffs={k: self.handoffs.get(k) for k in self.dirty_handoffs},
        )
        self.dirty_handoffs = set()
        self.adelta, self.mdelta = {}, {}
        self.dirty_calls, self.dirty_agents, self.outbox = set(), set(), []
        return changes
