"""SPEC §3 agent states: log in and out, pauses with reasons, wrap-up."""

from __future__ import annotations

from collectors.aggregator.counting import Counting, to_ms
from collectors.aggregator.state import (
    AVAILABLE,
    LOGGED_OFF,
    ON_CALL,
    WRAP_UP,
    LiveAgent,
)
from collectors.events import Event


class AgentRules(Counting):
    """How agent events change agents' states and the time counted in each."""

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

    def _member_add(self, ev: Event) -> None:
        """ADDMEMBER: in the queue and logged in; paused when added paused (reason ``paused``:
        the AMI's QueueAdd with ``Paused: yes`` logs ``ADDMEMBER|PAUSED``)."""
        agent, before = self._agent(ev.agent, ev.ts)
        self._present(agent, ev.queue)
        if ev.reason == "paused":
            agent.paused = True
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
