"""``/login`` and ``/logout``: plain Flask views (they work before any Dash code has loaded).

Both change state, so both are POSTs carrying the CSRF token (:mod:`dashboard.security.csrf`).
Failed logins are counted per username and address (:mod:`dashboard.security.throttle`); a
locked login is refused with the same words whether the account exists or not. Logins,
failures, lockouts and logouts go to the audit log.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import flask
import flask_login
from sqlalchemy.orm import Session

from core.db import session_scope
from core.roles import USER_ROLES
from dashboard.auth import service
from dashboard.auth.guard import current_principal, route
from dashboard.auth.schemas import LOCALES
from dashboard.i18n import t
from dashboard.security import csrf
from dashboard.security.sessions import client_address, mark_login
from dashboard.security.setup import current_security
from dashboard.security.throttle import Verdict
from dashboard.state import app_state

blueprint = flask.Blueprint("auth", __name__)
CSRF_KEY = csrf.SESSION_KEY

_HEAD = """<!doctype html>
<html lang="{{ 'zh-CN' if loc == 'zh' else 'en' }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · Floorboard</title>
<link rel="stylesheet" href="/assets/floorboard.css"></head>"""

_PAGE = (
    _HEAD
    + """
<body><div class="desk"><form class="login" method="post" action="/login">
<h1>{{ title }}</h1>
{% if error %}<p class="message error" id="login-error">{{ error }}</p>{% endif %}
<input type="hidden" name="csrf" value="{{ csrf }}">
<input type="hidden" name="next" value="{{ next }}">
<div class="form-row"><label for="username">{{ username_label }}</label>
<input id="username" name="username" autocomplete="username" autofocus value="{{ username }}"
 maxlength="64"></div>
<div class="form-row"><label for="password">{{ password_label }}</label>
<input id="password" name="password" type="password" autocomplete="current-password"
 maxlength="256"></div>
<button type="submit" id="login-submit">{{ submit }}</button>
</form></div></body></html>"""
)

_LOGOUT = (
    _HEAD
    + """
<body><div class="desk"><form class="login" method="post" action="/logout">
<h1>{{ title }}</h1>
<input type="hidden" name="csrf" value="{{ csrf }}">
<button type="submit" id="logout-submit">{{ title }}</button>
</form></div></body></html>"""
)


def _locale() -> str:
    return flask.request.accept_languages.best_match(["en", "zh"]) or "en"


def _safe_next(target: str | None) -> str:
    """Only a local path: never redirect a fresh login to another site."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return "/"  # browsers read "/\\evil.example" as "//evil.example"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _form(error: str = "", username: str = "", status: int = 200) -> flask.Response:
    loc = _locale()
    html = flask.render_template_string(
        _PAGE,
        loc=loc,
        title=t("login.title", loc),
        error=error,
        csrf=csrf.token(),
        next=_safe_next(flask.request.values.get("next")),
        username=username,
        username_label=t("login.username", loc),
        password_label=t("login.password", loc),
        submit=t("login.submit", loc),
    )
    return flask.Response(html, status=status, mimetype="text/html")


def _locked(verdict: Verdict, username: str) -> flask.Response:
    return _form(t("login.locked", _locale(), minutes=verdict.minutes), username, status=429)


