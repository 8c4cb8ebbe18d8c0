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
        self.ttl_s = ttl_s
        self.clock = clock
        self._users: dict[int, tuple[float, UserInfo | None]] = {}
        self._engine: Engine = sessions.kw["bind"]
        self._lock = threading.Lock()

    def get(self, user_id: int) -> UserInfo | None:
        now = self.clock()
        with self._lock:
            hit = self._users.get(user_id)
        if hit is not None and now - hit[0] < self.ttl_s:
            return hit[1]
        return self._load(user_id, now)

    def _load(self, user_id: int, now: float) -> UserInfo | None:
        with session_scope(self.sessions) as session:
            user = service.get_user(session, user_id=user_id)
        with self._lock:
            self._users[user_id] = (now, user)
        return user

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
                user = self._load(user_id, self.clock())
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
        with self._lock:
            if user_id is None:
                self._users.clear()
            else:
                self._users.pop(user_id, None)


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
        self.ttl_s = ttl_s
        self.touch_every_s = touch_every_s
        self.miss_reload_s = miss_reload_s
        self.clock = clock
        self._tokens: dict[str, DisplayInfo] = {}
        self._loaded = float("-inf")
        self._touched = clock()
        self._seen: dict[int, datetime] = {}
        self._lock = threading.Lock()
        # One load at a time. A known token never waits for it (the current table serves
        # meanwhile); an unknown one waits, so that no TV is refused because another thread
        # had started, but not finished, loading the table.
        self._load_lock = threading.Lock()

    def lookup(self, token: str | None) -> DisplayInfo | None:
        """The active display holding ``token``, or ``None``."""
        if not token:
            return None
        self._refresh(wait=False)
        digest = service.hash_token(token)
        with self._lock:
            info = self._tokens.get(digest)
        if info is None:
            # A token created a moment ago: look again, at most once per ``miss_reload_s``.
            self._refresh(wait=True, max_age_s=self.miss_reload_s)
            with self._lock:
                info = self._tokens.get(digest)
        if info is not None and info.expired():
            return None  # expired since the last reload
        if info is not None:
            with self._lock:
                self._seen[info.id] = service.utcnow()
        return info

    def invalidate(self) -> None:
        with self._lock:
            self._loaded = float("-inf")

    def _refresh(self, *, wait: bool, max_age_s: float | None = None) -> None:
        """Reload the table if it is older than ``max_age_s`` (default ``ttl_s``); with
        ``wait=False`` a reload another thread is doing is not waited for."""
        if not self._load_lock.acquire(blocking=wait):
            return
        try:
            now = self.clock()
            with self._lock:
                if now - self._loaded < (self.ttl_s if max_age_s is None else max_age_s):
                    return
                touch = now - self._touched >= self.touch_every_s
                seen, self._seen = (self._seen, {}) if touch else ({}, self._seen)
                if seen:
                    self._touched = now
            tokens = self._load(seen)
            with self._lock:
                self._loaded = now
                if tokens is not None:
                    self._tokens = tokens
        finally:
            self._load_lock.release()

    def _load(self, seen: dict[int, datetime]) -> dict[str, DisplayInfo] | None:
        try:
            with session_scope(self.sessions) as session:
                if seen:
                    service.touch_displays(session, seen=seen)
                return service.active_displays(session)
        except SQLAlchemyError:
            # Keep serving the tokens we know: a database hiccup must not blank every TV.
            log.exception("display tokens: reload failed; keeping %d cached", len(self._tokens))
            return None
