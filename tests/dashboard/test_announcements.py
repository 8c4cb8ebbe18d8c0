"""Announcements: post, schedule, expire, cancel; the ticker shows them within seconds."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from core.db import session_scope
from dashboard.announcements import service
from dashboard.announcements.service import AnnouncementCache, AnnouncementError
from dashboard.app import create_app, dash_app
from dashboard.auth.guard import CALLBACK_ENDPOINT
from dashboard.auth.service import utcnow
from dashboard.settings import Settings


def test_schedule_expiry_board_scope_and_cancel(sessions: Any) -> None:
    now = utcnow()
    with session_scope(sessions) as s:
        everywhere = service.post(s, text="  Water   off 14:00 ", created_by="sup")
        later = service.post(
            s,
            text="Repair tonight",
            created_by="sup",
            boards=["center"],
            starts_at=now + timedelta(hours=2),
        )
        service.post(
            s,
            text="Ended",
            created_by="sup",
            starts_at=now - timedelta(hours=2),
            ends_at=now - timedelta(hours=1),
        )
    assert everywhere.text == "Water off 14:00"
    cache = AnnouncementCache(sessions, ttl_s=0)
    soon = utcnow() + timedelta(seconds=1)
    assert [n.text for n in cache.for_board("agents", now=soon)] == ["Water off 14:00"]
    in_three_hours = now + timedelta(hours=3)
    assert [n.text for n in cache.for_board("center", now=in_three_hours)] == [
        "Water off 14:00",
        "Repair tonight",
    ]
    assert [n.text for n in cache.for_board("agents", now=in_three_hours)] == ["Water off 14:00"]
    with session_scope(sessions) as s:
        service.cancel(s, announcement_id=everywhere.id)
        listed = service.current_and_scheduled(s)
    assert [n.id for n in listed] == [later.id]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": "  "}, "empty"),
        ({"text": "x" * 501}, "is 501 characters long; at most 500"),
        ({"text": "x", "level": "panic"}, "unknown level"),
    ],
)
def test_bad_announcements_are_refused(sessions: Any, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(AnnouncementError, match=message), session_scope(sessions) as s:
        service.post(s, created_by="sup", **kwargs)


def test_a_supervisor_posts_from_the_page_and_the_ticker_shows_it(
    settings: Settings,
    sessions: Any,
    make_user: Callable[..., str],
    make_display: Callable[..., str],
    login: Callable[..., Any],
) -> None:
    app = create_app(settings)
    dapp = dash_app(app)
    sup = login(app.test_client(), make_user("supervisor"))
    post_key = next(k for k in dapp.callback_map if "ann-message" in k)
    body = {
        "output": post_key,
        "outputs": [
            {"id": "ann-message", "property": "children"},
            {"id": "ann-list", "property": "children"},
            {"id": "ann-text", "property": "value"},
        ],
        "inputs": [{"id": "ann-post", "property": "n_clicks", "value": 1}, []],
        "state": [
            {"id": "ann-text", "property": "value", "value": "Power cut at 15:00"},
            {"id": "ann-boards", "property": "value", "value": ["center"]},
            {"id": "ann-level", "property": "value", "value": "alert"},
            {"id": "ann-starts", "property": "value", "value": ""},
            {"id": "ann-ends", "property": "value", "value": ""},
        ],
        "changedPropIds": ["ann-post.n_clicks"],
    }
    posted = sup.post(CALLBACK_ENDPOINT, json=body)
    assert posted.status_code == 200 and "Posted." in posted.get_data(as_text=True)

    tv = app.test_client()
    token = make_display(("center",))
    app.extensions["floorboard"].displays.invalidate()
    tv.get(f"/board/center?token={token}")
    ticker_key = next(k for k in dapp.callback_map if "tile-ticker" in k)
    tick = {
        "output": ticker_key,
        "outputs": [
            [
                {
                    "id": {"type": "tile-ticker", "board": "center", "index": 14},
                    "property": "children",
                }
            ],
            {"id": "board-ticker-sig", "property": "data"},
        ],
        "inputs": [{"id": "board-ticker-refresh", "property": "n_intervals", "value": 1}],
        "state": [
            {"id": "board-name", "property": "data", "value": "center"},
            {"id": "board-ticker-sig", "property": "data", "value": None},
        ],
        "changedPropIds": ["board-ticker-refresh.n_intervals"],
    }
    shown = tv.post(CALLBACK_ENDPOINT, json=tick)
    assert shown.status_code == 200
    text = json.dumps(shown.get_json(), ensure_ascii=False)
    assert "Power cut at 15:00" in text and "lvl-alert" in text
    sig = shown.get_json()["response"]["board-ticker-sig"]["data"]
    tick["state"][1]["value"] = sig
    unchanged = tv.post(CALLBACK_ENDPOINT, json=tick).get_json()
    assert "Power cut" not in json.dumps(unchanged)  # not sent again: the scroll keeps going
    bad = dict(
        body,
        state=[
            *body["state"][:3],
            {"id": "ann-starts", "property": "value", "value": "tomorrow"},
            body["state"][4],
        ],
    )
    refused = sup.post(CALLBACK_ENDPOINT, json=bad).get_data(as_text=True)
    assert "2026-11-25 14:30" in refused  # the expected time format is shown
