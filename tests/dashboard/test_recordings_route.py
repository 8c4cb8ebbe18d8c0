"""``/recordings/<call>``: only those who may hear a call get its audio, with HTTP range requests
(206, Content-Range, Accept-Ranges) so that the player can seek; an unplayable recording gives
a short text reason (404/410), never a broken stream."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import flask
import pytest
from flask.testing import FlaskClient
from qa_web_support import World, build_world

from dashboard.app import create_app
from dashboard.settings import Settings


@pytest.fixture
def world(sessions: Any, tmp_path: Path, make_user: Callable[..., str]) -> World:
    return build_world(sessions, tmp_path, make_user)


@pytest.fixture
def app(settings: Settings, world: World) -> flask.Flask:
    return create_app(settings)


@pytest.fixture
def as_user(app: flask.Flask, login: Callable[..., FlaskClient]) -> Callable[[str], FlaskClient]:
    return lambda name: login(app.test_client(), name)


def test_staff_get_the_whole_file_with_accept_ranges(as_user: Any, world: World) -> None:
    data = world.wav.read_bytes()
    response = as_user("qa-1").get(f"/recordings/{world.call_a}")
    assert response.status_code == 200
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.mimetype == "audio/wav"
    assert response.headers["Content-Length"] == str(len(data))
    assert response.data == data
    assert "public" not in response.headers["Cache-Control"]  # a customer's voice


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [("bytes=100-199", 100, 199), ("bytes=1000-", 1000, None), ("bytes=-500", None, None)],
)
def test_range_requests_answer_206_with_the_slice(
    as_user: Any, world: World, header: str, first: int | None, last: int | None
) -> None:
    data = world.wav.read_bytes()
    size = len(data)
    start = size - 500 if first is None else first
    end = size - 1 if last is None else last
    response = as_user("sup-1").get(f"/recordings/{world.call_a}", headers={"Range": header})
    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes {start}-{end}/{size}"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.data == data[start : end + 1]


def test_a_range_past_the_end_is_unsatisfiable(as_user: Any, world: World) -> None:
    size = world.wav.stat().st_size
    response = as_user("qa-1").get(
        f"/recordings/{world.call_a}", headers={"Range": f"bytes={size + 10}-"}
    )
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{size}"


def test_head_gives_the_size_without_the_body(as_user: Any, world: World) -> None:
    response = as_user("qa-1").head(f"/recordings/{world.call_a}")
    assert response.status_code == 200
    assert response.headers["Content-Length"] == str(world.wav.stat().st_size)
    assert response.data == b""


def test_an_agent_hears_only_their_own_calls_ranges_included(as_user: Any, world: World) -> None:
    alice = as_user("agent-a")
    assert alice.get(f"/recordings/{world.call_a}").status_code == 200
    assert (
        alice.get(f"/recordings/{world.call_a}", headers={"Range": "bytes=0-9"}).status_code == 206
    )
    for headers in ({}, {"Range": "bytes=0-9"}, {"Range": "bytes=44-"}):
        refused = alice.get(f"/recordings/{world.call_b}", headers=headers)
        assert refused.status_code == 403
        assert b"RIFF" not in refused.data and b"data" not in refused.data[:4]
        assert "may not listen" in refused.get_data(as_text=True)


def test_hr_displays_and_strangers_get_nothing(
    app: flask.Flask, as_user: Any, world: World, make_display: Callable[..., str]
) -> None:
    assert as_user("hr-1").get(f"/recordings/{world.call_a}").status_code == 403
    anonymous = app.test_client().get(f"/recordings/{world.call_a}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    screen = app.test_client()
    token = make_display(("tv",))
    screen.get(f"/board/tv?token={token}")
    assert screen.get(f"/recordings/{world.call_a}").status_code in (302, 403)


def test_unplayable_recordings_give_a_clear_text_reason(as_user: Any, world: World) -> None:
    client = as_user("qa-1")
    gone = client.get(f"/recordings/{world.call_gone}")
    assert gone.status_code == 410
    assert gone.mimetype == "text/plain"
    assert "missing" in gone.get_data(as_text=True)
    none = client.get(f"/recordings/{world.call_none}")
    assert none.status_code == 404
    assert "no recording" in none.get_data(as_text=True)
    unknown = client.get("/recordings/999999")
    assert unknown.status_code == 404
    assert "not in the call history" in unknown.get_data(as_text=True)
    # an agent is told why too, without the server's file paths
    alice = as_user("agent-a").get(f"/recordings/{world.call_gone}")
    assert alice.status_code == 410
    assert "gone.wav" not in alice.get_data(as_text=True)


def test_the_configured_pattern_finds_recordings(
    settings: Settings, world: World, login: Callable[..., FlaskClient], tmp_path: Path
) -> None:
    folder = tmp_path / "spool"
    folder.mkdir()
    app = create_app(dataclasses.replace(settings, recording_pattern=f"{folder}/{{call_id}}.wav"))
    client = login(app.test_client(), "qa-1")
    from collectors.history.models import Call  # noqa: PLC0415
    from core.db import session_scope  # noqa: PLC0415

    with session_scope(app.extensions["floorboard"].sessions) as db:
        call_id = db.get(Call, world.call_none).call_id
    assert client.get(f"/recordings/{world.call_none}").status_code == 410  # pattern, no file
    (folder / f"{call_id}.wav").write_bytes(world.wav.read_bytes())
    assert client.get(f"/recordings/{world.call_none}").status_code == 200
