"""Session and remember-me cookies, the length of a login, and the client's address.

- Cookies: ``HttpOnly``, ``SameSite=Lax`` (a link from the intranet or an e-mail still opens a
  page logged in), ``Secure`` in production or with ``FLOORBOARD_COOKIE_SECURE``.
- flask-login's session protection is ``strong``: a login used from another address or browser
  is dropped. A person's session is a browser-session cookie and lasts at most
  ``FLOORBOARD_SESSION_HOURS`` after the login (default 12: a shift), whatever the activity.
- Every session of a person can be ended at once: the login stores the account's session
  version in the cookie (``SESSION_VERSION``); logout, a new password, a role change and
  disabling the account bump it, and the user loader refuses a cookie holding another version
  (:meth:`dashboard.auth.cache.UserCache.session_user`). No remember-me cookie is issued.
- A display's session (a TV holding a token) is permanent and sliding
  (``DISPLAY_SESSION``): a wall that refreshes every second must not be logged out at night.
  Display tokens are revoked or expire in the database instead.
- Behind ``FLOORBOARD_TRUSTED_PROXIES`` reverse proxies the client's address and scheme come
  from ``X-Forwarded-For``/``-Proto`` (the login throttle counts per address). Without trusted
  proxies those headers are ignored everywhere: :func:`client_address` is the one place the
  address is read (session protection, login throttle, audit log).
"""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta

import flask
import flask_login
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard.settings import Settings

LOGIN_AT = "fb_login_at"
SESSION_VERSION = "fb_session_version"
DISPLAY_SESSION = timedelta(days=30)


def cookie_secure(settings: Settings) -> bool:
    """Whether cookies are sent over HTTPS only."""
    return settings.production or settings.cookie_secure


def client_address() -> str:
    """The client's address: the peer's, or the one the trusted proxies forwarded (ProxyFix
    rewrote ``remote_addr`` then). Never read ``X-Forwarded-For`` anywhere else."""
    return flask.request.remote_addr or "unknown"


def session_identifier() -> str:
    """What strong session protection compares: the client's address and browser.

    Replaces flask-login's ``_create_identifier``, which trusts ``X-Forwarded-For`` from anyone:
    a stolen cookie replayed with the victim's address in that header would pass.
    """
    agent = flask.request.headers.get("User-Agent", "")
    return hashlib.sha512(f"{client_address()}|{agent}".encode()).hexdigest()


def mark_login(session_version: int) -> None:
    """Start the clock of a person's login and remember the account's session version (call
    right after ``login_user``)."""
    flask.session[LOGIN_AT] = int(time.time())
    flask.session[SESSION_VERSION] = session_version


def login_expired(*, max_age_s: float, now: float | None = None) -> bool:
    """Whether the logged-in person's session is older than ``max_age_s``."""
    started = flask.session.get(LOGIN_AT)
    if not isinstance(started, int):
        return True
    return (time.time() if now is None else now) - started > max_age_s


def install_sessions(server: flask.Flask, *, settings: Settings) -> None:
    """Configure the cookies of ``server`` and end logins older than the session length.

    Args:
        server: the Flask app (call before the access guard is installed).
        settings: ``cookie_secure``, ``session_hours``, ``trusted_proxies``.
    """
    secure = cookie_secure(settings)
    max_age_s = settings.session_hours * 3600
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        PERMANENT_SESSION_LIFETIME=DISPLAY_SESSION,
        SESSION_PROTECTION="strong",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_DURATION=timedelta(hours=settings.session_hours),
        REMEMBER_COOKIE_REFRESH_EACH_REQUEST=False,
    )
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    manager = getattr(server, "login_manager", None)
    if manager is not None:  # flask-login has no public hook for this (0.6)
        manager._session_identifier_generator = session_identifier  # noqa: SLF001

    @server.before_request
    def _end_old_logins() -> None:
        user = flask_login.current_user
        if user is not None and user.is_authenticated and login_expired(max_age_s=max_age_s):
            flask_login.logout_user()
            flask.session.clear()
