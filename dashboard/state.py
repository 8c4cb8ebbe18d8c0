"""What one running app holds: settings, database, caches, the snapshot source, the boards.

Kept on ``flask_app.extensions["floorboard"]`` so that two apps in one process (tests) never
share anything but Dash's own page registry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import current_app

from dashboard.boards.shared import SharedRenders

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from collectors.forecast.schemas import ForecastProvider
    from dashboard.announcements.service import AnnouncementCache
    from dashboard.auth.cache import DisplayCache, UserCache
    from dashboard.boards.registry import BoardRegistry
    from dashboard.boards.source import SnapshotSource
    from dashboard.boards.teams import TeamDirectory
    from dashboard.settings import Settings
    from qa.awards.poster import PosterCache

EXTENSION = "floorboard"


@dataclass
class AppState:
    """Everything a request may need, built once by :func:`dashboard.app.create_app`."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    users: UserCache
    displays: DisplayCache
    snapshots: SnapshotSource
    boards: BoardRegistry
    announcements: AnnouncementCache
    forecast: ForecastProvider
    poster: PosterCache  # the wall poster (board tile), reloaded at most once a minute
    callbacks: dict[str, Any] = field(default_factory=dict)
    renders: SharedRenders = field(default_factory=SharedRenders)
    teams: TeamDirectory | None = None


def app_state() -> AppState:
    """The state of the app serving the current request."""
    state: AppState = current_app.extensions[EXTENSION]
    return state


def center_tz() -> str:
    """The center's time zone (``Settings.timezone``) of the app serving the current request,
    for :mod:`core.center_time`, which takes the zone from its caller."""
    return app_state().settings.timezone
