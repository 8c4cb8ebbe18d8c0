"""Local-time bucketing: which local day and which interval an epoch timestamp belongs to.

Converting every event with ``zoneinfo`` would cost more than everything else the aggregator
does per event, so the answer is cached per epoch minute (time zone offsets only change on
whole minutes).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


class Clock:
    """Maps timestamps to local days and intervals.

    Args:
        timezone: IANA name of the center's time zone (days and intervals are local).
        interval_minutes: interval length; must divide a day.
    """

    def __init__(self, *, timezone: str = "UTC", interval_minutes: int = 15) -> None:
        if interval_minutes <= 0 or (24 * 60) % interval_minutes:
            raise ValueError("interval_minutes must divide a day")
        self.tz = ZoneInfo(timezone)
        self.interval_minutes = interval_minutes
        self.interval_seconds = interval_minutes * 60
        self._cache: dict[int, tuple[str, int, int]] = {}
        self._bounds: dict[int, tuple[float, float]] = {}
        self._places: dict[int, tuple[str, int, float]] = {}
        self._walls: dict[int, tuple[int, int]] = {}

    def bucket(self, ts: float) -> tuple[str, int, int]:
        """``(day "YYYYMMDD", interval index, epoch minute)`` of ``ts``."""
        minute = int(ts // 60)
        hit = self._cache.get(minute)
        if hit is None:
            local = datetime.fromtimestamp(minute * 60, self.tz)
            idx = (local.hour * 60 + local.minute) // self.interval_minutes
            hit = (local.strftime("%Y%m%d"), idx, minute)
            if len(self._cache) > 100_000:
                self._cache.clear()
            self._cache[minute] = hit
        return hit

    def day_of(self, ts: float) -> str:
        return self.bucket(ts)[0]

    def interval_start(self, day: str, idx: int) -> datetime:
        """Local start of interval ``idx`` of ``day``.

        Intervals follow the wall clock, as people on the floor read it: on the day clocks go
        back, the repeated hour shares its intervals; on the day they go forward, the skipped
        hour's intervals stay empty.
        """
        midnight = datetime.strptime(day, "%Y%m%d")
        return (midnight + timedelta(minutes=idx * self.interval_minutes)).replace(tzinfo=self.tz)

    def interval_bounds(self, ts: float) -> tuple[float, float]:
        """Epoch start and end of the interval containing ``ts``."""
        minute = int(ts // 60)
        hit = self._bounds.get(minute)
        if hit is None:
            day, idx, _ = self.bucket(ts)
            start = self.interval_start(day, idx).timestamp()
            hit = (start, start + self.interval_seconds)
            if len(self._bounds) > 100_000:
                self._bounds.clear()
            self._bounds[minute] = hit
        return hit

    def place(self, ts: float) -> tuple[str, int, float]:
        """``(day, interval index, epoch end of the interval)`` of ``ts``: ``bucket`` and
        ``interval_bounds`` in one look-up, for splitting time at interval boundaries."""
        minute = int(ts // 60)
        hit = self._places.get(minute)
        if hit is None:
            day, idx, _ = self.bucket(ts)
            hit = (day, idx, self.interval_bounds(ts)[1])
            if len(self._places) > 100_000:
                self._places.clear()
            self._places[minute] = hit
        return hit

    def wall(self, ts: float) -> tuple[int, int]:
        """``(local weekday, 0 = Monday; local minute of the day)`` of ``ts``: what a roster's
        shift hours are read against."""
        minute = int(ts // 60)
        hit = self._walls.get(minute)
        if hit is None:
            local = datetime.fromtimestamp(minute * 60, self.tz)
            hit = (local.weekday(), local.hour * 60 + local.minute)
            if len(self._walls) > 100_000:
                self._walls.clear()
            self._walls[minute] = hit
        return hit

    def day_start(self, ts: float) -> float:
        day = self.day_of(ts)
        return datetime.strptime(day, "%Y%m%d").replace(tzinfo=self.tz).timestamp()
