"""Limits on free text and uploads (issue 11, point 10), through the server as the browser
calls it: the limit is shown in the form (``maxLength`` and an "n / max" counter), a longer text
sent anyway gets a clear message in the reader's language and nothing is stored, and a
scorecard upload over 512 KB is refused on the server, not only by the browser."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import flask
from flask.testing import FlaskClient
from qa_web_support import World
from support.dash_requests import call, page

from core.db import session_scope
from dashboard.app import dash_app
from qa.evaluations.models import Dispute, Evaluation
from qa.scorecards.service import list_scorecards

REPO = Path(__file__).resolve().parents[2]


def db(app: flask.Flask) -> Any:
    return session_scope(app.extensions["floorboard"].sessions)


def test_the_forms_show_the_limits(as_user: Callable[[str], FlaskClient], world: World) -> None:
    draft = page(as_user("qa-1"), f"/qa/evaluation/{world.draft_a}")
    assert '"maxLength": 2000' in draft and '"0 / 2000"' in draft  # the comment box
    assert '"maxLength": 500' in draft  # item comments
    agent = page(as_user("agent-a"), f"/qa/evaluation/{world.eval_a}")
    assert "qa-e-dispute-reason" in agent
    assert '"maxLength": 2000' in agent and "At most 2,000 characters" in agent
    announcements = page(as_user("sup-1"), "/announcements")
    assert '"maxLength": 500' in announcements and '"0 / 500"' in announcements
    incidents = page(as_user("sup-1"), "/hr/incidents")
    assert '"maxLength": 1000' in incidents


def test_a_300_kb_dispute_reason_is_a_message_and_nothing_is_stored(
    app: flask.Flask, as_user: Callable[[str], FlaskClient], world: World
) -> None:
    reason = "x" * 300_000
    done = call(as_user("agent-a"), dash_app(app), "qa-e-agent-msg",
                values={"qa-e-id": world.eval_a},
                instances={"qa-e-dispute": {"g1.b": 1}, "qa-e-dispute-reason": {"g1.b": reason}},
                trigger=({"type": "qa-e-dispute", "index": "g1.b"}, "n_clicks"))  # fmt: skip
    assert done.status_code == 200
    text = done.get_data(as_text=True)
    assert "The dispute reason is 300,000 characters long; at most 2,000 are allowed." in text
    assert "done=disputed" not in text
    with db(app) as session:
        assert session.query(Dispute).count() == 0


def test_a_12000_character_comment_is_a_message_and_nothing_is_stored(
    app: flask.Flask, as_user: Callable[[str], FlaskClient], world: World
) -> None:
    done = call(as_user("qa-1"), dash_app(app), "qa-e-comments",
                values={"qa-e-id": world.draft_a, "qa-e-note-at": {"n": 1, "t": 3.0},
                        "qa-e-note-text": "c" * 12_000},
                trigger=("qa-e-note-at", "data"))  # fmt: skip
    assert done.status_code == 200
    assert "The comment is 12,000 characters long; at most 2,000" in done.get_data(as_text=True)
    with db(app) as session:
        evaluation = session.get(Evaluation, world.draft_a)
        assert evaluation is not None and evaluation.comments == []


def test_a_long_item_comment_is_not_saved(
    app: flask.Flask, as_user: Callable[[str], FlaskClient], world: World
) -> None:
    done = call(as_user("qa-1"), dash_app(app), "qa-e-msg",
                values={"qa-e-id": world.draft_a, "qa-e-save": 1},
                instances={"qa-e-answer": {"g1.a": "yes"}, "qa-e-item-note": {"g1.a": "i" * 501}},
                trigger=("qa-e-save", "n_clicks"))  # fmt: skip
    assert done.status_code == 200
    assert "The item comment is 501 characters long" in done.get_data(as_text=True)
    with db(app) as session:
        evaluation = session.get(Evaluation, world.draft_a)
        assert evaluation is not None and all(not a.comment for a in evaluation.answers)


def test_a_scorecard_over_512_kb_is_refused_on_the_server(
    app: flask.Flask, as_user: Callable[[str], FlaskClient]
) -> None:
    text = "key: big\nname: Big\ndescription: " + "x" * (512 * 1024) + "\nsections: []\n"
    contents = "data:application/x-yaml;base64," + base64.b64encode(text.encode()).decode()
    done = call(as_user("qa-1"), dash_app(app), "qa-sc-msg",
                values={"qa-sc-upload.contents": contents, "qa-sc-upload.filename": "big.yaml"},
                trigger=("qa-sc-upload", "contents"))  # fmt: skip
    assert done.status_code == 200
    assert "big.yaml is larger than 512 KB" in json.dumps(done.get_json())
    with db(app) as session:
        assert [c.key for c in list_scorecards(db_session=session)] == ["default"]


def test_long_words_wrap() -> None:
    css = (REPO / "assets" / "limits.css").read_text(encoding="utf-8")
    assert "overflow-wrap: anywhere" in css and ".qa-comment-text" in css
