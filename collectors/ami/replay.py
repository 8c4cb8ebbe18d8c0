"""A saved AMI capture through the live collector's decoder and mapper (``collect ami --replay``).

The capture is whatever was saved of an AMI session: a socket dump (``nc pbx 5038 | tee``), or
the Asterisk console with ``manager set debug on`` copied to a file. It is decoded with
:class:`~collectors.ami.protocol.Decoder` in capture mode (console output is skipped and
counted, see :mod:`.noise`) and mapped by :class:`~collectors.ami.mapping.AmiMapper` exactly as
live, so the events and their ids are those the live collector would have published.

Time. The mapper dates an event by its ``Timestamp`` header and settles undecided calls on a
clock; here that clock is the capture's own: the last ``Timestamp`` read (the first one in the
file for what comes before it, such as a ``QueueStatus`` answer at the start). A capture
without any ``Timestamp`` (``timestampevents`` off) has no time of its own: its events are all
dated ``untimed_at`` (the caller's choice; the CLI uses the file's modification time, the end
of the recording), durations still come from the events' ``HoldTime``/``TalkTime``, and the
summary says so.

Repeats. Asterisk's debug output shows an event once per AMI session it examines it for, so a
console capture can hold the same block several times. A block with a ``Timestamp`` seen again
among the last :data:`REPEAT_WINDOW` is counted as a repeat and not mapped again (its ids would
be the same anyway). Without ``Timestamp`` two identical blocks may be two happenings (a member
rung twice), so they are kept.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections import Counter, OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from collectors.ami.mapping import AmiMapper, MappingError
from collectors.ami.protocol import Decoder, Message, ProtocolError
from collectors.ami.timestamps import TimestampCheck
from collectors.events import Event, Reject
from collectors.pipeline.producer import EventProducer

log = logging.getLogger(__name__)

REPEAT_WINDOW = 10_000
"""How many recent timestamped blocks are remembered to recognise a repeat."""

_CHUNK = 256 << 10
_FIRST_TIMESTAMP = re.compile(rb"\nTimestamp: *(\d{1,11}(?:\.\d+)?)\r?\n")


class ReplayError(Exception):
    """The capture cannot be read (the message names it)."""


@dataclass
class ReplaySummary:
    """What a replay read, made and skipped."""

    path: str
    source: str
    dry_run: bool
    lines: int = 0
    blocks: int = 0
    events: Counter[str] = field(default_factory=Counter)
    """Canonical events made, by kind."""
    ami_events: int = 0
    ignored: int = 0
    """AMI events the mapping does not need (``Newchannel``, ``VarSet`` of other variables...)."""
    actions: int = 0
    """The client's own ``Action`` blocks (a two-way dump, or the debug echo of an action)."""
    responses: int = 0
    repeats: int = 0
    noise: Counter[str] = field(default_factory=Counter)
    """Console lines skipped, by kind (see :mod:`collectors.ami.noise`)."""
    rejected: int = 0
    rejects_by_reason: Counter[str] = field(default_factory=Counter)
    samples: list[Reject] = field(default_factory=list)
    timed: int = 0
    untimed: int = 0
    untimed_at: float | None = None
    """The time given to events when the capture has no ``Timestamp`` at all."""
    first_ts: float | None = None
    last_ts: float | None = None

    @property
    def noise_lines(self) -> int:
        return sum(self.noise.values())

    @property
    def timestamps(self) -> str:
        """``present`` (every queue event had one), ``missing`` (none had), ``partial``, or
        ``unknown`` (no queue event)."""
        if self.untimed and self.timed:
            return "partial"
        if self.untimed:
            return "missing"
        return "present" if self.timed else "unknown"


def first_timestamp(path: Path) -> float | None:
    """The first ``Timestamp:`` value in the file, read only as far as it (``None``: none)."""
    tail = b"\n"  # the file starts a line; later, the end of the last chunk (a match may span)
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            found = _FIRST_TIMESTAMP.search(tail + chunk)
            if found:
                return float(found.group(1))
            tail = chunk[-64:]
    return None


