"""Recordings and exports only reach the roles that need them.

Generic on purpose: every Flask route whose endpoint name contains ``recording`` or ``export``
is found and checked, including routes added later. The rules:

- it declares roles (never public), never ``display``; anonymous and display-token requests
  are refused by the server;
- a recording route declares no role beyond ``qa.recordings.access.LISTENERS`` and agents;
- an agent reaches it only if it is listed in ``AGENT_MAY`` with the reason (the route must
  then narrow the answer to the agent's own data); otherwise an agent is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import flask
import pytest
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from core.roles import Role
from dashboard.app import create_app
from dashboard.auth.guard import ACCESS_ATTR, route
from dashboard.settings import Settings
from qa.recordings.access import LISTENERS

WORDS = ("recording", "export")
#: Endpoints agents may reach, and why (each narrows to the agent's own data or is public
#: to all staff by design).
AGENT_MAY = {
    "recordings.recording": "an agent hears only calls they handled (qa.recordings.access)",
    "hr_exports.poster_pdf_file": "the published wall poster every agent sees on the wall",
}


def sensitive(app: flask.Flask) -> list[Rule]:
    return [r for r in app.url_map.iter_rules() if any(w in r.endpoint.lower() for w in WORDS)]


def declaration_problems(app: flask.Flask) -> list[str]:
    """What is wrong with what the sensitive routes declare."""
    out = []
    for rule in sensitive(app):
        access = getattr(app.view_functions[rule.endpoint], ACCESS_ATTR, None)
        roles = set(access.roles) if access is not None else set()
        if not roles:
            out.append(f"{rule.rule}: public or undeclared")
        if Role.DISPLAY in roles:
            out.append(f"{rule.rule}: reachable by display tokens")
        extra = {r.value for r in roles} - LISTENERS - {"agent"}
        if "recording" in rule.endpoint.lower() and extra:
            out.append(f"{rule.rule}: recordings for {sorted(extra)}")
        if Role.AGENT in roles and rule.endpoint not in AGENT_MAY:
            out.append(f"{rule.rule}: agents, without a reason in AGENT_MAY")
    return out


def url(app: flask.Flask, rule: Rule) -> str:
    """A concrete address for ``rule`` (the guard answers before the view reads the values)."""
    kinds = {
        name: kind for kind, name in re.findall(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule.rule)
    }
    values = {name: 1 if kinds.get(name) in ("int", "float") else "x" for name in rule.arguments}
    with app.test_request_context():
        return flask.url_for(rule.endpoint, **values)


@pytest.fixture
def app(settings: Settings, sessions: Any, tmp_path: Path) -> flask.Flask:
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    (layouts / "tv.yaml").write_text("title: TV\ntiles: [{kind: clock}]\n")
    return create_app(settings, layouts_dir=layouts)


@pytest.fixture
def clients(
    app: flask.Flask,
    make_user: Callable[..., str],
    make_display: Callable[..., str],
    login: Callable[..., FlaskClient],
) -> Iterator[dict[str, FlaskClient]]:
    display = app.test_client()
    token = make_display(("tv",))
    app.extensions["floorboard"].displays.invalidate()
    assert display.get(f"/board/tv?token={token}").status_code == 200
    yield {
        "anonymous": app.test_client(),
        "display": display,
        "agent": login(app.test_client(), make_user("agent", agent_id="Alice")),
    }


def test_recording_and_export_routes_declare_safe_roles(app: flask.Flask) -> None:
    assert declaration_problems(app) == []


def test_recording_and_export_routes_refuse_anonymous_displays_and_agents(
    app: flask.Flask, clients: dict[str, FlaskClient]
) -> None:
    for rule in sensitive(app):
        path = url(app, rule)
        method = "GET" if "GET" in (rule.methods or ()) else sorted(rule.methods or ("POST",))[0]
        anonymous = clients["anonymous"].open(path, method=method)
        assert anonymous.status_code in (302, 401, 403), (path, anonymous.status_code)
        if anonymous.status_code == 302:
            assert "/login" in anonymous.location
        assert clients["display"].open(path, method=method).status_code == 403, path
        if rule.endpoint not in AGENT_MAY:
            assert clients["agent"].open(path, method=method).status_code == 403, path


def test_the_check_finds_a_leaky_route() -> None:
    """The rules above fail on bad declarations (a check that cannot fail proves nothing)."""
    leaky = flask.Flask("leaky")
    views = {
        "/payroll/export.csv": ("payroll_export", ()),
        "/recordings/<int:pk>": ("recording_for_hr", (Role.QA, Role.HR)),
        "/board-export": ("board_export", (Role.SUPERVISOR, Role.DISPLAY)),
        "/agent-export": ("agent_export", (Role.AGENT,)),
    }
    for path, (name, roles) in views.items():
        leaky.add_url_rule(path, name, route(*roles)(lambda **_: "data"))
    problems = declaration_problems(leaky)
    assert problems == [
        "/payroll/export.csv: public or undeclared",
        "/recordings/<int:pk>: recordings for ['hr']",
        "/board-export: reachable by display tokens",
        "/agent-export: agents, without a reason in AGENT_MAY",
    ]
