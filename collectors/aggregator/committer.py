"""Runs each batch's MULTI/EXEC on a background thread, one batch behind the consumer.

While Redis executes batch N's transaction (Lua unpacking, thousands of HINCRBYs), the consumer
already decodes and applies batch N+1: on two cores that hides most of Redis's time. Order is
kept (one transaction in flight at a time), and a failed transaction is reported to the
consumer, which then reloads its state from Redis: the transaction either happened whole or
not at all, so Redis is the truth.
"""

from __future__ import annotations

import threading
from typing import Any


class Committer:
    """At most one transaction in flight; :meth:`submit` waits for the previous one."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self.in_flight_ids: set[str] = set()

    def _run(self, pipe: Any) -> None:
        try:
            pipe.execute()
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer thread
            self._error = exc

    def wait(self) -> None:
        """Block until the transaction in flight is done; re-raise its error here."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.in_flight_ids = set()
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def submit(self, pipe: Any, ids: set[str], *, background: bool = True) -> None:
        """Execute ``pipe`` (a transaction) after the previous one; ``ids`` are the event ids
        it marks as seen, which the consumer must treat as seen until it is done."""
        self.wait()
        if not background:
            pipe.execute()
            return
        self.in_flight_ids = ids
        self._thread = threading.Thread(target=self._run, args=(pipe,), daemon=True)
        self._thread.start()
