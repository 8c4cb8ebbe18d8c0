"""Ledger rules on SQLite and PostgreSQL: signs, corrections, monthly totals, scorecard
deductions, and CSV import (all or nothing, errors naming file:line) and export."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qa.audit.service import list_entries as audit_entries
from qa.csvio import CsvImportError
from qa.ledger.files import export_ledger_csv, import_ledger_csv
from qa.ledger.models import LedgerEntry
from qa.ledger.schemas import (
    Category,
    EntryIn,
    EntryKind,
    LedgerError,
    ScorecardDeduction,
    parse_points,
)
from qa.ledger.service import (
    add_entry,
    correct_entry,
    effective_points,
    get_entry,
    monthly_totals,
    record_scorecard_deductions,
)
from qa.people.models import Agent

D = Decimal
JAN, FEB = (date(2026, 1, 1), date(2026, 2, 1)), (date(2026, 2, 1), date(2026, 3, 1))


def entry(agent: str, points: str, *, kind: str = "incident", category: str = "etiquette",
          day: date = date(2026, 1, 10), corrects: int | None = None) -> EntryIn:  # fmt: skip
    return EntryIn(
        agent_id=agent, date=day, category=Category(category), points=D(points),
        kind=EntryKind(kind), reporter="sup1", note="test", corrects_id=corrects,
    )  # fmt: skip


def count_entries(db_session: Session) -> int:
    return db_session.scalar(select(func.count()).select_from(LedgerEntry)) or 0


def test_add_entry_stores_exact_points_and_audits(
    db_session: Session, make_agent: Callable[..., Agent]
) -> None:
    make_agent("A1")
    row = add_entry(db_session=db_session, entry=entry("A1", "-2.01"), actor="sup1")
    db_session.expire_all()
    stored = db_session.get(LedgerEntry, row.id)
    assert stored is not None and stored.points == D("-2.01")
    audit = audit_entries(db_session=db_session, entity="ledger_entry", entity_id=str(row.id))
    assert [(a.actor, a.action, a.details["points"]) for a in audit] == [
        ("sup1", "ledger.incident", "-2.01")
    ]


@pytest.mark.parametrize(
    ("points", "kind", "message"),
    [
        ("0.5", "incident", "incident points must be negative"),
        ("-1", "bonus", "bonus points must be positive"),
        ("0", "correction", "changes nothing"),
        ("-0.125", "incident", "more than two decimals"),
    ],
)
def test_entry_rules(
    db_session: Session, make_agent: Callable[..., Agent], points: str, kind: str, message: str
) -> None:
    make_agent("A1")
    with pytest.raises(LedgerError, match=message):
        add_entry(db_session=db_session, entry=entry("A1", points, kind=kind), actor="sup1")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1e30", "beyond ±1000"),
        ("-1e30", "beyond ±1000"),
        ("-1000.01", "beyond ±1000"),
        ("1E+999999", "beyond ±1000"),
        ("NaN", "not a finite number"),
        ("-Infinity", "not a finite number"),
    ],
)
def test_points_out_of_bounds_are_a_message_not_a_crash(text: str, message: str) -> None:
    # 1e30 once raised decimal.InvalidOperation (quantizing it to hundredths), a 500 on the web
    with pytest.raises(LedgerError, match=message):
        parse_points(text)
    assert parse_points("-1000") == D(-1000)


def test_notes_and_reasons_are_limited(
    db_session: Session, make_agent: Callable[..., Agent]
) -> None:
    make_agent("A1")
    long_note = EntryIn(**{**entry("A1", "-1").__dict__, "note": "x" * 1001})
    with pytest.raises(LedgerError, match="note is 1,001 characters long; at most 1,000"):
        add_entry(db_session=db_session, entry=long_note, actor="sup1")
    original = add_entry(db_session=db_session, entry=entry("A1", "-1"), actor="sup1")
    with pytest.raises(LedgerError, match="correction reason is 1,001 characters"):
        correct_entry(
            db_session=db_session, entry_id=original.id, new_points=D(0), reason="r" * 1001,
            actor="m1",
        )  # fmt: skip
    assert count_entries(db_session) == 1


@pytest.mark.parametrize("entry_id", [2**63, 2**64 + 1, 0, -1])
def test_ids_outside_64_bits_name_no_entry_and_never_reach_sql(
    db_session: Session, entry_id: int
) -> None:
    # SQLite raised OverflowError and PostgreSQL NumericValueOutOfRange for 2**63
    assert get_entry(db_session=db_session, entry_id=entry_id) is None
    with pytest.raises(LedgerError, match=f"no ledger entry {entry_id} to correct"):
        correct_entry(
            db_session=db_session, entry_id=entry_id, new_points=D(0), reason="x", actor="m1"
        )


def test_unknown_agent_is_refused(db_session: Session) -> None:
    with pytest.raises(LedgerError, match="unknown agent 'NOPE'"):
        add_entry(db_session=db_session, entry=entry("NOPE", "-1"), actor="sup1")


def test_correction_is_a_new_entry_and_counts_in_the_original_month(
    db_session: Session, make_agent: Callable[..., Agent]
) -> None:
    make_agent("A1")
    original = add_entry(db_session=db_session, entry=entry("A1", "-1.5"), actor="sup1")
    fix = correct_entry(
        db_session=db_session, entry_id=original.id, new_points=D("-0.5"), reason="x", actor="m1"
    )
    assert (fix.kind, fix.points, fix.corrects_id, fix.date) == (
        "correction", D("1.00"), original.id, original.date
    )  # fmt: skip
    assert original.points == D("-1.5")  # never edited in place
    # Correcting the correction applies to the original entry.
    void = correct_entry(
        db_session=db_session, entry_id=fix.id, new_points=D(0), reason="void", actor="m1"
    )
    assert void.corrects_id == original.id and void.points == D("0.50")
    assert effective_points(db_session=db_session, entry_id=original.id) == 0
    totals = monthly_totals(db_session=db_session, start=JAN[0], end=JAN[1])
    assert totals["A1"].deductions[Category.ETIQUETTE] == 0
    with pytest.raises(LedgerError, match="already counts"):
        correct_entry(
            db_session=db_session, entry_id=original.id, new_points=D(0), reason="x", actor="m1"
        )


def test_correction_must_match_the_original(
    db_session: Session, make_agent: Callable[..., Agent]
) -> None:
    make_agent("A1")
    make_agent("A2")
    original = add_entry(db_session=db_session, entry=entry("A1", "-1"), actor="sup1")
    for bad, message in [
        (entry("A2", "1", kind="correction", corrects=original.id), "is for agent A1"),
        (entry("A1", "1", kind="correction", corrects=original.id, day=date(2026, 2, 1)), "date"),
        (entry("A1", "-1", kind="incident", corrects=original.id), "only a correction"),
        (entry("A1", "1", kind="correction", corrects=999999), "no ledger entry 999999"),
    ]:
        with pytest.raises(LedgerError, match=message):
            add_entry(db_session=db_session, entry=bad, actor="sup1")


def test_monthly_totals_by_category_and_month(
    db_session: Session, make_agent: Callable[..., Agent]
) -> None:
    make_agent("A1")
    make_agent("A2")
    for e in [
        entry("A1", "-1"),
        entry("A1", "-0.25", category="discipline", day=date(2026, 1, 31)),
        entry("A1", "2", kind="bonus", category="service"),
        entry("A1", "-3", day=date(2026, 2, 1)),  # next month
        entry("A2", "-0.5", kind="correction", category="service"),  # standalone correction
    ]:
        add_entry(db_session=db_session, entry=e, actor="sup1")
    totals = monthly_totals(db_session=db_session, start=JAN[0], end=JAN[1])
    a1 = totals["A1"]
    assert a1.deductions == {
        Category.ETIQUETTE: D("-1"), Category.SERVICE: 0, Category.DISCIPLINE: D("-0.25")
    }  # fmt: skip
    assert a1.total_deductions == D("-1.25")
    assert a1.bonuses[Category.SERVICE] == D("2") and a1.total_bonuses == D("2")
    assert totals["A2"].total_deductions == D("-0.5")
    assert monthly_totals(db_session=db_session, start=FEB[0], end=FEB[1])[
        "A1"
    ].total_deductions == D("-3")


def test_scorecard_deductions_are_idempotent_and_corrected_not_edited(
    db_session: Session, make_agent: Callable[..., Agent]
) -> None:
    make_agent("A1")
    day = date(2026, 1, 5)

    def sync(*items: ScorecardDeduction) -> list[LedgerEntry]:
        return record_scorecard_deductions(
            db_session=db_session, evaluation_ref="evaluation:7", agent_id="A1", on=day,
            items=items, actor="qa1",
        )  # fmt: skip

    greeting = ScorecardDeduction("greeting", Category.ETIQUETTE, D("-0.5"), "no greeting")
    phrase = ScorecardDeduction("phrase", Category.ETIQUETTE, D("-2"), "forbidden phrase")
    first = sync(greeting, phrase)
    assert [(e.kind, e.source_item, e.points) for e in first] == [
        ("scorecard", "greeting", D("-0.5")), ("scorecard", "phrase", D("-2"))
    ]  # fmt: skip
    assert sync(greeting, phrase) == []  # same evaluation again: nothing new
    changed = sync(ScorecardDeduction("greeting", Category.ETIQUETTE, D("-1"), "no greeting"))
    assert sorted((e.kind, e.points) for e in changed) == [
        ("correction", D("-0.50")), ("correction", D("2.00"))
    ]  # fmt: skip
    totals = monthly_totals(db_session=db_session, start=JAN[0], end=JAN[1])
    assert totals["A1"].deductions[Category.ETIQUETTE] == D("-1")
    assert count_entries(db_session) == 4


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


HEADER = "agent_id,date,category,points,kind,note\n"


def test_csv_import_all_rows(
    db_session: Session, make_agent: Callable[..., Agent], tmp_path: Path
) -> None:
    make_agent("A1")
    make_agent("A2")
    path = write(
        tmp_path / "ledger.csv",
        HEADER + "A1,2026-01-03,etiquette,-1,incident,late\n\n"
        'A2,2026-01-04,service,0.5,bonus,"praise, by phone"\n',
    )
    rows = import_ledger_csv(db_session=db_session, path=path, actor="hr1")
    assert [(r.agent_id, r.points, r.kind, r.note, r.reporter) for r in rows] == [
        ("A1", D("-1"), "incident", "late", "hr1"),
        ("A2", D("0.5"), "bonus", "praise, by phone", "hr1"),
    ]
    audit = audit_entries(db_session=db_session, actions=["ledger.import"])
    assert audit[-1].details["count"] == 2


def test_csv_import_reports_every_bad_row_and_imports_nothing(
    db_session: Session, make_agent: Callable[..., Agent], tmp_path: Path
) -> None:
    make_agent("A1")
    path = write(
        tmp_path / "bad.csv",
        HEADER
        + "A1,2026-01-03,etiquette,-1,incident,fine\n"
        + "GHOST,2026-01-03,etiquette,-1,incident,who\n"
        + "A1,2026-13-03,etiquette,-1,incident,bad date\n"
        + "A1,2026-01-03,manners,-1,incident,bad category\n"
        + "A1,2026-01-03,service,1,incident,positive incident\n"
        + "A1,2026-01-03,service,abc,bonus,not a number\n"
        + "A1,2026-01-03,service,-1,scorecard,not importable\n",
    )
    with pytest.raises(CsvImportError) as caught:
        import_ledger_csv(db_session=db_session, path=path, actor="hr1")
    messages = [str(e) for e in caught.value.errors]
    assert [e.line for e in caught.value.errors] == [3, 4, 5, 6, 7, 8]
    assert messages[0] == f"{path}:3: unknown agent 'GHOST' (import the agents first)"
    assert "date '2026-13-03'" in messages[1]
    assert "category 'manners'" in messages[2]
    assert "must be negative" in messages[3]
    assert "'abc' is not a number" in messages[4]
    assert "kind 'scorecard'" in messages[5]
    assert count_entries(db_session) == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("agent_id,date,points,kind,note\n", "missing column(s) category"),
        (HEADER.strip() + ",colour\n", "unknown column(s) 'colour'"),
    ],
)
def test_csv_header_problems(db_session: Session, tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / "h.csv", text)
    with pytest.raises(CsvImportError, match=re.escape(message)):
        import_ledger_csv(db_session=db_session, path=path, actor="hr1")


def test_csv_export_by_month(
    db_session: Session, make_agent: Callable[..., Agent], tmp_path: Path
) -> None:
    make_agent("A1")
    jan = add_entry(db_session=db_session, entry=entry("A1", "-1"), actor="sup1")
    add_entry(db_session=db_session, entry=entry("A1", "-2", day=date(2026, 2, 2)), actor="s")
    correct_entry(
        db_session=db_session, entry_id=jan.id, new_points=D(0), reason="void", actor="m1"
    )
    out = tmp_path / "jan.csv"
    assert export_ledger_csv(db_session=db_session, path=out, start=JAN[0], end=JAN[1]) == 2
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["agent_id"], r["points"], r["kind"], r["corrects_id"]) for r in rows] == [
        ("A1", "-1.00", "incident", ""),
        ("A1", "1.00", "correction", str(jan.id)),
    ]


def test_csv_export_neutralises_formulas_and_keeps_points_numbers(
    db_session: Session, make_agent: Callable[..., Agent], tmp_path: Path
) -> None:
    make_agent("A1")
    evil = EntryIn(
        agent_id="A1", date=date(2026, 1, 10), category=Category.ETIQUETTE, points=D("-3"),
        kind=EntryKind.INCIDENT, reporter="sup1", note="=HYPERLINK(\"http://evil.example\")",
    )  # fmt: skip
    add_entry(db_session=db_session, entry=evil, actor="sup1")
    out = tmp_path / "jan.csv"
    export_ledger_csv(db_session=db_session, path=out, start=JAN[0], end=JAN[1])
    (row,) = csv.DictReader(out.open(encoding="utf-8"))
    assert (row["points"], row["note"]) == ("-3.00", '\'=HYPERLINK("http://evil.example")')
