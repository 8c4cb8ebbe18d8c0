"""The forecast's SQL: counts per queue and time block, aggregated by the database.

Every query is one history day and a list of queue names, so that it is a set of range seeks
on the ``(queue, enqueued_at)`` index rather than a scan of the whole table: four weeks of a
1,000-agent center (~1M rows, of which the four same weekdays are ~150k) come back as a few
thousand rows. The queue names themselves come from a skip scan of the same index.

A time block is ``gcd(interval, 15)`` minutes of epoch time: every zone offset in use is a
multiple of 15 minutes, so a block never straddles two local intervals; a day on which one
would (an exotic offset) is counted per minute instead.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    cast,
    extract,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from collectors.forecast.model import DayGrid
from collectors.forecast.schemas import ALL, HANDLED_OUTCOMES, Counts, ForecastError
from collectors.history.models import Call

MAX_CALL_HOURS = 12
"""A handled call is looked up by its enqueue time too (that is what the index holds): calls
enqueued more than this long before the start of the day they ended on are left out of AHT."""

DayCounts = dict[str, dict[int, Counts]]
"""Scope (queue or ``*``) → interval index → counts, for one day."""

# A recursive skip scan: one index seek per distinct queue instead of reading every row.
_QUEUE_NAMES = text(
    "WITH RECURSIVE q(name) AS ("
    " SELECT MIN(queue) FROM calls"
    " UNION ALL"
    " SELECT (SELECT MIN(queue) FROM calls WHERE queue > q.name) FROM q WHERE q.name IS NOT NULL"
    ") SELECT name FROM q WHERE name IS NOT NULL"
)


def queue_names(session: Session) -> tuple[str, ...]:
    """Every queue in the call history."""
    return tuple(str(name) for (name,) in session.execute(_QUEUE_NAMES))


def _block_maps(grids: Sequence[DayGrid]) -> tuple[int, list[dict[int, int]]]:
    """The block size (minutes) and each day's epoch block → interval map."""
    size = math.gcd(grids[0].interval_minutes, 15)
    maps = [g.blocks(size) for g in grids]
    if all(m is not None for m in maps):
        return size, [m for m in maps if m is not None]
    return 1, [m for g in grids if (m := g.blocks(1)) is not None]


def _epoch_block(
    session: Session, column: InstrumentedAttribute[datetime], seconds: int
) -> ColumnElement[int]:
    """SQL for ``floor(epoch seconds of column / seconds)`` (the column holds naive UTC)."""
    # A literal, not a bound parameter: PostgreSQL only matches the GROUP BY expression with
    # the selected one when both are textually equal.
    size = literal_column(str(int(seconds)), Integer)
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        # strftime('%s') truncates to whole seconds, so integer division floors.
        return cast(func.strftime("%s", column), Integer) // size
    if dialect == "postgresql":
        return cast(func.floor(extract("epoch", column) / size), BigInteger)
    raise ForecastError(f"the forecast supports SQLite and PostgreSQL, not {dialect}")


def _empty(count: int) -> list[DayCounts]:
    return [defaultdict(lambda: defaultdict(Counts)) for _ in range(count)]


def _tally(
    rows: Iterable[Any],
    blocks: Mapping[int, int],
    day: DayCounts,
    add: Callable[..., None],
) -> None:
    """Spread ``(queue, block, …)`` rows over the day's intervals, adding ``*`` totals."""
    for queue, block, *values in rows:
        index = blocks.get(int(block))
        if index is None:
            continue  # millisecond rounding at the very edge of the range
        add(day[queue][index], *values)
        add(day[ALL][index], *values)


def _add_offered(counts: Counts, calls: int) -> None:
    counts.offered += int(calls)


def _add_handled(counts: Counts, calls: int, seconds: float | None) -> None:
    counts.handled += int(calls)
    counts.handle_seconds += float(seconds or 0.0)


def _offered_rows(
    session: Session, grid: DayGrid, seconds: int, queues: Sequence[str], until: float | None
) -> Iterable[Any]:
    block = _epoch_block(session, Call.enqueued_at, seconds)
    start, end = grid.utc_bounds(until)
    query = (
        select(Call.queue, block, func.count())
        .where(Call.queue.in_(queues), Call.enqueued_at >= start, Call.enqueued_at < end)
        .group_by(Call.queue, block)
    )
    return session.execute(query)


def _handled_rows(
    session: Session, grid: DayGrid, seconds: int, queues: Sequence[str]
) -> Iterable[Any]:
    block = _epoch_block(session, Call.ended_at, seconds)
    start, end = grid.utc_bounds()
    handle = (
        func.coalesce(Call.talk, 0.0)
        + func.coalesce(Call.hold, 0.0)
        + func.coalesce(Call.wrap, 0.0)
    )
    query = (
        select(Call.queue, block, func.count(), func.sum(handle))
        .where(
            Call.queue.in_(queues),
            Call.enqueued_at >= start - timedelta(hours=MAX_CALL_HOURS),
            Call.enqueued_at < end,
            Call.ended_at >= start,
            Call.ended_at < end,
            Call.outcome.in_(HANDLED_OUTCOMES),
        )
        .group_by(Call.queue, block)
    )
    return session.execute(query)


def history_counts(
    session: Session, grids: Sequence[DayGrid], queues: Sequence[str] | None
) -> list[DayCounts]:
    """Offered and handled counts of each day of ``grids``, per scope and interval.

    Args:
        session: Session on the database holding ``calls``.
        grids: The days.
        queues: Queues to read (None: every queue); ``*`` totals the queues read.
    """
    names = queue_names(session) if queues is None else tuple(queues)
    days = _empty(len(grids))
    if not names:
        return days
    size, maps = _block_maps(grids)
    for grid, blocks, day in zip(grids, maps, days, strict=True):
        offered = _offered_rows(session, grid, size * 60, names, None)
        _tally(offered, blocks, day, _add_offered)
        _tally(_handled_rows(session, grid, size * 60, names), blocks, day, _add_handled)
    return days


def offered_counts(
    session: Session, grid: DayGrid, queues: Sequence[str] | None, until: float | None
) -> dict[str, dict[int, int]]:
    """Calls offered per scope and interval of ``grid``'s day, enqueued before ``until``.

    Args:
        session: Session on the database holding ``calls``.
        grid: The day.
        queues: Queues to read (None: every queue); ``*`` totals the queues read.
        until: Epoch seconds, or None for the whole day.
    """
    names = queue_names(session) if queues is None else tuple(queues)
    (day,) = _empty(1)
    if names:
        size, (blocks,) = _block_maps([grid])
        _tally(_offered_rows(session, grid, size * 60, names, until), blocks, day, _add_offered)
    return {scope: {i: c.offered for i, c in per.items()} for scope, per in day.items()}
