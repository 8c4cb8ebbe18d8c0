"""Bad input from the outside review (issue 11, point 8), each answered with a 4xx or a message
instead of a 500: ledger points 1e30, ids above 2**63 in URLs, announcement boards ``[{}]``, a
board name sent as a list, the router's ``pathname: null``, a scorecard with a list as a key.
The fuzzing of every callback and route is in ``test_fuzz_inputs.py``."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import flask
import pytest
from flask.testing import FlaskClient
from qa_web_support import AGENT_A
from support.dash_requests import CALLBACK, call, page, router_body

from core.db import session_scope
from dashboard.announcements import service as announcements
from dashboard.app import dash_app
from dashboard.pages.floor import ids as floor_ids
from dashboard.pages.hr import ids as hr_ids
from dashboard.pages.qa import ids as qa_ids
from qa.ledger.service import list_entries
from qa.scorecards.service import list_scorecards

TOO_BIG = 2**63  # one above the largest id SQL can hold


def db(app: flask.Flask) -> Any:
    return session_scope(app.extensions["floorboard"].sessions)


def test_ledger_points_1e30_are_a_message_and_nothing_is_stored(
    app: flask.Flask, as_user: Callable[[str], FlaskClient]
) -> None:
    values = {
        hr_ids.HR_INC_AGENT: AGENT_A,
        f"{hr_ids.HR_INC_DATE}.date": "2026-01-21",
        hr_ids.HR_INC_KIND: "incident",
        hr_ids.HR_INC_CATEGORY: "discipline",
        hr_ids.HR_INC_POINTS: "1e30",
        hr_ids.HR_INC_NOTE: "typo",
        f"{hr_ids.HR_INC_ADD}.n_clicks": 1,
    }
    done = call(as_user("sup-1"), dash_app(app), hr_ids.HR_INC_MESSAGE, values=values,
                trigger=(hr_ids.HR_INC_ADD, "n_clicks"))  # fmt: skip
    assert done.status_code == 200, done.get_data(as_text=True)[:300]
    assert "points 1E+30 is beyond ±1000" in done.get_data(as_text=True)
    with db(app) as session:
        assert list_entries(db_session=session) == []


@pytest.mark.parametrize("number", [TOO_BIG, 2**64 + 1, 10**30])
def test_a_recording_id_beyond_64_bits_is_404(
    as_user: Callable[[str], FlaskClient], number: int
) -> None:
    response = as_user("qa-1").get(f"/recordings/{number}")
    assert response.status_code == 404
    assert "not in the call history" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/qa/evaluation/{n}", "/qa/calibration/{n}"])
def test_page_ids_beyond_64_bits_show_not_found(
    as_user: Callable[[str], FlaskClient], path: str
) -> None:
    shown = page(as_user("qa-1"), path.format(n=TOO_BIG))  # asserts 200 (no 500)
    assert "not found" in shown.lower() or "no longer exists" in shown.lower()


def test_announcement_boards_of_the_wrong_shape_are_a_message(
    app: flask.Flask, as_user: Callable[[str], FlaskClient]
) -> None:
    client = as_user("sup-1")
    for boards in ([{}], "sales", [["sales"]]):
        values = {
            floor_ids.ANN_TEXT: "Lunch",
            floor_ids.ANN_BOARDS: boards,
            floor_ids.ANN_LEVEL: "info",
        }
        done = call(client, dash_app(app), floor_ids.ANN_MESSAGE, values=values,
                    trigger=(floor_ids.ANN_POST, "n_clicks"))  # fmt: skip
        assert done.status_code == 200, done.get_data(as_text=True)[:300]
        assert "boards must be a list of text values" in done.get_data(as_text=True)
    with db(app) as session:
        assert announcements.current_and_scheduled(session) == []


def test_a_board_name_sent_as_a_list_is_400(
    app: flask.Flask, as_user: Callable[[str], FlaskClient], make_display: Callable[..., str]
) -> None:
    board = app.extensions["floorboard"].boards.names()[0]
    display = app.test_client()
    display.get(f"/board/{board}?token={make_display((board,))}")
    for client in (as_user("sup-1"), display):
        done = call(client, dash_app(app), floor_ids.BOARD_STATUS,
                    values={floor_ids.BOARD_NAME: [board],
                            f"{floor_ids.BOARD_REFRESH}.n_intervals": 1},
                    trigger=(floor_ids.BOARD_REFRESH, "n_intervals"))  # fmt: skip
        assert done.status_code == 400, done.get_data(as_text=True)[:300]
        assert "board name must be text" in done.get_data(as_text=True)


def test_the_router_refuses_a_null_pathname_with_400(
    as_user: Callable[[str], FlaskClient],
) -> None:
    response = as_user("qa-1").post(CALLBACK, json=router_body(None, ""))
    assert response.status_code == 400
    assert "pathname must be text" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("? [a, b]\n: 1\nkey: x\n", "upload.yaml:1: a key must be a name"),
        ("key: x\nname: X\nsections:\n  - {[1]: 2}\n", "upload.yaml:4: a key must be a name"),
    ],
)
def test_a_scorecard_with_a_list_as_a_key_is_a_message(
    app: flask.Flask, as_user: Callable[[str], FlaskClient], text: str, message: str
) -> None:
    contents = "data:application/x-yaml;base64," + base64.b64encode(text.encode()).decode()
    done = call(as_user("qa-1"), dash_app(app), qa_ids.QA_SC_MSG,
                values={f"{qa_ids.QA_SC_UPLOAD}.contents": contents,
                        f"{qa_ids.QA_SC_UPLOAD}.filename": "upload.yaml"},
                trigger=(qa_ids.QA_SC_UPLOAD, "contents"))  # fmt: skip
    assert done.status_code == 200, done.get_data(as_text=True)[:300]
    assert message in json.dumps(done.get_json())
    with db(app) as session:
        assert [c.key for c in list_scorecards(db_session=session)] == ["default"]
