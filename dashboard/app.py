"""The app factory: Flask + flask-login + Dash pages, with the guard on every request.

Nothing happens at import time. :func:`create_app` may be called several times in one process
(tests): each call builds its own Flask app, database engine, caches and callbacks. Dash's page
registry is process-wide; the page modules re-register into it on each call, identically.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import dash
import flask
import flask_login
import redis
from dash import html

from collectors.forecast.schemas import ForecastProvider
from collectors.pipeline.clients import connect as pipeline_client
from core.db import make_engine, session_factory
from dashboard.announcements.service import AnnouncementCache
from dashboard.auth import guard
from dashboard.auth.cache import DisplayCache, UserCache
from dashboard.auth.views import blueprint as auth_blueprint
from dashboard.boards.forecast import CachedForecast, no_forecast
from dashboard.boards.registry import BoardRegistry
from dashboard.boards.source import SnapshotSource
from dashboard.boards.teams import TeamDirectory
from dashboard.routes.hr_exports import blueprint as hr_exports_blueprint
from dashboard.routes.outage import install_outage
from dashboard.routes.qa_drafts import blueprint as qa_drafts_blueprint
from dashboard.routes.qa_exports import blueprint as qa_exports_blueprint
from dashboard.routes.recordings import blueprint as recordings_blueprint
from dashboard.runtime import keys_for
from dashboard.security.sessions import SESSION_VERSION
from dashboard.security.setup import install_security
from dashboard.settings import Settings
from dashboard.state import EXTENSION, AppState
from qa.awards.poster import PosterCache

PACKAGE = Path(__file__).resolve().parent
REPO = PACKAGE.parent
PAGES = PACKAGE / "pages"
ASSETS = REPO / "assets"
LAYOUTS = REPO / "layouts"
DASH_APP = "floorboard_dash"


def default_redis_factory(settings: Settings) -> Callable[[], redis.Redis]:
    """Redis from ``FLOORBOARD_REDIS_URL``, else the embedded server another Floorboard
    process runs under the data directory (its port file is read again on every reconnect)."""

    def connect() -> redis.Redis:
        if settings.redis_url:  # a server, or a cluster (redis+cluster://host:port,...)
            client = pipeline_client(
                settings.redis_url, socket_timeout=1.0, socket_connect_timeout=1.0
            )
            return cast(redis.Redis, client)
        port_file = settings.data_dir / "redis" / "port"
        try:
            port = int(port_file.read_text().strip())
        except (OSError, ValueError) as exc:
            raise redis.ConnectionError(f"no embedded Redis running ({port_file})") from exc
        return redis.Redis(
            port=port, decode_responses=True, socket_timeout=1.0, socket_connect_timeout=1.0
        )

    return connect


def _state(
    settings: Settings,
    *,
    layouts_dir: Path,
    redis_factory: Callable[[], redis.Redis] | None,
    forecast: ForecastProvider | None,
) -> AppState:
    # pre-ping: connections a database outage broke are replaced, not handed out (issue 11.11)
    engine = make_engine(settings.sqlalchemy_url, pool_pre_ping=True)
    sessions = session_factory(engine)
    return AppState(
        settings=settings,
        engine=engine,
        sessions=sessions,
        users=UserCache(sessions),
        displays=DisplayCache(sessions),
        snapshots=SnapshotSource(
            client_factory=redis_factory or default_redis_factory(settings),
            key=keys_for(settings).snapshot,
            stale_after_s=settings.stale_after_s,
        ),
        boards=BoardRegistry(layouts_dir),
        announcements=AnnouncementCache(sessions),
        forecast=CachedForecast(forecast or no_forecast),
        poster=PosterCache(sessions, tz=settings.timezone),
        teams=TeamDirectory(sessions),
    )


def _login_manager(server: flask.Flask, state: AppState) -> None:
    manager = flask_login.LoginManager()
    manager.init_app(server)
    manager.session_protection = "basic"

    def load(user_id: str) -> Any:
        try:
            uid = int(user_id)
        except ValueError:
            return None
        # A cookie saved before a logout, password or role change, or disable holds an older
        # session version: refused at once, in every worker (issue 11.4).
        return state.users.session_user(uid, version=flask.session.get(SESSION_VERSION))

    manager.user_loader(load)


def _register_page_callbacks(app: dash.Dash) -> None:
    for page in dash.page_registry.values():
        module = sys.modules.get(page["module"])
        register = getattr(module, "register_callbacks", None)
        if register is not None:
            register(app)


def create_app(
    settings: Settings,
    *,
    layouts_dir: Path | None = None,
    redis_factory: Callable[[], redis.Redis] | None = None,
    forecast: ForecastProvider | None = None,
) -> flask.Flask:
    """Build the web application.

    Args:
        settings: the application settings.
        layouts_dir: the boards' YAML folder (default: ``FLOORBOARD_LAYOUTS_DIR``, else
            ``layouts/`` of the checkout).
        redis_factory: returns a Redis client for the snapshot (default from the settings).
        forecast: forecast provider for the intraday chart and the staffing tile.

    Returns:
        The Flask app; the Dash app is ``app.extensions["floorboard_dash"]``.
    """
    server = flask.Flask(__name__, static_folder=None)
    server.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.production,
        PERMANENT_SESSION_LIFETIME=timedelta(days=365),
    )
    state = _state(
        settings,
        layouts_dir=layouts_dir or settings.layouts_dir or LAYOUTS,
        redis_factory=redis_factory,
        forecast=forecast,
    )
    server.extensions[EXTENSION] = state
    _login_manager(server, state)
    install_security(  # before the guard: cookies, CSRF, headers, login throttle
        server, settings=settings, redis_factory=redis_factory or default_redis_factory(settings)
    )
    server.register_blueprint(auth_blueprint)
    server.register_blueprint(recordings_blueprint)  # QA console: call audio
    server.register_blueprint(qa_exports_blueprint)  # QA console: downloads
    server.register_blueprint(qa_drafts_blueprint)  # QA console: evaluation autosave
    server.register_blueprint(hr_exports_blueprint)  # payroll CSV/XLSX, poster PDF
    install_outage(server)  # database unreachable: 503 pages and callbacks, not 500
    app = dash.Dash(
        "dashboard",
        server=server,  # type: ignore[arg-type]
        use_pages=True,
        pages_folder=str(PAGES),
        assets_folder=str(ASSETS),
        suppress_callback_exceptions=True,
        title="Floorboard",
        update_title="",
        health_endpoint="healthz",
    )
    app.layout = html.Div(dash.page_container, className="root")
    _register_page_callbacks(app)
    guard.install(app)
    server.extensions[DASH_APP] = app
    return server


def dash_app(server: flask.Flask) -> dash.Dash:
    """The Dash app mounted on ``server`` by :func:`create_app`."""
    app: dash.Dash = server.extensions[DASH_APP]
    return app
