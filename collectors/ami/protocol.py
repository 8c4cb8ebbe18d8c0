"""The Asterisk Manager Interface wire protocol: a banner line, then ``Key: Value`` blocks.

On connect the server sends one line, ``Asterisk Call Manager/<version>``. After that every
message, in both directions, is a block of ``Key: Value`` lines ended by a blank line. A client
sends ``Action:`` blocks (with an ``ActionID`` it chooses); the server answers with ``Response:``
blocks carrying that ``ActionID`` and sends ``Event:`` blocks, some of them part of an action's
answer (``QueueStatus`` lists its members as events with the action's ``ActionID``).

Lines end in ``\\r\\n``; a bare ``\\n`` is accepted too. :class:`Decoder` takes the byte stream in
pieces of any size and yields the same messages whatever the cut. It never raises on input: a
block it cannot read (a line without a colon, a block over ``max_message_bytes``, a block cut off
by the end of the stream) becomes a :class:`ProtocolError` and decoding resumes at the next
block. Values are UTF-8; a block that is not is read as Latin-1 (older systems put Latin-1
caller names on the wire) rather than thrown away.

A saved capture (``Decoder(capture=True)``, for ``floorboard collect ami --replay``) may hold
Asterisk console output around the blocks: such lines are skipped and counted (see
:mod:`.noise`) instead of spoiling the block they stand in, and any other line that is not a
field is reported on its own while the block around it is still read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from hashlib import blake2b

from collectors.ami.noise import as_shown, is_field, noise_kind

BANNER_PREFIX = "Asterisk Call Manager/"
MAX_MESSAGE_BYTES = 64 * 1024
"""Longest accepted block in bytes; Asterisk's own are far smaller (a few KiB at most)."""

PREVIEW_BYTES = 256
"""How much of a bad block its dead letter keeps."""


