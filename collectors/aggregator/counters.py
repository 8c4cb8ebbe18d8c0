"""The aggregator's in-memory mirror of the Redis counters, and their field encoding.

Redis keeps one hash per local day for queues (field ``queue|interval|counter``) and one for
agents (``agent|interval|counter``), plus one hash per epoch hour of per-minute queue counters
(field ``queue|minute|counter``) for rolling windows. The mirror lets the snapshot be built
without reading Redis back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from collectors.aggregator.engine import MKey, QKey
from collectors.aggregator.metrics import MAX_COUNTERS
from collectors.keys import Keys
from collectors.pipeline.clients import RedisClient

DayCounters = dict[tuple[str, int, str], int]  # (queue or agent, interval index, counter)


def encode_field(name: str, idx: int, counter: str) -> str:
    return f"{name}|{idx}|{counter}"


def decode_fields(raw: Mapping[Any, Any]) -> DayCounters:
    """Parse a counters hash; fields that do not parse are skipped (written by a newer version)."""
    out: DayCounters = {}
    for field_name, value in raw.items():
        parts = str(field_name).rsplit("|", 2)
        if len(parts) != 3:
            continue
        try:
            out[(parts[0], int(parts[1]), parts[2])] = int(value)
        except ValueError:
            continue
    return out


def merge_into(target: dict[tuple[str, int, str], int], key: tuple[str, int, str], n: int) -> int:
    """Add (or for maxima, raise to) ``n`` at ``key``; return the new value."""
    value = max(target.get(key, 0), n) if key[2] in MAX_COUNTERS else target.get(key, 0) + n
    target[key] = value
    return value


class Writes:
    """Counter writes of one batch, already in the packed form the ``APPLY_COUNTERS`` script
    reads: per hash, ``field<TAB>value`` lines to set (``sets``: the mirror holds the whole
    hash, so it knows the new value), else to add (``sums``) or to raise to (``maxima``).

    A name holding a tab or a newline (a hostile or broken source) cannot travel packed: its
    writes go one by one (``single``: key, ``"set"``, ``"sum"`` or ``"max"``, field, value).
    """

    def __init__(self) -> None:
        self.sets: dict[str, list[str]] = {}
        self.sums: dict[str, list[str]] = {}
        self.maxima: dict[str, list[str]] = {}
        self.single: list[tuple[str, str, str, int]] = []
        self.days: set[str] = set()  # local days with queue or agent counts

    def lines_to_set(self, key: str) -> list[str]:
        """The list of ``key``'s set lines, for :meth:`put_line`."""
        lines = self.sets.get(key)
        if lines is None:
            lines = self.sets[key] = []
        return lines

    def put_line(
        self, lines: list[str], key: str, name: str, idx: int, counter: str, value: int
    ) -> None:
        """Set the field to ``value``; ``lines`` is :meth:`lines_to_set` of ``key``, which the
        caller looks up once per key, not once per count."""
        self._append(lines, "set", key, name, idx, counter, value)

    def add(self, key: str, name: str, idx: int, counter: str, n: int) -> None:
        """Add ``n`` to the field (raise it to ``n`` for a maximum)."""
        groups, mode = (self.maxima, "max") if counter in MAX_COUNTERS else (self.sums, "sum")
        lines = groups.get(key)
        if lines is None:
            lines = groups[key] = []
        self._append(lines, mode, key, name, idx, counter, n)

    def _append(
        self, lines: list[str], mode: str, key: str, name: str, idx: int, counter: str, value: int
    ) -> None:
        if "\t" in name or "\n" in name:
            self.single.append((key, mode, encode_field(name, idx, counter), value))
        else:
            lines.append(f"{name}|{idx}|{counter}\t{value}")


