"""The one door for every time a person reads: pages, exports, the poster, the PDF and the CLI.

Times are stored as naive UTC (see the models); people work in the center's time zone
(``FLOORBOARD_TIMEZONE``, which every caller passes as ``tz``). :func:`center_time`
converts and labels them, so that "18:42:45 CST" can never be mistaken for a UTC time, and the
zone's abbreviation (``CET``/``CEST``, ``EST``/``EDT``) tells the two 01:30s of a DST fall-back
apart. Machine-readable output (JSON, ISO timestamps in data files) stays UTC and is not
formatted here. A test fails when a page formats a time any other way.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

Style = Literal["datetime", "seconds", "time", "minute", "date"]

#: strftime patterns of the styles (all 24-hour: both locales read times that way).
PATTERNS: dict[str, str] = {
    "datetime": "%Y-%m-%d %H:%M",
    "seconds": "%Y-%m-%d %H:%M:%S",
    "time": "%H:%M:%S",
    "minute": "%H:%M",
    "date": "%Y-%m-%d",
}
NONE = "—"


def center_zone(tz: str) -> ZoneInfo:
    """The center's zone, from its IANA name (``Settings.timezone``, passed by the caller)."""
    return ZoneInfo(tz)


def to_center(moment: datetime | float, tz: str) -> datetime:
    """``moment`` as an aware time in the center's zone.

    Args:
        moment: naive UTC (as the tables store it), an aware datetime, or epoch seconds.
        tz: the center's IANA zone (``Settings.timezone``).
    """
    zone = center_zone(tz)
    if isinstance(moment, datetime):
        aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
        return aware.astimezone(zone)
    return datetime.fromtimestamp(float(moment), zone)


def zone_label(moment: datetime) -> str:
    """The abbreviation of an aware time's zone (``CST``, ``CEST``), or ``UTC+04`` where the
    zone has no letters (tzdata writes ``+04`` for many zones)."""
    name = moment.tzname() or ""
    if not name or name[0] in "+-":
        offset = moment.strftime("%z")  # e.g. +0530
        hours, minutes = offset[:3], offset[3:]
        return f"UTC{hours}" + (f":{minutes}" if minutes not in ("", "00") else "")
    return name


def center_time(
    moment: datetime | float | None,
    tz: str,
    *,
    style: Style = "datetime",
    label: bool = True,
) -> str:
    """A time as people read it: in the center's zone, labelled with the zone.

    Args:
        moment: naive UTC, an aware datetime or epoch seconds; None shows ``—``.
        tz: the center's IANA zone (``Settings.timezone``; pages use
            :func:`dashboard.state.center_tz`).
        style: ``datetime`` (2026-12-07 18:42), ``seconds`` (… 18:42:45), ``time`` (18:42:45),
            ``minute`` (18:42) or ``date`` (2026-12-07, never labelled: a day has no zone).
        label: append the zone's abbreviation (leave it off only where a heading says it).

    Returns:
        e.g. ``"2026-12-07 18:42 CST"``.
    """
    if moment is None:
        return NONE
    local = to_center(moment, tz)
    text = local.strftime(PATTERNS[style])
    if style == "date" or not label:
        return text
    return f"{text} {zone_label(local)}"


def center_date(moment: datetime | float, tz: str) -> date:
    """The center's calendar day of ``moment`` (naive UTC, aware, or epoch seconds)."""
    return to_center(moment, tz).date()
