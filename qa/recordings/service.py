"""Finding and checking a call's recording.

A call's audio is, in order: the path imported for it (``calls.recording_ref``; relative paths
are taken under ``base_dir``), else the configured pattern filled from the call row, e.g.
``/var/spool/asterisk/monitor/{call_id}.wav`` or ``{date}/{queue}-{call_id}.wav``
(``FLOORBOARD_RECORDING_PATTERN``). Pattern fields: ``call_id`` (also ``uniqueid``), ``queue``,
``agent``, ``caller``, ``did``, ``source``, ``date`` (``YYYY-MM-DD``), ``year``, ``month``,
``day``, ``epoch`` (integer seconds) of the enqueue time in UTC, and the datetimes
``enqueued_at``, ``answered_at``, ``ended_at`` (format specs allowed: ``{enqueued_at:%H%M}``).

Problems raise :class:`RecordingError` whose ``reason`` the page can show as a clear message
(no recording configured, file missing, unreadable, not audio) instead of a broken player.
The web layer streams the file itself, with HTTP range requests (e.g. Flask ``send_file(...,
conditional=True)``), after :func:`qa.recordings.access.can_access`.
"""

from __future__ import annotations

import calendar
import os
import string
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from collectors.history.models import Call
from core.db import get_by_id
from qa.audit.service import record

MIME_TYPES = {
    ".wav": "audio/wav", ".mp3": "audio/mpeg", ".ogg": "audio/ogg", ".opus": "audio/ogg",
    ".oga": "audio/ogg", ".webm": "audio/webm", ".m4a": "audio/mp4", ".gsm": "audio/x-gsm",
    ".flac": "audio/flac",
}  # fmt: skip
FIELDS = (
    "call_id", "uniqueid", "queue", "agent", "caller", "did", "source", "date", "year",
    "month", "day", "epoch", "enqueued_at", "answered_at", "ended_at",
)  # fmt: skip


