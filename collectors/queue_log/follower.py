"""Read a queue_log file into the event stream: once, or following it live like ``tail -F``.

Exactly once across restarts: every :meth:`EventProducer.publish` carries the events of a batch
*and* the offset just after its last line, in one MULTI/EXEC. A reader that dies between two
publishes resumes from an offset that matches what is in the stream.

The offset says which file (path, inode, device and a fingerprint: the hash of its first
``min(256, position)`` bytes) and where (the byte after the last complete line consumed, and
that line's number). On start the reader resumes there if the file at the path still has that
fingerprint and is at least that long; otherwise it is another file and reading starts at 0.

While following, the reader notices

- rotation (the path now names another inode): it reads the old file to its end first, since
  Asterisk may still write to it until it reopens its log, then starts the new one at 0;
- truncation (``copytruncate``: the file shrank below what was read, or its head changed):
  it starts the same file again at 0;
- a missing file (not created yet, or between rename and re-creation): it waits;
- read and Redis errors: it tries again from where it was, with back-off (capped at a few
  seconds), logging once when the errors begin and once when they end.
"""

from __future__ import annotations

import logging
import os
import stat
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import redis

from collectors.events import Event, Reject
from collectors.pipeline.outage import OutageTracker
from collectors.pipeline.producer import EventProducer
from collectors.queue_log.decoder import LineDecoder, merge_ignored
from collectors.queue_log.offset import Offset, ReadSummary, head_hash
from collectors.queue_log.parser import MAX_LINE_BYTES, default_source
from collectors.queue_log.survey import DEFAULT_SURVEY, SurveyMapping

log = logging.getLogger(__name__)

FINGERPRINT_BYTES = 256
"""How much of a file's head identifies it."""

Stop = threading.Event | Callable[[], bool] | None
"""What ends a follow loop: an event that gets set, or a function that returns True."""


def _stop_test(stop: Stop) -> Callable[[], bool]:
    if stop is None:
        return lambda: False
    if isinstance(stop, threading.Event):
        return stop.is_set
    return stop


