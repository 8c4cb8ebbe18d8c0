"""The roster: static queue members with shift hours, from the settings file.

During a rostered shift the agent's presence is ``session`` without any event (static members
of ``queues.conf`` never log in); docs/METRICS.md "Roster" is the user-facing description::

    roster:
      support:
        - {agent: "Agent/1001", shift: "08:00-17:00", days: mon-fri}
        - {agent: "Agent/1002", shift: "22:00-06:00", days: [sat, sun]}

Hours are the center's local time; a shift whose end is not after its start runs past
midnight (it belongs to the day it starts on). ``days`` is a range (``mon-fri``), a list, or a
single day; absent means every day.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


class RosterError(ValueError):
    """A roster entry is malformed; the message names the key."""


@dataclass(frozen=True, slots=True)
class Shift:
    """One agent's shift in one queue: minutes of the local day and weekdays (0 = Monday)."""

    agent: str
    queue: str
    start: int
    end: int
    days: frozenset[int]

    def covers(self, weekday: int, minute: int) -> bool:
        """Whether the local weekday and minute of the day fall in the shift."""
        if self.start < self.end:
            return weekday in self.days and self.start <= minute < self.end
        # Past midnight: the evening of a shift day, or the morning after one.
        if minute >= self.start:
            return weekday in self.days
        return minute < self.end and (weekday - 1) % 7 in self.days


def parse_roster(raw: Any, *, where: str = "roster") -> dict[str, tuple[Shift, ...]]:
    """``queue → shifts`` from the settings file's ``roster`` mapping."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise RosterError(f"{where} must be a mapping of queue name to a list of shifts")
    out: dict[str, tuple[Shift, ...]] = {}
    for queue, entries in raw.items():
        key = f"{where}.{queue}"
        if not isinstance(queue, str) or not queue:
            raise RosterError(f"{key}: a queue name must be a non-empty string")
        if not isinstance(entries, list):
            raise RosterError(f"{key} must be a list of {{agent, shift, days}} entries")
        out[queue] = tuple(_shift(e, queue, f"{key}[{i}]") for i, e in enumerate(entries))
    return out


def _shift(entry: Any, queue: str, key: str) -> Shift:
    if not isinstance(entry, Mapping):
        raise RosterError(f"{key} must be a mapping with agent, shift and days")
    unknown = set(entry) - {"agent", "shift", "days"}
    if unknown:
        raise RosterError(f"{key}: unknown key(s) {sorted(map(str, unknown))}")
    agent = entry.get("agent")
    if isinstance(agent, int) and not isinstance(agent, bool):
        agent = str(agent)  # ``agent: 1001`` unquoted
    if not isinstance(agent, str) or not agent.strip():
        raise RosterError(f"{key}.agent must be the agent's name as the sources write it")
    start, end = _hours(entry.get("shift"), f"{key}.shift")
    days = _days(entry.get("days"), f"{key}.days")
    return Shift(agent=agent.strip(), queue=queue, start=start, end=end, days=days)


def _hours(raw: Any, key: str) -> tuple[int, int]:
    match = _HOURS.match(raw.strip()) if isinstance(raw, str) else None
    if match is None:
        raise RosterError(f"{key} must be 'HH:MM-HH:MM' (local time), got {raw!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 24 or h2 > 24 or m1 > 59 or m2 > 59 or h1 * 60 + m1 > 1440 or h2 * 60 + m2 > 1440:
        raise RosterError(f"{key}: {raw!r} is not a time of day")
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if start == end:
        raise RosterError(f"{key}: {raw!r} is an empty shift")
    return start % 1440, end if end <= 1440 else end % 1440


def _days(raw: Any, key: str) -> frozenset[int]:
    if raw is None:
        return frozenset(range(7))
    items = raw if isinstance(raw, list) else [raw]
    out: set[int] = set()
    for item in items:
        if not isinstance(item, str):
            raise RosterError(f"{key}: {item!r} is not a day ({', '.join(DAYS)} or a range)")
        out |= _day_range(item.strip().lower(), key)
    return frozenset(out)


def _day_range(text: str, key: str) -> set[int]:
    first, _, last = text.partition("-")
    if first not in DAYS or (last and last not in DAYS):
        raise RosterError(f"{key}: {text!r} is not a day ({', '.join(DAYS)}) or a range (mon-fri)")
    a, b = DAYS.index(first), DAYS.index(last or first)
    return {(a + i) % 7 for i in range((b - a) % 7 + 1)}