@dataclass(frozen=True, slots=True)
class Message:
    """One block: its fields in wire order and the bytes it came from (without the blank line).

    Keys keep their case for :meth:`digest`; :meth:`get` looks them up case-insensitively, as
    Asterisk does for actions. ``line`` is the block's first line in the stream (1-based; 0 when
    not known); it is not part of what the block says.
    """

    fields: tuple[tuple[str, str], ...]
    raw: bytes = b""
    line: int = field(default=0, compare=False)

    def get(self, key: str, default: str = "") -> str:
        """The value of the first field named ``key`` (any case), or ``default``."""
        wanted = key.lower()
        for name, value in self.fields:
            if name.lower() == wanted:
                return value
        return default

    def has(self, key: str) -> bool:
        wanted = key.lower()
        return any(name.lower() == wanted for name, _ in self.fields)

    @property
    def event(self) -> str:
        """The event name, ``""`` when this is not an event."""
        return self.get("Event")

    @property
    def response(self) -> str:
        """``Success``, ``Error``, ``Goodbye``..., ``""`` when this is not a response."""
        return self.get("Response")

    @property
    def action_id(self) -> str:
        return self.get("ActionID")

    def digest(self) -> str:
        """A hash of the fields (not of line endings): the same block always gives the same."""
        text = "\n".join(f"{k}: {v}" for k, v in self.fields)
        return blake2b(text.encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()

    def preview(self) -> str:
        return preview(self.raw)


@dataclass(frozen=True, slots=True)
class ProtocolError:
    """A block that could not be read, with why and what it looked like."""

    reason: str
    raw: str
    line: int = field(default=0, compare=False)


def preview(raw: bytes) -> str:
    """The first :data:`PREVIEW_BYTES` of ``raw`` as text, for a dead letter."""
    return raw[:PREVIEW_BYTES].decode("utf-8", "backslashreplace")


def parse_banner(line: bytes) -> str:
    """The version in the server's first line (``Asterisk Call Manager/7.0.3`` → ``7.0.3``).

    Raises:
        ValueError: the line is not an AMI banner (not an Asterisk manager port).
    """
    text = line.rstrip(b"\r\n").decode("utf-8", "replace")
    if not text.startswith(BANNER_PREFIX) or len(text) == len(BANNER_PREFIX):
        raise ValueError(f"not an Asterisk manager banner: {text[:80]!r}")
    return text[len(BANNER_PREFIX) :]


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def parse_block(lines: Iterable[bytes], raw: bytes, start: int = 0) -> Message | ProtocolError:
    """One block's lines (without line endings) → a :class:`Message`, or why not; ``start`` is
    the line where the block starts in its stream."""
    fields: list[tuple[str, str]] = []
    for number, line in enumerate(lines, 1):
        text = _decode(line)
        key, colon, value = text.partition(":")
        key = key.strip()
        if not colon or not key or any(c.isspace() for c in key):
            why = f"malformed line: line {number} of the message is not 'Key: Value'"
            return ProtocolError(why, preview(raw), start)
        fields.append((key, value[1:] if value.startswith(" ") else value))
    return Message(tuple(fields), raw, start)


class Decoder:
    """Splits an AMI byte stream into messages, whatever sizes it arrives in.

    Args:
        max_message_bytes: a block longer than this is dropped as it arrives (never buffered
            whole) and reported once as ``message too long``.
        capture: the bytes are a saved capture, not a live socket: Asterisk console output
            between and around blocks is skipped and counted in :attr:`noise` (by kind), and a
            line that is neither a field nor console output is reported alone (``unreadable
            line``) without losing the block it stands in.
    """

    def __init__(
        self, *, max_message_bytes: int = MAX_MESSAGE_BYTES, capture: bool = False
    ) -> None:
        if max_message_bytes < 64:
            raise ValueError("max_message_bytes must be at least 64")
        self.max_message_bytes = max_message_bytes
        self.capture = capture
        self.lines_read = 0
        self.noise: Counter[str] = Counter()
        self._block_line = 0  # where the current block started
        self._after_noise = False  # console output came since the block's last field
        self._buf = b""
        self._lines: list[bytes] = []
        self._size = 0  # bytes of the block so far, line endings included
        self._skipping = False  # inside a block that is already too long
        self._mid_line = False  # the start of the current line was dropped
        self._skipped_head = b""

    @property
    def pending(self) -> int:
        """Bytes of an unfinished block kept in memory (0 between blocks; bounded by about twice
        ``max_message_bytes`` whatever arrives)."""
        return len(self._buf) + sum(len(line) + 2 for line in self._lines)

    def feed(self, data: bytes) -> list[Message | ProtocolError]:
        """Add bytes; return every block they complete, in order."""
        out: list[Message | ProtocolError] = []
        buf = self._buf + data if self._buf else data
        start = 0
        while True:
            end = buf.find(b"\n", start)
            if end < 0:
                break
            self._line(buf[start:end], out)
            start = end + 1
        self._buf = rest = buf[start:]
        limit = self.max_message_bytes
        # A line that never ends must not grow the buffer without bound. (A lone "\r" may be
        # the start of the blank line that ends the block: it is never dropped.)
        if rest != b"\r" and (
            len(rest) > limit or (not self._skipping and len(rest) + self._size > limit)
        ):
            self._start_skip(rest)
            self._buf = b""
        return out

    def finish(self) -> list[Message | ProtocolError]:
        """The stream ended: a block without its blank line is reported, not parsed."""
        out: list[Message | ProtocolError] = []
        if self._buf:
            self._line(self._buf, out)
            self._buf = b""
        if self._skipping or self._lines:
            head = self._skipped_head or b"\r\n".join(self._lines)
            why = "truncated message: the stream ended inside it"
            out.append(ProtocolError(why, preview(head), self._block_line))
        self._reset()
        return out

    def _line(self, line: bytes, out: list[Message | ProtocolError]) -> None:
        self.lines_read += 1
        if self._mid_line:  # the end of a line whose start was already dropped
            self._mid_line = False
            self._size += len(line) + 1
            return
        text = line[:-1] if line.endswith(b"\r") else line
        if self.capture and text:
            kept = self._capture_line(text, out)
            if kept is None:
                return
            text = kept
        if not text:
            self._end_block(out)
            return
        self._size += len(line) + 1  # the line as sent, with its "\n"
        if self._skipping:
            return
        if not self._lines:
            self._block_line = self.lines_read
        self._lines.append(text)
        if self._size > self.max_message_bytes:
            self._start_skip(b"")

    def _capture_line(self, text: bytes, out: list[Message | ProtocolError]) -> bytes | None:
        """A capture's line as the block should see it (``b""`` ends the block), or ``None``
        when it is console output or unreadable (counted or reported here)."""
        clean = as_shown(text)
        if not clean.strip():  # colour codes or spaces alone: a blank line
            return b""
        kind, clean = noise_kind(clean)
        if kind:
            self.noise[kind] += 1
            self._after_noise = True
            return None
        if not is_field(clean):
            why = "unreadable line: neither 'Key: Value' nor Asterisk console output"
            out.append(ProtocolError(why, preview(clean), self.lines_read))
            return None
        key = clean.partition(b":")[0].lower()
        if self._after_noise and self._lines and key in (b"event", b"response", b"action"):
            self._end_block(out)  # console output stood where the blank line should have been
        self._after_noise = False
        return clean

    def _start_skip(self, partial: bytes) -> None:
        """Stop keeping the block; ``partial`` is the start of a line still arriving."""
        if not self._block_line:
            self._block_line = self.lines_read + 1
        if not self._skipping:
            self._skipped_head = (b"\r\n".join(self._lines) + partial)[:PREVIEW_BYTES]
            self._skipping = True
            self._lines = []
        self._size += len(partial)
        self._mid_line = self._mid_line or bool(partial)

    def _end_block(self, out: list[Message | ProtocolError]) -> None:
        if self._skipping:
            why = f"message too long: {self._size} bytes (limit {self.max_message_bytes})"
            out.append(ProtocolError(why, preview(self._skipped_head), self._block_line))
        elif self._lines:
            out.append(parse_block(self._lines, b"\r\n".join(self._lines), self._block_line))
        # else: blank lines between blocks are padding, not messages
        self._reset()

    def _reset(self) -> None:
        self._lines = []
        self._size = 0
        self._skipping = self._mid_line = self._after_noise = False
        self._skipped_head = b""
        self._block_line = 0


def encode(fields: Iterable[tuple[str, str]] | Mapping[str, str]) -> bytes:
    """One block on the wire: ``Key: Value\\r\\n`` lines and the blank line.

    Raises:
        ValueError: a key or value holds a line break (it would inject a second message).
    """
    pairs = fields.items() if isinstance(fields, Mapping) else fields
    out: list[str] = []
    for key, value in pairs:
        if any(c in "\r\n" for c in key + value) or not key or ":" in key:
            raise ValueError(f"AMI field {key!r} cannot be sent: line break or bad key")
        out.append(f"{key}: {value}\r\n")
    return ("".join(out) + "\r\n").encode("utf-8")


def encode_action(action: str, action_id: str, fields: Mapping[str, str] | None = None) -> bytes:
    """An ``Action:`` block with its ``ActionID`` and fields (see :func:`encode`)."""
    pairs = [("Action", action), ("ActionID", action_id), *(fields or {}).items()]
    return encode(pairs)
