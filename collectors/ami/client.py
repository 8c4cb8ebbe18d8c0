"""A live AMI collector: log in, take the queues' state, then follow events into the stream.

asyncio: one task reads the socket, one publishes (the synchronous Redis client runs in a
worker thread, one batch at a time, so a slow Redis never stalls reading unless ``max_pending``
events pile up), and the session task logs in, asks for the state and pings.

Per connection::

    banner  "Asterisk Call Manager/x.y.z"
    Action: Login (Events: off)       → Response: Success, or AmiAuthError (not retried)
    Action: Events (EventMask: on)    → live events start
    Action: QueueStatus               → QueueParams, QueueMember, QueueEntry..., QueueStatusComplete
    Action: Ping every ping_interval  ; no byte for idle_timeout = the connection is dead

The state answer is mapped as it arrives, in order with live events (:mod:`.mapping` says why
that never counts a caller twice). A dropped connection is retried after a :class:`Backoff`.

Nothing a server sends stops the collector: a block that cannot be read or mapped becomes a
dead letter (located ``host:port#connection:message``) and reading goes on. AMI has no replay,
so there is no offset to store; the state read on reconnect covers the time away.

The collector keeps a status record (:mod:`collectors.pipeline.sources`): connected or not,
and whether the server's events carry ``Timestamp``. Without them (``timestampevents`` off)
every event is dated on arrival; that is logged once as a warning when the first queue event
shows it, and the record carries the warning for ``floorboard health``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import redis

from collectors.ami.mapping import AmiMapper, MappingError
from collectors.ami.protocol import (
    MAX_MESSAGE_BYTES,
    Decoder,
    Message,
    ProtocolError,
    encode_action,
    parse_banner,
)
from collectors.ami.timestamps import WARNING as NO_TIMESTAMP_WARNING
from collectors.ami.timestamps import TimestampCheck
from collectors.events import Event, Reject
from collectors.pipeline.outage import OutageTracker
from collectors.pipeline.producer import EventProducer
from collectors.pipeline.sources import write_status

log = logging.getLogger(__name__)


class AmiAuthError(Exception):
    """The server refused the username and secret."""


class AmiConnectionError(Exception):
    """The connection failed or died (the collector reconnects)."""


@dataclass
class AmiStats:
    """What the collector did; only what reached Redis counts as published."""

    connections: int = 0
    disconnects: int = 0
    messages: int = 0
    events: int = 0
    rejects: int = 0
    ignored: int = 0
    snapshots: int = 0
    published_events: int = 0
    published_rejects: int = 0
    lost_events: int = 0
    last_error: str = ""
    timestamps: str = "unknown"
    """Whether the server's queue events carry ``Timestamp``: present, missing, unknown."""
    untimed_events: int = 0
    """Queue events dated on arrival for want of a ``Timestamp``."""


