"""Post, schedule, expire and cancel announcements; the ticker reads them from a short cache.

Boards must not query SQL on every refresh: :class:`AnnouncementCache` loads every current and
scheduled announcement at most once per ``ttl_s`` and the ticker filters by board and time in
memory. A post or a cancel from this process invalidates the cache at once; other processes
see it within ``ttl_s``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from core.db import get_by_id, session_scope
from core.ttl_cache import Reloading
from dashboard.announcements.models import Announcement
from dashboard.auth.service import utcnow
from qa.limits import Field, check_length, max_length

log = logging.getLogger(__name__)

LEVELS = ("info", "warning", "alert")
MAX_TEXT = max_length(Field.ANNOUNCEMENT)


class AnnouncementError(ValueError):
    """Bad input; the message says what."""


@dataclass(frozen=True)
class Notice:
    """An announcement as boards and pages see it (times naive UTC)."""

    id: int
    text: str
    level: str
    boards: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime | None
    created_by: str
    cancelled: bool

    def shows_on(self, board: str, now: datetime) -> bool:
        """Whether the ticker of ``board`` shows it at ``now``."""
        if self.cancelled or now < self.starts_at:
            return False
        if self.ends_at is not None and now >= self.ends_at:
            return False
        return not self.boards or board in self.boards


def _notice(row: Announcement) -> Notice:
    return Notice(
        id=row.id,
        text=row.text,
        level=row.level,
        boards=tuple(json.loads(row.boards or "[]")),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        created_by=row.created_by,
        cancelled=row.cancelled_at is not None,
    )


def post(
    session: Session,
    *,
    text: str,
    created_by: str,
    boards: Iterable[str] = (),
    level: str = "info",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> Notice:
    """Post an announcement.

    Args:
        session: open database session.
        text: what the ticker shows (up to 500 characters).
        created_by: the poster's username.
        boards: board names; none means every board.
        level: ``info``, ``warning`` or ``alert`` (colour on the ticker).
        starts_at: when it appears (naive UTC; default now).
        ends_at: when it disappears (naive UTC; default: until cancelled).
    """
    text = " ".join((text or "").split())
    if not text:
        raise AnnouncementError("the announcement text is empty")
    check_length(text, Field.ANNOUNCEMENT, error=AnnouncementError)
    if level not in LEVELS:
        raise AnnouncementError(f"unknown level {level!r}; one of {', '.join(LEVELS)}")
    start = starts_at or utcnow()
    if ends_at is not None and ends_at <= start:
        raise AnnouncementError("the announcement ends before it starts")
    row = Announcement(
        text=text,
        level=level,
        boards=json.dumps(sorted({b for b in boards if b})),
        starts_at=start,
        ends_at=ends_at,
        created_by=created_by,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return _notice(row)


def cancel(session: Session, *, announcement_id: int) -> Notice:
    """Take an announcement off every board now."""
    row = get_by_id(session, Announcement, announcement_id)
    if row is None:
        raise AnnouncementError(f"no announcement {announcement_id}")
    if row.cancelled_at is None:
        row.cancelled_at = utcnow()
    return _notice(row)


def current_and_scheduled(session: Session, *, now: datetime | None = None) -> list[Notice]:
    """Announcements not cancelled and not yet expired, soonest first."""
    moment = now or utcnow()
    rows = session.scalars(
        select(Announcement)
        .where(Announcement.cancelled_at.is_(None))
        .where(or_(Announcement.ends_at.is_(None), Announcement.ends_at > moment))
        .order_by(Announcement.starts_at, Announcement.id)
    )
    return [_notice(r) for r in rows]


class AnnouncementCache:
    """Current and scheduled announcements, reloaded at most once per ``ttl_s``.

    Args:
        sessions: session factory.
        ttl_s: reload period (how soon another process's post shows).
        clock: monotonic clock.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        ttl_s: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessions = sessions
        self._notices: Reloading[list[Notice]] = Reloading(
            self._read, initial=[], ttl_s=ttl_s, clock=clock, keep_on=(SQLAlchemyError,),
            on_error=lambda: log.exception("announcements: reload failed; keeping the last ones"),
        )  # fmt: skip

    def for_board(self, board: str, *, now: datetime | None = None) -> list[Notice]:
        """What the ticker of ``board`` shows now."""
        moment = now or utcnow()
        return [n for n in self._notices.get() if n.shows_on(board, moment)]

    def invalidate(self) -> None:
        self._notices.invalidate()

    def _read(self) -> list[Notice]:
        # Load a little past the horizon so that scheduled ones appear on time.
        with session_scope(self.sessions) as session:
            return current_and_scheduled(session, now=utcnow() - timedelta(seconds=1))
