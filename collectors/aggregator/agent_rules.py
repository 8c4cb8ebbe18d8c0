"""Agent states (docs/METRICS.md#agents-by-state): log in and out, pauses with reasons,
wrap-up; and presence.

Presence (docs/METRICS.md#presence) says whether an agent is on duty: ``session`` when a
source stated it (login, member add, AMI member list, a roster shift), ``calls`` when only call
activity shows it (an estimate that lapses after ``presence_idle_gap_s`` without activity), else
``unknown``. Time in a state is counted only in ``session``: idle time of an agent nobody said
is on duty is not availability, and occupancy is computed over known presence only.
"""

from __future__ import annotations

from collections.abc import Mapping

from collectors.aggregator.counting import Counting, to_ms
from collectors.aggregator.roster import Shift
from collectors.aggregator.state import (
    AVAILABLE,
    CALLS,
    ON_CALL,
    SESSION,
    STATED_IN,
    STATED_NONE,
    STATED_OUT,
    UNKNOWN,
    WRAP_UP,
    LiveAgent,
)
from collectors.events import Event


class AgentRules(Counting):
    """How agent events change agents' states and the time counted in each."""

    def _agent(self, name: str, ts: float) -> tuple[LiveAgent, str]:
        """The agent and its state mark before this event (an unknown agent starts with
        unknown presence)."""
        agent = self.agents.get(name)
        if agent is None:
            agent = LiveAgent(agent=name, since=ts)
            self.agents[name] = agent
        return agent, agent.mark

    def _settle(self, agent: LiveAgent, before: str, ts: float) -> None:
        """Close the time spent in ``before`` (a ``mark``) when it changed; only session
        marks are counted (``STATE_TIME`` knows no other)."""
        self.dirty_agents.add(agent.agent)
        if agent.mark == before:
            return
        self._agent_time(agent.agent, before, agent.since, ts)
        agent.since = max(ts, agent.since)

    def _present(self, agent: LiveAgent, ev: Event) -> None:
        """Call activity naming the agent: a member of the queue, and present by estimate
        (``calls``) unless a source stated a session."""
        queue = ev.queue
        if queue and queue not in agent.queues:
            agent.queues.append(queue)
        if ev.ts > agent.last_activity:
            agent.last_activity, agent.source = ev.ts, ev.source
        if agent.presence != SESSION:
            agent.presence, agent.stated = CALLS, STATED_NONE
            self.estimated.add(agent.agent)

    def _reckon(self, agent: LiveAgent) -> None:
        """Presence from what was stated, the roster, and call activity."""
        if agent.stated == STATED_IN or agent.on_shift:
            presence = SESSION
        elif agent.stated == STATED_OUT or not agent.last_activity:
            presence = UNKNOWN
        else:
            presence = CALLS  # until the idle gap passes (``tick_presence``)
            self.estimated.add(agent.agent)
        agent.presence, agent.logged_in = presence, presence == SESSION

    def _stated_in(self, agent: LiveAgent, queue: str) -> None:
        if queue and queue not in agent.queues:
            agent.queues.append(queue)
        agent.stated = STATED_IN
        self._reckon(agent)

    def _login(self, ev: Event) -> None:
        agent, before = self._agent(ev.agent, ev.ts)
        self._stated_in(agent, ev.queue)
        self._settle(agent, before, ev.ts)

    def _member_add(self, ev: Event) -> None:
        """ADDMEMBER (or an AMI member list): in the queue, in session; paused when added
        paused (reason ``paused``: the AMI's QueueAdd with ``Paused: yes`` logs
        ``ADDMEMBER|PAUSED``)."""
        agent, before = self._agent(ev.agent, ev.ts)
        self._stated_in(agent, ev.queue)
        if ev.reason == "paused":
            agent.paused = True
        self._settle(agent, before, ev.ts)

    def _logout(self, ev: Event) -> None:
        agent, before = self._agent(ev.agent, ev.ts)
        agent.paused, agent.reason = False, ""
        agent.activity, agent.call_id, agent.queues = AVAILABLE, "", []
        agent.stated = STATED_OUT
        self._reckon(agent)
        self._settle(agent, before, ev.ts)

    def _member_remove(self, ev: Event) -> None:
        agent, before = self._agent(ev.agent, ev.ts)
        if ev.queue in agent.queues:
            agent.queues.remove(ev.queue)
        if not agent.queues:
            agent.paused, agent.reason, agent.stated = False, "", STATED_OUT
            self._reckon(agent)
        self._settle(agent, before, ev.ts)

    def _pause(self, ev: Event) -> None:
        agent, before = self._agent(ev.agent, ev.ts)
        self._present(agent, ev)
        agent.paused, agent.reason = True, ev.reason
        self._settle(agent, before, ev.ts)
        if before == agent.mark:
            # A new reason while already paused restarts the clock: the screen shows the reason.
            agent.since = max(ev.ts, agent.since)

    def _unpause(self, ev: Event) -> None:
        agent, before = self._agent(ev.agent, ev.ts)
        self._present(agent, ev)
        agent.paused, agent.reason = False, ""
        self._settle(agent, before, ev.ts)

    def _acw_start(self, ev: Event) -> None:
        agent, before = self._agent(ev.agent, ev.ts)
        self._present(agent, ev)
        if agent.activity != ON_CALL:
            agent.activity = WRAP_UP
        self._settle(agent, before, ev.ts)

    def _acw_end(self, ev: Event) -> None:
        agent, before = self._agent(ev.agent, ev.ts)
        wrap = ev.wrap if ev.wrap is not None else max(0.0, ev.ts - agent.since)
        self._present(agent, ev)
        if agent.activity == WRAP_UP:
            agent.activity = AVAILABLE
        self._settle(agent, before, ev.ts)
        queue = ev.queue or agent.last_queue
        self._inc(queue, ev.ts, "wrap_ms", to_ms(wrap))
        self._inc(queue, ev.ts, "wrap_reported")
        self._ainc(agent.agent, ev.ts, "wrap_ms", to_ms(wrap))
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

    # -- presence over time --------------------------------------------------------------

    def tick_presence(self, ts: float, *, live: bool = False) -> None:
        """Apply roster shift starts and ends at ``ts`` (the center's local time) and end the
        ``calls`` estimate of agents idle for longer than the gap.

        The gap is measured on the clock of the source that last showed the agent (as stale
        calls are), so a backfill never has its agents expired under it; ``live`` (the
        aggregator is caught up and ``ts`` is the wall clock) lets the wall clock count too,
        so that a source quiet all night does not keep its agents present. Runs once per
        minute of events, and from the aggregator's housekeeping when no event comes.
        """
        roster = self.config.roster
        if roster:
            self._apply_roster(roster, ts)
        gap = self.config.presence_idle_gap_s
        clocks, newest = self.source_clock, self.last_event_ts
        floor = ts if live else 0.0
        estimated = self.estimated
        for name in list(estimated):
            agent = self.agents[name]
            if agent.presence != CALLS:
                estimated.discard(name)
                continue
            if agent.activity != AVAILABLE:
                continue  # an agent on a call, ringing or in wrap-up stays present
            seen = max(clocks.get(agent.source, newest), floor)
            if seen - agent.last_activity > gap:
                before = agent.mark
                agent.presence = UNKNOWN
                estimated.discard(name)
                self._settle(agent, before, agent.last_activity + gap)

    def _apply_roster(self, roster: Mapping[str, tuple[Shift, ...]], ts: float) -> None:
        weekday, minute = self.clock.wall(ts)
        on: dict[str, list[str]] = {}
        ago: dict[str, int] = {}  # minutes since the agent's newest shift start or end
        for queue, shifts in roster.items():
            for shift in shifts:
                name = shift.agent
                queues = on.setdefault(name, [])
                covers = shift.covers(weekday, minute)
                if covers:
                    queues.append(queue)
                since = (minute - (shift.start if covers else shift.end)) % 1440
                if since < ago.get(name, 1440):
                    ago[name] = since
        for name, queues in on.items():
            if queues or name in self.agents:  # never seen and off shift: nothing to say
                # Dated at the shift's edge, not at the tick that noticed it (the first
                # event after it, or the housekeeping a few seconds late).
                self._rostered(name, queues, ts - ago[name] * 60 - ts % 60)

    def _rostered(self, name: str, queues: list[str], ts: float) -> None:
        """The roster puts the agent on shift in ``queues`` (none: off shift) at ``ts``."""
        agent, before = self._agent(name, ts)
        for queue in queues:
            if queue not in agent.queues:
                agent.queues.append(queue)
                self.dirty_agents.add(name)
        if agent.on_shift == bool(queues):
            return
        agent.on_shift = bool(queues)
        if agent.on_shift and agent.stated == STATED_OUT:
            agent.stated = STATED_NONE  # a new shift starts anew
        self._reckon(agent)
        self._settle(agent, before, ts)
