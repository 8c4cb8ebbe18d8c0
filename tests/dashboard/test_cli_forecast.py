"""``floorboard forecast`` through click's CliRunner on a SQLite call history with a known
profile: JSON shape, today's actuals, settings, table output and the error messages."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import insert

from collectors.history.models import Call
from collectors.staffing import ServiceLevelTarget, agents_required
from core.db import Base, make_engine, session_factory
from dashboard.cli import main

TZ = "Asia/Shanghai"
DAY = date(2024, 3, 4)  # a Monday
_ids = itertools.count(1)

Invoke = Callable[..., Result]
Store = Callable[..., None]


def busy_hours(index: int) -> int:
    """Four calls per quarter hour from 08:00 to 20:00."""
    return 4 if 32 <= index < 80 else 0


def rows_for(day: date, counts: Callable[[int], int], queue: str) -> list[dict[str, Any]]:
    """``counts(i)`` answered calls in interval ``i`` of the local day, 180 s AHT each."""
    rows = []
    midnight = datetime.combine(day, time(), tzinfo=ZoneInfo(TZ))
    for index in range(96):
        for k in range(counts(index)):
            start = (midnight + timedelta(minutes=15 * index, seconds=60 + 60 * k)).astimezone(UTC)
            enqueued = start.replace(tzinfo=None)
            rows.append(
                {
                    "call_id": f"c{next(_ids)}",
                    "queue": queue,
                    "enqueued_at": enqueued,
                    "ended_at": enqueued + timedelta(seconds=170),
                    "talk": 150.0,
                    "wrap": 30.0,
                    "outcome": "answered",
                }
            )
    return rows


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data: Path) -> Store:
    """``store(day, counts, queue="sales")`` writes a day of history (creating the table)."""
    data.mkdir(exist_ok=True)
    engine = make_engine(f"sqlite:///{(data / 'floorboard.db').resolve()}")
    Base.metadata.create_all(engine, tables=[Call.__table__])
    factory = session_factory(engine)

    def write(day: date, counts: Callable[[int], int], queue: str = "sales") -> None:
        rows = rows_for(day, counts, queue)
        if rows:
            with factory() as session:
                session.execute(insert(Call), rows)
                session.commit()

    return write


@pytest.fixture
def history(store: Store) -> None:
    for weeks in range(1, 5):
        store(DAY - timedelta(weeks=weeks), busy_hours)
        store(DAY - timedelta(weeks=weeks), lambda i: 1 if i == 40 else 0, queue="support")


@pytest.fixture
def invoke(data: Path, tmp_path: Path) -> Invoke:
    config = tmp_path / "floorboard.yaml"
    config.write_text("queues:\n  support:\n    sl_threshold: 10\n    sl_target: 0.9\n")
    env = {
        "FLOORBOARD_ENV": "test",
        "FLOORBOARD_DATA_DIR": str(data),
        "FLOORBOARD_DATABASE_URL": "",
        "FLOORBOARD_CONFIG": str(config),
        "FLOORBOARD_TIMEZONE": TZ,
        "FLOORBOARD_INTERVAL_MINUTES": "15",
        "FLOORBOARD_SL_TARGET": "0.8",
        "FLOORBOARD_SL_THRESHOLD": "20",
    }

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, ["forecast", *args], env=env)

    return run


def run_json(invoke: Invoke, *args: str) -> dict[str, Any]:
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.output
    payload: dict[str, Any] = json.loads(result.output)
    return payload


@pytest.mark.usefixtures("history")
def test_json_has_the_profile_and_agents_per_interval(invoke: Invoke) -> None:
    data = run_json(invoke, "--date", "2024-03-04", "--queue", "sales", "--now", "2024-03-04T06:00")
    assert (data["date"], data["weekday"], data["queue"]) == ("2024-03-04", "Monday", "sales")
    assert data["weeks_used"] == ["2024-02-26", "2024-02-19", "2024-02-12", "2024-02-05"]
    assert data["missing_weeks"] == []
    assert (data["timezone"], data["interval_minutes"]) == (TZ, 15)
    assert (data["sl_target"], data["sl_threshold"]) == (0.8, 20.0)
    assert data["agents_required_method"].startswith("Erlang C")
    intervals = data["intervals"]
    assert len(intervals) == 96
    assert [iv["offered_forecast"] for iv in intervals] == [busy_hours(i) for i in range(96)]
    assert data["offered_forecast_total"] == 48 * 4
    first = intervals[32]
    assert first["interval_start"] == "2024-03-04T08:00:00+08:00"
    assert first["aht_forecast"] == 180.0
    expected = agents_required(
        traffic=4 * 180 / 900, aht=180.0, target=ServiceLevelTarget(level=0.8, time=20)
    )
    assert first["agents_required"] == expected
    assert first["status"] == "future"
    assert first["actual_offered"] is None
    assert intervals[0]["agents_required"] == 0


@pytest.mark.usefixtures("history")
def test_today_reports_actuals_and_scales_the_rest(invoke: Invoke, store: Store) -> None:
    store(DAY, lambda i: 6 if 32 <= i < 40 else 0)  # 1.5 × the profile from 08:00 to 10:00
    data = run_json(invoke, "--date", "2024-03-04", "--queue", "sales", "--now", "2024-03-04T10:00")
    assert (data["actual_so_far"], data["forecast_so_far"]) == (48, 32)
    assert data["scale"] == pytest.approx((48 + 20) / (32 + 20), abs=1e-4)
    intervals = data["intervals"]
    assert [iv["status"] for iv in intervals[38:42]] == ["past", "past", "current", "future"]
    assert intervals[39]["actual_offered"] == 6
    assert intervals[39]["offered_forecast"] == 4
    assert intervals[40]["actual_offered"] == 0
    assert intervals[41]["actual_offered"] is None
    assert intervals[41]["offered_base"] == 4
    assert intervals[41]["offered_forecast"] == pytest.approx(4 * 68 / 52, abs=1e-3)


@pytest.mark.usefixtures("history")
def test_queue_service_level_comes_from_the_settings(invoke: Invoke) -> None:
    data = run_json(invoke, "--date", "2024-03-04", "--queue", "support")
    assert (data["sl_target"], data["sl_threshold"]) == (0.9, 10.0)
    expected = agents_required(
        traffic=180 / 900, aht=180.0, target=ServiceLevelTarget(level=0.9, time=10)
    )
    assert data["intervals"][40]["agents_required"] == expected
    total = run_json(invoke, "--date", "2024-03-04")
    assert total["queue"] == "*"
    assert total["intervals"][40]["offered_forecast"] == 5
    assert total["sl_threshold"] == 20.0


@pytest.mark.usefixtures("history")
def test_weeks_and_default_date(invoke: Invoke, store: Store) -> None:
    data = run_json(invoke, "--weeks", "2", "--now", "2024-03-04T09:30")
    assert data["date"] == "2024-03-04"
    assert data["weeks_used"] == ["2024-02-26", "2024-02-19"]
    assert data["now"] == "2024-03-04T09:30:00+08:00"


@pytest.mark.usefixtures("history")
def test_table_output(invoke: Invoke, store: Store) -> None:
    store(DAY, lambda i: busy_hours(i) if i < 40 else 0)  # on forecast so far: scale 1
    result = invoke("--date", "2024-03-04", "--now", "2024-03-04T10:05")
    assert result.exit_code == 0, result.output
    assert "Forecast for '*' on Monday 2024-03-04 (now 2024-03-04 10:05)" in result.output
    assert "Erlang C estimate for 80% within 20 s" in result.output
    rows = {line[:5]: line.split() for line in result.output.splitlines()}
    assert rows["09:45"] == ["09:45", "past", "4.0", "4", "180", "3"]
    assert rows["10:00"][:4] == ["10:00", "current", "5.0", "0"]
    assert rows["10:15"] == ["10:15", "future", "4.0", "180", "3"]


def test_bad_date_is_a_usage_error(invoke: Invoke) -> None:
    result = invoke("--date", "2024-02-30")
    assert result.exit_code == 2
    assert "Invalid value for '--date'" in result.output
    assert "'2024-02-30'" in result.output


def test_missing_database_or_table_says_to_upgrade(invoke: Invoke, data: Path) -> None:
    result = invoke("--date", "2024-03-04")
    assert result.exit_code == 1
    assert "no database at" in result.output
    assert "floorboard db upgrade" in result.output
    assert not (data / "floorboard.db").exists()  # not created empty by asking
    data.mkdir()
    make_engine(f"sqlite:///{data / 'floorboard.db'}").connect().close()
    result = invoke("--date", "2024-03-04")
    assert result.exit_code == 1
    assert "has no calls table(s)" in result.output
    assert "floorboard db upgrade" in result.output


def test_empty_history_is_a_clear_error(invoke: Invoke, store: Store) -> None:
    store(DAY + timedelta(days=1), busy_hours)  # a Tuesday: no help for a Monday
    result = invoke("--date", "2024-03-04")
    assert result.exit_code == 1
    assert (
        "no call history for any queue on the 4 Monday(s) before 2024-03-04 "
        "(2024-02-05 .. 2024-02-26)"
    ) in result.output


@pytest.mark.usefixtures("history")
def test_unknown_queue_lists_the_known_ones(invoke: Invoke) -> None:
    result = invoke("--date", "2024-03-04", "--queue", "salse")
    assert result.exit_code == 1
    assert "no call history for 'salse'" in result.output
    assert "queues in the history: sales, support" in result.output
