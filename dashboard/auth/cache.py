"""In-process caches of users and display tokens, so that a board refresh costs no SQL.

flask-login loads the user on every request and a TV refreshes every second: both read these
caches, which go to the database at most once per ``ttl_s`` (a revoked token loses access within
that time). ``last_seen`` of displays is written behind, in batches.

A person's session is the exception: each request also reads the account's session version and
``active`` flag (one row by primary key, :meth:`UserCache.session_user`), because gunicorn runs
several workers and a logout, password or role change, or disable done in one of them (or by
``floorboard users``) must end the account's sessions in all of them at once, not after a TTL.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from core.db import session_scope
from core.ttl_cache import Reloading, TtlCache
from dashboard.auth import service
from dashboard.auth.schemas import DisplayInfo, UserInfo

log = logging.getLogger(__name__)


class UserCache:
    """Users by id.

    Args:
        sessions: session factory.
        ttl_s: how long a loaded user is trusted before it is read again.
        clock: monotonic clock (replaceable in tests).
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        ttl_s: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessions = sessions
        self._users: TtlCache[int, UserInfo | None] = TtlCache(ttl_s=ttl_s, clock=clock)
        self._engine: Engine = sessions.kw["bind"]

    def get(self, user_id: int) -> UserInfo | None:
        return self._users.get_or_load(user_id, self._read)

    def _load(self, user_id: int) -> UserInfo | None:
        return self._users.load(user_id, self._read)

    def _read(self, user_id: int) -> UserInfo | None:
        with session_scope(self.sessions) as session:
            return service.get_user(session, user_id=user_id)

    def session_user(self, user_id: int, *, version: object) -> UserInfo | None:
        """The user of a session cookie holding ``version``, or ``None`` if that session has
        ended (logout, new password, role change, disabled, deleted).

        The version and ``active`` flag are read fresh on every call (cheap: one row by primary
        key), so no worker's cache can keep a revoked cookie alive. If the database cannot be
        read, the cached account decides: the board pages of a logged-in person stay up through
        a database outage, and no revocation can be written during one anyway.
        """
        if not isinstance(version, int) or isinstance(version, bool):
            return None  # a cookie from before session versions, or not ours
        user = self.get(user_id)
        if user is not None and user.session_version != version:
            try:  # the cache may be older than the login
                user = self._load(user_id)
            except SQLAlchemyError:
                return None  # cannot tell: refused, and the cached account stays for others
        if user is None or not user.active or user.session_version != version:
            return None
        try:
            with self._engine.connect() as connection:
                live = service.session_state(connection, user_id=user_id)
        except SQLAlchemyError:
            log.warning("users: cannot re-check session of user %d; using the cache", user_id)
            return user
        if live != (version, True):
            self.invalidate(user_id)
            return None
        return user

    def invalidate(self, user_id: int | None = None) -> None:
        self._users.invalidate(user_id)


class DisplayCache:
    """Active display tokens by hash, reloaded as a whole at most once per ``ttl_s``.

    Args:
        sessions: session factory.
        ttl_s: how long the token table is trusted (revocation takes effect within it).
        touch_every_s: how often ``last_seen`` is written.
        miss_reload_s: an unknown token reloads the table at most this often (so that a token
            created a moment ago works at once, and a stream of bad tokens costs little).
        clock: monotonic clock.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        ttl_s: float = 5.0,
        touch_every_s: float = 60.0,
        miss_reload_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessions = sessions
        self.touch_every_s = touch_every_s
        self.miss_reload_s = miss_reload_s
        self.clock = clock
        self._touched = clock()
        self._seen: dict[int, datetime] = {}
        self._lock = threading.Lock()
        # The active tokens by hash. One load at a time: a known token never waits for it (the
        # current table serves meanwhile); an unknown one waits, so that no TV is refused
        # because another thread had started, but not finished, loading the table.
        self._table: Reloading[dict[str, DisplayInfo]] = Reloading(
            self._read, initial={}, ttl_s=ttl_s, clock=clock, keep_on=(SQLAlchemyError,),
            # Keep serving the tokens we know: a database hiccup must not blank every TV.
            on_error=lambda: log.exception(
                "display tokens: reload failed; keeping %d cached", len(self._table.value)
            ),
        )  # fmt: skip

    def lookup(self, token: str | None) -> DisplayInfo | None:
        """The active display holding ``token``, or ``None``."""
        if not token:
            return None
        digest = service.hash_token(token)
        info = self._table.get().get(digest)
        if info is None:
            # A token created a moment ago: look again, at most once per ``miss_reload_s``.
            info = self._table.refresh(wait=True, max_age_s=self.miss_reload_s).get(digest)
        if info is not None and info.expired():
            return None  # expired since the last reload
        if info is not None:
            with self._lock:
                self._seen[info.id] = service.utcnow()
        return info

    def invalidate(self) -> None:
        self._table.invalidate()

    def _read(self) -> dict[str, DisplayInfo]:
        """The active tokens; writes the ``last_seen`` batch first when it is due."""
        now = self.clock()
        with self._lock:
            touch = now - self._touched >= self.touch_every_s
            seen, self._seen = (self._seen, {}) if touch else ({}, self._seen)
            if seen:
                self._touched = now
        with session_scope(self.sessions) as session:
            if seen:
                service.touch_displays(session, seen=seen)
            return service.active_displays(session)