class QueueLogReader:
    """Publishes a queue_log file's lines as events, in batches, with the offset.

    Args:
        path: the queue_log file.
        producer: where events, rejects and the offset go.
        source: the source name (offset key and event source); ``queue_log:<absolute path>``.
        from_start: ignore the stored offset and read the file from its beginning (safe: the
            aggregator drops events whose id it has already applied).
        batch_lines: publish once a batch holds at least this many lines (checked after each
            read, so a batch may exceed it by up to one read's worth of lines).
        batch_seconds: publish a batch that has been filling for this long even if it is small.
        read_size: bytes per read.
        max_line_bytes: longer lines are rejected.
        survey: which site-made verbs are survey answers (the others are counted as ignored).
    """

    def __init__(
        self,
        path: Path | str,
        *,
        producer: EventProducer,
        source: str | None = None,
        from_start: bool = False,
        batch_lines: int = 5000,
        batch_seconds: float = 0.2,
        read_size: int = 256 * 1024,
        max_line_bytes: int = MAX_LINE_BYTES,
        survey: SurveyMapping = DEFAULT_SURVEY,
    ) -> None:
        if batch_lines < 1 or read_size < 1:
            raise ValueError("batch_lines and read_size must be at least 1")
        self.path = Path(path)
        self.producer = producer
        self.source = source or default_source(self.path)
        self.batch_lines = batch_lines
        self.batch_seconds = batch_seconds
        self.read_size = read_size
        self.max_line_bytes = max_line_bytes
        self.survey = survey
        self.summary = ReadSummary(path=str(self.path), source=self.source)
        self._resume: Offset | None = None
        self._load_stored = not from_start
        self._fd: int | None = None
        self._ident = (0, 0)  # (device, inode) of the open file
        self._base = 0  # file position where the decoder started
        self._fingerprint = ("", 0)  # (hash, bytes hashed)
        self._decoder = self._new_decoder(1)
        self._events: list[Event] = []
        self._rejects: list[Reject] = []
        self._ignored: Counter[str] = Counter()  # custom lines not yet published
        self._lines = 0  # lines consumed and not yet published
        self._since = 0.0  # when the unpublished batch got its first line
        self._opened = False
        self._published: Offset | None = None
        self._stop: Callable[[], bool] = lambda: False
        # A Redis (or file) outage of any length while following: the same batch is published
        # again with back-off, logged once when it begins and once when it ends.
        self.outage = OutageTracker(f"queue_log {self.path}: Redis or the file", log)

    # --- state -------------------------------------------------------------------------------

    @property
    def position(self) -> int:
        """Byte offset after the last complete line consumed (published or not)."""
        return self._base + self._decoder.consumed

    @property
    def lineno(self) -> int:
        """Number of the last complete line consumed."""
        return self._decoder.lineno

    def offset(self) -> Offset:
        """The offset of what has been consumed so far."""
        device, inode = self._ident
        fp, fp_bytes = self._fingerprint
        return Offset(str(self.path), inode, device, self.position, self.lineno, fp, fp_bytes)

    def _new_decoder(self, first_lineno: int) -> LineDecoder:
        return LineDecoder(
            source=self.source,
            path_label=str(self.path),
            first_lineno=first_lineno,
            max_line_bytes=self.max_line_bytes,
            survey=self.survey,
        )

    # --- opening -----------------------------------------------------------------------------

    def _open(self) -> bool:
        """Open the file at the path and place the reader; ``False`` when there is no file."""
        if self._load_stored:
            self._resume = Offset.from_dict(self.producer.load_offset(self.source))
            self._load_stored = False
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            return False
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            os.close(fd)
            raise IsADirectoryError(f"{self.path} is a directory, not a queue_log file")
        self._fd, self._ident = fd, (st.st_dev, st.st_ino)
        resume, self._resume = self._resume, None
        if resume is not None and resume.position > 0 and self._same_file(resume, st.st_size):
            fingerprint = (resume.fingerprint, resume.fingerprint_bytes)
            self._place(resume.position, resume.lineno, fingerprint)
        else:
            if resume is not None and resume.position > 0:
                log.info("%s is not the file of the stored offset: reading it from 0", self.path)
            self._place(0, 0, ("", 0))
        if not self._opened:
            self._opened = True
            self.summary.resumed_at = self.position
        return True

    def _same_file(self, offset: Offset, size: int) -> bool:
        assert self._fd is not None  # noqa: S101 - only called with an open file
        if size < offset.position:
            return False
        return head_hash(self._fd, offset.fingerprint_bytes) == offset.fingerprint

    def _place(self, position: int, lineno: int, fingerprint: tuple[str, int]) -> None:
        assert self._fd is not None  # noqa: S101
        os.lseek(self._fd, position, os.SEEK_SET)
        self._base = position
        self._fingerprint = fingerprint
        self._decoder = self._new_decoder(lineno + 1)

    def close(self) -> None:
        """Close the file (the reader reopens it on the next poll)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    # --- reading and publishing --------------------------------------------------------------

    def _read_available(self) -> None:
        """Read to the current end of the open file, publishing full batches on the way."""
        assert self._fd is not None  # noqa: S101
        while not self._stop():
            data = os.read(self._fd, self.read_size)
            if not data:
                return
            self._take(self._decoder.feed, data)
            if self._lines >= self.batch_lines or (
                self._since and time.monotonic() - self._since >= self.batch_seconds
            ):
                self.flush()

    def _take(self, step: Callable[..., tuple[list[Event], list[Reject]]], *args: bytes) -> None:
        """Run a decoder step and add what it parsed to the unpublished batch."""
        before = self._decoder.lineno
        events, rejects = step(*args)
        if self._decoder.lineno != before and not self._lines:
            self._since = time.monotonic()
        self._lines += self._decoder.lineno - before
        self._events += events
        self._rejects += rejects
        merge_ignored(self._ignored, self._decoder.take_ignored())

    def flush(self) -> None:
        """Publish the unpublished lines with the offset after them (nothing if up to date)."""
        self._publish(self._refresh_fingerprint())

    def _publish(self, offset: Offset) -> None:
        if offset == self._published:
            return
        self.producer.publish(
            self._events, rejects=self._rejects, source=self.source, offset=offset.as_dict()
        )
        s = self.summary
        s.lines += self._lines
        s.events += len(self._events)
        s.rejects += len(self._rejects)
        s.rejects_by_reason.update(r.reason.split(":", 1)[0] for r in self._rejects)
        merge_ignored(s.ignored, self._ignored)
        s.batches += 1
        s.position = offset.position
        self._events, self._rejects, self._lines, self._since = [], [], 0, 0.0
        self._ignored = Counter()
        self._published = offset

    def _refresh_fingerprint(self) -> Offset:
        want = min(FINGERPRINT_BYTES, self.position)
        if self._fd is not None and self._fingerprint[1] < want:
            fp = head_hash(self._fd, want)
            if fp is not None:
                self._fingerprint = (fp, want)
        return self.offset()

    # --- following ---------------------------------------------------------------------------

    def _check_truncation(self) -> bool:
        """Start the open file again at 0 if it was truncated (copytruncate) or rewritten."""
        assert self._fd is not None  # noqa: S101
        size = os.fstat(self._fd).st_size
        read_to = os.lseek(self._fd, 0, os.SEEK_CUR)
        fp, fp_bytes = self._fingerprint
        if size >= read_to and (fp_bytes == 0 or head_hash(self._fd, fp_bytes) == fp):
            return False
        self._publish(self.offset())  # not flush(): the head now is another file's
        log.info(
            "%s was truncated (size %d, read up to %d): reading it from 0", self.path, size, read_to
        )
        self._place(0, 0, ("", 0))
        self._published = None
        self.summary.truncations += 1
        return True

    def _check_rotation(self) -> bool:
        """Finish the old file and switch to the new one when the path names another file."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return False  # renamed away, not re-created yet: keep reading the old one
        if (st.st_dev, st.st_ino) == self._ident:
            return False
        self._read_available()
        if self._stop():
            return False
        # the old file will not grow any more: its unterminated last line is all there is
        self._take(self._decoder.finish)
        self.flush()
        self.close()
        log.info("%s was rotated: reading the new file from 0", self.path)
        self._resume = None
        self._published = None
        self.summary.rotations += 1
        if self._open():
            self._read_available()
        return True

    def poll(self, *, follow: bool = True) -> None:
        """One round: publish what is pending, read what is new, notice rotation and truncation.

        Args:
            follow: also check for rotation; without it a missing file is an error.

        Raises:
            FileNotFoundError: without ``follow``, when the file does not exist.
            OSError, redis.RedisError: on read or publish errors (the state stays consistent).
        """
        if self._lines:
            self.flush()  # retry what an error kept from being published
        if self._fd is None and not self._open():
            if follow:
                return
            raise FileNotFoundError(f"no such queue_log file: {self.path}")
        self._check_truncation()
        self._read_available()
        if follow:
            self._check_rotation()
        self.flush()

    def _recover(self) -> None:
        """After a read or publish error: keep the unpublished batch, close the file."""
        if self._fd is not None:
            # Reopen later where consumption stands; the incomplete line is read again.
            try:
                self._resume = self._refresh_fingerprint()
            except OSError:
                self._resume = self.offset()
            self.close()

    def run(
        self, *, follow: bool = False, poll_interval: float = 0.5, stop: Stop = None
    ) -> ReadSummary:
        """Read the file once (default) or follow it until ``stop``.

        Args:
            follow: keep reading as the file grows, rotates or is truncated.
            poll_interval: seconds between looks at the file when following.
            stop: ends the follow loop (checked between polls and between batches).

        Returns:
            The summary of what was published.
        """
        self._stop = _stop_test(stop)
        try:
            if not follow:
                self.poll(follow=False)
            else:
                self._follow(poll_interval, stop)
        finally:
            self.summary.pending_bytes = self._decoder.pending
            self.close()
        return self.summary

    def _follow(self, poll_interval: float, stop: Stop) -> None:
        outage = self.outage
        while not self._stop():
            wait = poll_interval
            try:
                self.poll(follow=True)
            except (OSError, redis.RedisError) as exc:
                self._recover()
                wait = max(poll_interval, outage.failed(exc))
            else:
                outage.recovered()
            if isinstance(stop, threading.Event):
                stop.wait(wait)
            elif not self._stop():
                time.sleep(wait)
        try:
            self.flush()
        except (OSError, redis.RedisError) as exc:
            log.warning(
                "queue_log %s: last batch not published (%s); it will be read again", self.path, exc
            )