class _Day:
    """What one day's (or hour's) counts share within a batch: its Redis key, the hash held in
    memory (``None`` when not held), the lines that set its fields, and the running totals."""

    def __init__(
        self,
        key: str,
        held: DayCounters | None,
        lines: list[str],
        totals: dict[str, dict[str, int]],
        intervals: dict[int, dict[str, int]],
    ) -> None:
        self.key = key
        self.held = held
        self.lines = lines
        self.totals = totals
        self.intervals = intervals

    def total(self, name: str, idx: int, counter: str, n: int) -> None:
        """Add ``n`` to the agent's day total and to the interval's total over all agents."""
        per_agent = self.totals.get(name)
        if per_agent is None:
            per_agent = self.totals[name] = {}
        per_agent[counter] = per_agent.get(counter, 0) + n
        per_interval = self.intervals.get(idx)
        if per_interval is None:
            per_interval = self.intervals[idx] = {}
        per_interval[counter] = per_interval.get(counter, 0) + n


class Mirror:
    """Counters of the days the aggregator holds in memory (today and yesterday by default).

    Args:
        keys: key names of the center.
        keep_days: local days kept in memory; older days are still written to Redis.
        keep_minutes: minutes of per-minute counters kept for rolling windows.
    """

    def __init__(self, keys: Keys, *, keep_days: int = 2, keep_minutes: int = 120) -> None:
        self.keys = keys
        self.keep_days = keep_days
        self.keep_minutes = keep_minutes
        self.queues: dict[str, DayCounters] = {}
        self.agents: dict[str, DayCounters] = {}
        # Per day: agent → counter → total, and interval → counter → total over all agents;
        # kept as counts arrive so that a snapshot does not sum every agent's intervals.
        self.agent_totals: dict[str, dict[str, dict[str, int]]] = {}
        self.center_intervals: dict[str, dict[int, dict[str, int]]] = {}
        self.minutes: dict[MKey, int] = {}
        # Hours whose whole per-minute hash is in ``minutes``: their fields are written as
        # values (HSET), which costs Redis a fraction of an increment each.
        self.known_hours: set[int] = set()
        # Hours before this one were last pruned (see ``prune_minutes``).
        self._pruned_below = -(2**62)

    def ensure_days(self, client: RedisClient, days: Iterable[str]) -> None:
        """Load the counters of ``days`` not yet in memory (one HGETALL per day and kind)."""
        for day in sorted(set(days)):
            if day in self.queues:
                continue
            self.queues[day] = decode_fields(client.hgetall(self.keys.queue_counters(day)))
            agents = self.agents[day] = decode_fields(client.hgetall(self.keys.agent_counters(day)))
            self.agent_totals[day], self.center_intervals[day] = {}, {}
            loaded = _Day("", None, [], self.agent_totals[day], self.center_intervals[day])
            for (name, idx, counter), n in agents.items():
                loaded.total(name, idx, counter, n)
        for day in sorted(self.queues)[: -self.keep_days]:
            del self.queues[day]
            self.agents.pop(day, None)
            self.agent_totals.pop(day, None)
            self.center_intervals.pop(day, None)

    def load_minutes(self, client: RedisClient, now_minute: int) -> None:
        """(Re)load the per-minute counters of the hours that hold the last ``keep_minutes``
        minutes (whole hours, so that their fields can be written as values)."""
        self.minutes, self.known_hours, self._pruned_below = {}, set(), -(2**62)
        first = now_minute - self.keep_minutes
        for hour in range(first // 60, now_minute // 60 + 1):
            self._load_hour(client, hour)

    def hours_to_load(self, mdelta: Mapping[MKey, int]) -> set[int]:
        """Hours ``mdelta`` writes to that are recent but not held whole in memory."""
        hours = {key[0] // 60 for key in mdelta}
        newest = max(hours, default=0)
        oldest = (newest * 60 - self.keep_minutes) // 60 + 1
        return {h for h in hours - self.known_hours if h >= oldest}

    def ensure_hours(self, client: RedisClient, hours: Iterable[int]) -> None:
        """Load whole hours of per-minute counters (call with no transaction in flight)."""
        for hour in hours:
            self._load_hour(client, hour)

    def _load_hour(self, client: RedisClient, hour: int) -> None:
        raw = client.hgetall(self.keys.minute_counters(hour))
        for (queue, minute, counter), value in decode_fields(raw).items():
            self.minutes[(minute, queue, counter)] = value
        self.known_hours.add(hour)

    def apply(
        self, qdelta: Mapping[QKey, int], adelta: Mapping[QKey, int], mdelta: Mapping[MKey, int]
    ) -> Writes:
        """Merge deltas into the days held in memory and return the Redis writes.

        Days not held in memory (a backfill of last month, say) are only written to Redis.
        """
        writes = Writes()
        self._apply_days(writes, qdelta, agents=False)
        self._apply_days(writes, adelta, agents=True)
        self._apply_minutes(writes, mdelta)
        return writes

    # A batch holds tens of thousands of counts but only a few days and hours: what depends
    # on the day (its key, its held hash, its write lines) is looked up once per day.

    def _apply_days(self, writes: Writes, delta: Mapping[QKey, int], *, agents: bool) -> None:
        days: dict[str, _Day] = {}
        for (day, name, idx, counter), n in delta.items():
            slot = days.get(day)
            if slot is None:
                writes.days.add(day)
                slot = days[day] = self._day(writes, day, agents=agents)
            held = slot.held
            if held is None:
                writes.add(slot.key, name, idx, counter, n)
                continue
            value = merge_into(held, (name, idx, counter), n)
            writes.put_line(slot.lines, slot.key, name, idx, counter, value)
            if agents:
                slot.total(name, idx, counter, n)

    def _day(self, writes: Writes, day: str, *, agents: bool) -> _Day:
        key = self.keys.agent_counters(day) if agents else self.keys.queue_counters(day)
        held = (self.agents if agents else self.queues).get(day)
        if held is None:
            return _Day(key, None, [], {}, {})
        if not agents:
            return _Day(key, held, writes.lines_to_set(key), {}, {})
        totals = self.agent_totals.setdefault(day, {})
        intervals = self.center_intervals.setdefault(day, {})
        return _Day(key, held, writes.lines_to_set(key), totals, intervals)

    def _apply_minutes(self, writes: Writes, mdelta: Mapping[MKey, int]) -> None:
        minutes, known = self.minutes, self.known_hours
        hours: dict[int, _Day] = {}
        for key, n in mdelta.items():
            minute, queue, counter = key
            if counter in MAX_COUNTERS:
                value = max(minutes.get(key, 0), n)
            else:
                value = minutes.get(key, 0) + n
            minutes[key] = value
            hour = minute // 60
            slot = hours.get(hour)
            if slot is None:
                hour_key = self.keys.minute_counters(hour)
                lines = writes.lines_to_set(hour_key) if hour in known else []
                slot = hours[hour] = _Day(hour_key, None, lines, {}, {})
            if hour in known:
                writes.put_line(slot.lines, slot.key, queue, minute, counter, value)
            else:
                writes.add(slot.key, queue, minute, counter, n)

    def prune_minutes(self, *, newest_minute: int, now_minute: int) -> None:
        """Forget the per-minute counters of hours that neither the rolling windows at
        ``now_minute`` (the wall clock) nor the writes near the newest event need.

        Both clocks count: a backfill's events are hours behind the wall clock, and a drain of
        a file runs through days of events in minutes. Whole hours go, so that an hour held
        is always held whole. Only when the event clock passes an hour does it scan.
        """
        floor = (newest_minute - self.keep_minutes) // 60
        if floor <= self._pruned_below:
            return
        self._pruned_below = floor
        first, last = (now_minute - self.keep_minutes) // 60, now_minute // 60
        self.minutes = {
            k: v
            for k, v in self.minutes.items()
            if k[0] // 60 >= floor or first <= k[0] // 60 <= last
        }
        self.known_hours = {h for h in self.known_hours if h >= floor or first <= h <= last}
