"""Wire the security pieces into the Flask app (one call from :func:`dashboard.app.create_app`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import dash
import flask
import redis

from dashboard.security.csrf import install_csrf
from dashboard.security.headers import install_headers
from dashboard.security.limits import install_limits
from dashboard.security.passwords import PasswordPolicy, policy_for
from dashboard.security.sessions import DISPLAY_SESSION, cookie_secure, install_sessions
from dashboard.security.throttle import LoginThrottle, MemoryStore, RedisStore
from dashboard.settings import Settings

EXTENSION = "floorboard_security"
DASH_EXTENSION = "floorboard_dash"  # where create_app keeps the Dash app


@dataclass(frozen=True)
class Security:
    """What the views need: the login throttle and the password policy."""

    throttle: LoginThrottle
    passwords: PasswordPolicy


def install_security(
    server: flask.Flask,
    *,
    settings: Settings,
    redis_factory: Callable[[], redis.Redis] | None = None,
    throttle: LoginThrottle | None = None,
) -> Security:
    """Cookies and sessions, CSRF, headers, throttling. Call before the access guard.

    Args:
        server: the Flask app.
        settings: the application settings.
        redis_factory: Redis for the login throttle (shared by workers); memory without it.
        throttle: a throttle to use instead (tests).
    """
    secure = cookie_secure(settings)
    install_limits(server, settings=settings)  # first: nothing may read a body before
    install_sessions(server, settings=settings)
    install_csrf(server, secure=secure, max_age_s=int(DISPLAY_SESSION.total_seconds()))

    def dash_app() -> dash.Dash | None:
        return server.extensions.get(DASH_EXTENSION)

    install_headers(server, dash_app=dash_app, hsts=settings.production)
    if throttle is None:
        store = RedisStore(redis_factory, prefix=settings.key_prefix) if redis_factory else None
        throttle = LoginThrottle(store, fallback=MemoryStore())
    security = Security(throttle=throttle, passwords=policy_for(settings.password_min_length))
    server.extensions[EXTENSION] = security
    return security


def current_security() -> Security:
    """The security objects of the app serving the current request."""
    security: Security = flask.current_app.extensions[EXTENSION]
    return security
