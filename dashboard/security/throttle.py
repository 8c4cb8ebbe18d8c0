"""Login throttling: after repeated failures a username (or an address) is locked for a while.

Failures are counted per username and per client address within a sliding window (every new
failure restarts it). From ``max_failures`` on, each further failure locks the subject for
``base_lock_s × 2^(failures − max_failures)`` seconds, capped at ``max_lock_s``. While locked, a
login is refused without looking at the password, with the same answer whether the account
exists or not. A success clears the username's count (not the address's).

Counts live in Redis when it answers (shared by every web worker), else in this process.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

import redis

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Limits:
    """How many failures a subject may make and how long it is locked after.

    Args:
        max_failures: failures within ``window_s`` before the first lock.
        window_s: a quiet period this long forgets the failures.
        base_lock_s: the first lock; each further failure doubles it.
        max_lock_s: the longest lock.
    """

    max_failures: int
    window_s: float = 900.0
    base_lock_s: float = 30.0
    max_lock_s: float = 900.0

    def lock_for(self, failures: int) -> float:
        """Seconds of lock after the ``failures``-th failure (0: no lock)."""
        if failures < self.max_failures:
            return 0.0
        doublings = min(failures - self.max_failures, 30)
        return min(self.base_lock_s * (1 << doublings), self.max_lock_s)


#: A person mistyping: 5 failures in 15 minutes lock the username for 30 s, 1 min, 2 min... 15 min.
USER_LIMITS = Limits(max_failures=5)
#: A whole floor may sit behind one NAT address: a much higher bar, shorter locks.
ADDRESS_LIMITS = Limits(max_failures=50, base_lock_s=30.0, max_lock_s=300.0)


class Store(Protocol):
    """Where counts and locks live."""

    def fail(self, key: str, *, limits: Limits) -> tuple[int, float]:
        """Count one failure; return (failures in the window, lock seconds set now)."""
        ...

    def locked_for(self, key: str) -> float:
        """Seconds the subject stays locked (0 when it is not)."""
        ...

    def clear(self, key: str) -> None: ...


class MemoryStore:
    """Counts in this process (one web worker): the fallback when Redis does not answer.

    Args:
        clock: monotonic clock (replaceable in tests).
    """

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._fails: dict[str, tuple[int, float]] = {}
        self._locks: dict[str, float] = {}
        self._lock = threading.Lock()

    def fail(self, key: str, *, limits: Limits) -> tuple[int, float]:
        now = self.clock()
        with self._lock:
            count, until = self._fails.get(key, (0, now))
            count = count + 1 if until > now else 1
            self._fails[key] = (count, now + limits.window_s)
            lock = limits.lock_for(count)
            if lock:
                self._locks[key] = now + lock
            self._forget(now)
        return count, lock

    def locked_for(self, key: str) -> float:
        with self._lock:
            until = self._locks.get(key, 0.0)
        return max(0.0, until - self.clock())

    def clear(self, key: str) -> None:
        with self._lock:
            self._fails.pop(key, None)
            self._locks.pop(key, None)

    def _forget(self, now: float) -> None:
        # Bounded memory under a flood of made-up usernames: drop what has expired.
        if len(self._fails) > 10_000:
            self._fails = {k: v for k, v in self._fails.items() if v[1] > now}
            self._locks = {k: v for k, v in self._locks.items() if v > now}


class RedisStore:
    """Counts in Redis, shared by every worker; expiry is Redis's own (``PX``).

    Args:
        client_factory: returns a Redis client (called again after a connection error).
        prefix: key prefix (``FLOORBOARD_KEY_PREFIX``).
    """

    def __init__(self, client_factory: Callable[[], redis.Redis], *, prefix: str) -> None:
        self.client_factory = client_factory
        self.prefix = prefix
        self._client: redis.Redis | None = None

    def _redis(self) -> redis.Redis:
        if self._client is None:
            self._client = self.client_factory()
        return self._client

    def _key(self, kind: str, key: str) -> str:
        return f"{self.prefix}:auth:{kind}:{key}"

    def fail(self, key: str, *, limits: Limits) -> tuple[int, float]:
        client = self._redis()
        pipe = client.pipeline(transaction=True)
        pipe.incr(self._key("fails", key))
        pipe.pexpire(self._key("fails", key), int(limits.window_s * 1000))
        count = int(pipe.execute()[0])
        lock = limits.lock_for(count)
        if lock:
            client.set(self._key("lock", key), "1", px=max(1, int(lock * 1000)))
        return count, lock

    def locked_for(self, key: str) -> float:
        ttl = int(self._redis().pttl(self._key("lock", key)))
        return ttl / 1000 if ttl > 0 else 0.0

    def clear(self, key: str) -> None:
        self._redis().delete(self._key("fails", key), self._key("lock", key))

    def reset(self) -> None:
        """Forget the client (after an error: the next call connects again)."""
        client, self._client = self._client, None
        if client is not None:
            client.close()


@dataclass(frozen=True)
class Verdict:
    """Whether a login may be tried now.

    Args:
        locked_for: seconds until it may (0: now).
        subject: what is locked, ``user`` or ``address`` (for the audit log, never the UI).
    """

    locked_for: float = 0.0
    subject: str = ""

    @property
    def minutes(self) -> int:
        """The wait rounded up to whole minutes, as the sign-in page says it."""
        return max(1, math.ceil(self.locked_for / 60))


def subject_key(kind: str, value: str) -> str:
    """A fixed-length key for a username or address (what was typed never reaches Redis)."""
    digest = hashlib.sha256(value.strip().lower().encode("utf-8")).hexdigest()[:32]
    return f"{kind}:{digest}"


class LoginThrottle:
    """Counts failed logins and decides locks.

    Args:
        store: Redis (shared) or memory; ``None`` = memory only.
        fallback: used whenever ``store`` raises a Redis error.
        user_limits: per username.
        address_limits: per client address.
        retry_s: after a Redis error, count in memory this long before trying Redis again (a
            login must not wait for connection timeouts).
        clock: monotonic clock.
    """

    def __init__(
        self,
        store: Store | None = None,
        *,
        fallback: MemoryStore | None = None,
        user_limits: Limits = USER_LIMITS,
        address_limits: Limits = ADDRESS_LIMITS,
        retry_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.fallback = fallback or MemoryStore()
        self.store: Store = store or self.fallback
        self.user_limits = user_limits
        self.address_limits = address_limits
        self.retry_s = retry_s
        self.clock = clock
        self._store_down_until = float("-inf")

    def _on_store(self, action: Callable[[Store], T]) -> T:
        if self.clock() < self._store_down_until:
            return action(self.fallback)
        try:
            return action(self.store)
        except redis.RedisError as exc:
            log.warning("login throttle: Redis unavailable (%s); counting in memory", exc)
            self._store_down_until = self.clock() + self.retry_s
            if isinstance(self.store, RedisStore):
                self.store.reset()
            return action(self.fallback)

    def check(self, *, username: str, address: str) -> Verdict:
        """Whether ``username`` may try to log in from ``address`` now."""
        user = subject_key("user", username)
        addr = subject_key("addr", address)
        wait, subject = max(
            (self._on_store(lambda s: s.locked_for(user)), "user"),
            (self._on_store(lambda s: s.locked_for(addr)), "address"),
        )
        return Verdict(wait, subject) if wait > 0 else Verdict()

    def failed(self, *, username: str, address: str) -> Verdict:
        """Count a failure; the verdict says whether it started a lock."""
        user = subject_key("user", username)
        addr = subject_key("addr", address)
        wait, subject = max(
            (self._on_store(lambda s: s.fail(user, limits=self.user_limits))[1], "user"),
            (self._on_store(lambda s: s.fail(addr, limits=self.address_limits))[1], "address"),
        )
        return Verdict(wait, subject) if wait > 0 else Verdict()

    def succeeded(self, *, username: str) -> None:
        """Forget the username's failures (the address keeps its count)."""
        key = subject_key("user", username)
        self._on_store(lambda s: s.clear(key))