@blueprint.route("/login", methods=["GET", "POST"])
@route()
def login() -> flask.Response:
    """Show the form; on POST check the throttle, then the password, and start the session."""
    if flask.request.method == "GET":
        return _form()
    form = flask.request.form
    username = form.get("username", "").strip()[:64]
    address = client_address()
    throttle = current_security().throttle
    verdict = throttle.check(username=username, address=address)
    if verdict.locked_for:
        # Not audited per attempt: the lock itself was, and a flood must not fill the log.
        return _locked(verdict, username)
    state = app_state()
    with session_scope(state.sessions) as session:
        user = service.authenticate(session, username=username, password=form.get("password", ""))
        where = {"address": address}
        if user is None:
            verdict = throttle.failed(username=username, address=address)
            _audit_failure(session, username, where, verdict)
        else:
            throttle.succeeded(username=username)
            service.audit(
                session, actor=username, action="auth.login", entity="user", entity_id=username,
                details=where,
            )  # fmt: skip
    if user is None:
        if verdict.locked_for:
            return _locked(verdict, username)
        return _form(t("login.failed", _locale()), username=username, status=401)
    flask.session.clear()  # nothing of the anonymous session survives (fixation)
    state.users.invalidate(user.id)
    flask_login.login_user(user)
    mark_login(user.session_version)
    csrf.rotate()
    return flask.redirect(_safe_next(form.get("next")))  # type: ignore[return-value]


def _audit_failure(
    session: Session, username: str, where: dict[str, str], verdict: Verdict
) -> None:
    """A failed login, and the lock it started if any (``actor``: the name that was typed)."""
    name = username or "-"
    service.audit(
        session, actor=username, action="auth.login_failed", entity="user", entity_id=name,
        details=where,
    )  # fmt: skip
    if verdict.locked_for:
        details = {**where, "locked": verdict.subject, "seconds": round(verdict.locked_for)}
        service.audit(
            session, actor=username, action="auth.lockout", entity="user", entity_id=name,
            details=details,
        )  # fmt: skip


@blueprint.errorhandler(csrf.CSRFError)
def _expired_form(_error: csrf.CSRFError) -> flask.Response:
    """A login or logout form without a valid token: show the form again, with a new token."""
    if flask.request.endpoint == "auth.login":
        return _form(t("login.expired", _locale()), status=403)
    return flask.redirect("/logout")  # type: ignore[return-value]


@blueprint.route("/logout", methods=["GET", "POST"])
@route()
def logout() -> flask.Response:
    """GET asks (a link cannot log anyone out); POST ends the session, and every other session
    of the same account (a cookie saved before the logout stops working at once)."""
    if flask.request.method == "GET":
        loc = _locale()
        page = flask.render_template_string(
            _LOGOUT, loc=loc, title=t("nav.logout", loc), csrf=csrf.token()
        )
        return flask.Response(page, mimetype="text/html")
    principal = current_principal()
    if principal.authenticated:
        where = {"address": client_address()}
        with session_scope(app_state().sessions) as session:
            if principal.kind == "user":
                service.end_sessions(
                    session, username=principal.name, actor=principal.name,
                    action="auth.logout", details=where,
                )  # fmt: skip
            else:  # a display: its token is revoked in the admin pages, not by a logout
                service.audit(
                    session, actor=principal.name, action="auth.logout", entity=principal.kind,
                    entity_id=principal.name, details=where,
                )  # fmt: skip
        if principal.user_id is not None:
            app_state().users.invalidate(principal.user_id)
    flask_login.logout_user()
    flask.session.clear()
    return flask.redirect("/login")  # type: ignore[return-value]


@blueprint.route("/language", methods=["POST"])
@route(*USER_ROLES)
def language() -> flask.Response:
    """Switch the signed-in user's language (issue 11.19): stored on the account, the user
    cache forgets the old one, and the page it came from is shown again in the new language.
    A display is no user: the guard refuses it, and a TV keeps its board's language."""
    principal = current_principal()
    wanted = flask.request.form.get("locale", "")
    if wanted not in LOCALES or principal.user_id is None:
        flask.abort(400, description=f"language: one of {', '.join(LOCALES)}, not {wanted!r}")
    state = app_state()
    with session_scope(state.sessions) as session:
        service.set_locale(session, user_id=principal.user_id, locale=wanted, actor=principal.name)
    state.users.invalidate(principal.user_id)
    flask.g.pop("fb_principal", None)
    return flask.redirect(_safe_next(flask.request.form.get("next")))  # type: ignore[return-value]