def follow(
    path: Path | str,
    *,
    producer: EventProducer,
    follow: bool = True,
    poll_interval: float = 0.5,
    stop: Stop = None,
    source: str | None = None,
    from_start: bool = False,
    batch_lines: int = 5000,
    batch_seconds: float = 0.2,
    read_size: int = 256 * 1024,
    survey: SurveyMapping = DEFAULT_SURVEY,
) -> ReadSummary:
    """Read a queue_log file into the stream once, or follow it; see :class:`QueueLogReader`.

    Args:
        path: the queue_log file.
        producer: where events, rejects and offsets go.
        follow: keep following until ``stop``; otherwise read to the end once.
        poll_interval: seconds between looks at the file when following.
        stop: ends the follow loop.
        source: the source name (default ``queue_log:<absolute path>``).
        from_start: ignore the stored offset.
        batch_lines: lines per published batch (at least).
        batch_seconds: longest time a batch waits to be published.
        read_size: bytes per read.
        survey: which site-made verbs are survey answers.
    """
    reader = QueueLogReader(
        path,
        producer=producer,
        source=source,
        from_start=from_start,
        batch_lines=batch_lines,
        batch_seconds=batch_seconds,
        read_size=read_size,
        survey=survey,
    )
    return reader.run(follow=follow, poll_interval=poll_interval, stop=stop)
