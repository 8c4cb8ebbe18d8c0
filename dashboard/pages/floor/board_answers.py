"""Board refreshes answered with the bytes Dash already produced for another screen.

Within one snapshot reading every screen showing a board gets the same answer. The first
refresh of a reading runs the callback through Dash (which renders once, see
:mod:`dashboard.boards.shared`, and encodes the answer); its response body is kept, and the
next screens asking the same thing (board, layout version, chart signature, screen height,
outputs) get those bytes without Dash decoding, dispatching and encoding again: for a
300-agent grid that is most of the cost of a refresh. Access is checked as the callback checks
it (the board viewers' roles, a display only for its boards); the CSRF check has run before.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from typing import Any

import dash
import flask

from core.roles import BOARD_VIEWERS
from dashboard.auth import guard
from dashboard.pages.floor import ids
from dashboard.state import app_state

PENDING = "fb_board_answer"


def request_key(body: Any, output: str) -> tuple[str, Hashable] | None:
    """The board and what its answer depends on, for a refresh request (else ``None``).

    Args:
        body: the decoded ``_dash-update-component`` request.
        output: the refresh callback's output key.
    """
    if not isinstance(body, dict) or body.get("output") != output:
        return None
    states = {
        f"{s.get('id')}.{s.get('property')}": s.get("value")
        for s in body.get("state") or ()
        if isinstance(s, dict)
    }
    name = states.get(f"{ids.BOARD_NAME}.data")
    if not isinstance(name, str):
        return None
    screen = states.get(f"{ids.BOARD_SCREEN}.data")
    height = screen.get("h") if isinstance(screen, dict) else None
    sig = states.get(f"{ids.BOARD_CHART_SIG}.data")
    outputs = json.dumps(body.get("outputs"), sort_keys=True)
    return name, ("answer", name, repr(sig), repr(height), outputs)


def install_shared_answers(app: dash.Dash, *, output: str) -> None:
    """Answer repeated refreshes of ``app``'s boards from the kept bytes.

    Args:
        app: the Dash app.
        output: the refresh callback's output key (``app.callback_map`` key).
    """
    server: flask.Flask = app.server

    @server.before_request
    def _answer_from_cache() -> flask.Response | None:
        if flask.request.endpoint != guard.CALLBACK_ENDPOINT:
            return None
        parsed = request_key(flask.request.get_json(silent=True), output)
        if parsed is None:
            return None
        name, key = parsed
        guard.require(BOARD_VIEWERS, board=name)
        state = app_state()
        stamp = state.snapshots.read().read_at
        full = (key, state.boards.version(name))
        hit = state.renders.peek(stamp, full)
        if hit is not None:
            return flask.Response(hit, mimetype="application/json")
        flask.g.setdefault(PENDING, (stamp, full))
        return None

    @server.after_request
    def _keep_answer(response: flask.Response) -> flask.Response:
        pending = flask.g.pop(PENDING, None)
        if (
            pending is not None
            and response.status_code == 200
            and response.mimetype == "application/json"
            and not response.direct_passthrough
        ):
            stamp, key = pending
            app_state().renders.put(stamp, key, response.get_data())
        return response


def refresh_output(app: dash.Dash) -> str:
    """The output key of the board refresh callback (the one the refresh interval fires)."""
    for key, spec in app.callback_map.items():
        if any(dep.get("id") == ids.BOARD_REFRESH for dep in spec.get("inputs", ())):
            return str(key)
    raise LookupError("the board refresh callback is not registered")
