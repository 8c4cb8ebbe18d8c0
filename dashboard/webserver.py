"""Running the web app: gunicorn for production, a thread for the demo and the tests."""

from __future__ import annotations

import gc
import logging
import re
import threading
from pathlib import Path
from typing import Any

import flask
from werkzeug.serving import make_server

from collectors.forecast.provider import history_forecast
from collectors.forecast.schemas import ForecastProvider
from collectors.staffing.schemas import ServiceLevelTarget
from dashboard.app import create_app
from dashboard.dbsession import sessions_for
from dashboard.settings import Settings


def forecast_for(settings: Settings) -> ForecastProvider:
    """The boards' forecast: the call history of the configured database, for the center's
    time zone, interval and service-level target."""
    return history_forecast(
        sessions=sessions_for(settings, migrate=False),
        timezone=settings.timezone,
        interval_minutes=settings.interval_minutes,
        target=ServiceLevelTarget(settings.sl_target, settings.sl_threshold),
    )


class WebServerThread(threading.Thread):
    """A threaded WSGI server running in a daemon thread; ``join()`` returns once stopped.

    Args:
        app: the Flask app.
        host: address to listen on.
        port: port (0 picks a free one).
        stop: optional event; setting it stops the server.
    """

    def __init__(
        self, app: flask.Flask, *, host: str, port: int, stop: threading.Event | None = None
    ) -> None:
        super().__init__(name="floorboard-web", daemon=True)
        self.app = app
        self.server = make_server(host, port, app, threaded=True)
        self._stop_event = stop

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def run(self) -> None:
        if self._stop_event is not None:
            threading.Thread(target=self._watch, name="floorboard-web-stop", daemon=True).start()
        try:
            self.server.serve_forever(poll_interval=0.2)
        finally:
            self.server.server_close()

    def _watch(self) -> None:
        assert self._stop_event is not None  # noqa: S101 - only started with an event
        self._stop_event.wait()
        self.server.shutdown()

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self.server.shutdown()
        self.join(timeout=10)


ACCESS_LOG = "web-access.log"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class _PlainFormatter(logging.Formatter):
    """werkzeug colours the request line for a terminal; a file gets it without escapes."""

    def format(self, record: logging.LogRecord) -> str:
        return _ANSI.sub("", super().format(record))


def log_web_access(folder: Path) -> Path:
    """Send the development server's request lines (werkzeug's logger) to ``folder``/
    ``web-access.log`` instead of the console; returns the file's path.

    werkzeug adds a console handler of its own only when its logger has none, so this must
    run before the first request. Its lines keep their own time stamp.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ACCESS_LOG
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(_PlainFormatter("%(message)s"))
    logger = logging.getLogger("werkzeug")
    for old in list(logger.handlers):
        logger.removeHandler(old)
        old.close()
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # not to the console through the root logger
    return path


def serve_in_thread(
    settings: Settings,
    stop: threading.Event | None = None,
    *,
    host: str | None = None,
    port: int | None = None,
    app: flask.Flask | None = None,
    **create_kwargs: Any,
) -> WebServerThread:
    """Start the app in a background thread (the demo's web server; tests use ``port=0``).

    Args:
        settings: the application settings.
        stop: optional event that stops the server when set.
        host: address (default ``settings.host``).
        port: port (default ``settings.port``; 0 picks a free one).
        app: an app already built; else :func:`create_app` with ``create_kwargs``.
        **create_kwargs: passed to :func:`create_app`.
    """
    if app is None and "forecast" not in create_kwargs:
        create_kwargs["forecast"] = forecast_for(settings)
    flask_app = app or create_app(settings, **create_kwargs)
    thread = WebServerThread(
        flask_app,
        host=host or settings.host,
        port=settings.port if port is None else port,
        stop=stop,
    )
    thread.start()
    return thread


def run_gunicorn(
    settings: Settings, *, workers: int = 2, threads: int = 8, bind: str | None = None
) -> None:
    """Serve with gunicorn (``gthread`` workers); the app is built once, before forking.

    Args:
        settings: the application settings.
        workers: worker processes (about one per core).
        threads: threads per worker (boards wait on Redis, not on the CPU).
        bind: ``host:port`` (default from the settings).
    """
    from gunicorn.app.base import BaseApplication  # noqa: PLC0415 - only for this command

    flask_app = create_app(settings, forecast=forecast_for(settings))
    engine = flask_app.extensions["floorboard"].engine
    # What is built so far lives as long as the workers: out of the collector's full passes,
    # which would otherwise walk its ~200,000 objects and stall a worker for tens of
    # milliseconds (the wallboard benchmark's p99), and shared copy-on-write after the fork.
    gc.collect()
    gc.freeze()

    def post_fork(_server: Any, _worker: Any) -> None:
        # A forked worker must not reuse the parent's database connections.
        engine.dispose(close=False)

    class _App(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", bind or f"{settings.host}:{settings.port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("preload_app", True)
            self.cfg.set("accesslog", "-")
            self.cfg.set("post_fork", post_fork)

        def load(self) -> flask.Flask:
            return flask_app

    _App().run()
