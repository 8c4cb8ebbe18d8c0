"""CSRF protection: a double-submit token on every state-changing request.

Each session holds one random token (``flask.session["fb_csrf"]``, in the signed session
cookie). Every response that renders a page also sets it in the ``_csrf_token`` cookie, readable
by scripts: dash-renderer copies that cookie into an ``X-CSRFToken`` header on each callback
(``getCSRFHeader`` in ``dash_renderer``), and HTML forms (login, logout) carry it in a hidden
``csrf`` field. A POST, PUT, PATCH or DELETE whose header or field does not equal the session's
token (compared in constant time) is refused with 403 before any view or guard runs. Another
site can make a browser send the cookies, but it can neither read the token nor forge the
signed session, so it cannot supply a matching value.

Display screens are covered the same way: their browsers load the board page (which sets the
cookie) and dash-renderer sends the header; what they may call is read-only anyway.
"""

from __future__ import annotations

import hmac
import secrets

import flask
from werkzeug.exceptions import Forbidden

from dashboard.i18n import t

SESSION_KEY = "fb_csrf"
#: The cookie dash-renderer reads (``csrf_token_name`` of ``dash.Dash``, default).
COOKIE = "_csrf_token"
#: The header dash-renderer sends (``csrf_header_name`` of ``dash.Dash``, default).
HEADER = "X-CSRFToken"
FORM_FIELD = "csrf"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
TOKEN_BYTES = 32


class CSRFError(Forbidden):
    """A state-changing request without the session's CSRF token."""

    description = (
        "Refused: this request did not carry Floorboard's security token (the page or form "
        "expired, or the request came from another site). Reload the page and try again."
    )


def token() -> str:
    """The current session's token (created on first use)."""
    value = flask.session.get(SESSION_KEY)
    if not isinstance(value, str) or not value:
        value = secrets.token_urlsafe(TOKEN_BYTES)
        flask.session[SESSION_KEY] = value
    return value


def rotate() -> str:
    """A new token (after login and logout: a token seen before must not outlive the session)."""
    flask.session.pop(SESSION_KEY, None)
    return token()


def presented() -> str:
    """The token the request carries: the header (callbacks) or the form field (forms)."""
    header = flask.request.headers.get(HEADER, "")
    if header:
        return header
    if flask.request.mimetype in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        return str(flask.request.form.get(FORM_FIELD, ""))
    return ""


def verify() -> None:
    """Raise :class:`CSRFError` unless the request carries the session's token."""
    expected = flask.session.get(SESSION_KEY)
    given = presented()
    if not isinstance(expected, str) or not expected or not given:
        raise CSRFError()
    if not hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8")):
        raise CSRFError()


def _refusal(error: CSRFError) -> flask.Response:
    loc = flask.request.accept_languages.best_match(["en", "zh"]) or "en"
    text = t("security.csrf", loc)
    if flask.request.accept_mimetypes.accept_html and not flask.request.is_json:
        page = flask.render_template_string(
            '<!doctype html><html><head><meta charset="utf-8"><title>403</title>'
            '<link rel="stylesheet" href="/assets/floorboard.css"></head>'
            '<body><div class="desk"><main class="page"><h1>403</h1>'
            '<p class="message error" id="csrf-refused">{{ text }}</p>'
            '<a class="button" href="/">{{ home }}</a></main></div></body></html>',
            text=text,
            home=t("nav.home", loc),
        )
        return flask.Response(page, status=error.code, mimetype="text/html")
    return flask.Response(text, status=error.code, mimetype="text/plain")


def install_csrf(server: flask.Flask, *, secure: bool, max_age_s: int) -> None:
    """Check every state-changing request of ``server`` and keep the token cookie set.

    Args:
        server: the Flask app (call before the access guard is installed: the check runs first).
        secure: send the token cookie over HTTPS only.
        max_age_s: the token cookie's lifetime (the session's).
    """

    @server.before_request
    def _check_csrf() -> None:
        if flask.request.method in UNSAFE_METHODS:
            verify()

    @server.after_request
    def _set_cookie(response: flask.Response) -> flask.Response:
        if response.mimetype != "text/html" and flask.request.method not in UNSAFE_METHODS:
            return response  # scripts, assets, JSON reads: no session needed
        value = token()
        if flask.request.cookies.get(COOKIE) != value:
            response.set_cookie(
                COOKIE,
                value,
                max_age=max_age_s,
                secure=secure,
                httponly=False,  # dash-renderer must read it
                samesite="Strict",
                path="/",
            )
        return response

    server.register_error_handler(CSRFError, _refusal)
