"""Every 403 a person gets is the styled, translated page with their navigation, and no page
offers a link its viewer may not follow."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dash
import flask
import plotly.utils
import pytest
from flask.testing import FlaskClient
from support.dash_requests import router_body

from core.roles import Principal, Role
from dashboard.app import create_app
from dashboard.auth.access import may_open
from dashboard.auth.guard import CALLBACK_ENDPOINT
from dashboard.i18n import t
from dashboard.settings import Settings

ROLES = ("agent", "supervisor", "qa", "hr", "admin")
PATH_VALUES = {
    "<name>": "tv",
    "<agent_id>": "me",
    "<month>": "2026-01",
    "<evaluation_id>": "1",
    "<session_id>": "1",
}


@pytest.fixture
def app(settings: Settings, sessions: Any, tmp_path: Path) -> flask.Flask:
    folder = tmp_path / "layouts"
    folder.mkdir()
    (folder / "tv.yaml").write_text("title: TV\ntiles: [{kind: number, metric: calls_waiting}]\n")
    return create_app(settings, layouts_dir=folder)


def signed_in(
    app: flask.Flask,
    make_user: Callable[..., str],
    login: Callable[..., FlaskClient],
    role: str,
    **kw: Any,
) -> FlaskClient:
    return login(app.test_client(), make_user(role, **kw))


@pytest.mark.parametrize("path", ["/hr", "/qa", "/live", "/admin/displays", "/hr/incidents"])
def test_an_agent_sees_the_styled_page_with_navigation_in_their_language(
    app: flask.Flask,
    make_user: Callable[..., str],
    login: Callable[..., FlaskClient],
    path: str,
) -> None:
    client = signed_in(app, make_user, login, "agent", locale="zh")
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Forbidden" not in page
    assert 'href="/assets/floorboard.css"' in page
    assert t("denied.title", "zh") in page and t("denied.text", "zh") in page
    nav = re.search(r'<nav class="nav">(.*?)</nav>', page, re.S)
    assert nav is not None, page
    assert t("nav.home", "zh") in nav.group(1) and t("nav.qa_mine", "zh") in nav.group(1)
    assert 'href="/hr"' not in nav.group(1)  # not the page it may not open
    assert 'action="/logout"' in nav.group(1)


def test_a_403_of_a_flask_route_is_the_styled_page_too(
    app: flask.Flask, make_user: Callable[..., str], login: Callable[..., FlaskClient]
) -> None:
    client = signed_in(app, make_user, login, "agent")
    response = client.get("/qa/export/report.csv", headers={"Accept": "text/html"})
    assert response.status_code == 403
    assert t("denied.text", "en") in response.get_data(as_text=True)


def test_a_refused_callback_gets_json(
    app: flask.Flask, make_user: Callable[..., str], login: Callable[..., FlaskClient]
) -> None:
    client = signed_in(app, make_user, login, "agent")
    fake = {"output": "nothing.children", "outputs": {}, "inputs": [], "changedPropIds": []}
    response = client.post(CALLBACK_ENDPOINT, json=fake)
    assert response.status_code == 403
    assert response.get_json() == {"error": t("denied.text", "en")}


def test_an_invalid_display_link_says_so(app: flask.Flask) -> None:
    response = app.test_client().get("/board/tv?token=nope", headers={"Accept": "text/html"})
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert t("denied.token", "en") in page and 'href="/login"' in page


def hrefs(tree: Any) -> set[str]:
    text = json.dumps(tree, cls=plotly.utils.PlotlyJSONEncoder)
    return set(re.findall(r'"href": "([^"]*)"', text))


def test_the_awards_page_offers_qa_no_link_to_the_incidents_ledger(app: flask.Flask) -> None:
    from dashboard.pages.hr import ranking as hr_ranking  # noqa: PLC0415 - a page module: after create_app

    def links_for(role: Role) -> set[str]:
        with app.test_request_context("/hr"):
            flask.g.fb_principal = Principal(kind="user", role=role, name=role.value)
            return hrefs(hr_ranking.render("2026-01", None, None))

    assert not any(h.startswith("/hr/incidents") for h in links_for(Role.QA))
    assert any(h.startswith("/hr/incidents") for h in links_for(Role.SUPERVISOR))


@pytest.mark.parametrize("role", ROLES)
def test_no_page_links_where_its_viewer_may_not_go(
    app: flask.Flask,
    make_user: Callable[..., str],
    login: Callable[..., FlaskClient],
    role: str,
) -> None:
    client = signed_in(app, make_user, login, role)
    principal = Principal(kind="user", role=Role(role))
    paths = set()
    for page in dash.page_registry.values():
        path = page.get("path_template") or page["path"]
        for variable, value in PATH_VALUES.items():
            path = path.replace(variable, value)
        paths.add(path)
    bad = []
    seen = 0
    for path in sorted(paths):
        rendered = client.post(CALLBACK_ENDPOINT, json=router_body(path))
        assert rendered.status_code == 200, (role, path)
        with app.test_request_context("/"):
            for href in hrefs(rendered.get_json()):
                seen += 1
                if not may_open(principal, href):
                    bad.append((path, href))
    assert seen, "no links at all: the walk saw nothing"
    assert not bad, f"{role} is offered links it may not follow: {bad}"
