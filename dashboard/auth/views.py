"""``/login`` and ``/logout``: plain Flask views (they work before any Dash code has loaded)."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

import flask
import flask_login

from collectors.db import session_scope
from dashboard.auth import service
from dashboard.auth.guard import SESSION_TOKEN, route
from dashboard.i18n import t
from dashboard.state import app_state

blueprint = flask.Blueprint("auth", __name__)
CSRF_KEY = "fb_csrf"

_PAGE = """<!doctype html>
<html lang="{{ 'zh-CN' if loc == 'zh' else 'en' }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · Floorboard</title>
<link rel="stylesheet" href="/assets/floorboard.css"></head>
<body><div class="desk"><form class="login" method="post" action="/login">
<h1>{{ title }}</h1>
{% if error %}<p class="message error" id="login-error">{{ error }}</p>{% endif %}
<input type="hidden" name="csrf" value="{{ csrf }}">
<input type="hidden" name="next" value="{{ next }}">
<div class="form-row"><label for="username">{{ username_label }}</label>
<input id="username" name="username" autocomplete="username" autofocus value="{{ username }}"></div>
<div class="form-row"><label for="password">{{ password_label }}</label>
<input id="password" name="password" type="password" autocomplete="current-password"></div>
<button type="submit" id="login-submit">{{ submit }}</button>
</form></div></body></html>"""


def _locale() -> str:
    return flask.request.accept_languages.best_match(["en", "zh"]) or "en"


def _safe_next(target: str | None) -> str:
    """Only a local path: never redirect a fresh login to another site."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _form(error: str = "", username: str = "", status: int = 200) -> flask.Response:
    loc = _locale()
    csrf = flask.session.get(CSRF_KEY) or secrets.token_urlsafe(16)
    flask.session[CSRF_KEY] = csrf
    html = flask.render_template_string(
        _PAGE,
        loc=loc,
        title=t("login.title", loc),
        error=error,
        csrf=csrf,
        next=_safe_next(flask.request.values.get("next")),
        username=username,
        username_label=t("login.username", loc),
        password_label=t("login.password", loc),
        submit=t("login.submit", loc),
    )
    return flask.Response(html, status=status, mimetype="text/html")


@blueprint.route("/login", methods=["GET", "POST"])
@route()
def login() -> flask.Response:
    """Show the form; on POST check the password and start the session."""
    if flask.request.method == "GET":
        return _form()
    form = flask.request.form
    expected = flask.session.get(CSRF_KEY, "")
    if not expected or not hmac.compare_digest(expected, form.get("csrf", "")):
        return _form(t("login.expired", _locale()), status=400)
    username = form.get("username", "").strip()
    state = app_state()
    with session_scope(state.sessions) as session:
        user = service.authenticate(session, username=username, password=form.get("password", ""))
    if user is None:
        return _form(t("login.failed", _locale()), username=username, status=401)
    flask.session.pop(SESSION_TOKEN, None)
    state.users.invalidate(user.id)
    flask_login.login_user(user)
    flask.session[CSRF_KEY] = secrets.token_urlsafe(16)  # a new token after login
    return flask.redirect(_safe_next(form.get("next")))  # type: ignore[return-value]


@blueprint.route("/logout")
@route()
def logout() -> flask.Response:
    flask_login.logout_user()
    flask.session.clear()
    return flask.redirect("/login")  # type: ignore[return-value]
