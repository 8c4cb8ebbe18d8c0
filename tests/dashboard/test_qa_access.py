"""Access to QA console pages, callbacks and downloads: an agent reaches only their own
submitted evaluations (by page, by callback and by URL), drafts and blind calibration work stay
with their evaluator, and dispute decisions belong to supervisors."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from qa_web_support import World
from support.dash_requests import call, page

from core.db import session_scope
from dashboard.app import dash_app
from qa.calibration.service import close_session, create_session, start_calibration
from qa.evaluations.models import Dispute, Evaluation
from qa.evaluations.schemas import AnswerIn
from qa.evaluations.service import save_draft, start_evaluation, submit_evaluation
from qa.scorecards.files import loads_spec
from qa.scorecards.service import get_current, spec_of

DENIED = "denied"


def evaluation(app: flask.Flask, evaluation_id: int) -> Evaluation:
    with session_scope(app.extensions["floorboard"].sessions) as db:
        found = db.get(Evaluation, evaluation_id)
        assert found is not None
        db.expunge(found)
        return found


def test_an_agent_opens_their_own_evaluation_and_not_anothers(as_user: Any, world: World) -> None:
    alice = as_user("agent-a")
    mine = page(alice, f"/qa/evaluation/{world.eval_a}")
    assert DENIED not in mine
    assert "60.0%" in mine  # (40·1 + 20·1) / (40·2 + 20·1): the worked example, g1.b "no"
    assert f"/recordings/{world.call_a}" in mine  # the player
    theirs = page(alice, f"/qa/evaluation/{world.eval_b}")
    assert DENIED in theirs
    assert "Bob Agent" not in theirs and "60.0%" not in theirs


def test_an_agent_never_sees_drafts_even_of_their_own_calls(as_user: Any, world: World) -> None:
    assert DENIED in page(as_user("agent-a"), f"/qa/evaluation/{world.draft_a}")
    assert DENIED not in page(as_user("sup-1"), f"/qa/evaluation/{world.draft_a}")


def test_my_evaluations_lists_only_mine(as_user: Any, world: World) -> None:
    listing = page(as_user("agent-a"), "/qa/mine")
    assert f"/qa/evaluation/{world.eval_a}" in listing
    assert f"/qa/evaluation/{world.eval_b}" not in listing
    assert f"/qa/evaluation/{world.draft_a}" not in listing
    assert DENIED in page(as_user("sup-1"), "/qa/mine")  # an agents' page


def test_callbacks_refuse_another_agents_evaluation(
    app: flask.Flask, as_user: Any, world: World
) -> None:
    dapp, alice = dash_app(app), as_user("agent-a")
    refused = call(
        alice,
        dapp,
        "qa-e-agent-msg",
        values={"qa-e-ack": 1, "qa-e-id": world.eval_b},
        trigger=("qa-e-ack", "n_clicks"),
    )
    assert refused.status_code == 403
    dispute = {"type": "qa-e-dispute", "index": "g1.b"}
    refused = call(
        alice,
        dapp,
        "qa-e-agent-msg",
        values={"qa-e-id": world.eval_b},
        instances={"qa-e-dispute": {"g1.b": 1}, "qa-e-dispute-reason": {"g1.b": "unfair"}},
        trigger=(dispute, "n_clicks"),
    )
    assert refused.status_code == 403
    assert evaluation(app, world.eval_b).acknowledged_at is None
    done = call(
        alice,
        dapp,
        "qa-e-agent-msg",
        values={"qa-e-ack": 1, "qa-e-id": world.eval_a},
        trigger=("qa-e-ack", "n_clicks"),
    )
    assert done.status_code == 200
    assert evaluation(app, world.eval_a).acknowledged_at is not None


def test_agents_cannot_use_evaluator_callbacks(
    app: flask.Flask, as_user: Any, world: World
) -> None:
    dapp, alice = dash_app(app), as_user("agent-a")
    live = call(
        alice,
        dapp,
        "qa-e-score",
        values={"qa-e-id": world.eval_a},
        instances={"qa-e-answer": {"g1.b": "yes"}},
    )
    assert live.status_code == 403
    save = call(
        alice,
        dapp,
        "qa-e-msg",
        values={"qa-e-id": world.draft_a, "qa-e-save": 1},
        trigger=("qa-e-save", "n_clicks"),
    )
    assert save.status_code == 403


def test_only_the_evaluator_edits_a_draft(app: flask.Flask, as_user: Any, world: World) -> None:
    dapp = dash_app(app)
    answers = {"qa-e-answer": {"g1.a": "yes", "g1.b": "yes", "g2.c": "no"}}
    save = {
        "values": {"qa-e-id": world.draft_a, "qa-e-save": 1},
        "instances": answers,
        "trigger": ("qa-e-save", "n_clicks"),
    }
    assert call(as_user("qa-2"), dapp, "qa-e-msg", **save).status_code == 403
    assert call(as_user("sup-1"), dapp, "qa-e-msg", **save).status_code == 403
    mine = call(as_user("qa-1"), dapp, "qa-e-msg", **save)
    assert mine.status_code == 200 and "Draft saved" in mine.get_data(as_text=True)
    assert {a.item_ref: a.value for a in evaluation(app, world.draft_a).answers}["g2.c"] == "no"


def test_the_live_score_follows_the_answers_on_the_page(
    app: flask.Flask, as_user: Any, world: World
) -> None:
    dapp, qa = dash_app(app), as_user("qa-1")
    refs = {"g1.a": "", "g1.b": "", "g2.c": ""}
    answers = {"qa-e-answer": {"g1.a": "yes", "g1.b": "na", "g2.c": "yes"}}
    live = call(
        qa,
        dapp,
        "qa-e-score",
        values={"qa-e-id": world.draft_a},
        instances={**answers, "qa-e-item-state": refs, "qa-e-item": refs},
        trigger=({"type": "qa-e-answer", "index": "g1.b"}, "value"),
    )
    assert live.status_code == 200
    text = json.dumps(live.get_json(), ensure_ascii=False)
    assert "100.0%" in text and "N/A: not counted" in text  # the worked example with N/A


def test_hr_reads_submitted_evaluations_without_the_recording(as_user: Any, world: World) -> None:
    hr = as_user("hr-1")
    text = page(hr, f"/qa/evaluation/{world.eval_a}")
    assert DENIED not in text
    assert "Recordings are not available" in text
    assert f"/recordings/{world.call_a}" not in text
    assert DENIED in page(hr, f"/qa/evaluation/{world.draft_a}")


def test_a_dispute_goes_from_the_agent_to_the_supervisor(
    app: flask.Flask, as_user: Any, world: World
) -> None:
    dapp = dash_app(app)
    button = {"type": "qa-e-dispute", "index": "g1.b"}
    raised = call(
        as_user("agent-a"),
        dapp,
        "qa-e-agent-msg",
        values={"qa-e-id": world.eval_a},
        instances={"qa-e-dispute": {"g1.b": 1}, "qa-e-dispute-reason": {"g1.b": "Not asked."}},
        trigger=(button, "n_clicks"),
    )
    assert raised.status_code == 200 and "done=disputed" in raised.get_data(as_text=True)
    with session_scope(app.extensions["floorboard"].sessions) as db:
        dispute_id = db.query(Dispute).one().id
    decide = {
        "instances": {
            "qa-d-confirm": {dispute_id: 1},
            "qa-d-decision": {dispute_id: "accept"},
            "qa-d-value": {dispute_id: None},
            "qa-d-note": {dispute_id: "Agreed."},
            "qa-d-pending": {dispute_id: {"decision": "accept", "value": None, "note": "Agreed."}},
        },
        "trigger": ({"type": "qa-d-confirm", "index": dispute_id}, "n_clicks"),
    }
    assert call(as_user("agent-a"), dapp, "qa-d-msg", **decide).status_code == 403
    assert call(as_user("qa-1"), dapp, "qa-d-msg", **decide).status_code == 403
    decided = call(as_user("sup-1"), dapp, "qa-d-msg", **decide)
    assert decided.status_code == 200, decided.get_data(as_text=True)
    after = evaluation(app, world.eval_a)
    assert after.score == 100.0 and after.revision == 1
    history = page(as_user("agent-a"), f"/qa/evaluation/{world.eval_a}")
    assert "Dispute accepted" in history and "60.0% → 100.0%" in history


def test_calibration_answers_stay_blind_until_the_session_closes(
    app: flask.Flask, as_user: Any, world: World
) -> None:
    with session_scope(app.extensions["floorboard"].sessions) as db:
        session = create_session(
            db_session=db,
            call_pk=world.call_b,
            evaluators=["qa-1", "qa-2"],
            expert="sup-1",
            actor="sup-1",
        )
        answers = {
            ref: AnswerIn("yes")
            for ref in spec_of(get_current(db_session=db, key="default")).refs()
        }
        work = {}
        for who in ("sup-1", "qa-1"):
            draft = start_calibration(db_session=db, session_id=session.id, evaluator=who)
            save_draft(db_session=db, evaluation_id=draft.id, answers=answers, actor=who)
            submit_evaluation(db_session=db, evaluation_id=draft.id, actor=who)
            work[who] = draft.id
        session_id = session.id
    assert DENIED not in page(as_user("qa-1"), f"/qa/evaluation/{work['qa-1']}")
    assert DENIED in page(as_user("qa-2"), f"/qa/evaluation/{work['qa-1']}")
    assert DENIED in page(as_user("qa-2"), f"/qa/evaluation/{work['sup-1']}")
    assert "still open" in page(as_user("qa-2"), f"/qa/calibration/{session_id}")
    with session_scope(app.extensions["floorboard"].sessions) as db:
        close_session(db_session=db, session_id=session_id, actor="sup-1")
    assert DENIED not in page(as_user("qa-2"), f"/qa/evaluation/{work['qa-1']}")
    report = page(as_user("qa-2"), f"/qa/calibration/{session_id}")
    assert "Mean alignment" in report and "100.0%" in report
    assert DENIED in page(as_user("agent-b"), f"/qa/calibration/{session_id}")


def test_report_downloads_are_guarded_and_well_formed(as_user: Any, world: World) -> None:
    assert as_user("agent-a").get("/qa/export/report.csv").status_code == 403
    hr = as_user("hr-1")
    csv = hr.get("/qa/export/report.csv?kind=items")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert "attachment" in csv.headers["Content-Disposition"]
    lines = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("scorecard,item,text")
    assert any(line.startswith("default,g1.b,") for line in lines)
    xlsx = hr.get("/qa/export/report.xlsx?group=queue&period=week")
    book = load_workbook(io.BytesIO(xlsx.data))
    assert len(book.sheetnames) == 3
    assert hr.get("/qa/export/report.csv?kind=nonsense").status_code == 400


def test_scorecard_downloads_round_trip(as_user: Any, world: World) -> None:
    assert as_user("agent-a").get("/qa/export/scorecard/default.yaml").status_code == 403
    assert as_user("hr-1").get("/qa/export/scorecard/default.yaml").status_code == 403
    qa = as_user("qa-1")
    text = qa.get("/qa/export/scorecard/default.yaml").get_data(as_text=True)
    spec = loads_spec(text, origin="download")
    assert spec.key == "default" and spec.refs() == ("g1.a", "g1.b", "g2.c")
    assert qa.get("/qa/export/scorecard/default.json").mimetype == "application/json"
    assert qa.get("/qa/export/scorecard/nothing.yaml").status_code == 404


def test_item_text_follows_the_users_language(
    app: flask.Flask, world: World, make_user: Callable[..., str], login: Callable[..., FlaskClient]
) -> None:
    make_user("supervisor", username="sup-zh", locale="zh")
    client = login(app.test_client(), "sup-zh")
    text = page(client, f"/qa/evaluation/{world.eval_a}")
    assert "项目 a" in text and "Item a" not in text  # text_zh of the worked example's items
    assert "得分" in text and "不合格" not in text  # 60 % < no pass mark: passed
    english = page(login(app.test_client(), "sup-1"), f"/qa/evaluation/{world.eval_a}")
    assert "Item a" in english and "项目 a" not in english


def test_an_unplayable_recording_shows_why_instead_of_a_player(
    app: flask.Flask, as_user: Any, world: World
) -> None:
    with session_scope(app.extensions["floorboard"].sessions) as db:
        gone = start_evaluation(db_session=db, call_pk=world.call_gone, evaluator="qa-1").id
        none = start_evaluation(db_session=db, call_pk=world.call_none, evaluator="qa-2").id
    missing = page(as_user("qa-1"), f"/qa/evaluation/{gone}")
    assert "recording file of this call is missing" in missing
    assert "/recordings/" not in missing and "qa-player is-unavailable" in missing
    assert "qa-e-note-pin" in missing  # comments still work, without a time
    assert "has no recording" in page(as_user("qa-2"), f"/qa/evaluation/{none}")
