"""The QA console's callbacks doing their work, as the browser calls them: sampling and picking
calls, starting work, comments pinned to a time, calibration sessions, scorecard upload,
builder and archive, and the reports."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import flask
import pytest
from flask.testing import FlaskClient
from qa_web_support import AGENT_A, World, build_world
from support.dash_requests import call, page
from yaml_bombs import BOMB

from core.db import session_scope
from dashboard.app import create_app, dash_app
from dashboard.auth.service import set_active
from dashboard.settings import Settings
from qa.audit.service import list_entries
from qa.calibration.service import list_sessions
from qa.evaluations.models import Evaluation
from qa.sampling.service import work_queue
from qa.scorecards.files import dumps_spec, spec_to_dict
from qa.scorecards.service import get_latest, list_scorecards, spec_of


@pytest.fixture
def world(sessions: Any, tmp_path: Path, make_user: Callable[..., str]) -> World:
    return build_world(sessions, tmp_path, make_user)


@pytest.fixture
def app(settings: Settings, world: World) -> flask.Flask:
    return create_app(settings)


@pytest.fixture
def qa(app: flask.Flask, login: Callable[..., FlaskClient]) -> FlaskClient:
    client = login(app.test_client(), "qa-1")
    client.get("/qa")
    return client


def db(app: flask.Flask) -> Any:
    return session_scope(app.extensions["floorboard"].sessions)


def json_text(response: Any) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    return json.dumps(response.get_json(), ensure_ascii=False)


def test_a_sample_is_previewed_then_assigned_and_started(
    app: flask.Flask, qa: FlaskClient, world: World, login: Callable[..., FlaskClient]
) -> None:
    dapp = dash_app(app)
    with db(app) as session:
        call_day = session.get(Evaluation, world.eval_a).call_at.date()
    form = {
        "qa-s-name": "Test sample",
        "qa-s-per-agent": 1,
        "qa-s-min-talk": 0,
        "qa-s-period": "week",
        "qa-s-dates.start_date": str(call_day - timedelta(days=1)),
        "qa-s-dates.end_date": str(call_day + timedelta(days=1)),
        "qa-s-outcomes": ["answered"],
        "qa-s-evaluators": ["qa-2"],
        "qa-s-scorecard": "default",
        "qa-s-seed": 7,
    }
    preview = call(
        qa,
        dapp,
        "qa-s-result",
        values={**form, "qa-s-preview": 1},
        trigger=("qa-s-preview", "n_clicks"),
    )
    assert "Preview: 1 calls would be assigned (seed 7)" in json_text(preview)
    with db(app) as session:
        assert not work_queue(db_session=session)
    run = call(
        qa, dapp, "qa-s-result", values={**form, "qa-s-run": 1}, trigger=("qa-s-run", "n_clicks")
    )
    assert "Assigned 1 calls" in json_text(run)
    with db(app) as session:
        (item,) = work_queue(db_session=session)
        assert item.call_pk == world.call_gone  # the only call of Alice not yet evaluated
    assert item.evaluator == "qa-2"
    start = {"type": "qa-q-start", "index": item.assignment_id}
    body = {"instances": {"qa-q-start": {item.assignment_id: 1}}, "trigger": (start, "n_clicks")}
    refused = json_text(call(qa, dapp, "qa-q-go", **body))
    assert "is qa-2's" in refused  # only the evaluator starts their assignment
    qa2 = login(app.test_client(), "qa-2")
    qa2.get("/qa")
    assert f'"index":{item.assignment_id}' in page(qa2, "/qa").replace(" ", "")
    assert "/qa/evaluation/" in json_text(call(qa2, dapp, "qa-q-go", **body))


def test_any_call_is_found_and_assigned(app: flask.Flask, qa: FlaskClient, world: World) -> None:
    dapp = dash_app(app)
    with db(app) as session:
        day = session.get(Evaluation, world.eval_a).call_at.date()
    found = call(
        qa,
        dapp,
        "qa-p-results",
        values={"qa-p-search": 1, "qa-p-agent": AGENT_A, "qa-p-date": str(day)},
        trigger=("qa-p-search", "n_clicks"),
    )
    assert "calls found" in json_text(found) and "Bob Agent" not in json_text(found)
    button = {"type": "qa-p-assign", "index": world.call_gone}
    assigned = call(
        qa,
        dapp,
        "qa-p-msg",
        values={"qa-p-evaluator": "qa-2"},
        instances={"qa-p-assign": {world.call_gone: 1}},
        trigger=(button, "n_clicks"),
    )
    assert "Assigned to qa-2" in json_text(assigned)
    with db(app) as session:
        assert [w.evaluator for w in work_queue(db_session=session)] == ["qa-2"]


def test_comments_are_pinned_to_the_players_time_and_deleted(
    app: flask.Flask, qa: FlaskClient, world: World
) -> None:
    dapp = dash_app(app)
    pinned = call(
        qa,
        dapp,
        "qa-e-comments",
        values={
            "qa-e-id": world.draft_a,
            "qa-e-note-at": {"n": 1, "t": 83.4},
            "qa-e-note-text": "Hold without asking.",
            "qa-e-note-item": "g1.a",
        },
        trigger=("qa-e-note-at", "data"),
    )
    text = json_text(pinned)
    assert "1:23" in text and "Hold without asking." in text and "Item a" in text
    with db(app) as session:
        (comment,) = session.get(Evaluation, world.draft_a).comments
        assert comment.at_seconds == 83.4 and comment.item_ref == "g1.a"
        comment_id = comment.id
    empty = call(
        qa,
        dapp,
        "qa-e-comments",
        values={"qa-e-id": world.draft_a, "qa-e-note-at": {"n": 2, "t": 1.0}},
        trigger=("qa-e-note-at", "data"),
    )
    assert "Write the comment first" in json_text(empty)
    button = {"type": "qa-e-note-del", "index": comment_id}
    deleted = call(
        qa,
        dapp,
        "qa-e-comments",
        values={"qa-e-id": world.draft_a},
        instances={"qa-e-note-del": {comment_id: 1}},
        trigger=(button, "n_clicks"),
    )
    assert "No comments yet" in json_text(deleted)


def test_submit_lists_what_is_missing_then_submits(
    app: flask.Flask, qa: FlaskClient, world: World, login: Callable[..., FlaskClient]
) -> None:
    dapp = dash_app(app)
    submit = {
        "values": {"qa-e-id": world.draft_a, "qa-e-submit": 1},
        "trigger": ("qa-e-submit", "n_clicks"),
    }
    partial = call(qa, dapp, "qa-e-msg", instances={"qa-e-answer": {"g1.a": "yes"}}, **submit)
    assert "Not submitted yet" in json_text(partial) and "Item b — not answered" in json_text(
        partial
    )
    answers = {"qa-e-answer": {"g1.a": "yes", "g1.b": "na", "g2.c": "no"}}
    done = call(qa, dapp, "qa-e-msg", instances=answers, **submit)
    assert f"/qa/evaluation/{world.draft_a}?done=submitted" in json_text(done)
    with db(app) as session:
        assert session.get(Evaluation, world.draft_a).status == "submitted"
    # A second click on Submit (or a late request): the same answer, nothing changes.
    again = call(qa, dapp, "qa-e-msg", instances={"qa-e-answer": {"g1.a": "no"}}, **submit)
    assert f"/qa/evaluation/{world.draft_a}?done=submitted" in json_text(again)
    with db(app) as session:
        assert session.get(Evaluation, world.draft_a).answers[0].value == "yes"
        submits = list_entries(
            db_session=session,
            entity="evaluation",
            entity_id=str(world.draft_a),
            actions=("evaluation.submit",),
        )
        assert len(submits) == 1
    other = login(app.test_client(), "qa-2")
    other.get("/qa")
    refused = call(other, dapp, "qa-e-msg", instances=answers, **submit)
    assert refused.status_code == 403  # submitted: nobody else edits it


def _saves(app: flask.Flask, evaluation_id: int) -> int:
    with db(app) as session:
        entries = list_entries(
            db_session=session,
            entity="evaluation",
            entity_id=str(evaluation_id),
            actions=("evaluation.save",),
        )
        return len(entries)


def test_autosave_stores_the_form_as_save_draft_does_and_never_a_submitted_evaluation(
    app: flask.Flask, qa: FlaskClient, world: World, login: Callable[..., FlaskClient]
) -> None:
    form = {
        "answers": {"g1.a": "no", "g1.b": None},
        "notes": {"g1.a": "No greeting", "g1.b": "Hold?"},
    }
    saved = qa.post(f"/qa/draft/{world.draft_a}", json=form)
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert saved.get_json()["text"].startswith("Saved ")
    with db(app) as session:
        draft = session.get(Evaluation, world.draft_a)
        assert {a.item_ref: (a.value, a.comment) for a in draft.answers} == {
            "g1.a": ("no", "No greeting"),
            "g1.b": ("", "Hold?"),  # a comment written before the answer is kept
        }
    saves = _saves(app, world.draft_a)
    assert qa.post(f"/qa/draft/{world.draft_a}", json=form).status_code == 200
    assert _saves(app, world.draft_a) == saves  # nothing changed: nothing written
    # Leaving the page: the Comments box's text is posted as a comment without a time.
    left = qa.post(f"/qa/draft/{world.draft_a}", json={**form, "note": " Calm caller. "})
    assert left.get_json()["posted"] is True
    with db(app) as session:
        (comment,) = session.get(Evaluation, world.draft_a).comments
        assert (comment.text, comment.at_seconds, comment.item_ref) == ("Calm caller.", None, None)
    # The same validation as Save draft; only the evaluator; never a submitted evaluation.
    bad = qa.post(f"/qa/draft/{world.draft_a}", json={"answers": {"g1.a": "maybe"}})
    assert bad.status_code == 400 and "Not saved" in bad.get_json()["text"]
    assert qa.post(f"/qa/draft/{world.draft_a}", json={"answers": ["yes"]}).status_code == 400
    for name in ("qa-2", "agent-a"):
        other = login(app.test_client(), name)
        other.get("/qa")
        assert other.post(f"/qa/draft/{world.draft_a}", json=form).status_code == 403
    late = qa.post(f"/qa/draft/{world.eval_a}", json={"answers": {"g1.a": "no"}, "note": "late"})
    assert late.status_code == 409 and "Already submitted" in late.get_json()["text"]
    with db(app) as session:
        done = session.get(Evaluation, world.eval_a)
        assert done.answers[0].value == "yes" and done.comments == []


def test_the_comments_box_is_posted_by_save_draft_and_by_submit(
    app: flask.Flask, qa: FlaskClient, world: World
) -> None:
    dapp = dash_app(app)
    answers = {"qa-e-answer": {"g1.a": "yes", "g1.b": "na", "g2.c": "no"}}
    saved = call(
        qa,
        dapp,
        "qa-e-msg",
        values={"qa-e-id": world.draft_a, "qa-e-save": 1, "qa-e-note-text": "Polite throughout."},
        instances=answers,
        trigger=("qa-e-save", "n_clicks"),
    )
    body = saved.get_json()["response"]
    assert "Polite throughout." in json.dumps(body["qa-e-comments"])
    assert body["qa-e-note-text"]["value"] == ""  # the box is emptied: its text is a comment
    assert body["qa-e-saved"]["data"]["text"].startswith("Saved ")
    submitted = call(
        qa,
        dapp,
        "qa-e-msg",
        values={
            "qa-e-id": world.draft_a,
            "qa-e-submit": 1,
            "qa-e-note-text": "Closing was rushed.",
            "qa-e-note-item": "g2.c",
        },
        instances=answers,
        trigger=("qa-e-submit", "n_clicks"),
    )
    assert "done=submitted" in json_text(submitted)
    with db(app) as session:
        evaluation = session.get(Evaluation, world.draft_a)
        assert evaluation.status == "submitted"
        stored = [(c.text, c.at_seconds, c.item_ref) for c in evaluation.comments]
        assert stored == [("Polite throughout.", None, None), ("Closing was rushed.", None, "g2.c")]


def test_a_calibration_session_is_created_scored_and_closed(
    app: flask.Flask, qa: FlaskClient, world: World, login: Callable[..., FlaskClient]
) -> None:
    dapp = dash_app(app)
    create = call(
        qa,
        dapp,
        "qa-c-msg",
        values={
            "qa-c-create": 1,
            "qa-c-title": "March",
            "qa-c-call": world.call_b,
            "qa-c-evaluators": ["qa-1", "qa-2"],
            "qa-c-expert": "sup-1",
            "qa-c-scorecard": "default",
        },
        trigger=("qa-c-create", "n_clicks"),
    )
    assert "Session “March” created" in json_text(create)
    with db(app) as session:
        session_id = list_sessions(db_session=session)[0].id
    button = {"type": "qa-c-start", "index": session_id}
    started = call(
        qa,
        dapp,
        "qa-c-msg",
        instances={"qa-c-start": {session_id: 1}},
        trigger=(button, "n_clicks"),
    )
    assert "/qa/evaluation/" in json_text(started)
    close = {"type": "qa-c-close", "index": session_id}
    early = call(
        qa, dapp, "qa-c-msg", instances={"qa-c-close": {session_id: 1}}, trigger=(close, "n_clicks")
    )
    assert "has not submitted the benchmark" in json_text(early)
    hr = login(app.test_client(), "hr-1")
    hr.get("/")
    assert (
        call(
            hr,
            dapp,
            "qa-c-msg",
            instances={"qa-c-close": {session_id: 1}},
            trigger=(close, "n_clicks"),
        ).status_code
        == 403
    )


def test_scorecards_upload_as_a_new_version_archive_and_build(
    app: flask.Flask, qa: FlaskClient, world: World
) -> None:
    dapp = dash_app(app)
    with db(app) as session:
        spec = spec_of(get_latest(db_session=session, key="default"))
    text = dumps_spec(spec).replace("Item c", "Item c, reworded")
    contents = "data:application/yaml;base64," + base64.b64encode(text.encode()).decode()
    upload = call(
        qa,
        dapp,
        "qa-sc-msg",
        values={"qa-sc-upload.contents": contents, "qa-sc-upload.filename": "card.yaml"},
        trigger=("qa-sc-upload", "contents"),
    )
    assert "Saved as version 2 of default" in json_text(upload)
    broken = "data:application/yaml;base64," + base64.b64encode(b"key: x\nsections: 3\n").decode()
    bad = call(
        qa,
        dapp,
        "qa-sc-msg",
        values={"qa-sc-upload.contents": broken, "qa-sc-upload.filename": "bad.yaml"},
        trigger=("qa-sc-upload", "contents"),
    )
    assert "bad.yaml" in json_text(bad) and "sections must be a list" in json_text(bad)
    archive = {"type": "qa-sc-archive", "index": "default"}
    done = call(
        qa,
        dapp,
        "qa-sc-msg",
        instances={"qa-sc-archive": {"default": 1}},
        trigger=(archive, "n_clicks"),
    )
    assert "archived" in json_text(done)
    with db(app) as session:
        assert [c.status for c in list_scorecards(db_session=session)] == ["archived"]
    stored = spec_to_dict(spec)
    saved = call(
        qa,
        dapp,
        "qa-b-msg",
        values={"qa-b-save": 1, "qa-b-spec": stored},
        instances={"qa-b-field": {"key": "copy", "name": "A copy"}},
        trigger=("qa-b-save", "n_clicks"),
    )
    assert "Scorecard copy created (version 1)" in json_text(saved)
    assert "Scorecard builder" in page(qa, "/qa/scorecards/edit?key=copy")


def test_reports_show_and_link_their_downloads(
    app: flask.Flask, qa: FlaskClient, world: World
) -> None:
    dapp = dash_app(app)
    with db(app) as session:
        day = session.get(Evaluation, world.eval_a).call_at.date()
    shown = call(
        qa,
        dapp,
        "qa-r-body",
        values={
            "qa-r-dates.start_date": str(day),
            "qa-r-dates.end_date": str(day),
            "qa-r-group": "agent",
            "qa-r-period": "week",
        },
    )
    text = json_text(shown)
    assert AGENT_A in text and "60.0%" in text and "Item failure rates" in text
    assert f"/qa/export/report.xlsx?start={day}" in text
    assert "kind=items" in text


def test_a_scorecard_upload_with_an_alias_bomb_is_refused(
    app: flask.Flask, qa: FlaskClient, world: World
) -> None:
    contents = "data:application/yaml;base64," + base64.b64encode(BOMB.encode()).decode()
    refused = call(
        qa,
        dash_app(app),
        "qa-sc-msg",
        values={"qa-sc-upload.contents": contents, "qa-sc-upload.filename": "bomb.yaml"},
        trigger=("qa-sc-upload", "contents"),
    )
    assert re.search(r"bomb\.yaml:\d+: aliases .* expand to more than", json_text(refused))
    with db(app) as session:
        assert [c.version for c in list_scorecards(db_session=session)] == [1]


def test_a_call_is_only_assigned_to_an_active_qa_user(
    app: flask.Flask, qa: FlaskClient, world: World, make_user: Callable[..., str]
) -> None:
    dapp = dash_app(app)
    make_user("agent", username="agent-9")
    make_user("qa", username="qa-off")
    with db(app) as session:
        set_active(session, username="qa-off", active=False)
    button = {"type": "qa-p-assign", "index": world.call_gone}
    for who in ("mallory", "agent-9", "qa-off", '=HYPERLINK("http://evil")'):
        refused = call(
            qa,
            dapp,
            "qa-p-msg",
            values={"qa-p-evaluator": who},
            instances={"qa-p-assign": {world.call_gone: 1}},
            trigger=(button, "n_clicks"),
        )
        assert "not an active user with a QA role" in json_text(refused), who
    sample = {
        "qa-s-name": "s", "qa-s-per-agent": 1, "qa-s-min-talk": 0, "qa-s-period": "week",
        "qa-s-dates.start_date": "2026-01-01", "qa-s-dates.end_date": "2026-01-31",
        "qa-s-outcomes": ["answered"], "qa-s-evaluators": ["qa-2", "mallory"],
        "qa-s-scorecard": "default", "qa-s-seed": 7, "qa-s-run": 1,
    }  # fmt: skip
    refused = call(qa, dapp, "qa-s-result", values=sample, trigger=("qa-s-run", "n_clicks"))
    assert "mallory: not an active user with a QA role" in json_text(refused)
    with db(app) as session:
        assert work_queue(db_session=session) == []
    form = page(qa, "/qa")
    assert "qa-2" in form and "mallory" not in form and "agent-9" not in form
