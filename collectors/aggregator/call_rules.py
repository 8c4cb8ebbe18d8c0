"""Call counting (docs/METRICS.md#calls): offered, answered, abandoned, exited, handled, surveys."""

from __future__ import annotations

from typing import Final

from collectors.aggregator.agent_rules import AgentRules
from collectors.aggregator.counting import to_ms
from collectors.aggregator.state import (
    AVAILABLE,
    CALLS,
    ON_CALL,
    RINGING,
    LiveCall,
    call_key,
)
from collectors.events import TALK_UNKNOWN, WAIT_UNKNOWN, Event, Kind

# Plain constants: compiled code looks an enum member up on its class at every use.
TRANSFER: Final = "transfer"
ABANDON: Final = "abandon"


class CallRules(AgentRules):
    """How call events move calls through the queue and what each one counts."""

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
        """The live call of ``ev``; a call first seen after its enqueue is either the
        consultation entry of a transfer from another queue (``_take_consultation``), or (the
        reader started mid-call) offered at ``ts - wait`` so that offered still adds up."""
        key = call_key(ev.queue, ev.call_id)
        call = self.calls.get(key)
        if call is None:
            call = self._take_consultation(ev)
        if call is None:
            enqueued = ev.ts - (ev.wait or 0.0)
            call = LiveCall(call_id=ev.call_id, queue=ev.queue, enqueued=enqueued, source=ev.source)
            self.calls[key] = call
            self._inc(ev.queue, enqueued, "offered")
        self.dirty_calls.add(key)
        return call

    def _ring(self, ev: Event) -> None:
        agent, before = self._agent(ev.agent, ev.ts)
        self._present(agent, ev)
        if agent.activity == AVAILABLE:
            agent.activity, agent.call_id, agent.call_queue = RINGING, ev.call_id, ev.queue
            self._ringing.setdefault(ev.call_id, set()).add(agent.agent)
        self._settle(agent, before, ev.ts)

    def _ring_no_answer(self, ev: Event) -> None:
        agent, before = self._agent(ev.agent, ev.ts)
        self._present(agent, ev)
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
        self._inc(ev.queue, ev.ts, "answered")
        call.answered, call.agent = ev.ts, ev.agent
        if ev.reason == WAIT_UNKNOWN:
            # The source cannot know the wait (a CDR): out of ASA and SL, never a 0 wait.
            self._inc(ev.queue, ev.ts, "answered_wait_unknown")
        else:
            wait = ev.wait if ev.wait is not None else max(0.0, ev.ts - call.enqueued)
            call.wait = wait
            if wait <= self.config.threshold(ev.queue):
                self._inc(ev.queue, ev.ts, "answered_within_t")
            self._inc(ev.queue, ev.ts, "wait_answered_ms", to_ms(wait))
            self._inc(ev.queue, ev.ts, "max_wait_answered_ms", to_ms(wait))
        if ev.agent:
            agent, before = self._agent(ev.agent, ev.ts)
            self._present(agent, ev)
            agent.activity, agent.call_id, agent.call_queue = ON_CALL, ev.call_id, ev.queue
            self._settle(agent, before, ev.ts)
            self._ainc(ev.agent, ev.ts, "answered")

    def _end_handled(self, ev: Event) -> None:
        """COMPLETE or TRANSFER: the call was handled and leaves the queue."""
        call = self.calls.pop(call_key(ev.queue, ev.call_id), None)
        if call is None and self._ended_before(ev):
            return
        answered = call.answered if call and call.answered is not None else None
        talk: float | None = ev.talk
        if talk is None and ev.reason != TALK_UNKNOWN:
            talk = max(0.0, ev.ts - (answered or ev.ts))
        queue, ts = ev.queue, ev.ts
        self._inc(queue, ts, "handled")
        hold, wrap = ev.hold, ev.wrap
        if talk is None:  # the source cannot know it: the call stays out of AHT
            self._inc(queue, ts, "handled_talk_unknown")
            hold = wrap = None
        else:
            self._inc(queue, ts, "talk_ms", to_ms(talk))
        if hold is not None:
            self._inc(queue, ts, "hold_ms", to_ms(hold))
            self._inc(queue, ts, "hold_reported")
        if wrap is not None:
            self._inc(queue, ts, "wrap_ms", to_ms(wrap))
            self._inc(queue, ts, "wrap_reported")
        transfer = ev.kind == TRANSFER
        if transfer:
            self._inc(queue, ts, "transferred")
        agent_name = ev.agent or (call.agent if call else "")
        if agent_name:
            self._agent_handled(agent_name, ev, talk, call)
        if call is not None:
            self.dirty_calls.add(call.key)
            if transfer and call.answered is not None:
                self._remember_transfer(call, ev, agent_name)
        self._archive(
            ev,
            call,
            outcome="transferred" if transfer else "answered",
            wait=ev.wait if ev.wait is not None else (call.wait if call else None),
            talk=talk,
            agent=agent_name,
        )

    def _agent_handled(
        self, name: str, ev: Event, talk: float | None, call: LiveCall | None
    ) -> None:
        agent, before = self._agent(name, ev.ts)
        self._present(agent, ev)
        if agent.call_id in ("", ev.call_id):
            agent.activity, agent.call_id = AVAILABLE, ""
        agent.last_call_id, agent.last_queue = ev.call_id, ev.queue
        agent.last_call_enqueued = call.enqueued if call else ev.ts
        self._settle(agent, before, ev.ts)
        self._ainc(name, ev.ts, "handled")
        if talk is None:
            self._ainc(name, ev.ts, "handled_talk_unknown")
        else:
            self._ainc(name, ev.ts, "talk_ms", to_ms(talk))
        if ev.hold is not None and talk is not None:
            self._ainc(name, ev.ts, "hold_ms", to_ms(ev.hold))
        if ev.kind == TRANSFER:
            self._ainc(name, ev.ts, "transferred")

    def _end_unanswered(self, ev: Event) -> None:
        """ABANDON or EXIT_*: the caller left, or was sent out of, the queue unanswered."""
        call = self.calls.pop(call_key(ev.queue, ev.call_id), None)
        if call is None:
            if self._ended_before(ev):
                return
            # Never saw the enqueue: it was offered ``wait`` seconds ago.
            self._inc(ev.queue, ev.ts - (ev.wait or 0.0), "offered")
        else:
            self.dirty_calls.add(call.key)
        enqueued = call.enqueued if call else ev.ts - (ev.wait or 0.0)
        wait: float | None = ev.wait
        if wait is None and ev.reason != WAIT_UNKNOWN:
            wait = max(0.0, ev.ts - enqueued)
        outcome = self._count_unanswered(ev, wait)
        self._release_ringing(ev.call_id, ev.ts)
        self._archive(ev, call, outcome=outcome, wait=wait, talk=None, agent="")

    def _count_unanswered(self, ev: Event, wait: float | None) -> str:
        queue, ts = ev.queue, ev.ts
        if ev.kind == ABANDON:
            if wait is None:
                return self._abandon_wait_unknown(ev)
            self._inc(queue, ts, "wait_abandoned_ms", to_ms(wait))
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

    # -- hooks for calls that change queue and call id (``handoff_rules``) -------------------
    # Called only for a call the queue does not hold, or for a transfer.

    def _take_consultation(self, ev: Event) -> LiveCall | None:
        """The waiting entry that an answer for a call unknown in its queue takes over."""
        return None

    def _ended_before(self, ev: Event) -> bool:
        """Whether the end line of a call unknown in its queue is about a call that is
        accounted for already (and counts nothing)."""
        return False

    def _remember_transfer(self, call: LiveCall, ev: Event, agent: str) -> None:
        """A connected call just left its queue by a transfer."""

    def _abandon_wait_unknown(self, ev: Event) -> str:
        """An abandon whose wait the source cannot know (a CDR): counted as abandoned, never
        as short, and out of the abandon-wait average and of service level."""
        self._inc(ev.queue, ev.ts, "abandoned")
        self._inc(ev.queue, ev.ts, "abandoned_wait_unknown")
        self.recent_abandons.append(
            {
                "call_id": ev.call_id,
                "queue": ev.queue,
                "ts": ev.ts,
                "wait": None,
                "outcome": "abandoned",
            }
        )
        return "abandoned"

    def rebuild_indexes(self) -> None:
        """After loading live state: the ringing index, and each source's clock as far as the
        calls in flight show it (a lower bound until the source's next event)."""
        self.index_ringing()
        self.estimated = {a.agent for a in self.agents.values() if a.presence == CALLS}
        for call in self.calls.values():
            seen = max(call.enqueued, call.answered or 0.0)
            if seen > self.source_clock.get(call.source, 0.0):
                self.source_clock[call.source] = seen

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
                before = agent.mark
                agent.activity, agent.call_id = AVAILABLE, ""
                self._settle(agent, before, ts)

    def _survey(self, ev: Event) -> None:
        if ev.score is None:
            return
        self._inc(ev.queue, ev.ts, "survey_answers")
        self._inc(ev.queue, ev.ts, "survey_score_sum_milli", to_ms(ev.score))
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
            self._lose(call, ev)
        for agent in self.agents.values():
            if agent.activity != AVAILABLE:
                before = agent.mark
                agent.activity, agent.call_id = AVAILABLE, ""
                self._settle(agent, before, ev.ts)

    def _lose(self, call: LiveCall, ev: Event) -> None:
        """Close a call whose end will never come: neither answered nor abandoned."""
        self._inc(call.queue, ev.ts, "lost")
        self.dirty_calls.add(call.key)
        del self.calls[call.key]
        if call.agent and call.answered is not None:
            agent = self.agents.get(call.agent)
            if agent is not None and agent.call_id == call.call_id:
                before = agent.mark
                agent.activity, agent.call_id = AVAILABLE, ""
                self._settle(agent, before, ev.ts)
        lost = ev._replace(call_id=call.call_id, queue=call.queue)
        self._archive(lost, call, outcome="lost", wait=call.wait, talk=None, agent=call.agent)

    def expire_stale(self, *, now: float, max_waiting: float, max_connected: float) -> int:
        """Close calls stuck for longer than any real call lasts (a lost end line, a telephony
        crash without restart record): without this a queue would show them waiting forever.

        A call's age is measured on its own source's clock (the newest event time seen from
        that source), not the wall clock: a backfill of old data, or a source that is quiet for
        a while, never has its calls closed under it. The closing is counted at the source's
        time (``now`` when the source is unknown).

        Returns the number of calls closed as ``lost``.
        """
        clock = self.source_clock
        stale = [
            call
            for call in self.calls.values()
            if (call.answered is None and clock.get(call.source, 0.0) - call.enqueued > max_waiting)
            or (
                call.answered is not None
                and clock.get(call.source, 0.0) - call.answered > max_connected
            )
        ]
        for call in stale:
            at = clock.get(call.source, now)
            self._lose(call, Event(Kind.SYSTEM_START, at, "aggregator", "expire", reason="stale"))
        return len(stale)

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
                "transfer_target": ev.target if ev.kind == TRANSFER else "",
                "caller": call.caller if call else "",
                "did": call.did if call else "",
                "ring_no_answer": call.ring_no_answer if call else 0,
            }
        )
