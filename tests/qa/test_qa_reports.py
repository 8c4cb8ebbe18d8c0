"""QA reports on SQLite and PostgreSQL: quality per agent/team/queue over time (mean of
evaluations), item failure rates, evaluator workload, CSV/XLSX, and the awards' QA average."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from qa_factories import T0, card, evaluate, make_call
from sqlalchemy.orm import Session

from qa.awards.schemas import Month
from qa.awards.service import compute_month
from qa.evaluations.disputes import raise_dispute, resolve_dispute
from qa.evaluations.schemas import Decision
from qa.people.models import Agent
from qa.reports.export import (
    default_range,
    failures_table,
    quality_table,
    render_text,
    report_file,
    workload_table,
    write_csv,
    write_xlsx,
)
from qa.reports.schemas import FileFormat, GroupBy, ReportKind
from qa.reports.service import (
    evaluator_workload,
    item_failure_rates,
    qa_average_provider,
    quality_scores,
)
from qa.sampling.schemas import Period
from qa.sampling.service import pick_call

JAN = (date(2026, 1, 1), date(2026, 2, 1))
FULL = {"g1.a": "yes", "g1.b": "yes", "g2.c": "yes"}  # 100 %
HALF = {"g1.a": "yes", "g1.b": "no", "g2.c": "yes"}  # 60 %
NONE = {"g1.a": "no", "g1.b": "no", "g2.c": "no"}  # 0 %


@pytest.fixture
def scored(db_session: Session, make_agent: Callable[..., Agent]) -> None:
    """A1 (team North): three evaluations on Monday, one on Tuesday; A2 (South): one."""
    make_agent("A1", team="North")
    make_agent("A2", team="South")
    card(db_session)
    for answers in (FULL, FULL, NONE):
        evaluate(db_session, make_call(db_session, agent="A1"), answers)
    evaluate(
        db_session,
        make_call(db_session, agent="A1", queue="vip", at=T0 + timedelta(days=1)),
        HALF,
        evaluator="qa2",
    )
    evaluate(db_session, make_call(db_session, agent="A2"), HALF, evaluator="qa2")


def test_period_score_is_the_mean_of_its_evaluations(db_session: Session, scored: None) -> None:
    rows = quality_scores(db_session=db_session, start=JAN[0], end=JAN[1])
    # A1: (100 + 100 + 0 + 60) / 4 = 65, not the mean of daily means ((66.67 + 60) / 2)
    assert [(r.group, r.evaluations, r.mean_score, r.pass_rate) for r in rows] == [
        ("A1", 4, 65.0, 1.0),
        ("A2", 1, 60.0, 1.0),
    ]
    daily = quality_scores(db_session=db_session, start=JAN[0], end=JAN[1], period=Period.DAY)
    assert [(r.period_start, r.group, r.mean_score) for r in daily] == [
        (date(2026, 1, 5), "A1", 66.67),
        (date(2026, 1, 5), "A2", 60.0),
        (date(2026, 1, 6), "A1", 60.0),
    ]
    teams = quality_scores(
        db_session=db_session, start=JAN[0], end=JAN[1], by=GroupBy.TEAM, period=Period.MONTH
    )
    assert [(r.period_start, r.group, r.mean_score) for r in teams] == [
        (date(2026, 1, 1), "North", 65.0),
        (date(2026, 1, 1), "South", 60.0),
    ]
    queues = quality_scores(db_session=db_session, start=JAN[0], end=JAN[1], by=GroupBy.QUEUE)
    assert [(r.group, r.evaluations, r.mean_score) for r in queues] == [
        ("sales", 4, 65.0),
        ("vip", 1, 60.0),
    ]
    assert quality_scores(db_session=db_session, start=date(2026, 2, 1), end=date(2026, 3, 1)) == []


def test_periods_follow_the_center_time_zone(db_session: Session) -> None:
    card(db_session)
    # 2026-01-05 23:30 UTC is already Tuesday 07:30 in Shanghai
    evaluate(db_session, make_call(db_session, at=datetime(2026, 1, 5, 23, 30)), FULL)
    rows = quality_scores(
        db_session=db_session, start=JAN[0], end=JAN[1], period=Period.DAY, tz="Asia/Shanghai"
    )
    assert [r.period_start for r in rows] == [date(2026, 1, 6)]


def test_item_failure_rates(db_session: Session, scored: None) -> None:
    rows = item_failure_rates(db_session=db_session, start=JAN[0], end=JAN[1])
    assert [(r.item_ref, r.applicable, r.failed, r.failure_rate) for r in rows] == [
        ("g1.b", 5, 3, 0.6),
        ("g1.a", 5, 1, 0.2),
        ("g2.c", 5, 1, 0.2),
    ]
    assert rows[0].text == "Item b" and rows[0].text_zh == "项目 b"
    only_a2 = item_failure_rates(db_session=db_session, start=JAN[0], end=JAN[1], agent_ids=["A2"])
    assert [(r.item_ref, r.failed) for r in only_a2][0] == ("g1.b", 1)


def test_evaluator_workload(db_session: Session, scored: None) -> None:
    call = make_call(db_session, agent="A2")
    pick_call(
        db_session=db_session,
        call_pk=call.id,
        evaluator="qa1",
        actor="sup",
        staff={"qa1"},
        scorecard_key="example",
        due_on=date(2026, 1, 2),
    )
    evaluate(db_session, make_call(db_session, agent="A2"), {"g1.a": "yes"}, submit=False)
    mine = evaluate(db_session, make_call(db_session, agent="A2"), HALF, evaluator="qa2")
    dispute = raise_dispute(
        db_session=db_session,
        evaluation_id=mine.id,
        item_ref="g1.b",
        reason="r",
        agent_id="A2",
        actor="a2",
    )
    resolve_dispute(
        db_session=db_session, dispute_id=dispute.id, decision=Decision.ACCEPT, actor="sup"
    )
    today = datetime.now().date()
    rows = evaluator_workload(
        db_session=db_session, start=today - timedelta(days=1), end=today + timedelta(days=1)
    )
    by_name = {r.evaluator: r for r in rows}
    assert (by_name["qa1"].submitted, by_name["qa1"].mean_score) == (3, 66.67)
    assert (by_name["qa1"].drafts, by_name["qa1"].open_assignments, by_name["qa1"].overdue) == (
        1,
        1,
        1,
    )
    assert (by_name["qa2"].submitted, by_name["qa2"].disputes, by_name["qa2"].upheld) == (3, 1, 1)


def test_exports_csv_and_xlsx(db_session: Session, scored: None, tmp_path: Path) -> None:
    quality = quality_table(quality_scores(db_session=db_session, start=JAN[0], end=JAN[1]))
    failures = failures_table(item_failure_rates(db_session=db_session, start=JAN[0], end=JAN[1]))
    workload = workload_table(evaluator_workload(db_session=db_session, start=JAN[0], end=JAN[1]))
    assert write_csv(quality, tmp_path / "q.csv") == 2
    with (tmp_path / "q.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle)) == [
            ["period", "agent", "evaluations", "mean_score", "mean_raw_score", "pass_rate"],
            ["", "A1", "4", "65.0", "65.0", "1.0"],
            ["", "A2", "1", "60.0", "60.0", "1.0"],
        ]
    assert write_xlsx([quality, failures, workload], tmp_path / "r.xlsx") == 3
    book = load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == ["Quality by agent", "Item failure rates", "Evaluator workload"]
    sheet = book["Item failure rates"]
    assert [c.value for c in sheet[2]][:4] == ["example", "g1.b", "Item b", "项目 b"]
    assert sheet[2][8].value == 0.6
    assert "A1" in render_text(quality)


def test_qa_average_feeds_the_awards_tie_break(db_session: Session, scored: None) -> None:
    provider = qa_average_provider("UTC")
    averages = provider(db_session=db_session, start=JAN[0], end=JAN[1], agent_ids=["A1", "A2"])
    assert averages == {"A1": Decimal("65.00"), "A2": Decimal("60.00")}
    row = compute_month(
        db_session=db_session, month=Month(2026, 1), actor="hr", qa_averages=provider
    )
    facts = {a["agent_id"]: a["qa_average"] for a in row.inputs["agents"]}
    assert (Decimal(facts["A1"]), Decimal(facts["A2"])) == (Decimal("65.00"), Decimal("60.00"))


def test_exports_neutralise_formulas_in_names_and_keep_numbers(
    db_session: Session, make_agent: Callable[..., Agent], tmp_path: Path
) -> None:
    evil = "@SUM(1+1)*cmd|' /C calc'!A0"
    make_agent("A1")
    card(db_session)
    evaluate(db_session, make_call(db_session, agent="A1"), HALF, evaluator=evil)
    today = datetime.now().date()
    days = {"start": today - timedelta(days=1), "end": today + timedelta(days=1)}
    workload = workload_table(evaluator_workload(db_session=db_session, **days))
    write_csv(workload, tmp_path / "w.csv")
    with (tmp_path / "w.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[1][:3] == ["'" + evil, "1", "60.0"]
    write_xlsx([workload], tmp_path / "w.xlsx")
    evaluator, submitted = load_workbook(tmp_path / "w.xlsx").active[2][:2]
    assert (evaluator.value, evaluator.data_type, evaluator.quotePrefix) == (evil, "s", True)
    assert (submitted.value, submitted.data_type) == (1, "n")


def test_report_file_builds_the_web_downloads(db_session: Session, scored: None) -> None:
    """The web download (issue 13.1: built in ``qa.reports``, not in the route): CSV holds the
    kind asked for, titled with the range; XLSX all three reports, one sheet each."""
    start, end = JAN
    items = report_file(
        db_session=db_session, fmt=FileFormat.CSV, kind=ReportKind.ITEMS, start=start, end=end
    )
    assert items.name == "qa-items-2026-01-01-2026-02-01.csv"
    rows = list(csv.reader(io.StringIO(items.data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["scorecard", "item"] and rows[1][:2] == ["example", "g1.b"]
    book = report_file(
        db_session=db_session, fmt=FileFormat.XLSX, kind=ReportKind.ITEMS, start=start, end=end,
        group=GroupBy.TEAM, period=Period.WEEK,
    )  # fmt: skip
    assert book.name == "qa-report-2026-01-01-2026-02-01.xlsx"
    sheets = load_workbook(io.BytesIO(book.data)).sheetnames  # titles cut at Excel's 31
    assert [name.split(",")[0] for name in sheets] == [
        "Quality by team",
        "Item failure rates",
        "Evaluator workload",
    ]
    assert sheets[0].startswith("Quality by team, 2026-01-01 to")


def test_default_range_is_the_last_four_weeks_today_included() -> None:
    assert default_range(date(2026, 3, 10)) == (date(2026, 2, 11), date(2026, 3, 11))
