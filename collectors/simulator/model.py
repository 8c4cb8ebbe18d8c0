"""What a simulated center looks like: queues, shifts, pauses and agents.

Everything is a frozen dataclass of plain values so that a configuration has a stable ``repr``:
the simulator folds it into the run id, and two runs of the same center, seed and start time
produce the same event ids (the aggregator then drops the rerun instead of counting it twice).
The demo center built from these is in :mod:`collectors.simulator.center`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from collectors.events import Kind

#: Hourly arrival factor, local time, 00:00..23:00: quiet night, morning and afternoon peaks.
DEFAULT_INTRADAY: tuple[float, ...] = (
    0.10, 0.07, 0.05, 0.05, 0.05, 0.07, 0.12, 0.25,
    0.50, 0.85, 1.00, 0.95, 0.70, 0.75, 0.95, 1.00,
    0.90, 0.75, 0.55, 0.42, 0.32, 0.25, 0.18, 0.13,
)  # fmt: skip

#: Arrival factor per weekday, Monday first: Monday is the busiest day, Sunday the quietest.
DEFAULT_WEEKDAY: tuple[float, ...] = (1.12, 1.05, 1.0, 1.0, 0.96, 0.62, 0.5)

DEFAULT_TRANSFER_TARGETS: tuple[str, ...] = (
    "8001@from-internal",
    "8002@from-internal",
    "8100@escalation",
    "6000@voicemail",
)

_TRANSFER_KINDS = ("blind", "attended", "transfer")
_TRANSFER_WEIGHTS = (0.5, 0.35, 0.15)


@dataclass(frozen=True, slots=True)
class QueueConfig:
    """One queue: its traffic and how its callers and calls behave.

    Args:
        name: the queue name as it appears in queue_log.
        peak_per_hour: arrivals per hour when the intraday and weekday factors are 1.0.
        talk_mean: mean talk time in seconds (lognormal).
        talk_cv: coefficient of variation of the talk time.
        wrap_mean: mean after-call work in seconds (lognormal, cv 0.5).
        patience_mean: mean caller patience in seconds (exponential): who waits longer hangs up.
        short_abandon_share: share of callers who hang up within 1-4 s (short abandons).
        max_wait: queue timeout in seconds: a caller still waiting then leaves (EXITWITHTIMEOUT).
        exit_key_share: share of callers who would press a key (callback offer) after 20-90 s.
        hold_share: share of answered calls with customer hold.
        hold_mean: mean hold time in seconds (exponential).
        transfer_share: share of answered calls transferred out of the queue.
        agent_hangup_share: share of completed calls where the agent hangs up first.
        survey_share: share of completed calls whose caller answers the satisfaction survey.
        priority: higher is served first when an agent of several queues becomes free.
    """

    name: str
    peak_per_hour: float
    talk_mean: float = 240.0
    talk_cv: float = 0.6
    wrap_mean: float = 25.0
    patience_mean: float = 240.0
    short_abandon_share: float = 0.015
    max_wait: float = 300.0
    exit_key_share: float = 0.04
    hold_share: float = 0.2
    hold_mean: float = 40.0
    transfer_share: float = 0.05
    agent_hangup_share: float = 0.4
    survey_share: float = 0.35
    priority: int = 0

    def sample_talk(self, rng: random.Random) -> float:
        """A talk time in seconds: lognormal with the configured mean and cv, at least 10 s."""
        return max(10.0, _lognormal(rng, self.talk_mean, self.talk_cv))

    def sample_wrap(self, rng: random.Random) -> float:
        """An after-call work time in seconds, at least 3 s."""
        return max(3.0, _lognormal(rng, self.wrap_mean, 0.5))

    def sample_leave(self, rng: random.Random) -> tuple[float, Kind, str]:
        """When an unanswered caller leaves, how, and the key pressed: the first of patience
        (``abandon``), a key press (``exit_key``) and the queue timeout (``exit_timeout``)."""
        if rng.random() < self.short_abandon_share:
            patience = float(rng.randint(1, 4))
        else:
            patience = rng.expovariate(1.0 / self.patience_mean)
        leave = (patience, Kind.ABANDON, "")
        if rng.random() < self.exit_key_share:
            leave = min(leave, (rng.uniform(20, 90), Kind.EXIT_KEY, rng.choice("1110")))
        return min(leave, (self.max_wait, Kind.EXIT_TIMEOUT, ""))

    def sample_outcome(self, rng: random.Random) -> tuple[str, float, float | None]:
        """How an answered call ends (``agent``/``caller`` hang-up or a transfer kind), its
        talk time and its hold time (``None`` without hold), whole seconds."""
        talk = float(round(self.sample_talk(rng)))
        hold = float(max(1, round(rng.expovariate(1.0 / self.hold_mean))))
        has_hold = rng.random() < self.hold_share
        if rng.random() < self.transfer_share:
            how = rng.choices(_TRANSFER_KINDS, _TRANSFER_WEIGHTS)[0]
        else:
            how = "agent" if rng.random() < self.agent_hangup_share else "caller"
        return how, talk, hold if has_hold else None


@dataclass(frozen=True, slots=True)
class PauseConfig:
    """A pause an agent may take during a shift.

    Args:
        reason: the pause reason (queue_log ``PAUSE|reason``): break, lunch, training...
        probability: chance that the agent takes it in a given shift.
        minutes: shortest and longest duration in minutes (uniform).
        window: when it is planned, as fractions of the shift length (uniform between them).
    """

    reason: str
    probability: float
    minutes: tuple[float, float]
    window: tuple[float, float]


def standard_pauses(meal: str = "lunch") -> tuple[PauseConfig, ...]:
    """The pause plan of a 12-hour shift: three breaks, a meal, and occasional other reasons.

    Args:
        meal: the reason of the meal break (``lunch`` by day, ``dinner`` at night).
    """
    return (
        PauseConfig("break", 1.0, (10, 15), (0.14, 0.22)),
        PauseConfig(meal, 1.0, (30, 45), (0.34, 0.48)),
        PauseConfig("break", 1.0, (10, 15), (0.58, 0.66)),
        PauseConfig("break", 0.7, (10, 15), (0.80, 0.88)),
        PauseConfig("training", 0.08, (45, 90), (0.25, 0.70)),
        PauseConfig("meeting", 0.12, (15, 30), (0.05, 0.90)),
        PauseConfig("coaching", 0.10, (15, 30), (0.20, 0.90)),
        PauseConfig("personal", 0.40, (3, 8), (0.05, 0.95)),
    )


@dataclass(frozen=True, slots=True)
class ShiftConfig:
    """A shift in local time; ``end`` before ``start`` means it ends the next day.

    Args:
        name: shift name agents refer to.
        start: local start time, ``HH:MM``.
        end: local end time, ``HH:MM``.
        pauses: the pauses agents of this shift may take.
    """

    name: str
    start: str
    end: str
    pauses: tuple[PauseConfig, ...] = field(default_factory=standard_pauses)

    @property
    def start_time(self) -> time:
        return time.fromisoformat(self.start)

    @property
    def end_time(self) -> time:
        return time.fromisoformat(self.end)

    def plan_pauses(
        self, rng: random.Random, begin: float, finish: float
    ) -> list[tuple[float, str, float]]:
        """The pauses of one shift from ``begin`` to ``finish``: (start, reason, seconds)."""
        plan = []
        for p in self.pauses:
            if rng.random() < p.probability:
                at = begin + (finish - begin) * rng.uniform(*p.window)
                plan.append((float(math.floor(at)), p.reason, 60 * rng.uniform(*p.minutes)))
        return sorted(plan)


@dataclass(frozen=True, slots=True)
class AgentConfig:
    """An agent.

    Args:
        name: the member name written to queue_log (a display name).
        extension: the phone extension; the login channel is ``PJSIP/<extension>``.
        team: the team the agent belongs to.
        shift: the name of the agent's shift.
        skills: the queues the agent answers (queue memberships).
        days_off: weekdays the agent does not work, 0 = Monday.
    """

    name: str
    extension: str
    team: str
    shift: str
    skills: tuple[str, ...]
    days_off: tuple[int, ...] = ()

    @property
    def channel(self) -> str:
        return f"PJSIP/{self.extension}"


@dataclass(frozen=True, slots=True)
class CenterConfig:
    """A whole simulated center.

    Args:
        queues: the queues.
        agents: the agents.
        shifts: the shifts agents refer to.
        timezone: IANA zone of shifts and of the intraday profile.
        intraday: 24 hourly arrival factors (local time).
        weekday: 7 arrival factors, Monday first.
        ring_seconds: shortest and longest ring before an agent answers (uniform, whole seconds).
        ring_timeout: seconds an agent's phone rings before RINGNOANSWER.
        ring_no_answer_share: share of rings the agent does not answer.
        autopause_share: share of unanswered rings after which the agent is auto-paused.
        retry: seconds before an agent who missed a ring is offered a call again.
        transfer_targets: ``ext@context`` targets of transfers.
        login_early: at most this many minutes early at login (uniform).
        logout_late: at most this many minutes late at logout (uniform).
    """

    queues: tuple[QueueConfig, ...]
    agents: tuple[AgentConfig, ...]
    shifts: tuple[ShiftConfig, ...]
    timezone: str = "UTC"
    intraday: tuple[float, ...] = DEFAULT_INTRADAY
    weekday: tuple[float, ...] = DEFAULT_WEEKDAY
    ring_seconds: tuple[int, int] = (2, 9)
    ring_timeout: int = 15
    ring_no_answer_share: float = 0.03
    autopause_share: float = 0.3
    retry: int = 5
    transfer_targets: tuple[str, ...] = DEFAULT_TRANSFER_TARGETS
    login_early: int = 8
    logout_late: int = 4

    def check(self) -> CenterConfig:
        """Validate; raise ``ValueError`` naming the bad part."""
        _check_names("queue", [q.name for q in self.queues])
        _check_names("agent", [a.name for a in self.agents])
        _check_names("shift", [s.name for s in self.shifts])
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.timezone!r}") from exc
        if len(self.intraday) != 24 or len(self.weekday) != 7:
            raise ValueError("intraday needs 24 hourly factors and weekday 7 daily factors")
        if min(self.intraday + self.weekday) < 0:
            raise ValueError("arrival factors must not be negative")
        if not 1 <= self.ring_seconds[0] <= self.ring_seconds[1] < self.ring_timeout:
            raise ValueError("ring_seconds must be 1 <= shortest <= longest < ring_timeout")
        if not self.transfer_targets:
            raise ValueError("transfer_targets must not be empty")
        for queue in self.queues:
            _check_queue(queue)
        self._check_roster()
        return self

    def _check_roster(self) -> None:
        queues = {q.name for q in self.queues}
        shifts = {s.name: s for s in self.shifts}
        for agent in self.agents:
            if agent.shift not in shifts:
                raise ValueError(f"agent {agent.name!r}: unknown shift {agent.shift!r}")
            unknown = set(agent.skills) - queues
            if unknown:
                raise ValueError(f"agent {agent.name!r}: unknown queue(s) {sorted(unknown)}")
        for shift in self.shifts:
            if shift.start_time == shift.end_time:
                raise ValueError(f"shift {shift.name!r}: start and end are the same")


def _check_names(what: str, names: Sequence[str]) -> None:
    if not names and what != "shift":
        raise ValueError(f"a center needs at least one {what}")
    for name in names:
        if not name or name != name.strip() or "|" in name or name.upper() == "NONE":
            raise ValueError(f"bad {what} name {name!r}: empty, padded, NONE or containing '|'")
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate {what} names")


def _check_queue(queue: QueueConfig) -> None:
    shares = (
        queue.short_abandon_share,
        queue.exit_key_share,
        queue.hold_share,
        queue.transfer_share,
        queue.agent_hangup_share,
        queue.survey_share,
    )
    if min(shares) < 0 or max(shares) > 1:
        raise ValueError(f"queue {queue.name!r}: shares must be between 0 and 1")
    if min(queue.talk_mean, queue.wrap_mean, queue.patience_mean, queue.max_wait) <= 0:
        raise ValueError(f"queue {queue.name!r}: times must be positive")
    if queue.peak_per_hour < 0:
        raise ValueError(f"queue {queue.name!r}: peak_per_hour must not be negative")


def _lognormal(rng: random.Random, mean: float, cv: float) -> float:
    sigma2 = math.log(1.0 + cv * cv)
    return rng.lognormvariate(math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2))
