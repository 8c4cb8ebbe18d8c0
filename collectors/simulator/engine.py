"""The discrete-event simulation of a center: a heap of timed actions that emit canonical events.

Time runs in whole seconds, as in queue_log, so durations are exact differences of timestamps
and survive a round trip through the queue_log writer and parser. Queues are FIFO; a free agent
takes the oldest waiting call of their highest-priority queue, and a new call rings the agent
idle the longest. Callers have a patience, a queue has a timeout, some callers press a key to
leave, and a queue without logged-in members empties (leavewhenempty).

Nothing here reads the clock or the global ``random``: the same configuration, seed and start
give the same events, and a shorter run is a prefix of a longer one.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from collectors.events import Event, Kind
from collectors.simulator.entities import (
    ACW,
    CONNECTED,
    DONE,
    IDLE,
    OFF,
    PAUSED,
    RING,
    RINGING,
    TALK,
    WAITING,
    Agent,
    Call,
    Queue,
    names_of,
)
from collectors.simulator.kernel import EventLoop, to_epoch
from collectors.simulator.model import CenterConfig

# Survey score distributions (5 first): a long wait costs satisfaction.
_SCORES = (5.0, 4.0, 3.0, 2.0, 1.0)
_SCORE_WEIGHTS = ((0.52, 0.25, 0.11, 0.05, 0.07), (0.33, 0.27, 0.17, 0.10, 0.13))


def generate(
    *,
    config: CenterConfig,
    seed: int,
    start: datetime | float,
    end: datetime | float | None = None,
) -> Iterator[Event]:
    """Simulate the center from ``start`` and yield its events in timestamp order.

    Args:
        config: the center (see :func:`~collectors.simulator.center.default_center`).
        seed: the random seed; with ``start`` it fixes the whole event sequence.
        start: simulated start (datetime, naive = the center's time zone, or epoch seconds);
            agents on shift at that moment log in at once.
        end: stop before this time; ``None`` runs for ever.
    """
    sim = Simulation(config=config.check(), seed=seed, start=to_epoch(start, config.timezone))
    stop = math.inf if end is None else to_epoch(end, config.timezone)
    return sim.run(until=stop)


class Simulation(EventLoop):
    """One simulation run (use :func:`generate`).

    Args:
        config: a checked center configuration.
        seed: the random seed.
        start: simulated start, epoch seconds (rounded down to a whole second).
    """

    def __init__(self, *, config: CenterConfig, seed: int, start: float) -> None:
        super().__init__(config=config, seed=seed, start=start)
        self._call_n = int(self.run_id, 16) % 100_000
        self.queues = {q.name: Queue(q) for q in config.queues}
        self.agents = [Agent(a) for a in config.agents]
        for agent in self.agents:
            agent.queues = [self.queues[name] for name in agent.cfg.skills]
            for queue in agent.queues:
                queue.agents.append(agent)
        today = datetime.fromtimestamp(self.start, self.tz).date()
        self._plan_day(today - timedelta(days=1))
        self._plan_day(today)
        self._at(max(self._local(today, "12:00"), self.start), self._next_day, today)
        for queue in self.queues.values():
            queue.next_t = self.start
            self._schedule_arrival(queue)

    # -- shifts and pauses --------------------------------------------------------------------

    def _plan_day(self, day: date) -> None:
        """Plan the shifts starting on local ``day``."""
        shifts = {s.name: s for s in self.cfg.shifts}
        for agent in self.agents:
            if day.weekday() in agent.cfg.days_off:
                continue
            shift = shifts[agent.cfg.shift]
            begin = self._local(day, shift.start)
            finish = self._local(day + timedelta(days=shift.end <= shift.start), shift.end)
            login = begin - self.rng.randint(0, self.cfg.login_early * 60)
            logout = finish + self.rng.randint(0, self.cfg.logout_late * 60)
            pauses = shift.plan_pauses(self.rng, begin, finish)
            if logout > self.start:
                plan = [pause for pause in pauses if pause[0] >= self.start]
                self._at(max(login, self.now), self._login, agent, plan, logout)

    def _next_day(self, day: date) -> None:
        """Plan tomorrow at noon, well before its first shift (or its early logins) begins."""
        tomorrow = day + timedelta(days=1)
        self._plan_day(tomorrow)
        self._at(self._local(tomorrow, "12:00"), self._next_day, tomorrow)

    def _login(self, agent: Agent, plan: list[tuple[float, str, float]], logout: float) -> None:
        if agent.state != OFF:  # still finishing the previous shift's last call
            self._at(self.now + 30, self._login, agent, plan, logout)
            return
        agent.plan += 1
        agent.state, agent.idle_since = IDLE, self.now
        agent.pauses, agent.pause_i = plan, 0
        agent.want_pause = agent.want_logout = False
        self._emit(Kind.LOGIN, agent=agent.cfg.name, target=agent.cfg.channel)
        for queue in agent.queues:
            queue.members += 1
            self._emit(Kind.MEMBER_ADD, queue=queue.cfg.name, agent=agent.cfg.name)
        self._at(max(logout, self.now + 1), self._logout_due, agent, agent.plan)
        self._arm_pause(agent)
        self._free(agent)

    def _logout_due(self, agent: Agent, plan: int) -> None:
        if agent.plan != plan:
            return
        if agent.state in (RING, TALK, ACW):
            agent.want_logout = True
        else:
            self._logout(agent)

    def _logout(self, agent: Agent) -> None:
        name = agent.cfg.name
        if agent.state == PAUSED:
            self._emit(Kind.UNPAUSE, agent=name)
        for queue in agent.queues:
            queue.members -= 1
            self._emit(Kind.MEMBER_REMOVE, queue=queue.cfg.name, agent=name)
            if not queue.members:
                for call in queue.calls.values():
                    self._later(self.rng.randint(1, 3), self._empty_due, call)
        self._emit(Kind.LOGOUT, agent=name)
        agent.state, agent.plan = OFF, agent.plan + 1

    def _arm_pause(self, agent: Agent) -> None:
        if agent.pause_i < len(agent.pauses):
            at = agent.pauses[agent.pause_i][0]
            self._at(max(at, self.now), self._pause_due, agent, agent.plan, agent.pause_i)

    def _pause_due(self, agent: Agent, plan: int, index: int) -> None:
        if agent.plan != plan or agent.pause_i != index:
            return
        if agent.state == IDLE:
            self._take_planned_pause(agent)
        else:
            agent.want_pause = True  # taken as soon as the agent is free

    def _take_planned_pause(self, agent: Agent) -> None:
        _, reason, minutes = agent.pauses[agent.pause_i]
        agent.pause_i += 1
        agent.want_pause = False
        self._pause(agent, reason, minutes)
        self._arm_pause(agent)

    def _pause(self, agent: Agent, reason: str, seconds: float) -> None:
        agent.state = PAUSED
        agent.pause_token += 1
        self._emit(Kind.PAUSE, agent=agent.cfg.name, reason=reason)
        self._later(seconds, self._unpause, agent, agent.pause_token)

    def _unpause(self, agent: Agent, token: int) -> None:
        if agent.state != PAUSED or agent.pause_token != token:
            return
        agent.state, agent.idle_since = IDLE, self.now
        self._emit(Kind.UNPAUSE, agent=agent.cfg.name)
        self._free(agent)

    def _free(self, agent: Agent) -> None:
        """The agent just became idle: log out, pause or take a call, whichever is due."""
        if agent.want_logout:
            self._logout(agent)
        elif agent.want_pause:
            self._take_planned_pause(agent)
        elif agent.ready_at <= self.now:
            self._take_next_call(agent)

    def _ready(self, agent: Agent, plan: int) -> None:
        if agent.plan == plan and agent.state == IDLE:
            self._free(agent)

    # -- calls --------------------------------------------------------------------------------

    def _schedule_arrival(self, queue: Queue) -> None:
        """Next arrival of a Poisson process whose rate is constant within each local hour."""
        cfg, t = queue.cfg, queue.next_t
        if cfg.peak_per_hour <= 0 or not any(self.cfg.intraday) or not any(self.cfg.weekday):
            return
        while True:
            local = datetime.fromtimestamp(t, self.tz)
            factor = self.cfg.intraday[local.hour] * self.cfg.weekday[local.weekday()]
            boundary = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
            edge = boundary.timestamp()
            edge = edge if edge > t else t + 3600.0
            if factor > 0:
                t_next = t + self.rng.expovariate(cfg.peak_per_hour * factor / 3600.0)
                if t_next < edge:
                    queue.next_t = t_next
                    self._at(max(float(math.floor(t_next)), self.now), self._arrive, queue)
                    return
            t = edge

    def _arrive(self, queue: Queue) -> None:
        self._schedule_arrival(queue)
        cfg, rng = queue.cfg, self.rng
        self._call_n += 1
        call = Call(f"{int(self.now)}.{self._call_n}", queue, self.now, len(queue.calls) + 1)
        queue.calls[call.id] = call
        caller = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        self._emit(Kind.ENQUEUE, call.id, cfg.name, position=call.pos0, target=caller)
        after, how, key = cfg.sample_leave(rng)  # one timer: the first of patience, key, timeout
        self._later(after, self._leave, call, how, key)
        if not queue.members:
            self._later(rng.randint(1, 3), self._empty_due, call)
        else:
            self._offer(call)

    def _position(self, call: Call) -> int:
        return list(call.q.calls).index(call.id) + 1

    def _leave(self, call: Call, kind: Kind, key: str = "") -> None:
        """The caller leaves the queue unanswered (hang-up, key press, timeout, empty queue)."""
        if call.state not in (WAITING, RINGING):
            return
        agent = self._cancel_ring(call)
        position = self._position(call)
        del call.q.calls[call.id]
        call.state = DONE
        self._emit(
            kind, call.id, call.q.cfg.name, wait=self.now - call.enq, position=position, reason=key
        )
        if agent is not None:
            self._free(agent)

    def _empty_due(self, call: Call) -> None:
        if call.state == WAITING and not call.q.members:
            self._leave(call, Kind.EXIT_EMPTY)

    def _cancel_ring(self, call: Call) -> Agent | None:
        agent = call.agent
        if call.state != RINGING or agent is None:
            return None
        ring = self.now - call.ring_at
        self._emit(Kind.RING_NO_ANSWER, *names_of(call), ring=ring, reason="canceled")
        agent.state, agent.call, call.agent = IDLE, None, None
        return agent

    def _offer(self, call: Call) -> None:
        """Ring the agent of the call's queue who has been idle the longest, if any is free."""
        best: Agent | None = None
        for agent in call.q.agents:
            free = agent.state == IDLE and agent.ready_at <= self.now
            if free and (best is None or agent.idle_since < best.idle_since):
                best = agent
        if best is not None:
            self._ring(call, best)

    def _take_next_call(self, agent: Agent) -> None:
        """Ring the agent with the oldest waiting call of their highest-priority queue."""
        best: tuple[int, float, Call] | None = None
        for queue in agent.queues:
            call = next((c for c in queue.calls.values() if c.state == WAITING), None)
            if call is not None:
                key = (-queue.cfg.priority, call.enq, call)
                if best is None or key[:2] < best[:2]:
                    best = key
        if best is not None:
            self._ring(best[2], agent)

    def _ring(self, call: Call, agent: Agent) -> None:
        call.state, call.agent, call.ring_at = RINGING, agent, self.now
        call.token += 1
        agent.state, agent.call = RING, call
        self._emit(Kind.RING, *names_of(call))
        if self.rng.random() < self.cfg.ring_no_answer_share:
            self._later(self.cfg.ring_timeout, self._no_answer, call, call.token)
        else:
            self._later(self.rng.randint(*self.cfg.ring_seconds), self._answer, call, call.token)

    def _no_answer(self, call: Call, token: int) -> None:
        agent = call.agent
        if call.state != RINGING or call.token != token or agent is None:
            return
        self._emit(Kind.RING_NO_ANSWER, *names_of(call), ring=self.now - call.ring_at)
        call.state, call.agent = WAITING, None
        agent.state, agent.call = IDLE, None
        agent.ready_at = self.now + self.cfg.retry
        if agent.want_logout or agent.want_pause:
            self._free(agent)
        elif self.rng.random() < self.cfg.autopause_share:
            self._pause(agent, "auto-pause", self.rng.uniform(60, 180))
        else:
            self._later(self.cfg.retry, self._ready, agent, agent.plan)
        self._offer(call)

    def _answer(self, call: Call, token: int) -> None:
        agent = call.agent
        if call.state != RINGING or call.token != token or agent is None:
            return
        del call.q.calls[call.id]
        call.state, agent.state = CONNECTED, TALK
        wait, ring = self.now - call.enq, self.now - call.ring_at
        self._emit(Kind.ANSWER, *names_of(call), wait=wait, ring=ring)
        call.outcome = call.q.cfg.sample_outcome(self.rng)
        _, talk, hold = call.outcome
        self._later(talk + (hold or 0.0), self._hang_up, call)

    def _hang_up(self, call: Call) -> None:
        agent = call.agent
        if agent is None:  # pragma: no cover - a connected call always has its agent
            return
        cfg, rng = call.q.cfg, self.rng
        how, talk, hold = call.outcome
        wait = self.now - call.enq - talk - (hold or 0.0)
        names = names_of(call)
        if how in ("agent", "caller"):
            self._emit(Kind.COMPLETE, *names, wait=wait, talk=talk, hold=hold, reason=how)
            if rng.random() < cfg.survey_share:
                weights = _SCORE_WEIGHTS[wait > 60]
                score = rng.choices(_SCORES, weights)[0]
                self._later(rng.randint(5, 20), self._survey, call, score)
        else:
            target = rng.choice(self.cfg.transfer_targets)
            self._emit(
                Kind.TRANSFER, *names, wait=wait, talk=talk, hold=hold, reason=how, target=target
            )
        call.state, agent.state = DONE, ACW
        self._emit(Kind.ACW_START, *names)
        self._later(cfg.sample_wrap(rng), self._wrap_done, agent, call, self.now)

    def _survey(self, call: Call, score: float) -> None:
        self._emit(Kind.SURVEY, *names_of(call), score=score)

    def _wrap_done(self, agent: Agent, call: Call, since: float) -> None:
        self._emit(Kind.ACW_END, *names_of(call), wrap=self.now - since)
        agent.state, agent.call, agent.idle_since = IDLE, None, self.now
        self._free(agent)
