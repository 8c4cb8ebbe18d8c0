"""The requests dash-renderer sends, for tests that drive pages and callbacks without a browser:
the page router's (which layout a path gets) and any callback's."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import dash
import flask
from flask.testing import FlaskClient

from dashboard.app import dash_app
from dashboard.auth.guard import CALLBACK_ENDPOINT, ROUTER_MARKER

CALLBACK = CALLBACK_ENDPOINT
ROUTER = ROUTER_MARKER
_FROM_PATH: Any = object()


def router_body(pathname: Any, search: Any = _FROM_PATH) -> dict[str, Any]:
    """The request with which dash-renderer asks for the layout of ``pathname``.

    Args:
        pathname: the path, with its query (``/hr?month=2026-01``) unless ``search`` is given;
            any value (a test of hostile input sends ``None``).
        search: the query as the browser sends it (``?month=2026-01``), when given apart (any
            value).
    """
    if search is _FROM_PATH:
        search = ""
        if isinstance(pathname, str) and "?" in pathname:
            pathname, query = pathname.split("?", 1)
            search = f"?{query}"
    return {
        "output": f"..{ROUTER}..._pages_store.data..",
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": pathname},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["_pages_location.pathname"],
    }


def page(client: FlaskClient, path: str) -> str:
    """The layout the page router renders for ``path`` (with its query), as JSON text."""
    client.get("/")  # the router registers on the app's first request
    response = client.post(CALLBACK, json=router_body(path))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.dumps(response.get_json(), ensure_ascii=False)


def _pattern_type(component_id: Any) -> str | None:
    """The type of a pattern-matching id (the callback map keeps it as JSON text), or None."""
    if isinstance(component_id, str) and component_id.startswith("{"):
        component_id = json.loads(component_id)
    return str(component_id["type"]) if isinstance(component_id, dict) else None


def _names(name: str, key: str) -> bool:
    """Whether callback ``key`` has the output ``name``: ``id.prop``, an id, or a pattern's type."""
    if "." in name and not name.startswith("{"):
        return name in key
    return f"..{name}." in key or key.startswith(f"{name}.") or f'"type":"{name}"}}.' in key


def _key(app: dash.Dash, outputs: Sequence[str]) -> str | None:
    """The first callback (in registration order) that has all of ``outputs``: a second one
    writing the same output (``allow_duplicate``) is named by more of its outputs."""
    return next((k for k in app.callback_map if all(_names(o, k) for o in outputs)), None)


def _id_text(component_id: Any) -> str:
    if isinstance(component_id, dict):
        return json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return str(component_id)


def callback_body(
    app: dash.Dash | flask.Flask,
    output: str | Sequence[str],
    values: Mapping[str, Any] | None = None,
    *,
    instances: Mapping[str, Mapping[Any, Any]] | None = None,
    trigger: tuple[Any, str] | str | None = None,
) -> dict[str, Any]:
    """The request dash-renderer sends for the callback that has the output(s) ``output``.

    Args:
        app: the Dash app (or the Flask app that holds it).
        output: enough of the callback's outputs to name it: ``id.prop``, an id, or a
            pattern's type (``qa-e-agent-msg``, ``("hr-message.children", "hr-signal.data")``).
        values: inputs' and states' values, by ``id.prop`` or ``id``; for a pattern-matching
            input, its type → the list of ``{"id", "property", "value"}`` the browser sends.
        instances: pattern type → ``{index: value}`` of the pattern-matching components on the
            page (inputs, states and outputs), instead of lists in ``values``.
        trigger: what fired: ``(component id, property)`` or its ``id.prop`` text.
    """
    dapp = dash_app(app) if isinstance(app, flask.Flask) else app
    names = [output] if isinstance(output, str) else list(output)
    key = _key(dapp, names)
    assert key is not None, f"no callback has the outputs {names}"
    spec = dapp.callback_map[key]
    values, instances = values or {}, instances or {}

    def dependency(item: Mapping[str, Any]) -> Any:
        raw, prop = item["id"], item["property"]
        kind = _pattern_type(raw)
        if kind is None:
            value = values.get(f"{raw}.{prop}", values.get(raw))
            return {"id": raw, "property": prop, "value": value}
        if kind in instances:
            return [
                {"id": {"index": index, "type": kind}, "property": prop, "value": value}
                for index, value in instances[kind].items()
            ]
        return values.get(kind, [])

    def rendered(out: Any) -> Any:
        kind = _pattern_type(out.component_id)
        if kind is None:
            return {"id": out.component_id, "property": out.component_property}
        return [
            {"id": {"index": i, "type": kind}, "property": out.component_property}
            for i in instances.get(kind, {})
        ]

    listed = spec["output"] if isinstance(spec["output"], list) else [spec["output"]]
    outputs = [rendered(o) for o in listed]
    if isinstance(trigger, tuple):
        trigger = f"{_id_text(trigger[0])}.{trigger[1]}"
    return {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": [dependency(i) for i in spec["inputs"]],
        "state": [dependency(s) for s in spec["state"]],
        "changedPropIds": [trigger] if trigger else [],
    }


def call(
    client: FlaskClient,
    app: dash.Dash | flask.Flask,
    output: str | Sequence[str],
    *args: Any,
    **kw: Any,
) -> Any:
    """POST the callback named by ``output`` (see :func:`callback_body`); the Flask response."""
    dapp = dash_app(app) if isinstance(app, flask.Flask) else app
    if _key(dapp, [output] if isinstance(output, str) else list(output)) is None:
        client.get("/")  # the page callbacks register on the app's first request
    return client.post(CALLBACK, json=callback_body(dapp, output, *args, **kw))
