"""Helpers of the QA console web tests: a small world (scorecard, calls with recordings, agents
linked to accounts, evaluations) and requests to Dash callbacks as dash-renderer sends them."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import dash
from flask.testing import FlaskClient
from qa_factories import evaluate, make_call, worked_example
from sqlalchemy.orm import Session, sessionmaker

from core.db import session_scope
from qa.recordings.demo import synthesize, write_wav
from qa.scorecards.service import save_scorecard

CALLBACK = "/_dash-update-component"
ROUTER = "_pages_content.children"
# Agents and the accounts linked to them.
AGENT_A, AGENT_B = "Alice Agent", "Bob Agent"
USERS = {
    "agent-a": ("agent", AGENT_A),
    "agent-b": ("agent", AGENT_B),
    "qa-1": ("qa", None),
    "qa-2": ("qa", None),
    "sup-1": ("supervisor", None),
    "hr-1": ("hr", None),
    "admin-1": ("admin", None),
}


@dataclass(frozen=True)
class World:
    """Ids of what :func:`build_world` made."""

    wav: Path
    call_a: int  # Alice's call, with a recording
    call_b: int  # Bob's call, with a recording
    call_gone: int  # Alice's call whose recording file is missing
    call_none: int  # Alice's call without a recording
    eval_a: int  # submitted: Alice, item g1.b answered "no"
    eval_b: int  # submitted: Bob
    draft_a: int  # qa-1's draft of Alice's third call


def build_world(
    sessions: sessionmaker[Session], folder: Path, make_user: Callable[..., str]
) -> World:
    """Users, the worked-example scorecard, four calls and three evaluations (recent, so that
    the dispute window is open)."""
    for name, (role, agent) in USERS.items():
        make_user(role, username=name, agent_id=agent)
    wav = write_wav(folder / "call.wav", synthesize(4.0, seed=3))
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0) - timedelta(hours=3)
    with session_scope(sessions) as db:
        save_scorecard(db_session=db, spec=worked_example("default"), actor="admin-1")
        call_a = make_call(db, agent=AGENT_A, at=now, recording_ref=str(wav))
        call_b = make_call(db, agent=AGENT_B, at=now, recording_ref=str(wav))
        gone = make_call(db, agent=AGENT_A, at=now, recording_ref=str(folder / "gone.wav"))
        none = make_call(db, agent=AGENT_A, at=now)
        answers = {"g1.a": "yes", "g1.b": "no", "g2.c": "yes"}
        eval_a = evaluate(db, call_a, answers, evaluator="qa-1", scorecard_key="default")
        eval_b = evaluate(db, call_b, answers, evaluator="qa-1", scorecard_key="default")
        draft = evaluate(
            db, none, {"g1.a": "yes"}, evaluator="qa-1", scorecard_key="default", submit=False
        )
        return World(wav, call_a.id, call_b.id, gone.id, none.id, eval_a.id, eval_b.id, draft.id)


def _id_text(component_id: Any) -> str:
    if isinstance(component_id, dict):
        return json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return str(component_id)


def _dependency(
    item: Mapping[str, Any], values: Mapping[str, Any], instances: Mapping[str, Mapping[Any, Any]]
) -> Any:
    raw, prop = item["id"], item["property"]
    if raw.startswith("{"):
        kind = json.loads(raw)["type"]
        return [
            {"id": {"index": index, "type": kind}, "property": prop, "value": value}
            for index, value in instances.get(kind, {}).items()
        ]
    return {"id": raw, "property": prop, "value": values.get(f"{raw}.{prop}", values.get(raw))}


def _output(output: Any, instances: Mapping[str, Mapping[Any, Any]]) -> Any:
    component_id, prop = output.component_id, output.component_property
    if isinstance(component_id, dict):
        kind = component_id["type"]
        return [
            {"id": {"index": i, "type": kind}, "property": prop} for i in instances.get(kind, {})
        ]
    return {"id": component_id, "property": prop}


def callback_body(
    app: dash.Dash,
    output: str,
    *,
    values: Mapping[str, Any] | None = None,
    instances: Mapping[str, Mapping[Any, Any]] | None = None,
    trigger: tuple[Any, str] | None = None,
) -> dict[str, Any]:
    """The request dash-renderer sends for the callback whose outputs include ``output``.

    Args:
        app: The Dash app.
        output: An output id (e.g. ``qa-e-agent-msg``), or a pattern's type, naming the callback.
        values: ``"id"`` or ``"id.prop"`` → value of plain inputs and states.
        instances: Pattern type → {index: value} of pattern-matching inputs, states and
            outputs present on the page.
        trigger: (component id, property) that changed.
    """
    values, instances = values or {}, instances or {}
    pattern = f'"type":"{output}"}}.'
    key = next(
        k
        for k in app.callback_map
        if f"..{output}." in k or k.startswith(f"{output}.") or pattern in k
    )
    spec = app.callback_map[key]
    outputs = spec["output"] if isinstance(spec["output"], list) else [spec["output"]]
    rendered = [_output(o, instances) for o in outputs]
    return {
        "output": key,
        "outputs": rendered if len(rendered) > 1 else rendered[0],
        "inputs": [_dependency(i, values, instances) for i in spec["inputs"]],
        "state": [_dependency(s, values, instances) for s in spec["state"]],
        "changedPropIds": [f"{_id_text(trigger[0])}.{trigger[1]}"] if trigger else [],
    }


def call(client: FlaskClient, app: dash.Dash, output: str, **kw: Any) -> Any:
    """POST a callback; returns the Flask response."""
    return client.post(CALLBACK, json=callback_body(app, output, **kw))


def page(client: FlaskClient, path: str) -> str:
    """The layout the page router renders for ``path`` (as JSON text)."""
    body = {
        "output": f"..{ROUTER}..._pages_store.data..",
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path.split("?")[0]},
            {
                "id": "_pages_location",
                "property": "search",
                "value": "?" + path.split("?")[1] if "?" in path else "",
            },
        ],
        "changedPropIds": ["_pages_location.pathname"],
    }
    response = client.post(CALLBACK, json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.dumps(response.get_json(), ensure_ascii=False)
