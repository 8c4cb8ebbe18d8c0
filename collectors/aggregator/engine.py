"""Applies canonical events to live state and counters, in memory, with no I/O.

The engine is the single implementation of SPEC §3's counting rules. The consumer feeds it
events from the stream and writes what changed to Redis in one transaction per batch; the
report command and the tests feed it directly.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from collectors.aggregator.clock import Clock
from collectors.aggregator.metrics import MAX_COUNTERS, STATE_TIME
from collectors.aggregator.state import (
    AVAILABLE,
    LOGGED_OFF,
    ON_CALL,
    RINGING,
    WRAP_UP,
    LiveAgent,
    LiveCall,
    call_key,
)
from collectors.events import Event, Kind

QKey = tuple[str, str, int, str]  # (day, queue, interval index, counter)
MKey = tuple[int, str, str]  # (epoch minute, queue, counter)


@dataclass(frozen=True)
class AggregatorConfig:
    """Counting rules that a center configures (SPEC §3 defaults).

    Args:
        timezone: the center's IANA time zone; days and intervals are local.
        interval_minutes: interval length (15 by default).
        sl_threshold: T in seconds for the service level: answered with wait <= T is "within".
        sl_thresholds: per-queue T overriding ``sl_threshold``.
        sl_target: the service level target shown against the figure.
        short_abandon: an abandon with wait strictly below this many seconds is a short abandon.
        csat_satisfied_min: survey scores at or above this count as satisfied.
        trunk_capacity: lines available, for "lines in use" when no channel source says.
    """

    timezone: str = "UTC"
    interval_minutes: int = 15
    sl_threshold: float = 20.0
    sl_thresholds: Mapping[str, float] = field(default_factory=dict)
    sl_target: float = 0.8
    short_abandon: float = 5.0
    csat_satisfied_min: float = 4.0
    trunk_capacity: int = 30

    def threshold(self, queue: str) -> float:
        return self.sl_thresholds.get(queue, self.sl_threshold)


def _ms(seconds: float) -> int:
    return int(round(seconds * 1000))


class Engine:
    """Live state plus counter deltas since the last :meth:`take_changes`."""

    def __init__(self, config: AggregatorConfig) -> None:
        self.config = config
        self.clock = Clock(timezone=config.timezone, interval_minutes=config.interval_minutes)
        self.calls: dict[str, LiveCall] = {}
        self.agents: dict[str, LiveAgent] = {}
        self.qdelta: dict[QKey, int] = {}
        self.adelta: dict[QKey, int] = {}
        self.mdelta: dict[MKey, int] = {}
        self.dirty_calls: set[str] = set()
        self.dirty_agents: set[str] = set()
        self.outbox: list[dict[str, Any]] = []
        self.recent_abandons: deque[dict[str, Any]] = deque(maxlen=50)
        self.last_event_ts = 0.0
        self._bucket_ts, self._bucket = -1.0, ("", 0, 0)
        self._ringing: dict[str, set[str]] = {}  # call id → agents ringing for it
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
            Kind.MEMBER_ADD: self._login,
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
        handler = self._handlers.get(event.kind)
        if handler is None:
            return False
        if event.ts != self._bucket_ts:
            self._bucket_ts, self._bucket = event.ts, self.clock.bucket(event.ts)
        handler(event)
        if event.ts > self.last_event_ts:
            self.last_event_ts = event.ts
        return True

    def take_changes(self) -> Changes:
        """Hand over what changed since the last call and start a new change set."""
        changes = Changes(
            qdelta=self.qdelta,
            adelta=self.adelta,
            mdelta=self.mdelta,
            calls={k: self.calls.get(k) for k in self.dirty_calls},
            agents={k: self.agents[k] for k in self.dirty_agents},
            outbox=self.outbox,
        )
        self.qdelta, self.adelta, self.mdelta = {}, {}, {}
        self.dirty_calls, self.dirty_agents, self.outbox = set(), set(), []
        return changes

    # -- counting helpers ---------------------------------------------------------------

    # The bucket of the event being applied is computed once in ``apply``; nearly every count
    # lands there, and this is the aggregator's hottest path.

    def _inc(self, queue: str, ts: float, counter: str, n: int = 1) -> None:
        day, idx, minute = self._bucket if ts == self._bucket_ts else self.clock.bucket(ts)
        qkey = (day, queue, idx, counter)
        mkey = (minute, queue, counter)
        if counter in MAX_COUNTERS:
            self.qdelta[qkey] = max(self.qdelta.get(qkey, 0), n)
            self.mdelta[mkey] = max(self.mdelta.get(mkey, 0), n)
            return
        qdelta, mdelta = self.qdelta, self.mdelta
        qdelta[qkey] = qdelta.get(qkey, 0) + n
        mdelta[mkey] = mdelta.get(mkey, 0) + n

    def _ainc(self, agent: str, ts: float, counter: str, n: int = 1) -> None:
        day, idx, _ = self._bucket if ts == self._bucket_ts else self.clock.bucket(ts)
        key = (day, agent, idx, counter)
        self.adelta[key] = self.adelta.get(key, 0) + n

    def _agent_time(self, agent: str, state: str, start: float, end: float) -> None:
        """Add time in ``state`` to the agent's intervals, split at interval boundaries."""
        counter = STATE_TIME.get(state)
        if counter is None or end <= start:
            return
        first_end = self.clock.interval_bounds(start)[1]
        if end <= first_end:  # the usual case: one interval
            self._ainc(agent, start, counter, _ms(end - start))
            return
        while start < end:
            boundary = self.clock.interval_bounds(start)[1]
            stop = min(end, boundary)
            self._ainc(agent, start, counter, _ms(stop - start))
            start = stop

    # -- agents ---------------------------------------------------------------------------

    def _agent(self, name: str, ts: float) -> tuple[LiveAgent, str]:
        """The agent and its state before this event (an unknown agent starts logged off)."""
        agent = self.agents.get(name)
        if agent is None:
            agent = LiveAgent(agent=name, since=ts)
            self.agents[name] = agent
        return agent, agent.state

    def _settle(self, agent: LiveAgent, before: str, ts: float) -> None:
        """Close the time spent in ``before`` when the shown state changed."""
        self.dirty_agents.add(agent.agent)
        if agent.state == before:
            return
        if before != LOGGED_OFF:
            self._agent_time(agent.agent, before, agent.since, ts)
        agent.since = max(ts, agent.since)

    def _present(self, agent: LiveAgent, queue: str) -> None:
        """Any activity proves the agent is logged in and a member of the queue (static
        members never log ADDMEMBER)."""
        agent.logged_in = True
        if queue and queue not in agent.queues:
            agent.queues.append(queue)

    def _login(self, ev: Event) -> None:
        agent, before = self._agent(ev.agent, ev.ts)
        self._present(agent, ev.queue)
        self._settle(agent, before, ev.ts)

    def _logout(self, ev: Event) -> None:
        agent, before = self._agent(ev.agent, ev.ts)
        agent.logged_in, agent.paused, agent.reason = False, False, ""
        agent.activity, agent.call_id, agent.queues = AVAILABLE, "", []
        self._settle(agent, before, ev.ts)

    def _member_remove(self, ev: Event) -> None:
        agent, before = self._agent(ev.agent, ev.ts)
        if ev.queue in agent.queues:
            agent.queues.remove(ev.queue)
        if not agent.queues:
            agent.logged_in, agent.paused, agent.reason = False, False, ""
        self._settle(agent, before, ev.ts)

    def _pause(self, ev: Event) -> None:
        agent, before = self._agent(ev.agent, ev.ts)
        self._present(agent, ev.queue)
        agent.paused, agent.reason = True, ev.reason
        self._settle(agent, before, ev.ts)
        if before == agent.state:
            # A new reason while already paused restarts the clock: the screen shows the reason.
            agent.since = max(ev.ts, agent.since)

    def _unpause(self, ev: Event) -> None:
        agent, before = self._agent(ev.agent, ev.ts)
        self._present(agent, ev.queue)
        agent.paused, agent.reason = False, ""
        self._settle(agent, before, ev.ts)

    def _acw_start(self, ev: Event) -> None:
        agent, before = self._agent(ev.agent, ev.ts)
        self._present(agent, ev.queue)
        if agent.activity != ON_CALL:
            agent.activity = WRAP_UP
        self._settle(agent, before, ev.ts)

    def _acw_end(self, ev: Event) -> None:
        agent, before = self._agent(ev.agent, ev.ts)
        wrap = ev.wrap if ev.wrap is not None else max(0.0, ev.ts - agent.since)
        if agent.activity == WRAP_UP:
            agent.activity = AVAILABLE
        self._settle(agent, before, ev.ts)
        queue = ev.queue or agent.last_queue
        self._inc(queue, ev.ts, "wrap_ms", _ms(wrap))
        self._inc(queue, ev.ts, "wrap_reported")
        self._ainc(agent.agent, ev.ts, "wrap_ms", _ms(wrap))
        if agent.last_call_id:
            self.outbox.append(
                {
                    "type": "wrap",
                    "call_id": agent.last_call_id,
                    "queue": agent.last_queue,
                    "enqueued_at": agent.last_call_enqueued,
                    "wrap": wrap,
                }
            )

    # -- calls ----------------------------------------------------------------------------

    def _enqueue(self, ev: Event) -> None:
        key = call_key(ev.queue, ev.call_id)
        if key in self.calls:
            return
        self.calls[key] = LiveCall(
            call_id=ev.call_id,
            queue=ev.queue,
            enqueued=ev.ts,
            caller=ev.target,
            position=ev.position,
            source=ev.source,
        )
        self.dirty_calls.add(key)
        self._inc(ev.queue, ev.ts, "offered")

    def _call_for(self, ev: Event) -> LiveCall:
        """The live call of ``ev``; a call first seen after its enqueue (the reader started
        mid-call) is offered at ``ts - wait`` so that offered still adds up."""
        key = call_key(ev.queue, ev.call_id)
        call = self.calls.get(key)
        if call is None:
            enqueued = ev.ts - (ev.wait or 0.0)
            call = LiveCall(call_id=ev.call_id, queue=ev.queue, enqueued=enqueued, source=ev.source)
            self.calls[key] = call
            self._inc(ev.queue, enqueued, "offered")
        self.dirty_calls.add(key)
        return call

    def _ring(self, ev: Event) -> None:
        agent, before = self._agent(ev.agent, ev.ts)
        self._present(agent, ev.queue)
        if agent.activity == AVAILABLE:
            agent.activity, agent.call_id, agent.call_queue = RINGING, ev.call_id, ev.queue
            self._ringing.setdefault(ev.call_id, set()).add(agent.agent)
        self._settle(agent, before, ev.ts)

    def _ring_no_answer(self, ev: Event) -> None:
        agent, before = self._agent(ev.agent, ev.ts)
        if agent.activity == RINGING:
            agent.activity, agent.call_id = AVAILABLE, ""
        self._settle(agent, before, ev.ts)
        if ev.reason == "canceled":
            return
        self._inc(ev.queue, ev.ts, "ring_no_answer")
        self._ainc(agent.agent, ev.ts, "ring_no_answer")
        call = self.calls.get(call_key(ev.queue, ev.call_id))
        if call is not None:
            call.ring_no_answer += 1
            self.dirty_calls.add(call.key)

    def _answer(self, ev: Event) -> None:
        call = self._call_for(ev)
        self._ringing.pop(ev.call_id, None)
        if call.answered is not None:
            return
        wait = ev.wait if ev.wait is not None else max(0.0, ev.ts - call.enqueued)
        call.answered, call.wait, call.agent = ev.ts, wait, ev.agent
        self._inc(ev.queue, ev.ts, "answered")
        if wait <= self.config.threshold(ev.queue):
            self._inc(ev.queue, ev.ts, "answered_within_t")
        self._inc(ev.queue, ev.ts, "wait_answered_ms", _ms(wait))
        self._inc(ev.queue, ev.ts, "max_wait_answered_ms", _ms(wait))
        if ev.agent:
            agent, before = self._agent(ev.agent, ev.ts)
            self._present(agent, ev.queue)
            agent.activity, agent.call_id, agent.call_queue = ON_CALL, ev.call_id, ev.queue
            self._settle(agent, before, ev.ts)
            self._ainc(ev.agent, ev.ts, "answered")

    def _end_handled(self, ev: Event) -> None:
        """COMPLETE or TRANSFER: the call was handled and leaves the queue."""
        call = self.calls.pop(call_key(ev.queue, ev.call_id), None)
        answered = call.answered if call and call.answered is not None else None
        talk = ev.talk if ev.talk is not None else max(0.0, ev.ts - (answered or ev.ts))
        self._inc(ev.queue, ev.ts, "handled")
        self._inc(ev.queue, ev.ts, "talk_ms", _ms(talk))
        for part in ("hold", "wrap"):
            value = getattr(ev, part)
            if value is not None:
                self._inc(ev.queue, ev.ts, f"{part}_ms", _ms(value))
                self._inc(ev.queue, ev.ts, f"{part}_reported")
        transfer = ev.kind == Kind.TRANSFER
        if transfer:
            self._inc(ev.queue, ev.ts, "transferred")
        agent_name = ev.agent or (call.agent if call else "")
        if agent_name:
            self._agent_handled(agent_name, ev, talk, call)
        if call is not None:
            self.dirty_calls.add(call.key)
        self._archive(
            ev,
            call,
            outcome="transferred" if transfer else "answered",
            wait=ev.wait if ev.wait is not None else (call.wait if call else None),
            talk=talk,
            agent=agent_name,
        )

    def _agent_handled(self, name: str, ev: Event, talk: float, call: LiveCall | None) -> None:
        agent, before = self._agent(name, ev.ts)
        self._present(agent, ev.queue)
        if agent.call_id in ("", ev.call_id):
            agent.activity, agent.call_id = AVAILABLE, ""
        agent.last_call_id, agent.last_queue = ev.call_id, ev.queue
        agent.last_call_enqueued = call.enqueued if call else ev.ts
        self._settle(agent, before, ev.ts)
        self._ainc(name, ev.ts, "handled")
        self._ainc(name, ev.ts, "talk_ms", _ms(talk))
        if ev.hold is not None:
            self._ainc(name, ev.ts, "hold_ms", _ms(ev.hold))
        if ev.kind == Kind.TRANSFER:
            self._ainc(name, ev.ts, "transferred")

    def _end_unanswered(self, ev: Event) -> None:
        """ABANDON or EXIT_*: the caller left, or was sent out of, the queue unanswered."""
        call = self.calls.pop(call_key(ev.queue, ev.call_id), None)
        if call is None:
            # Never saw the enqueue: it was offered ``wait`` seconds ago.
            self._inc(ev.queue, ev.ts - (ev.wait or 0.0), "offered")
        else:
            self.dirty_calls.add(call.key)
        enqueued = call.enqueued if call else ev.ts - (ev.wait or 0.0)
        wait = ev.wait if ev.wait is not None else max(0.0, ev.ts - enqueued)
        outcome = self._count_unanswered(ev, wait)
        self._release_ringing(ev.call_id, ev.ts)
        self._archive(ev, call, outcome=outcome, wait=wait, talk=None, agent="")

    def _count_unanswered(self, ev: Event, wait: float) -> str:
        queue, ts = ev.queue, ev.ts
        if ev.kind == Kind.ABANDON:
            self._inc(queue, ts, "wait_abandoned_ms", _ms(wait))
            if wait < self.config.short_abandon:
                self._inc(queue, ts, "short_abandoned")
                outcome = "short_abandoned"
            else:
                self._inc(queue, ts, "abandoned")
                if wait > self.config.threshold(queue):
                    self._inc(queue, ts, "abandoned_after_t")
                outcome = "abandoned"
            self.recent_abandons.append(
                {"call_id": ev.call_id, "queue": queue, "ts": ts, "wait": wait, "outcome": outcome}
            )
            return outcome
        self._inc(queue, ts, "exited")
        counter = {
            Kind.EXIT_TIMEOUT: "exited_timeout",
            Kind.EXIT_EMPTY: "exited_empty",
            Kind.EXIT_KEY: "exited_key",
        }[Kind(ev.kind)]
        self._inc(queue, ts, counter)
        return counter.replace("exited_", "exit_")

    def index_ringing(self) -> None:
        """Rebuild the call → ringing agents index (after loading agents from Redis)."""
        self._ringing = {}
        for agent in self.agents.values():
            if agent.activity == RINGING:
                self._ringing.setdefault(agent.call_id, set()).add(agent.agent)

    def _release_ringing(self, call_id: str, ts: float) -> None:
        for name in self._ringing.pop(call_id, ()):
            agent = self.agents[name]
            if agent.activity == RINGING and agent.call_id == call_id:
                before = agent.state
                agent.activity, agent.call_id = AVAILABLE, ""
                self._settle(agent, before, ts)

    def _survey(self, ev: Event) -> None:
        if ev.score is None:
            return
        self._inc(ev.queue, ev.ts, "survey_answers")
        self._inc(ev.queue, ev.ts, "survey_score_sum_milli", _ms(ev.score))
        if ev.score >= self.config.csat_satisfied_min:
            self._inc(ev.queue, ev.ts, "survey_satisfied")
        self.outbox.append(
            {"type": "survey", "call_id": ev.call_id, "queue": ev.queue, "score": ev.score}
        )

    def _call_info(self, ev: Event) -> None:
        if ev.reason != "did":
            return
        call = self.calls.get(call_key(ev.queue, ev.call_id))
        if call is not None:
            call.did = ev.target
            self.dirty_calls.add(call.key)

    def _system_start(self, ev: Event) -> None:
        """The telephony server restarted: calls in flight are gone, agents are idle."""
        for call in list(self.calls.values()):
            self._inc(call.queue, ev.ts, "lost")
            self.dirty_calls.add(call.key)
            del self.calls[call.key]
            lost = ev._replace(call_id=call.call_id, queue=call.queue)
            self._archive(lost, call, outcome="lost", wait=call.wait, talk=None, agent=call.agent)
        for agent in self.agents.values():
            if agent.activity != AVAILABLE:
                before = agent.state
                agent.activity, agent.call_id = AVAILABLE, ""
                self._settle(agent, before, ev.ts)

    def _archive(
        self,
        ev: Event,
        call: LiveCall | None,
        *,
        outcome: str,
        wait: float | None,
        talk: float | None,
        agent: str,
    ) -> None:
        """Queue the finished call for the SQL history."""
        enqueued = call.enqueued if call else ev.ts - (wait or 0.0) - (talk or 0.0)
        self.outbox.append(
            {
                "type": "call",
                "call_id": ev.call_id,
                "queue": ev.queue,
                "source": call.source if call and call.source else ev.source,
                "enqueued_at": enqueued,
                "answered_at": call.answered if call else None,
                "ended_at": ev.ts,
                "wait": wait,
                "talk": talk,
                "hold": ev.hold,
                "wrap": ev.wrap,
                "agent": agent,
                "outcome": outcome,
                "reason": ev.reason,
                "transfer_target": ev.target if ev.kind == Kind.TRANSFER else "",
                "caller": call.caller if call else "",
                "did": call.did if call else "",
                "ring_no_answer": call.ring_no_answer if call else 0,
            }
        )


@dataclass
class Changes:
    """Everything a batch changed: counter deltas, touched live records, finished calls.

    ``calls`` maps a live-call key to the call, or to ``None`` when the call ended.
    """

    qdelta: dict[QKey, int]
    adelta: dict[QKey, int]
    mdelta: dict[MKey, int]
    calls: dict[str, LiveCall | None]
    agents: dict[str, LiveAgent]
    outbox: list[dict[str, Any]]
