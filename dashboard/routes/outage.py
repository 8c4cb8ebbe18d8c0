"""The database is unreachable: say so, and recover by itself when it is back.

Boards read Redis and cached display tokens, so they keep running. Everything else that needs
SQL (a login, a person's account when the user cache expires, every QA and HR page) raises a
connection error; instead of a bare 500 the person gets 503 with ``Retry-After``:

- a page request: a styled, translated page that reloads itself every :data:`RETRY_S` seconds;
- a Dash callback: JSON marked ``X-Floorboard-Outage: database``, which ``assets/outage.js``
  turns into a banner; it polls ``/healthz/database`` and, once the database answers, reloads a
  page that never rendered or tells the person to repeat what was not saved.

The engine pings pooled connections before use, so connections the outage broke are replaced
and the first request after it works (no restart).
"""

from __future__ import annotations

import logging

import flask
from markupsafe import escape
from sqlalchemy import text
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from dashboard.auth.guard import CALLBACK_ENDPOINT, route
from dashboard.i18n import t
from dashboard.state import app_state

log = logging.getLogger(__name__)
RETRY_S = 5
HEADER = "X-Floorboard-Outage"
#: What a lost, refused or exhausted database connection raises (OperationalError is also a
#: locked or missing SQLite file: the database is equally unusable then).
UNAVAILABLE: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    DisconnectionError,
    PoolTimeout,
)

blueprint = flask.Blueprint("outage", __name__)


def _locale() -> str:
    # The principal only if already known: loading it needs the database that just failed.
    principal = flask.g.get("fb_principal")
    if principal is not None:
        return str(principal.locale)
    return flask.request.accept_languages.best_match(["en", "zh"]) or "en"


def _again_url() -> str:
    """Where the page retries: the same address (a form's POST becomes a GET of its page)."""
    request = flask.request
    query = request.query_string.decode("latin-1")
    return f"{request.path}?{query}" if query else request.path


def outage_page(loc: str) -> str:
    """The styled 503 page; it reloads itself (no script needed)."""
    lang = "zh-CN" if loc == "zh" else "en"
    title = escape(t("outage.title", loc))
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="refresh" content="{RETRY_S};url={escape(_again_url())}">'
        f"<title>{title} · Floorboard</title>"
        '<link rel="stylesheet" href="/assets/floorboard.css"></head>'
        f'<body><div class="desk outage"><main class="page"><h1>{title}</h1>'
        f'<p class="message error" id="outage-text">{escape(t("outage.text", loc))}</p>'
        f'<p class="outage-retry">{escape(t("outage.retrying", loc))}</p>'
        "</main></div></body></html>"
    )


def _respond(error: Exception) -> flask.Response:
    log.warning("database unavailable: %s", str(error).splitlines()[0] if str(error) else error)
    loc = _locale()
    headers = {"Retry-After": str(RETRY_S), HEADER: "database", "Cache-Control": "no-store"}
    request = flask.request
    if request.endpoint == CALLBACK_ENDPOINT or request.is_json:
        body = {
            "outage": "database",
            "message": t("outage.callback", loc),
            "loading": t("outage.text", loc),
            "back": t("outage.back", loc),
            "retry_after": RETRY_S,
        }
        response = flask.jsonify(body)
        response.status_code = 503
        response.headers.update(headers)
        return response
    return flask.Response(outage_page(loc), status=503, mimetype="text/html", headers=headers)


@blueprint.route("/healthz/database")
@route()
def database_health() -> flask.Response:
    """200 when the database answers, else 503 (what the outage banner polls)."""
    try:
        with app_state().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return flask.Response("unavailable", status=503, mimetype="text/plain")
    return flask.Response("ok", mimetype="text/plain")


def install_outage(server: flask.Flask) -> None:
    """Answer a lost database with 503 on every page, form and callback of ``server``."""
    server.register_blueprint(blueprint)
    for kind in UNAVAILABLE:
        server.register_error_handler(kind, _respond)
