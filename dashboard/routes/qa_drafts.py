"""``POST /qa/draft/<evaluation_id>``: the evaluation page's autosave.

The page's script (``assets/qa_autosave.js``) sends the form a few seconds after the last change
and once more when the page is left (a ``keepalive`` request, which outlives the page; a Dash
callback would be cancelled with it). The body is JSON::

    {"answers": {"<item ref>": "yes" | null, ...}, "notes": {"<item ref>": "text", ...},
     "note": "text left in the Comments box (sent when leaving)"}

It is stored by :func:`dashboard.qa_web.autosave`: the same access rule, service
and validation as the Save draft button. Answers: 200 with the indicator's text, 409 when the
evaluation is no longer a draft (nothing is written), 400 with the reason for bad input.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import flask
from werkzeug.exceptions import BadRequest

from core.roles import QA_STAFF
from dashboard.auth.guard import current_principal, route
from dashboard.i18n import t
from dashboard.qa_web import autosave as store_form

blueprint = flask.Blueprint("qa_drafts", __name__)
MAX_ID = 2**63 - 1


def _texts(body: Mapping[str, Any], key: str, *, nullable: bool) -> dict[str, str | None]:
    """``body[key]`` as item ref → text (or None when ``nullable``)."""
    raw = body.get(key) or {}
    if not isinstance(raw, dict):
        raise BadRequest(f"{key}: expected an object of item ref → text")
    out: dict[str, str | None] = {}
    for ref, value in raw.items():
        if value is None and nullable:
            out[str(ref)] = None
        elif isinstance(value, str | int) and not isinstance(value, bool):
            out[str(ref)] = str(value)
        else:
            raise BadRequest(f"{key}.{ref}: expected text, got {type(value).__name__}")
    return out


def _reply(status: int, text: str, **extra: Any) -> flask.Response:
    response = flask.jsonify({"text": text, **extra})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.route("/qa/draft/<int:evaluation_id>", methods=["POST"])
@route(*QA_STAFF)
def autosave(evaluation_id: int) -> flask.Response:
    """Store the evaluation form sent by the page's autosave (see the module docstring)."""
    loc = current_principal().locale
    body = flask.request.get_json(silent=True)
    try:
        if not isinstance(body, dict):
            raise BadRequest("expected a JSON object with answers and notes")
        if evaluation_id > MAX_ID:
            raise BadRequest(f"evaluation id {evaluation_id} is out of range")
        answers = _texts(body, "answers", nullable=True)
        notes = _texts(body, "notes", nullable=False)
        note = body.get("note") or ""
        if not isinstance(note, str):
            raise BadRequest("note: expected text")
    except BadRequest as exc:
        return _reply(400, t("qa.not_saved", loc, why=exc.description))
    done = store_form(evaluation_id, answers, notes, note)
    return _reply(done.status, done.text, posted=done.posted)
