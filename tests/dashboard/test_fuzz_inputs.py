"""Hostile requests to every server callback and every route: no 500, whatever arrives.

Hypothesis sends random JSON values (None, booleans, huge integers, 1e308, NaN, long strings,
lists, dicts) as each input and state of every callback the guard registered, as a user of a
role the callback admits, and random values for every parameter of every Flask route and every
Dash page template (through the page router, as the browser asks for a page). A bad value may
be refused (4xx) or answered with a message; it must never be a server error.

Run alone with ``pytest -m fuzz``. Example counts are small: the point is every callback and
every parameter, each with every kind of value, not depth.
"""

from __future__ import annotations

import json
import os
import re
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import dash
import flask
import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from qa_web_support import World, build_world
from support.dash_requests import CALLBACK, router_body

from core.roles import Role
from dashboard.app import create_app, dash_app
from dashboard.auth import guard
from dashboard.settings import Settings

pytestmark = pytest.mark.fuzz

FUZZ = settings(
    max_examples=int(os.environ.get("FLOORBOARD_FUZZ_EXAMPLES", "6")),
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported at once
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Who calls a callback: the first role of this order that it admits.
ORDER = (Role.ADMIN, Role.SUPERVISOR, Role.QA, Role.HR, Role.AGENT, Role.DISPLAY)
USER_OF = {
    Role.ADMIN: "admin-1",
    Role.SUPERVISOR: "sup-1",
    Role.QA: "qa-1",
    Role.HR: "hr-1",
    Role.AGENT: "agent-a",
}

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, -1, 2**63, 2**64 + 1, -(2**63) - 1]),
    st.floats(allow_nan=True, allow_infinity=False),
    st.sampled_from([1e308, -1e308, 1e30, float("nan")]),
    st.text(max_size=20),
    st.sampled_from(["", " ", "1", "default", "2026-13-45", "x" * 20_000, "../../etc/passwd"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def _pattern_id(raw: str) -> dict[str, Any] | None:
    return json.loads(raw) if raw.startswith("{") else None


def _dependency(item: dict[str, Any], draw: Callable[[Any], Any]) -> Any:
    pattern = _pattern_id(item["id"])
    if pattern is None:
        return {"id": item["id"], "property": item["property"], "value": draw(values)}
    indices = draw(st.lists(st.one_of(st.integers(0, 3), st.text(max_size=4)), max_size=2))
    return [
        {"id": {**pattern, "index": i}, "property": item["property"], "value": draw(values)}
        for i in indices
    ]


def _output(output: dict[str, Any]) -> Any:
    pattern = _pattern_id(output["id"])
    if pattern is not None:
        return []
    return {"id": output["id"], "property": output["property"]}


def _outputs(key: str) -> list[dict[str, Any]]:
    text = key.strip(".")
    parts = text.split("...") if text.startswith(".") or "..." in text else [text]
    found = []
    for part in parts:
        component, _, prop = part.rpartition(".")
        found.append({"id": component, "property": prop})
    return found


@st.composite
def callback_body(draw: Callable[[Any], Any], key: str, spec: dict[str, Any]) -> dict[str, Any]:
    outputs = [_output(o) for o in _outputs(key)]
    inputs = [_dependency(i, draw) for i in spec["inputs"]]
    state = [_dependency(s, draw) for s in spec["state"]]
    names = [f"{i['id']}.{i['property']}" for i in spec["inputs"]]
    return {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": inputs,
        "state": state,
        "changedPropIds": draw(st.lists(st.sampled_from(names), max_size=1)) if names else [],
    }


@pytest.fixture
def world(sessions: Any, tmp_path: Path, make_user: Callable[..., str]) -> World:
    return build_world(sessions, tmp_path, make_user)


@pytest.fixture
def app(settings: Settings, world: World) -> Iterator[flask.Flask]:
    """The app; what a request raised is kept in ``_RAISED`` (the response only says 500)."""
    server = create_app(settings)

    def keep(_sender: Any, exception: BaseException, **_kw: Any) -> None:
        _RAISED.append(exception)

    flask.got_request_exception.connect(keep, server)
    yield server
    flask.got_request_exception.disconnect(keep, server)
    _RAISED.clear()


@pytest.fixture
def clients(
    app: flask.Flask, login: Callable[..., FlaskClient], make_display: Callable[..., str]
) -> dict[Role, FlaskClient]:
    found = {role: login(app.test_client(), name) for role, name in USER_OF.items()}
    display = app.test_client()
    boards = tuple(app.extensions["floorboard"].boards.names())
    display.get(f"/board/{boards[0]}?token={make_display(boards)}")
    found[Role.DISPLAY] = display
    for client in found.values():
        client.get("/")
    return found


_RAISED: list[BaseException] = []


def _no_server_error(response: Any, what: Any) -> None:
    if response.status_code >= 500 and _RAISED:
        raise AssertionError(f"{response.status_code} for {str(what)[:600]}") from _RAISED[-1]
    assert response.status_code < 500, (what, response.get_data(as_text=True)[-2000:])


def _where(exc: BaseException) -> str:
    """The exception and the last frame of ours it passed through."""
    exc = exc.__cause__ or exc
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/dashboard/" in f.filename
              or "/qa/" in f.filename or "/collectors/" in f.filename]  # fmt: skip
    place = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
    return f"{type(exc).__name__}: {str(exc)[:300]} at {place}"


def _fuzz_callback(client: FlaskClient, key: str, spec: dict[str, Any]) -> None:
    @FUZZ
    @given(body=callback_body(key, spec))
    def check(body: dict[str, Any]) -> None:
        response = client.post(CALLBACK, data=json.dumps(body), content_type="application/json")
        _no_server_error(response, body)

    check()


def test_no_callback_gives_a_server_error(
    app: flask.Flask, clients: dict[Role, FlaskClient]
) -> None:
    dapp = dash_app(app)
    table = guard.access_table(dapp)
    keys = sorted(key for key, access in table.items() if not access.client)
    assert len(keys) > 20
    failures = {}
    for key in keys:
        role = next(r for r in ORDER if not table[key].roles or r in table[key].roles)
        try:
            _fuzz_callback(clients[role], key, dapp.callback_map[key])
        except Exception as exc:  # noqa: BLE001 - every callback is tried, all failures shown
            failures[key] = _where(exc)
    assert not failures, "\n".join(f"{k}: {v}" for k, v in failures.items())


def _page_templates(app: flask.Flask) -> list[str]:
    return sorted(p["path_template"] for p in dash.page_registry.values() if p["path_template"])


path_values = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["9223372036854775807", "9223372036854775808", "18446744073709551617"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
)


def test_no_page_path_gives_a_server_error(
    app: flask.Flask, clients: dict[Role, FlaskClient]
) -> None:
    templates = _page_templates(app)
    assert "/qa/evaluation/<evaluation_id>" in templates

    @FUZZ
    @given(
        template=st.sampled_from(templates),
        value=path_values,
        role=st.sampled_from(ORDER),
        search=st.one_of(st.none(), st.text(max_size=10), values),
        pathname=st.one_of(st.just(None), values, st.just("fill")),
    )
    def check(template: str, value: str, role: Role, search: Any, pathname: Any) -> None:
        if pathname == "fill":
            pathname = re.sub(r"<[^>]+>", lambda _m: value.replace("/", "_"), template)
        body = router_body(pathname, search)
        response = clients[role].post(
            CALLBACK, data=json.dumps(body), content_type="application/json"
        )
        _no_server_error(response, body)

    check()


def _route_paths(app: flask.Flask) -> list[tuple[str, str]]:
    rules = []
    for rule in app.url_map.iter_rules():
        if rule.arguments and not rule.rule.startswith("/_dash"):
            methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
            rules.append((rule.rule, methods[0]))
    return sorted(rules)


def test_no_route_parameter_gives_a_server_error(
    app: flask.Flask, clients: dict[Role, FlaskClient]
) -> None:
    rules = _route_paths(app)
    assert any(r.startswith("/recordings/") for r, _ in rules)

    @FUZZ
    @given(rule=st.sampled_from(rules), value=path_values, role=st.sampled_from(ORDER))
    def check(rule: tuple[str, str], value: str, role: Role) -> None:
        template, method = rule
        text = value.replace("/", "_").replace("?", "_").replace("#", "_") or "x"
        if "<int:" in template:
            text = str(abs(int(value))) if value.lstrip("-").isdigit() else "1"
        path = re.sub(r"<[^>]+>", lambda _m: text, template)
        response = clients[role].open(path, method=method)
        _no_server_error(response, path)

    check()
