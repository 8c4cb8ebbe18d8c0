"""The disputes page decides nothing by default and nothing without a confirmation (issue 11.17):
no decision is preselected, Decide only asks (naming the new answer and score), and only Confirm
of the decision that was shown decides; the server refuses every other request."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import flask
import pytest
from flask.testing import FlaskClient
from qa_web_support import World, build_world
from support.dash_requests import call, page

from core.db import session_scope
from dashboard.app import create_app, dash_app
from dashboard.pages.qa import ids
from dashboard.settings import Settings
from qa.evaluations.disputes import raise_dispute
from qa.evaluations.models import Dispute, Evaluation


@pytest.fixture
def world(sessions: Any, tmp_path: Path, make_user: Callable[..., str]) -> World:
    return build_world(sessions, tmp_path, make_user)


@pytest.fixture
def app(settings: Settings, world: World) -> flask.Flask:
    return create_app(settings)


@pytest.fixture
def dispute_id(app: flask.Flask, world: World) -> int:
    with session_scope(app.extensions["floorboard"].sessions) as db:
        return raise_dispute(
            db_session=db, evaluation_id=world.eval_a, item_ref="g1.b", reason="I did ask.",
            agent_id="Alice Agent", actor="agent-a",
        ).id  # fmt: skip


@pytest.fixture
def sup(app: flask.Flask, login: Callable[..., FlaskClient]) -> FlaskClient:
    client = login(app.test_client(), "sup-1")
    client.get("/")
    return client


def state(app: flask.Flask, dispute_id: int) -> tuple[str, float | None]:
    with session_scope(app.extensions["floorboard"].sessions) as db:
        dispute = db.get(Dispute, dispute_id)
        assert dispute is not None
        evaluation = db.get(Evaluation, dispute.evaluation_id)
        assert evaluation is not None
        return dispute.status, evaluation.score


def form(dispute_id: int, decision: Any, note: str = "", value: Any = None) -> dict[str, Any]:
    return {
        ids.QA_D_DECISION: {dispute_id: decision},
        ids.QA_D_VALUE: {dispute_id: value},
        ids.QA_D_NOTE: {dispute_id: note},
    }


def ask(client: FlaskClient, app: flask.Flask, dispute_id: int, **kw: Any) -> dict[str, Any]:
    """Press Decide: this dispute's outputs by component type (those left alone are absent)."""
    response = call(
        client,
        dash_app(app),
        ids.QA_D_ASK,
        instances={ids.QA_D_DECIDE: {dispute_id: 1}, ids.QA_D_CANCEL: {dispute_id: None},
                   ids.QA_D_ASK: {dispute_id: True}, ids.QA_D_ASK_TEXT: {dispute_id: ""},
                   ids.QA_D_PENDING: {dispute_id: None}, ids.QA_D_HINT: {dispute_id: ""},
                   ids.QA_D_CONFIRM: {dispute_id: ""}, **form(dispute_id, **kw)},
        trigger=({"type": ids.QA_D_DECIDE, "index": dispute_id}, "n_clicks"),
    )  # fmt: skip
    assert response.status_code == 200, response.get_data(as_text=True)
    outputs = response.get_json()["response"]
    return {json.loads(k)["type"]: next(iter(v.values())) for k, v in outputs.items()}


def confirm(client: FlaskClient, app: flask.Flask, dispute_id: int, pending: Any, **kw: Any) -> str:
    response = call(
        client,
        dash_app(app),
        ids.QA_D_MSG,
        instances={ids.QA_D_CONFIRM: {dispute_id: 1}, ids.QA_D_PENDING: {dispute_id: pending},
                   **form(dispute_id, **kw)},
        trigger=({"type": ids.QA_D_CONFIRM, "index": dispute_id}, "n_clicks"),
    )  # fmt: skip
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.dumps(response.get_json(), ensure_ascii=False)


def test_no_decision_is_preselected_and_decide_starts_disabled(
    sup: FlaskClient, dispute_id: int
) -> None:
    layout = json.loads(page(sup, "/qa/disputes"))
    found: dict[str, Any] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ident = (node.get("props") or {}).get("id")
            if isinstance(ident, dict) and ident.get("index") == dispute_id:
                found[ident["type"]] = node["props"]
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(layout)
    assert found[ids.QA_D_DECISION]["value"] is None
    assert found[ids.QA_D_DECIDE]["disabled"] is True
    assert found[ids.QA_D_ASK]["hidden"] is True


def test_decide_asks_first_and_names_what_will_happen(
    app: flask.Flask, sup: FlaskClient, dispute_id: int
) -> None:
    asked = ask(sup, app, dispute_id, decision=None)
    assert "Choose accept, partly accept or reject first" in json.dumps(asked[ids.QA_D_HINT])
    assert (asked[ids.QA_D_ASK], asked[ids.QA_D_PENDING]) == (True, None)
    assert state(app, dispute_id) == ("open", 60.0)

    asked = ask(sup, app, dispute_id, decision="reject")
    assert "Write a note" in json.dumps(asked[ids.QA_D_HINT]) and asked[ids.QA_D_ASK] is True

    asked = ask(sup, app, dispute_id, decision="accept")
    assert (asked[ids.QA_D_DECIDE], asked[ids.QA_D_ASK], asked[ids.QA_D_HINT]) == (True, False, "")
    assert asked[ids.QA_D_CONFIRM] == "Confirm: accept"
    text = asked[ids.QA_D_ASK_TEXT]
    assert "changes from No to Yes" in text and "60.0% to 100.0%" in text
    assert asked[ids.QA_D_PENDING] == {"decision": "accept", "value": None, "note": ""}
    assert state(app, dispute_id) == ("open", 60.0)  # asking decided nothing


def test_the_server_refuses_a_decision_without_a_confirmed_choice(
    app: flask.Flask, sup: FlaskClient, dispute_id: int
) -> None:
    accept = {"decision": "accept", "value": None, "note": ""}
    assert "Press Decide and confirm" in confirm(sup, app, dispute_id, None, decision="accept")
    nothing = {"decision": None, "value": None, "note": ""}
    assert "Press Decide and confirm" in confirm(sup, app, dispute_id, nothing, decision=None)
    assert "Press Decide and confirm" in confirm(sup, app, dispute_id, {}, decision="accept")
    changed = confirm(sup, app, dispute_id, accept, decision="reject", note="No.")
    assert "changed after you pressed Decide" in changed
    assert state(app, dispute_id) == ("open", 60.0)

    done = confirm(sup, app, dispute_id, accept, decision="accept")
    assert "Decided; the evaluation was rescored" in done
    assert state(app, dispute_id) == ("accepted", 100.0)
    again = confirm(sup, app, dispute_id, accept, decision="accept")
    assert "final" in again and state(app, dispute_id) == ("accepted", 100.0)


def test_a_rejection_is_confirmed_with_its_note(
    app: flask.Flask, sup: FlaskClient, dispute_id: int
) -> None:
    asked = ask(sup, app, dispute_id, decision="reject", note="You did not ask.")
    assert (asked[ids.QA_D_HINT], asked[ids.QA_D_CONFIRM]) == ("", "Confirm: reject")
    pending = asked[ids.QA_D_PENDING]
    done = confirm(sup, app, dispute_id, pending, decision="reject", note="You did not ask.")
    assert "Decided" in done and state(app, dispute_id) == ("rejected", 60.0)
