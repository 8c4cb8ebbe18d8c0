"""What an import's counts mean: how many rejects a run may have, and whether its clock is off.

An import that rejected rows is not a success: a wrong mapping (an 18-column list read over a
21-column Asterisk 16+ ``Master.csv``) rejects every row, and exit status 0 made that invisible.
:class:`RejectLimit` decides, from ``--max-rejects``, whether the run failed.

:class:`ClockCheck` compares each call's time with the epoch inside an Asterisk uniqueid
(``1709514000.101`` is the channel's creation time, in UTC): when most calls disagree by the same
whole number of hours (or quarter hours), the file was read in the wrong time zone.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

# An Asterisk uniqueid: "<epoch>.<sequence>", with "<systemname>-" in front when set.
_UNIQUEID = re.compile(r"(?:^|-)(\d{9,10})\.\d+$")
_QUARTER = 900.0  # time zones differ from UTC by whole quarter hours
_SLACK = 120.0  # a uniqueid is made when the channel is, a moment before the record starts
_LIMIT = re.compile(r"(\d+(?:\.\d+)?)(%?)")


class RejectLimitError(ValueError):
    """A ``--max-rejects`` value that is neither a count nor a percentage."""


@dataclass(frozen=True)
class RejectLimit:
    """How many rejected rows a run may have: a count, or a percentage of the rows read."""

    count: int = 0
    percent: float | None = None

    @classmethod
    def parse(cls, text: str) -> RejectLimit:
        """``"0"``, ``"25"`` (rows) or ``"2%"``, ``"0.5%"`` (of the rows read)."""
        found = _LIMIT.fullmatch(text.strip())
        if found is None:
            raise RejectLimitError(
                f"{text!r} is neither a number of rows (5) nor a percentage (2%)"
            )
        number, percent = found.groups()
        if percent:
            value = float(number)
            if value > 100:
                raise RejectLimitError(f"{text!r}: a percentage is at most 100%")
            return cls(percent=value)
        if "." in number:
            raise RejectLimitError(f"{text!r}: a number of rows is a whole number")
        return cls(count=int(number))

    def allowed(self, rows_read: int) -> int:
        if self.percent is None:
            return self.count
        return math.floor(rows_read * self.percent / 100 + 1e-9)

    def __str__(self) -> str:
        return f"{self.percent:g}%" if self.percent is not None else str(self.count)

    def failure(self, *, rows_read: int, rejected: int) -> str | None:
        """Why the run failed, or ``None`` when its rejects are within the limit.

        A file whose every row was rejected always fails: nothing of it was imported.
        """
        if rejected == 0:
            return None
        if rejected >= rows_read:
            return f"every row was rejected ({rejected} of {rows_read}): nothing was imported"
        allowed = self.allowed(rows_read)
        if rejected <= allowed:
            return None
        return (
            f"{rejected} of {rows_read} rows rejected; --max-rejects {self} allows {allowed} "
            "(raise it to accept them, e.g. --max-rejects 2%)"
        )


class ClockCheck:
    """Counts, per quarter hour of difference, how calls' times compare with their uniqueid."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.checked = 0
        self.offsets: Counter[int] = Counter()
        self.sample_ts = 0.0

    def add(self, call_id: str, ts: float) -> None:
        found = _UNIQUEID.search(call_id)
        if found is None:
            return
        self.checked += 1
        diff = ts - int(found.group(1))
        quarters = round(diff / _QUARTER)
        if abs(diff - quarters * _QUARTER) <= _SLACK:
            self.offsets[quarters] += 1
            self.sample_ts = ts

    def dominant(self) -> tuple[float, int] | None:
        """The shift (seconds) most calls share, and how many share it; ``None`` when no
        shift is shared by more than half of the calls checked."""
        if not self.offsets:
            return None
        quarters, count = self.offsets.most_common(1)[0]
        if count * 2 <= self.checked:
            return None
        return quarters * _QUARTER, count

    def written_in(self) -> str | None:
        """The UTC offset the file's times look written in (``UTC+08:00``), if one shows."""
        found = self.dominant()
        if found is None:
            return None
        read_as = datetime.fromtimestamp(self.sample_ts, UTC).astimezone(self.zone).utcoffset()
        return _utc_offset((read_as.total_seconds() if read_as else 0.0) + found[0])

    def warning(self) -> str | None:
        """The warning for the summary when most calls are off by the same zone-like amount."""
        found = self.dominant()
        if found is None or found[0] == 0:
            return None
        shift, count = found
        hours = f"{abs(shift) / 3600:g} h"
        direction = "later" if shift > 0 else "earlier"
        return (
            f"times look {hours} off the uniqueid epochs ({direction} in {count} of "
            f"{self.checked} calls): is --timezone right? The file looks written in "
            f"{self.written_in()}"
        )


def _utc_offset(seconds: float) -> str:
    sign = "-" if seconds < 0 else "+"
    minutes = round(abs(seconds) / 60)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
