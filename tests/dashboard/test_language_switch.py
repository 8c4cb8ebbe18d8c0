"""A user switches the UI language from the navigation bar (issue 11.19): the choice is stored on
the account, shows on the very next page (the user cache forgets the old one) and stays after
signing in again; a TV keeps its board's language."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import flask
import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from support.dash_requests import page

from core.db import session_scope
from dashboard.app import create_app
from dashboard.auth.models import User
from dashboard.i18n import t
from dashboard.settings import Settings
from qa.audit.models import AuditEntry

NAME = "sup-lang"


@pytest.fixture
def app(settings: Settings, make_user: Callable[..., str]) -> flask.Flask:
    make_user("supervisor", username=NAME)
    return create_app(settings)


@pytest.fixture
def sup(app: flask.Flask, login: Callable[..., FlaskClient]) -> FlaskClient:
    return login(app.test_client(), NAME)


def stored(sessions: sessionmaker[Session]) -> str:
    with session_scope(sessions) as db:
        return db.scalars(select(User.locale).where(User.username == NAME)).one()


def switch(client: FlaskClient, locale: str, back: str = "/live") -> Any:
    return client.post("/language", data={"locale": locale, "next": back})


def test_the_switch_is_on_every_desk_page_and_marks_the_current_language(
    sup: FlaskClient,
) -> None:
    layout = page(sup, "/live?view=queues")
    assert '"action": "/language"' in layout and '"value": "zh"' in layout
    assert '"value": "/live?view=queues", "type": "hidden", "name": "next"' in layout  # back here
    assert '"className": "nav-lang is-current"' in layout


def test_switching_stores_the_language_and_the_next_page_is_in_it(
    app: flask.Flask, sup: FlaskClient, sessions: sessionmaker[Session]
) -> None:
    assert t("nav.logout", "en") in page(sup, "/live")  # the user is cached in English now
    done = switch(sup, "zh")
    assert done.status_code == 302 and done.headers["Location"] == "/live"
    assert stored(sessions) == "zh"
    after = page(sup, "/live")
    assert t("nav.logout", "zh") in after and t("nav.live", "zh") in after
    assert t("nav.logout", "en") not in after
    with session_scope(sessions) as db:
        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "user.locale")).one()
        assert (entry.actor, entry.entity_id) == (NAME, NAME)
    assert t("nav.logout", "en") in page(switch_back(sup), "/live")


def switch_back(client: FlaskClient) -> FlaskClient:
    assert switch(client, "en").status_code == 302
    return client


def test_the_language_stays_after_signing_in_again(
    app: flask.Flask, sup: FlaskClient, login: Callable[..., FlaskClient]
) -> None:
    switch(sup, "zh")
    again = login(app.test_client(), NAME)
    assert t("nav.logout", "zh") in page(again, "/")


def test_bad_values_and_other_sites_change_nothing(
    sup: FlaskClient, sessions: sessionmaker[Session]
) -> None:
    refused = switch(sup, "fr")
    assert refused.status_code == 400 and "one of en, zh" in refused.get_data(as_text=True)
    assert stored(sessions) == "en"
    for elsewhere in ("https://evil.example/phish", "//evil.example", "/\\evil.example"):
        away = switch(sup, "zh", back=elsewhere)
        assert away.status_code == 302 and away.headers["Location"] == "/"


def test_only_signed_in_users_switch_and_a_tv_keeps_its_board_language(
    app: flask.Flask, make_display: Callable[..., str], sessions: sessionmaker[Session]
) -> None:
    anonymous = app.test_client()
    anonymous.get("/login")
    assert switch(anonymous, "zh").status_code == 302  # to the sign-in page
    tv = app.test_client()
    token = make_display(("center",))
    assert tv.get(f"/board/center?token={token}").status_code == 200
    assert switch(tv, "zh").status_code == 403
    assert stored(sessions) == "en"
    board = json.loads(page(tv, "/board/center"))
    assert "nav-lang" not in json.dumps(board)  # boards have no navigation, no switch
