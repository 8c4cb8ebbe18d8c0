"""Sends each batch's MULTI/EXEC at once and collects its reply one batch later.

While Redis executes batch N's transaction (Lua unpacking, thousands of counter writes), the
consumer already decodes and applies batch N+1: on two cores that hides most of Redis's time.
Order is kept (one transaction in flight at a time), and a failed transaction is reported to
the consumer, which then reloads its state from Redis: the transaction either happened whole
or not at all, so Redis is the truth.

On one Redis server the transaction is written to its connection from the consumer's own thread
and the reply read at the next :meth:`Committer.wait`. A background thread would have to win
the interpreter lock from the (compiled) consumer for every chunk it sends, which delayed
transactions by tens of milliseconds. A cluster pipeline keeps its own routing, so it runs on a
background thread instead.
"""

from __future__ import annotations

import threading
from typing import Any, cast

from redis.client import Pipeline
from redis.exceptions import ExecAbortError, ResponseError, WatchError


class SentTransaction:
    """A MULTI/EXEC written to the pipeline's connection whose reply is not read yet."""

    def __init__(self, pipe: Pipeline) -> None:
        self.pipe = pipe
        if pipe.connection is None:  # not bound by a WATCH (the lease fence)
            pipe.connection = pipe.connection_pool.get_connection()
        # redis-py's connection methods are untyped; ``Any`` keeps mypy's strict mode quiet.
        self.conn: Any = cast(Any, pipe.connection)
        self.count = len(pipe.command_stack)
        commands = [("MULTI",), *(args for args, _ in pipe.command_stack), ("EXEC",)]
        try:
            self.conn.send_packed_command(self.conn.pack_commands(commands))
        except BaseException:
            self._release(broken=True)
            raise

    def finish(self) -> None:
        """Read the replies; raise the first error (nothing of the transaction happened then,
        or for a WatchError: the lease changed hands, so nothing happened either)."""
        conn = self.conn
        broken = True
        try:
            conn.read_response()  # MULTI
            queued: list[ResponseError] = []
            for _ in range(self.count):
                try:
                    conn.read_response()  # QUEUED
                except ResponseError as exc:
                    queued.append(exc)
            try:
                replies = conn.read_response()
            except ExecAbortError:
                broken = False
                raise queued[0] if queued else ResponseError("transaction aborted") from None
            broken = False
            if replies is None:
                raise WatchError("the lease changed hands: transaction not applied")
            for reply in replies:
                if isinstance(reply, Exception):
                    raise reply
        finally:
            self._release(broken=broken)

    def _release(self, *, broken: bool) -> None:
        if broken:
            self.conn.disconnect()  # its replies are out of step now
        self.pipe.watching = False  # EXEC (or the disconnect) ended the WATCH
        self.pipe.reset()


class Committer:
    """At most one transaction in flight; :meth:`submit` waits for the previous one."""

    def __init__(self) -> None:
        self._sent: SentTransaction | None = None
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
        sent, self._sent = self._sent, None
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.in_flight_ids = set()
        if sent is not None:
            sent.finish()
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
        if type(pipe) is Pipeline:
            self._sent = SentTransaction(pipe)
            return
        self._thread = threading.Thread(target=self._run, args=(pipe,), daemon=True)
        self._thread.start()
