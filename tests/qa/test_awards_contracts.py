"""The HR month's typed contracts: statuses are enums whose values are the strings the database
and the stored result hold (no migration), the month view carries them, the tie-break providers
are one frozen object, and the export files are built without the web app."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import CheckConstraint, Table, text
from sqlalchemy.orm import Session

from qa.awards.decisions import resolve_tie
from qa.awards.exports import NothingToExport, payroll_csv_file, poster_pdf_file
from qa.awards.models import AwardMonth
from qa.awards.month import Providers, compute, load_view, providers, revision_list
from qa.awards.schemas import AwardStatus, Month, StarStatus
from qa.awards.service import agent_history, publish_month, review_month
from qa.ledger.models import LedgerEntry
from qa.ledger.schemas import Category, EntryIn, EntryKind
from qa.ledger.service import add_entry
from qa.people.models import Agent

JAN = Month(2026, 1)
ROOT = Path(__file__).resolve().parents[2]
_IMPORT_ALL = """
import importlib, pkgutil, sys
import qa.awards, qa.ledger, qa.people
for package in (qa.awards, qa.ledger, qa.people):
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
print(sorted(name for name in sys.modules if name.split(".")[0] == "dashboard"))
"""


def test_the_hr_domain_runs_without_the_web_app() -> None:
    # a fresh interpreter: this test process has long imported the dashboard
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", _IMPORT_ALL], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout


def _check_values(table: Table, name: str) -> set[str]:
    check = next(
        c
        for c in table.constraints
        if isinstance(c, CheckConstraint) and str(c.name).endswith(name)
    )
    return set(re.findall(r"'([^']+)'", str(check.sqltext)))


def test_the_enums_spell_what_the_database_allows() -> None:
    award_months: Table = AwardMonth.__table__  # type: ignore[assignment]
    ledger: Table = LedgerEntry.__table__  # type: ignore[assignment]
    assert _check_values(award_months, "status") == {s.value for s in AwardStatus}
    assert [s.value for s in AwardStatus] == ["draft", "reviewed", "published"]
    assert _check_values(ledger, "kind") == {k.value for k in EntryKind}
    assert _check_values(ledger, "category") == {c.value for c in Category}


def test_providers_are_one_frozen_object() -> None:
    sources = providers("Asia/Shanghai")
    assert isinstance(sources, Providers)
    assert sources.tz == "Asia/Shanghai" and sources.answered_calls is None
    assert callable(sources.qa_averages)
    with pytest.raises(dataclasses.FrozenInstanceError):
        sources.tz = "UTC"  # type: ignore[misc]


def _month(db: Session, make_agent: Callable[..., Agent]) -> None:
    for agent in ("A", "B", "C"):
        make_agent(agent)
    entry = EntryIn("C", date(2026, 1, 9), Category.SERVICE, Decimal("-1"), EntryKind.INCIDENT,
                    "sup")  # fmt: skip
    add_entry(db_session=db, entry=entry, actor="sup")
    compute(db_session=db, month=JAN, actor="hr", tz="UTC")


def test_statuses_are_stored_as_before_and_read_as_enums(
    db_session: Session, make_agent: Callable[..., Agent]
) -> None:
    _month(db_session, make_agent)
    db_session.flush()
    stored = db_session.execute(text("SELECT status FROM award_months")).scalar_one()
    assert type(stored) is str and stored == "draft"
    view = load_view(db_session=db_session, month=JAN)
    assert view is not None and view["status"] is AwardStatus.DRAFT
    statuses = {key: star["status"] for key, star in view["stars"].items()}
    assert all(isinstance(s, StarStatus) for s in statuses.values())
    assert StarStatus.NEEDS_DECISION in statuses.values()
    # the JSON of a view (``floorboard awards show --json``) still holds the plain strings
    dumped = json.loads(json.dumps(view))
    assert dumped["status"] == "draft"
    assert {k: s["status"] for k, s in dumped["stars"].items()} == {
        k: s.value for k, s in statuses.items()
    }
    (info,) = revision_list(db_session=db_session, month=JAN, tz="UTC")
    assert info.status is AwardStatus.DRAFT


def test_exports_build_files_from_a_session(
    db_session: Session, make_agent: Callable[..., Agent]
) -> None:
    _month(db_session, make_agent)
    with pytest.raises(NothingToExport, match="2026-01 has no published revision"):
        payroll_csv_file(db_session=db_session, month=JAN)
    asked: list[tuple[str, str]] = []

    def translate(key: str, locale: str) -> str:
        asked.append((key, locale))
        return f"{key}/{locale}"

    draft = poster_pdf_file(db_session=db_session, month=JAN, tz="UTC", translate=translate,
                            drafts=True)  # fmt: skip
    assert draft.body.startswith(b"%PDF") and draft.mimetype == "application/pdf"
    assert draft.filename == "floorboard-poster-2026-01-A4.pdf"
    assert {("hr.poster.title", "zh"), ("hr.poster.title", "en"), ("hr.poster.draft", "zh")} <= set(
        asked
    )
    with pytest.raises(NothingToExport):
        poster_pdf_file(db_session=db_session, month=JAN, tz="UTC", translate=translate)
    view = load_view(db_session=db_session, month=JAN)
    while view is not None and view["needs_decision"]:
        star = view["needs_decision"][0]
        pick = sorted(view["stars"][star]["tied"])[0]
        resolve_tie(db_session=db_session, month=JAN, star=star, agent_id=pick, reason="r",
                    actor="hr")  # fmt: skip
        view = load_view(db_session=db_session, month=JAN)
    review_month(db_session=db_session, month=JAN, actor="hr")
    publish_month(db_session=db_session, month=JAN, actor="hr")
    payroll = payroll_csv_file(db_session=db_session, month=JAN)
    assert payroll.filename == "floorboard-payroll-2026-01-r1.csv"
    lines = payroll.body.decode("utf-8").lstrip("\ufeff").splitlines()
    assert lines[0].startswith("month,revision,status,") and len(lines) == 4
    assert all(",published," in line for line in lines[1:])
    (history,) = agent_history(db_session=db_session, agent_id="C")
    assert history["status"] is AwardStatus.PUBLISHED and history["month"] == "2026-01"
