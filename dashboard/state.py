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
    callbacks: dict[str, Any] = field(default_factory=dict)
    renders: SharedRenders = field(default_factory=SharedRenders)
    teams: TeamDirectory | None = None


def app_state() -> AppState:
    """The state of the app serving the current request."""
    state: AppState = current_app.extensions[EXTENSION]
    return state
