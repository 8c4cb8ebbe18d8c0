"""The access audit: every route, page and callback, asked by every role.

Expectations come from two places: what each resource declared (checked against what the
server actually does, for every role) and, for the shell's own pages, the roles pinned here.
Anything that declared nothing must be refused to everyone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import dash
import flask
import pytest
from flask.testing import FlaskClient
from support.dash_requests import router_body

from core.roles import Principal, Role, allowed
from dashboard.app import create_app, dash_app
from dashboard.auth.guard import (
    ACCESS_ATTR,
    CALLBACK_ENDPOINT,
    PAGE_ENDPOINTS,
    PUBLIC_ENDPOINTS,
    ROUTER_MARKER,
    access_table,
)
from dashboard.settings import Settings

PRINCIPALS = ("anonymous", "agent", "supervisor", "qa", "hr", "admin", "display", "display-other")
PINNED = {
    "/": {"agent", "supervisor", "qa", "hr", "admin"},
    "/board/tv": {"agent", "supervisor", "qa", "hr", "admin", "display"},
    "/live": {"supervisor", "qa", "admin"},
    "/announcements": {"supervisor", "admin"},
    "/admin/displays": {"admin"},
    # HR (issue 5): an agent reaches only their own history (the page checks the agent id)
    "/hr": {"supervisor", "qa", "hr", "admin"},
    "/hr/incidents": {"supervisor", "hr", "admin"},
    "/hr/agent/<agent_id>": {"agent", "supervisor", "qa", "hr", "admin"},
    "/hr/poster/<month>": {"agent", "supervisor", "qa", "hr", "admin"},
    # QA console (issue 4): evaluation pages and reports check each record again
    "/qa": {"supervisor", "qa", "admin"},
    "/qa/mine": {"agent"},
    "/qa/disputes": {"supervisor", "admin"},
    "/qa/evaluation/<evaluation_id>": {"agent", "supervisor", "qa", "hr", "admin"},
    "/qa/calibration": {"supervisor", "qa", "admin"},
    "/qa/calibration/<session_id>": {"supervisor", "qa", "admin"},
    "/qa/scorecards": {"supervisor", "qa", "admin"},
    "/qa/scorecards/edit": {"supervisor", "qa", "admin"},
    "/qa/reports": {"supervisor", "qa", "hr", "admin"},
}
# QA console (issue 4): Flask routes, their roles and a path to ask (each recording is
# checked per call as well: tests/dashboard/test_recordings_route.py).
QA_ROUTES = {
    "recordings.recording": ("/recordings/1", {"agent", "supervisor", "qa", "admin"}),
    "qa_exports.export_scorecard": (
        "/qa/export/scorecard/default.yaml",
        {"supervisor", "qa", "admin"},
    ),
    "qa_exports.export_report": ("/qa/export/report.csv", {"supervisor", "qa", "hr", "admin"}),
}
# Values for the variables of templated pages ("me": the caller's own agent history).
PATH_VALUES = {"<name>": "tv", "<agent_id>": "me", "<month>": "2026-01"}


def concrete(template: str) -> str:
    for variable, value in PATH_VALUES.items():
        template = template.replace(variable, value)
    return template


@pytest.fixture
def layouts(tmp_path: Path) -> Path:
    folder = tmp_path / "layouts"
    folder.mkdir()
    (folder / "tv").with_suffix(".yaml").write_text(
        "title: TV\ntiles: [{kind: number, metric: calls_waiting}]\n"
    )
    (folder / "other.yaml").write_text("title: Other\ntiles: [{kind: clock}]\n")
    return folder


@pytest.fixture
def app(settings: Settings, sessions: Any, layouts: Path) -> flask.Flask:
    return create_app(settings, layouts_dir=layouts)


@pytest.fixture
def clients(
    app: flask.Flask, make_user: Callable[..., str], make_display: Callable[..., str]
) -> Iterator[dict[str, FlaskClient]]:
    out: dict[str, FlaskClient] = {"anonymous": app.test_client()}
    for role in ("agent", "supervisor", "qa", "hr", "admin"):
        name = make_user(role)
        client = app.test_client()
        response = client.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', response.get_data(as_text=True))
        assert csrf is not None
        done = client.post(
            "/login", data={"username": name, "password": "password-1", "csrf": csrf.group(1)}
        )
        assert done.status_code == 302, done.get_data(as_text=True)
        out[role] = client
    for key, boards in (("display", ("tv",)), ("display-other", ("other",))):
        client = app.test_client()
        token = make_display(boards)
        app.extensions["floorboard"].displays.invalidate()  # created outside the app
        assert client.get(f"/board/{boards[0]}?token={token}").status_code == 200
        out[key] = client
    yield out


def principal_of(key: str) -> Principal:
    if key == "anonymous":
        return Principal()
    if key.startswith("display"):
        boards = frozenset({"tv"} if key == "display" else {"other"})
        return Principal(kind="display", role=Role.DISPLAY, boards=boards)
    return Principal(kind="user", role=Role(key))


def callback_body(app: dash.Dash, key: str, board: str = "tv") -> dict[str, Any]:
    """A request for callback ``key`` on a page with one tile (index 0) of board ``board``."""
    spec = app.callback_map[key]

    def one(item: Any) -> Any:
        id_, prop = item.component_id, item.component_property
        if isinstance(id_, dict):
            if id_.get("type") == "tile":
                return [{"id": {**id_, "board": board, "index": 0}, "property": prop}]
            return []
        return {"id": id_, "property": prop}

    outputs = spec["output"] if isinstance(spec["output"], list) else [spec["output"]]
    values = {"board-name": board}

    def dep(item: dict[str, Any]) -> Any:
        if isinstance(item["id"], dict):
            return []
        return {"id": item["id"], "property": item["property"], "value": values.get(item["id"])}

    return {
        "output": key,
        "outputs": [one(o) for o in outputs] if len(outputs) > 1 else one(outputs[0]),
        "inputs": [dep(i) for i in spec["inputs"]],
        "state": [dep(s) for s in spec["state"]],
        "changedPropIds": [],
    }


def test_every_route_is_classified(app: flask.Flask) -> None:
    for rule in app.url_map.iter_rules():
        endpoint = rule.endpoint
        known = endpoint in PUBLIC_ENDPOINTS | PAGE_ENDPOINTS or endpoint == CALLBACK_ENDPOINT
        declared = hasattr(app.view_functions[endpoint], ACCESS_ATTR)
        assert known or declared, f"route {rule.rule} declares no access"


@pytest.mark.parametrize("who", PRINCIPALS)
def test_public_and_declared_routes(clients: dict[str, FlaskClient], who: str) -> None:
    client = clients[who]
    for path in ("/healthz", "/_dash-layout", "/_dash-dependencies", "/assets/floorboard.css"):
        assert client.get(path).status_code == 200, path
    assert client.get("/login").status_code == 200


def test_every_page_declares_roles_and_the_shell_pages_have_the_pinned_ones() -> None:
    declared = {}
    for page in dash.page_registry.values():
        access = getattr(page["layout"], ACCESS_ATTR, None)
        assert access is not None, f"page {page['path']} has no guarded layout"
        declared[page.get("path_template") or page["path"]] = access
    for path, who in PINNED.items():
        key = "/board/<name>" if path.startswith("/board/") else path
        roles = {r.value for r in declared[key].roles}
        expected = {w for w in who if not w.startswith("display")}
        assert roles - {"display"} == expected, path
        assert ("display" in roles) == ("display" in who), path


@pytest.mark.parametrize("who", PRINCIPALS)
def test_pages_over_http_and_through_the_router(
    app: flask.Flask, clients: dict[str, FlaskClient], who: str
) -> None:
    client = clients[who]
    principal = principal_of(who)
    templates = {page.get("path_template") or page["path"] for page in dash.page_registry.values()}
    paths = {concrete(p): p for p in templates} | {"/board/other": "/board/<name>"}
    for path, key in sorted(paths.items()):
        page = next(
            p for p in dash.page_registry.values() if (p.get("path_template") or p["path"]) == key
        )
        access = getattr(page["layout"], ACCESS_ATTR)
        board = path.split("/")[-1] if key == "/board/<name>" else None
        ok = allowed(principal, access.roles, board=board)
        status = client.get(path).status_code
        if ok:
            assert status == 200, (who, path)
        else:
            assert status == (302 if who == "anonymous" else 403), (who, path, status)
        # the layout itself refuses too, whatever the HTTP layer did
        body = router_body(path)
        rendered = client.post(CALLBACK_ENDPOINT, json=body)
        assert rendered.status_code == 200
        text = rendered.get_data(as_text=True)
        assert ("denied" in text) != ok, (who, path)


@pytest.mark.parametrize("who", PRINCIPALS)
def test_every_callback_for_every_role(
    app: flask.Flask, clients: dict[str, FlaskClient], who: str
) -> None:
    client = clients[who]
    client.get("/")  # Dash registers its router on the first request
    dapp = dash_app(app)
    table = access_table(dapp)
    principal = principal_of(who)
    assert len(table) >= 8
    for key in dapp.callback_map:
        if ROUTER_MARKER in key:
            continue
        access = table.get(key)
        body = callback_body(dapp, key)
        status = client.post(CALLBACK_ENDPOINT, json=body).status_code
        if access is None or access.client:
            assert status == 403, (who, key)  # undeclared or client-only: never on the server
            continue
        board = "tv" if access.board_state else None
        if allowed(principal, access.roles, board=board):
            assert status == 200, (who, key, status)
        else:
            assert status == 403, (who, key, status)


def test_a_display_token_reaches_only_its_boards_layout_and_refresh(
    app: flask.Flask, clients: dict[str, FlaskClient]
) -> None:
    client = clients["display"]
    dapp = dash_app(app)
    server_side = {k for k, a in access_table(dapp).items() if not a.client}
    reachable = set()
    for key in server_side:
        if client.post(CALLBACK_ENDPOINT, json=callback_body(dapp, key)).status_code == 200:
            reachable.add(key)
        assert (
            client.post(CALLBACK_ENDPOINT, json=callback_body(dapp, key, board="other")).status_code
            == 403
        )
    assert len(reachable) == 2
    assert any("tile" in k and "board-status" in k for k in reachable)
    assert any("tile-ticker" in k for k in reachable)


def test_revoked_token_and_unknown_callback_are_refused(
    app: flask.Flask, sessions: Any, make_display: Callable[..., str]
) -> None:
    from core.db import session_scope  # noqa: PLC0415
    from dashboard.auth import service  # noqa: PLC0415

    token = make_display(("tv",), name="wall")
    client = app.test_client()
    assert client.get(f"/board/tv?token={token}").status_code == 200
    with session_scope(sessions) as session:
        service.revoke_display(session, name="wall")
    app.extensions["floorboard"].displays.invalidate()
    assert client.get("/board/tv").status_code == 302  # back to anonymous
    assert client.get(f"/board/tv?token={token}").status_code == 403
    assert client.get("/board/tv?token=not-a-token").status_code == 403
    fake = {
        "output": "nothing.children",
        "outputs": {"id": "nothing", "property": "children"},
        "inputs": [],
        "state": [],
        "changedPropIds": [],
    }
    assert client.post(CALLBACK_ENDPOINT, json=fake).status_code == 403


@pytest.mark.parametrize("who", PRINCIPALS)
def test_qa_routes_for_every_role(
    app: flask.Flask, clients: dict[str, FlaskClient], who: str
) -> None:
    for endpoint, (path, roles) in QA_ROUTES.items():
        declared = getattr(app.view_functions[endpoint], ACCESS_ATTR).roles
        assert {r.value for r in declared} == roles, endpoint
        status = clients[who].get(path).status_code
        if who in roles:
            assert status not in (302, 403), (who, path, status)  # 200, or 404: nothing there
        else:
            assert status == (302 if who == "anonymous" else 403), (who, path, status)
