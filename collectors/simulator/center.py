"""The demo center: the seed's three shifts, known queue profiles and a mixed-skill roster of
any size.

It is built from the plain configuration types of :mod:`collectors.simulator.model`, so a
different center is just another :class:`~collectors.simulator.model.CenterConfig`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from collectors.simulator.model import (
    AgentConfig,
    CenterConfig,
    QueueConfig,
    ShiftConfig,
    standard_pauses,
)

_NAMES: tuple[str, ...] = (
    "王芳", "Emily Chen", "李伟", "David Wang", "张敏", "Sarah Liu", "刘洋", "Michael Zhang",
    "陈静", "Jessica Huang", "杨帆", "Kevin Lin", "赵磊", "Grace Wu", "黄丽", "Tom Xu",
    "周杰", "Anna Ma", "吴婷", "Peter Zhou", "孙悦", "Lucy He", "郑浩", "Daniel Guo",
    "马超", "Olivia Sun", "朱琳", "Ryan Zhao", "胡军", "Sophie Luo", "郭静", "Jason Yang",
    "林峰", "Chloe Tang", "何洁", "Eric Liang", "高翔", "Nina Song", "罗敏", "Brian Xie",
)  # fmt: skip

# Known queue profiles; any other queue name gets the generic one. ``weight`` is its share of
# the traffic.
_PROFILES: dict[str, tuple[float, QueueConfig]] = {
    "sales": (0.35, QueueConfig("sales", 0, talk_mean=200, patience_mean=180, max_wait=240)),
    "support": (0.40, QueueConfig("support", 0, talk_mean=300, transfer_share=0.07)),
    "billing": (0.18, QueueConfig("billing", 0, talk_mean=230, hold_share=0.3)),
    "vip": (
        0.07,
        QueueConfig("vip", 0, talk_mean=270, patience_mean=150, max_wait=120, priority=10),
    ),
}
_GENERIC = (0.25, QueueConfig("generic", 0))

#: Peak arrivals per hour per agent of the roster: sized so that the default center, with its
#: breaks, lands near 80 % service level and a few percent abandons.
PEAK_CALLS_PER_AGENT = 4.4


def default_center(
    *,
    agents: int = 18,
    queues: Sequence[str] = ("sales", "support", "billing", "vip"),
    timezone: str = "UTC",
    peak_calls_per_agent: float = PEAK_CALLS_PER_AGENT,
) -> CenterConfig:
    """The demo center: the seed's shifts (08-20, 09-21, 20-08), mixed-skill agents, busy weekdays.

    Args:
        agents: roster size; about 40 % early, 40 % late and 20 % night shift. With the default
            18 agents (5 of 7 days each) at least 8 are on line at peak and 2 overnight.
        queues: queue names; sales/support/billing/vip have their own profiles, others a
            generic one. A priority queue (vip) is answered by every third day agent only.
        timezone: IANA zone of the shifts and the intraday profile.
        peak_calls_per_agent: traffic at peak per rostered agent; raise it to stress the floor.
    """
    if agents < 1:
        raise ValueError("a center needs at least one agent")
    profiles = [_PROFILES.get(name, _GENERIC) for name in queues]
    total = sum(weight for weight, _ in profiles)
    peak = agents * peak_calls_per_agent
    queue_cfgs = tuple(
        replace(profile, name=name, peak_per_hour=round(peak * weight / total, 2))
        for name, (weight, profile) in zip(queues, profiles, strict=True)
    )
    shifts = (
        ShiftConfig("early", "08:00", "20:00"),
        ShiftConfig("late", "09:00", "21:00"),
        ShiftConfig("night", "20:00", "08:00", standard_pauses("dinner")),
    )
    night = round(agents * 0.22) if agents >= 3 else 0
    early = (agents - night + 1) // 2
    groups = (("early", early), ("late", agents - night - early), ("night", night))
    roster: list[AgentConfig] = []
    for shift, size in groups:
        for i in range(size):
            roster.append(_agent(len(roster), shift, i, size, queue_cfgs))
    return CenterConfig(
        queues=queue_cfgs, agents=tuple(roster), shifts=shifts, timezone=timezone
    ).check()


def _agent(
    number: int, shift: str, i: int, size: int, queues: Sequence[QueueConfig]
) -> AgentConfig:
    """The ``i``-th agent of a shift group: two regular queues, vip for every third day agent."""
    regular = [q.name for q in queues if q.priority <= 0]
    premium = [q.name for q in queues if q.priority > 0]
    if not regular:
        skills = premium
    elif shift == "night":
        skills = regular
    else:
        skills = list(dict.fromkeys([regular[i % len(regular)], regular[(i + 1) % len(regular)]]))
        if i % 3 == 0:
            skills = premium + skills
    # Staggered days off spread evenly over the week; groups too small to cover 7 days work
    # every day (it is a simulation: nobody gets tired).
    first = i * 7 // size
    days_off = (first % 7, (first + 1) % 7) if size >= (4 if shift == "night" else 5) else ()
    base = _NAMES[number % len(_NAMES)]
    name = base if number < len(_NAMES) else f"{base} {number // len(_NAMES) + 1}"
    return AgentConfig(
        name=name,
        extension=str(1001 + number),
        team=f"{shift.capitalize()} {i // 8 + 1}",
        shift=shift,
        skills=tuple(skills),
        days_off=days_off,
    )