class _Replay:
    """One replay's state: the decoder, the mapper, the clock, what waits to be published."""

    def __init__(
        self,
        summary: ReplaySummary,
        mapper: AmiMapper,
        producer: EventProducer | None,
        clock: float,
        batch_size: int,
        max_samples: int,
    ) -> None:
        self.summary, self.mapper, self.producer = summary, mapper, producer
        self.decoder = Decoder(capture=True)
        self.check = TimestampCheck(mapper.handled)
        self.clock = self.last_expiry = clock
        self.batch_size, self.max_samples = batch_size, max_samples
        self.events: list[Event] = []
        self.rejects: list[Reject] = []
        self.recent: OrderedDict[str, None] = OrderedDict()

    def feed(self, items: Iterable[Message | ProtocolError]) -> None:
        for item in items:
            if isinstance(item, ProtocolError):
                self.reject(item.line, item.raw, item.reason)
                continue
            self.summary.blocks += 1
            if item.has("Event"):
                self.event(item)
            elif item.has("Response"):
                self.summary.responses += 1
            elif item.has("Action"):
                self.summary.actions += 1
            else:
                self.reject(item.line, item.preview(), "unexpected message: no Event or Response")
        if len(self.events) + len(self.rejects) >= self.batch_size:
            self.publish()

    def event(self, msg: Message) -> None:
        self.summary.ami_events += 1
        stamp = msg.get("Timestamp").strip()
        if stamp:
            if self.repeated(msg):
                return
            with contextlib.suppress(ValueError):  # a bad one: the mapper rejects the block
                self.clock = max(self.clock, float(stamp))
        if self.clock - self.last_expiry >= 1.0:
            # what settled before this block's time comes before it, as live
            self.last_expiry = self.clock
            self.add(self.mapper.expire(now=self.clock))
        self.check.observe(msg)
        if msg.event not in self.mapper.handled:
            self.summary.ignored += 1
            return
        try:
            self.add(self.mapper.map(msg, now=self.clock))
        except MappingError as exc:
            self.reject(msg.line, msg.preview(), str(exc))
        except Exception as exc:  # a mapper bug: keep the input, as the live collector does
            log.exception("mapping %s failed", msg.event)
            self.reject(msg.line, msg.preview(), f"mapping failed: {type(exc).__name__}")

    def repeated(self, msg: Message) -> bool:
        digest = msg.digest()
        if digest in self.recent:
            self.summary.repeats += 1
            return True
        self.recent[digest] = None
        if len(self.recent) > REPEAT_WINDOW:
            self.recent.popitem(last=False)
        return False

    def add(self, events: list[Event]) -> None:
        for event in events:
            self.summary.events[event.kind] += 1
            first, last = self.summary.first_ts, self.summary.last_ts
            self.summary.first_ts = event.ts if first is None else min(first, event.ts)
            self.summary.last_ts = event.ts if last is None else max(last, event.ts)
        self.events.extend(events)

    def reject(self, line: int, raw: str, reason: str) -> None:
        reject = Reject(self.summary.source, f"{self.summary.path}:{line}", raw, reason)
        self.summary.rejected += 1
        self.summary.rejects_by_reason[reason.split(":", 1)[0]] += 1
        if len(self.summary.samples) < self.max_samples:
            self.summary.samples.append(reject)
        self.rejects.append(reject)

    def publish(self) -> None:
        if self.producer is not None:
            self.producer.publish(self.events, rejects=self.rejects)
        self.events, self.rejects = [], []

    def finish(self) -> None:
        self.feed(self.decoder.finish())
        self.add(self.mapper.resolve_all())
        self.publish()
        s = self.summary
        s.lines, s.noise = self.decoder.lines_read, self.decoder.noise
        s.timed, s.untimed = self.check.timed, self.check.untimed


def replay_capture(
    path: Path,
    *,
    producer: EventProducer | None,
    server: str,
    untimed_at: float,
    settle_seconds: float = 3.0,
    batch_size: int = 5000,
    max_samples: int = 10,
) -> ReplaySummary:
    """Read the capture at ``path`` and publish its events (``producer=None``: a dry run).

    Args:
        path: the capture.
        producer: where events and rejects go; ``None`` publishes nothing.
        server: the server part of event ids (the live collector's ``host:port`` or
            ``--server-name`` gives the ids it would have given).
        untimed_at: the time of every event when the capture has no ``Timestamp`` at all.
        settle_seconds: see :class:`~collectors.ami.mapping.AmiMapper`, on the capture's clock.
        batch_size: events and rejects per Redis transaction.
        max_samples: rejects kept in the summary to be shown.

    Raises:
        ReplayError: the file cannot be read.
    """
    source = f"ami:{server}"
    summary = ReplaySummary(path=str(path), source=source, dry_run=producer is None)
    try:
        first = first_timestamp(path)
        summary.untimed_at = None if first is not None else untimed_at
        mapper = AmiMapper(source=source, server=server, settle_seconds=settle_seconds)
        replay = _Replay(summary, mapper, producer, first or untimed_at, batch_size, max_samples)
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                replay.feed(replay.decoder.feed(chunk))
    except OSError as exc:
        raise ReplayError(f"cannot read {path}: {exc.strerror or exc}") from exc
    replay.finish()
    return summary