@dataclass(frozen=True)
class Backoff:
    """Reconnect delays: ``min(maximum, initial * 2**attempt)`` seconds, spread by ± ``jitter``
    (relative) so that many collectors do not reconnect in step."""

    initial: float = 0.5
    maximum: float = 30.0
    jitter: float = 0.2

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Seconds before retry ``attempt`` (0 = the first retry after a failure)."""
        base = min(self.maximum, self.initial * 2.0 ** min(attempt, 32))
        return max(0.0, base * (1.0 + rng.uniform(-self.jitter, self.jitter)))


@dataclass
class _Connection:
    number: int
    writer: asyncio.StreamWriter
    timestamps: TimestampCheck
    messages: int = 0
    next_action: int = 0
    waiting: dict[str, asyncio.Future[Message]] = field(default_factory=dict)


class AmiCollector:
    """Follows one Asterisk server's AMI into the center's event stream.

    Args:
        host: the Asterisk host.
        port: its manager port (5038 by default in ``manager.conf``).
        username: the ``manager.conf`` user.
        secret: its secret.
        producer: where events and dead letters go.
        server_name: the server's name in event ids; ``host:port`` when omitted.
        batch_seconds: events are published at most this long after they arrive.
        connect_timeout: seconds to open the connection and read the banner.
        action_timeout: seconds to wait for the answer to an action.
        ping_interval: seconds between keep-alive pings.
        idle_timeout: a connection silent this long is dead (default: 2.5 pings).
        backoff: reconnect delays (attempts count from the last successful login).
        settle_seconds: see :class:`~collectors.ami.mapping.AmiMapper`.
        max_message_bytes: longer AMI blocks are dead-lettered.
        max_pending: reading pauses while this many events wait to be published.
        shutdown_timeout: on stop, how long to keep trying to publish what is left (a publish
            under way, with the Redis client's own retries, is finished first).
        clock: the receive clock (seconds since the epoch).
        rng: random source for the jitter.
    """

    def __init__(
        self,
        *,
        host: str,
        port: int,
        username: str,
        secret: str,
        producer: EventProducer,
        server_name: str | None = None,
        batch_seconds: float = 0.1,
        connect_timeout: float = 5.0,
        action_timeout: float = 10.0,
        ping_interval: float = 20.0,
        idle_timeout: float | None = None,
        backoff: Backoff = Backoff(),
        settle_seconds: float = 3.0,
        max_message_bytes: int = MAX_MESSAGE_BYTES,
        max_pending: int = 100_000,
        shutdown_timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.username, self.secret = username, secret
        self.producer = producer
        self.source = f"ami:{host}:{port}"
        self.mapper = AmiMapper(
            source=self.source,
            server=server_name or f"{host}:{port}",
            settle_seconds=settle_seconds,
        )
        self.batch_seconds, self.connect_timeout = batch_seconds, connect_timeout
        self.action_timeout, self.ping_interval = action_timeout, ping_interval
        self.idle_timeout = idle_timeout if idle_timeout is not None else 2.5 * ping_interval
        self.backoff = backoff
        self.max_message_bytes, self.max_pending = max_message_bytes, max_pending
        self.shutdown_timeout = shutdown_timeout
        self.clock = clock
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self.stats = AmiStats()
        self.logged_in = asyncio.Event()  # set while a session is logged in
        self._events: list[Event] = []
        self._rejects: list[Reject] = []
        self._wakeup = asyncio.Event()
        self._closing = False
        self._warned_untimed = False
        self._status_dirty = True  # the status record needs writing
        self.version = ""
        self._give_up_at = float("inf")  # set when stopping: publish retries end then
        # Publishing retries wait at most a few seconds, whatever the reconnect back-off to
        # Asterisk: events should reach the boards soon after Redis is back.
        self.redis_outage = OutageTracker(
            f"AMI {host}:{port}: Redis",
            log,
            initial=backoff.initial,
            maximum=min(backoff.maximum, 5.0),
        )

    async def run(self, *, stop: asyncio.Event) -> AmiStats:
        """Collect until ``stop`` is set; reconnect whenever the connection is lost.

        Raises:
            AmiAuthError: the server refused the credentials (retrying would not help).
        """
        publisher = asyncio.create_task(self._publish_loop())
        attempt = 0
        try:
            while not stop.is_set():
                try:
                    await self._session(stop)
                except (OSError, TimeoutError, AmiConnectionError) as exc:
                    self._note_error(exc)
                if stop.is_set():
                    break
                attempt = 0 if self.logged_in.is_set() else attempt + 1
                self.logged_in.clear()
                self._status_changed()
                delay = self.backoff.delay(max(0, attempt - 1), self.rng)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=delay)
        finally:
            self.logged_in.clear()
            self._status_dirty = True
            self._add(self.mapper.resolve_all())
            self._give_up_at = self.clock() + self.shutdown_timeout
            self._closing = True
            self._wakeup.set()
            await publisher
        return self.stats

    def _note_error(self, exc: BaseException) -> None:
        self.stats.last_error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        log.warning("AMI %s:%s: %s; reconnecting", self.host, self.port, self.stats.last_error)

    # -- one connection -----------------------------------------------------------------------

    async def _session(self, stop: asyncio.Event) -> None:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(self.host, self.port), timeout=self.connect_timeout
        )
        self.stats.connections += 1
        conn = _Connection(self.stats.connections, writer, TimestampCheck(self.mapper.handled))
        read_task: asyncio.Task[None] | None = None
        try:
            banner = await asyncio.wait_for(reader.readline(), timeout=self.connect_timeout)
            if not banner:
                raise AmiConnectionError("connection closed before the banner")
            try:
                version = parse_banner(banner)
            except ValueError as exc:
                raise AmiConnectionError(str(exc)) from None
            log.info("connected to %s:%s (AMI %s)", self.host, self.port, version)
            self.version = version
            read_task = asyncio.create_task(self._read_loop(reader, conn))
            await self._login(conn)
            await self._keep_alive(conn, read_task, stop)
        finally:
            if read_task is not None:
                read_task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await read_task
            self.stats.disconnects += 1
            writer.close()
            with contextlib.suppress(OSError, TimeoutError):
                await asyncio.wait_for(writer.wait_closed(), timeout=1.0)

    async def _login(self, conn: _Connection) -> None:
        creds = {"Username": self.username, "Secret": self.secret, "Events": "off"}
        answer = await self._request(conn, "Login", creds)
        if answer.response != "Success":
            raise AmiAuthError(answer.get("Message") or answer.response or "login refused")
        events = await self._request(conn, "Events", {"EventMask": "on"})
        if events.response != "Success":
            raise AmiConnectionError(f"Events action refused: {events.get('Message')}")
        self.mapper.begin_snapshot()
        status = await self._request(conn, "QueueStatus", {})
        if status.response != "Success":
            raise AmiConnectionError(f"QueueStatus refused: {status.get('Message')}")
        self.logged_in.set()
        self._status_changed()

    async def _keep_alive(
        self, conn: _Connection, read_task: asyncio.Task[None], stop: asyncio.Event
    ) -> None:
        stopping = asyncio.create_task(stop.wait())
        try:
            while True:
                await asyncio.wait(
                    {read_task, stopping},
                    timeout=self.ping_interval,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                if read_task.done():
                    read_task.result()  # raises why the connection ended
                    raise AmiConnectionError("connection closed")
                if stop.is_set():
                    with contextlib.suppress(OSError, TimeoutError, AmiConnectionError):
                        await self._send(conn, "Logoff", {})
                    return
                await self._send(conn, "Ping", {})
                self._status_changed()  # keeps updated_at and the counts in the record fresh
        finally:
            stopping.cancel()

    async def _send(
        self, conn: _Connection, action: str, fields: dict[str, str], action_id: str = ""
    ) -> None:
        if not action_id:
            conn.next_action += 1
            action_id = f"fb-{conn.number}-{conn.next_action}"
        conn.writer.write(encode_action(action, action_id, fields))
        await asyncio.wait_for(conn.writer.drain(), timeout=self.action_timeout)

    async def _request(self, conn: _Connection, action: str, fields: dict[str, str]) -> Message:
        """Send an action and wait for its ``Response`` (matched by ``ActionID``)."""
        conn.next_action += 1
        action_id = f"fb-{conn.number}-{conn.next_action}"
        future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        conn.waiting[action_id] = future
        try:
            await self._send(conn, action, fields, action_id)
            return await asyncio.wait_for(future, timeout=self.action_timeout)
        except TimeoutError:
            raise AmiConnectionError(f"no answer to {action} in {self.action_timeout} s") from None
        finally:
            conn.waiting.pop(action_id, None)

    async def _read_loop(self, reader: asyncio.StreamReader, conn: _Connection) -> None:
        decoder = Decoder(max_message_bytes=self.max_message_bytes)
        try:
            while True:
                try:
                    data = await asyncio.wait_for(reader.read(65536), timeout=self.idle_timeout)
                except TimeoutError:
                    raise AmiConnectionError(f"no data for {self.idle_timeout} s") from None
                if not data:
                    for item in decoder.finish():
                        self._handle(item, conn)
                    raise AmiConnectionError("connection closed by the server")
                for item in decoder.feed(data):
                    self._handle(item, conn)
                while len(self._events) > self.max_pending and not self._closing:
                    await asyncio.sleep(self.batch_seconds)
        except BaseException as exc:
            for future in conn.waiting.values():
                if not future.done():
                    future.set_exception(AmiConnectionError(f"connection lost: {exc!r}"))
            raise

    # -- one message --------------------------------------------------------------------------

    def _handle(self, item: Message | ProtocolError, conn: _Connection) -> None:
        conn.messages += 1
        self.stats.messages += 1
        location = f"{self.host}:{self.port}#{conn.number}:{conn.messages}"
        if isinstance(item, ProtocolError):
            self._reject(location, item.raw, item.reason)
        elif item.has("Response") and not item.has("Event"):
            future = conn.waiting.get(item.action_id)
            if future is not None and not future.done():
                future.set_result(item)
        elif item.has("Event"):
            self._check_timestamp(item, conn)
            self._map(item, location)
        else:
            self._reject(location, item.preview(), "unexpected message: no Event or Response")

    def _check_timestamp(self, msg: Message, conn: _Connection) -> None:
        """Learn from the connection's queue events whether they carry ``Timestamp``."""
        timed = conn.timestamps.observe(msg)
        if timed is None:
            return
        if not timed:
            self.stats.untimed_events += 1
        state = conn.timestamps.state
        if state == self.stats.timestamps:
            return
        self.stats.timestamps = state
        self._status_changed()
        if state == "missing" and not self._warned_untimed:
            self._warned_untimed = True  # once per run: the record keeps saying it
            log.warning("AMI %s:%s: %s", self.host, self.port, NO_TIMESTAMP_WARNING)

    def _map(self, msg: Message, location: str) -> None:
        if msg.event not in self.mapper.handled:
            self.stats.ignored += 1
            return
        try:
            events = self.mapper.map(msg, now=self.clock())
        except MappingError as exc:
            self._reject(location, msg.preview(), str(exc))
            return
        except Exception as exc:  # a mapper bug must not stop collection: keep the input
            log.exception("mapping %s failed", msg.event)
            self._reject(location, msg.preview(), f"mapping failed: {type(exc).__name__}")
            return
        if msg.event == "QueueStatusComplete":
            self.stats.snapshots += 1
        self._add(events)

    def _add(self, events: list[Event]) -> None:
        if events:
            self._events.extend(events)
            self.stats.events += len(events)
            self._wakeup.set()

    def _reject(self, location: str, raw: str, reason: str) -> None:
        self._rejects.append(Reject(self.source, location, raw, reason))
        self.stats.rejects += 1
        self._wakeup.set()

    # -- the status record --------------------------------------------------------------------

    def _status_changed(self) -> None:
        self._status_dirty = True
        self._wakeup.set()

    def status(self) -> dict[str, object]:
        """What ``floorboard health`` reads about this collector (see the module docstring)."""
        missing = self.stats.timestamps == "missing"
        return {
            "kind": "ami",
            "server": f"{self.host}:{self.port}",
            "version": self.version,
            "connected": self.logged_in.is_set(),
            "updated_at": self.clock(),
            "timestamps": self.stats.timestamps,
            "untimed_events": self.stats.untimed_events,
            "last_error": self.stats.last_error,
            "warnings": [NO_TIMESTAMP_WARNING] if missing else [],
        }

    async def _write_status(self) -> None:
        if not self._status_dirty:
            return
        self._status_dirty = False
        record, client, keys = self.status(), self.producer.client, self.producer.keys
        try:
            await asyncio.to_thread(write_status, client, keys, self.source, record)
        except redis.RedisError as exc:  # tried again with the next batch
            self._status_dirty = True
            log.debug("AMI status record not written: %s", exc)

    # -- publishing ---------------------------------------------------------------------------

    async def _publish_loop(self) -> None:
        """Publish what arrived, at most ``batch_seconds`` after it arrived; settle calls."""
        tick = max(self.batch_seconds, min(1.0, self.mapper.settle_seconds / 4))
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=tick)
            if not self._closing:
                await asyncio.sleep(self.batch_seconds)  # let a small batch gather
            self._wakeup.clear()
            self._add(self.mapper.expire(now=self.clock()))
            closing = self._closing
            await self._flush()
            await self._write_status()
            if closing and not self._events and not self._rejects:
                return

    async def _flush(self) -> None:
        if not self._events and not self._rejects:
            return
        events, rejects = self._events, self._rejects
        self._events, self._rejects = [], []
        while True:
            try:
                await asyncio.to_thread(self.producer.publish, events, rejects=rejects)
            except redis.RedisError as exc:
                if self.clock() >= self._give_up_at:
                    self.stats.lost_events += len(events)
                    log.error("gave up publishing %d AMI events at stop: %s", len(events), exc)
                    return
                # The same batch again (its event ids make a repeat harmless), logged once
                # per outage; reading goes on meanwhile, up to max_pending events.
                await asyncio.sleep(self.redis_outage.failed(exc))
            else:
                self.redis_outage.recovered()
                self.stats.published_events += len(events)
                self.stats.published_rejects += len(rejects)
                return