class RecordingError(Exception):
    """The recording cannot be played. ``reason``: ``no_recording``, ``bad_pattern``,
    ``unsafe``, ``missing``, ``unreadable`` or ``not_audio``; the message says what to do."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class RecordingInfo:
    """A playable recording: where it is, its size in bytes, MIME type, and for WAV files
    duration in seconds, sample rate and channels (None for other formats)."""

    path: Path
    size: int
    mime: str
    duration: float | None = None
    sample_rate: int | None = None
    channels: int | None = None


def pattern_fields(call: Call) -> dict[str, Any]:
    """The values a recording pattern may use for this call."""
    enqueued = call.enqueued_at
    return {
        "call_id": call.call_id, "uniqueid": call.call_id, "queue": call.queue,
        "agent": call.agent, "caller": call.caller, "did": call.did, "source": call.source,
        "date": enqueued.strftime("%Y-%m-%d"), "year": f"{enqueued.year:04d}",
        "month": f"{enqueued.month:02d}", "day": f"{enqueued.day:02d}",
        "epoch": calendar.timegm(enqueued.timetuple()),
        "enqueued_at": enqueued, "answered_at": call.answered_at, "ended_at": call.ended_at,
    }  # fmt: skip


def check_pattern(pattern: str) -> None:
    """Refuse a pattern with unknown fields, attribute or index access, or bad braces.

    Raises:
        RecordingError: ``bad_pattern``, naming the problem.
    """
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise RecordingError("bad_pattern", f"recording pattern {pattern!r}: {exc}") from exc
    for _text, name, _spec, _conv in parsed:
        if name is None:
            continue
        if name not in FIELDS:
            raise RecordingError(
                "bad_pattern",
                f"recording pattern {pattern!r}: unknown field {{{name}}}; "
                f"use {', '.join('{' + f + '}' for f in FIELDS)}",
            )


def _safe_value(value: Any) -> bool:
    text = str(value)
    return "/" not in text and "\\" not in text and text not in ("", ".", "..")


def expand_pattern(pattern: str, call: Call) -> Path:
    """The path the pattern gives for this call.

    Raises:
        RecordingError: ``bad_pattern`` or ``unsafe`` (a field value that would leave the
            folder, such as a call id containing ``/``).
    """
    check_pattern(pattern)
    fields = pattern_fields(call)
    used = {name for _t, name, _s, _c in string.Formatter().parse(pattern) if name}
    unsafe = [n for n in sorted(used) if isinstance(fields[n], str) and not _safe_value(fields[n])]
    if unsafe:
        raise RecordingError(
            "unsafe", f"call {call.call_id!r}: field(s) {', '.join(unsafe)} cannot form a path"
        )
    try:
        return Path(pattern.format(**fields))
    except (ValueError, TypeError) as exc:  # e.g. a datetime format on answered_at=None
        raise RecordingError("bad_pattern", f"recording pattern {pattern!r}: {exc}") from exc


def recording_path(call: Call, *, pattern: str = "", base_dir: Path | None = None) -> Path:
    """Where the call's recording should be (see the module docstring); not checked.

    Args:
        call: The call.
        pattern: The recording pattern ("" for none).
        base_dir: The folder relative paths are taken under (None: as given).

    Raises:
        RecordingError: ``no_recording`` (no imported path and no pattern), ``bad_pattern``,
            ``unsafe``.
    """
    if call.recording_ref:
        path = Path(call.recording_ref)
    elif pattern:
        path = expand_pattern(pattern, call)
    else:
        raise RecordingError(
            "no_recording",
            f"call {call.call_id} has no recording: none was imported and no recording "
            "pattern is configured (FLOORBOARD_RECORDING_PATTERN)",
        )
    if base_dir is not None and not path.is_absolute():
        path = base_dir / path
    return path


def check_audio(path: Path) -> RecordingInfo:
    """Check that ``path`` is a readable audio file; WAV files are parsed.

    Raises:
        RecordingError: ``missing``, ``unreadable`` or ``not_audio``.
    """
    mime = MIME_TYPES.get(path.suffix.lower())
    if mime is None:
        raise RecordingError("not_audio", f"{path} is not an audio file Floorboard can play")
    if not path.is_file():
        raise RecordingError("missing", f"the recording {path} does not exist")
    if not os.access(path, os.R_OK):
        raise RecordingError("unreadable", f"the recording {path} cannot be read (permissions)")
    size = path.stat().st_size
    if size == 0:
        raise RecordingError("unreadable", f"the recording {path} is empty")
    if mime != "audio/wav":
        return RecordingInfo(path, size, mime)
    try:
        with wave.open(str(path), "rb") as audio:
            rate, frames, channels = audio.getframerate(), audio.getnframes(), audio.getnchannels()
    except (wave.Error, EOFError, OSError) as exc:
        raise RecordingError(
            "unreadable", f"the recording {path} is not a valid WAV file: {exc}"
        ) from exc
    duration = frames / rate if rate else None
    return RecordingInfo(path, size, mime, duration, rate, channels)


def find_recording(call: Call, *, pattern: str = "", base_dir: Path | None = None) -> RecordingInfo:
    """The call's recording, checked (see :func:`recording_path` and :func:`check_audio`).

    Raises:
        RecordingError: Why it cannot be played.
    """
    return check_audio(recording_path(call, pattern=pattern, base_dir=base_dir))


def attach_recording(
    *, db_session: Session, call_pk: int, path: Path, actor: str, check: bool = True
) -> Call:
    """Import a recording's path for a call (it takes precedence over the pattern).

    Args:
        db_session: The session.
        call_pk: The call (``calls.id``).
        path: The audio file.
        actor: Who imports (audit log).
        check: Refuse a file that is missing or not playable.

    Raises:
        RecordingError: ``missing``/``unreadable``/``not_audio`` (with ``check``), or
            ``no_recording`` when there is no such call.
    """
    call = get_by_id(db_session, Call, call_pk)
    if call is None:
        raise RecordingError("no_recording", f"there is no call {call_pk} in the call history")
    if check:
        check_audio(path)
    call.recording_ref = str(path)
    db_session.flush()
    record(
        db_session=db_session, actor=actor, action="recording.attach", entity="call",
        entity_id=str(call.id), details={"call_id": call.call_id, "path": str(path)},
    )  # fmt: skip
    return call


def attach_demo_recordings(
    *, db_session: Session, files: Sequence[Path], actor: str, limit: int | None = None
) -> int:
    """Give answered calls without a recording one of ``files`` each, in turn (demo data).

    Args:
        db_session: The session.
        files: The recordings to share out.
        actor: Who does it (one audit entry).
        limit: At most this many calls (the oldest first); all by default.

    Returns:
        The number of calls given a recording.
    """
    if not files:
        return 0
    query = (
        select(Call)
        .where(Call.recording_ref == "", Call.agent != "", Call.answered_at.is_not(None))
        .order_by(Call.id)
    )
    if limit is not None:
        query = query.limit(limit)
    calls = list(db_session.scalars(query))
    for n, call in enumerate(calls):
        call.recording_ref = str(files[n % len(files)])
    db_session.flush()
    record(
        db_session=db_session, actor=actor, action="recording.attach_demo", entity="call",
        entity_id="*", details={"calls": len(calls), "files": [str(f) for f in files]},
    )  # fmt: skip
    return len(calls)
