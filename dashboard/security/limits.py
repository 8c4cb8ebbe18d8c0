"""Request size limits: an oversized body is refused with 413 before anything parses it.

Flask's ``MAX_CONTENT_LENGTH`` (``FLOORBOARD_MAX_REQUEST_MB``) bounds every body: a request
announcing more is refused at once, and a chunked body (no ``Content-Length``) is read through
werkzeug's limited stream, which raises 413 as soon as the limit is passed, so at most the limit
is ever held in memory. Plain HTML forms (login, log out) carry a few short fields: their limit
is :data:`FORM_LIMIT`. Dash callbacks of an anonymous caller are limited further by the guard
(:data:`dashboard.auth.guard.ANONYMOUS_CALLBACK_BYTES`).
"""

from __future__ import annotations

import flask
from werkzeug.exceptions import RequestEntityTooLarge

from dashboard.i18n import t
from dashboard.settings import Settings

#: The login and log-out forms: a username, a password (at most 256 characters), two tokens.
FORM_LIMIT = 64 * 1024
FORM_ENDPOINTS = frozenset({"auth.login", "auth.logout"})
MB = 1024 * 1024


def request_limit(settings: Settings) -> int:
    """The largest body any request may carry, in bytes."""
    return int(settings.max_request_mb * MB)


def limit_body(limit: int) -> None:
    """Lower the current request's body limit to ``limit`` bytes and refuse it at once if it
    announces more (nothing of the body has been read)."""
    flask.request.max_content_length = limit
    length = flask.request.content_length
    if length is not None and length > limit:
        raise RequestEntityTooLarge()


def read_capped() -> bytes:
    """The request body, read at most up to the request's limit: 413 if there is more.

    werkzeug stops a chunked body quietly at the limit (the rest looks like a short body), so
    one more byte is asked for: past the limit that read raises 413.
    """
    data = flask.request.get_data(cache=True)
    limit = flask.request.max_content_length
    if limit is not None and len(data) >= limit:
        flask.request.stream.read(1)
    return data


def _refusal(error: RequestEntityTooLarge) -> flask.Response:
    loc = flask.request.accept_languages.best_match(["en", "zh"]) or "en"
    limit = flask.request.max_content_length or 0
    text = t("security.too_large", loc, kb=max(1, limit // 1024))
    # The body was not read: the connection cannot carry another request.
    headers = {"Connection": "close"}
    if flask.request.accept_mimetypes.accept_html and not flask.request.is_json:
        page = flask.render_template_string(
            '<!doctype html><html><head><meta charset="utf-8"><title>413</title>'
            '<link rel="stylesheet" href="/assets/floorboard.css"></head>'
            '<body><div class="desk"><main class="page"><h1>413</h1>'
            '<p class="message error" id="too-large">{{ text }}</p>'
            '<a class="button" href="/">{{ home }}</a></main></div></body></html>',
            text=text,
            home=t("nav.home", loc),
        )
        return flask.Response(page, status=413, mimetype="text/html", headers=headers)
    response = flask.jsonify(error=text)
    response.status_code = 413
    response.headers.update(headers)
    return response


def install_limits(server: flask.Flask, *, settings: Settings) -> None:
    """Bound the bodies of ``server``'s requests; call first (before CSRF reads a form).

    Args:
        server: the Flask app.
        settings: ``max_request_mb``.
    """
    limit = request_limit(settings)
    server.config.update(
        MAX_CONTENT_LENGTH=limit,
        MAX_FORM_MEMORY_SIZE=min(limit, 500_000),
        MAX_FORM_PARTS=100,
    )

    @server.before_request
    def _limit_body() -> None:
        form = flask.request.endpoint in FORM_ENDPOINTS
        limit_body(FORM_LIMIT if form else limit)
        if form and flask.request.content_length is None:
            read_capped()  # chunked: bounded here, the form parser then reads the copy

    server.register_error_handler(RequestEntityTooLarge, _refusal)
