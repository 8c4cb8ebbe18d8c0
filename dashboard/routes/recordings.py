"""``/recordings/<call_pk>``: a call's audio, streamed only to whoever may hear that call.

The guard lets agents and QA staff reach the route; each request then checks the call itself
with :func:`qa.recordings.access.can_access` (an agent hears only their own calls). Range
requests are answered with 206 and ``Content-Range`` so that the player can seek. A recording
that cannot be played gives a short plain-text reason (404: none configured or imported;
410: the file is missing, unreadable or not audio), which the player shows instead of failing.
"""

from __future__ import annotations

import flask

from collectors.history.service import get_call
from core.db import session_scope
from core.roles import RECORDING_LISTENERS
from dashboard.auth.guard import current_principal, route
from dashboard.i18n import t
from dashboard.qa_web import locate, problem_text
from dashboard.state import app_state
from qa.recordings.access import can_access
from qa.recordings.service import RecordingError

blueprint = flask.Blueprint("recordings", __name__)
#: Reasons for which the recording exists in principle but cannot be read now.
GONE = frozenset({"missing", "unreadable", "not_audio"})


def _text(body: str, status: int) -> flask.Response:
    response = flask.Response(body + "\n", status=status, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.route("/recordings/<int:call_pk>", methods=["GET", "HEAD"])
@route(*RECORDING_LISTENERS)
def recording(call_pk: int) -> flask.Response:
    """Stream the call's recording (see the module docstring)."""
    principal = current_principal()
    loc = principal.locale
    with session_scope(app_state().sessions) as session:
        call = get_call(db_session=session, call_pk=call_pk)
        if call is None:
            return _text(t("qa.rec.no_call", loc), 404)
        if not can_access(principal.role, principal.agent_id, call):
            return _text(t("qa.rec.forbidden", loc), 403)
        try:
            info = locate(call)
        except RecordingError as exc:
            return _text(problem_text(exc, principal), 410 if exc.reason in GONE else 404)
    response = flask.send_file(
        info.path, mimetype=info.mime, conditional=True, etag=True, max_age=0
    )
    response.headers["Accept-Ranges"] = "bytes"
    # Private: the recording holds a customer's voice; revalidated on each use.
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
