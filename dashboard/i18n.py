"""English and Simplified Chinese UI text, and locale-aware number, duration and time formats.

``t(key, locale)`` looks a message up; a key missing from a locale falls back to English, and a
key missing everywhere shows the key itself (a test checks both catalogues have every key).
"""

from __future__ import annotations

from datetime import datetime

from dashboard.i18n_catalogue import EN, ZH

LOCALES = ("en", "zh")
__all__ = [
    "EN",
    "LOCALES",
    "ZH",
    "fmt_date",
    "fmt_duration",
    "fmt_int",
    "fmt_percent",
    "fmt_time",
    "fmt_value",
    "t",
]
CATALOGUES: dict[str, dict[str, str]] = {"en": EN, "zh": ZH}
_WEEKDAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "zh": ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"),
}
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DASH = "—"


def t(key: str, locale: str = "en", **values: object) -> str:
    """The message ``key`` in ``locale``, with ``{name}`` placeholders filled from ``values``."""
    text = CATALOGUES.get(locale, EN).get(key) or EN.get(key) or key
    return text.format(**values) if values else text


def fmt_int(value: float | None, locale: str = "en") -> str:
    """A count with thousands separators (both locales group by three)."""
    if value is None:
        return DASH
    return f"{round(value):,}"


def fmt_decimal(value: float | None, locale: str = "en", *, digits: int = 1) -> str:
    return DASH if value is None else f"{value:,.{digits}f}"


def fmt_percent(value: float | None, locale: str = "en", *, digits: int = 0) -> str:
    """A fraction as a percentage: ``0.853`` → ``85%`` (``85.3%`` with ``digits=1``)."""
    if value is None:
        return DASH
    return f"{value * 100:.{digits}f}%"


def fmt_duration(seconds: float | None, locale: str = "en") -> str:
    """``m:ss`` under an hour, ``h:mm:ss`` above: the way wallboards show waits and times."""
    if seconds is None:
        return DASH
    total = max(0, int(round(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def fmt_time(moment: datetime, locale: str = "en", *, seconds: bool = True) -> str:
    """A wall-clock time, 24-hour in both locales."""
    return moment.strftime("%H:%M:%S" if seconds else "%H:%M")


def fmt_date(moment: datetime, locale: str = "en") -> str:
    """``Tue 25 Nov 2026`` / ``2026年11月25日 星期二``."""
    weekday = _WEEKDAYS.get(locale, _WEEKDAYS["en"])[moment.weekday()]
    if locale == "zh":
        return f"{moment.year}年{moment.month}月{moment.day}日 {weekday}"
    return f"{weekday} {moment.day} {_MONTHS_EN[moment.month - 1]} {moment.year}"


def fmt_value(value: float | None, fmt: str, locale: str = "en") -> str:
    """Format by a tile format name: ``int``, ``percent``, ``duration`` or ``decimal``."""
    if fmt == "percent":
        return fmt_percent(value, locale)
    if fmt == "duration":
        return fmt_duration(value, locale)
    if fmt == "decimal":
        return fmt_decimal(value, locale)
    return fmt_int(value, locale)
