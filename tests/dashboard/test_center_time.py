"""Every time a person reads is in the center's zone and says which zone (issue 11.18): pages,
routes and the HR month go through :mod:`core.center_time` (tested in tests/core/)."""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from hr_factories import MONTH, seed_month
from qa_web_support import build_world
from sqlalchemy.orm import Session, sessionmaker
from support.dash_requests import call

from core.center_time import center_time
from core.db import session_scope
from dashboard.app import create_app, dash_app
from dashboard.settings import Settings
from qa.awards.month import compute, revision_list

ROOT = Path(__file__).resolve().parents[2]

# Calendar days that are not a time anyone reads as one: date pickers' values, URL query
# values, chart x values (the chart shows them as days) and ledger dates (a day, no zone).
ISO_DAYS = {
    "dashboard/pages/hr/incidents.py": "date=today.isoformat()",
    "dashboard/pages/hr/incidents_parts.py": "html.Td(e.date.isoformat())",
    "dashboard/pages/qa/common.py": "_date=first.isoformat()|_date=last.isoformat()",
    "dashboard/pages/qa/queue_pick.py": "timedelta(days=1)).isoformat()",
    "dashboard/pages/qa/reports.py": "p.isoformat() for p|start_day.isoformat()",
}
# The one door, and the modules that show times besides the pages.
SCANNED = [
    *sorted((ROOT / "dashboard" / "pages").rglob("*.py")),
    *sorted((ROOT / "dashboard" / "routes").rglob("*.py")),
    ROOT / "qa" / "awards" / "exports.py",
    ROOT / "qa" / "awards" / "month.py",
    ROOT / "qa" / "awards" / "poster.py",
    ROOT / "qa" / "awards" / "poster_pdf.py",
    ROOT / "dashboard" / "shell.py",
    ROOT / "dashboard" / "cli" / "displays.py",
    ROOT / "dashboard" / "cli" / "import_calls.py",
    ROOT / "dashboard" / "cli" / "simulate.py",
]


def _allowed(path: Path, line: str) -> bool:
    return any(
        snippet in line
        for snippet in ISO_DAYS.get(path.relative_to(ROOT).as_posix(), "").split("|")
        if snippet
    )


def test_pages_format_times_only_through_the_center_time_formatter() -> None:
    """A page that calls strftime/isoformat, or formats a datetime with ``:%``, shows a time
    that skipped the center's zone or its label: only :mod:`core.center_time` may."""
    raw = re.compile(r"\.strftime\(|\.isoformat\(|:%[YmdHMS]|%H:%M")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in SCANNED
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if raw.search(line) and not _allowed(path, line)
    ]
    assert offenders == []


@pytest.fixture
def shanghai(settings: Settings) -> Settings:
    return dataclasses.replace(settings, timezone="Asia/Shanghai")


def test_draft_saved_at_shows_the_center_time_with_its_zone(
    shanghai: Settings,
    sessions: sessionmaker[Session],
    tmp_path: Path,
    make_user: Callable[..., str],
    login: Callable[..., FlaskClient],
) -> None:
    # The time shown is the draft's last change: the world may already hold this answer.
    before = time.time()
    world = build_world(sessions, tmp_path, make_user)
    app = create_app(shanghai)
    client = login(app.test_client(), "qa-1")
    client.get("/")
    saved = call(
        client,
        dash_app(app),
        "qa-e-msg",
        values={"qa-e-id": world.draft_a, "qa-e-save": 1},
        instances={"qa-e-answer": {"g1.a": "yes"}},
        trigger=("qa-e-save", "n_clicks"),
    )
    after = time.time()
    assert saved.status_code == 200
    shown = re.search(r"Draft saved at (\d\d:\d\d:\d\d CST)", saved.get_data(as_text=True))
    assert shown is not None, saved.get_data(as_text=True)
    seconds = range(int(before), int(after) + 1)
    assert shown.group(1) in {center_time(s, "Asia/Shanghai", style="time") for s in seconds}


def test_hr_revision_times_are_center_times(
    shanghai: Settings, sessions: sessionmaker[Session]
) -> None:
    with session_scope(sessions) as db:
        seed_month(db)
        row = compute(db_session=db, month=MONTH, actor="hr", tz="UTC")
        computed_at = row.computed_at
        infos = revision_list(db_session=db, month=MONTH, tz=shanghai.timezone)
    assert infos[0].computed == f"{center_time(computed_at, 'Asia/Shanghai')} · hr"
    assert infos[0].computed.split(" · ")[0].endswith(" CST")
