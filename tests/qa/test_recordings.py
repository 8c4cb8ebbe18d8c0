"""Recordings: the access rule, pattern resolution, imported paths, clear errors for missing or
broken audio, and the generated demo recordings."""

from __future__ import annotations

import wave
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from qa_factories import make_call
from sqlalchemy.orm import Session

from collectors.history.models import Call
from qa.recordings.access import can_access
from qa.recordings.demo import write_demo_recordings
from qa.recordings.service import (
    RecordingError,
    attach_demo_recordings,
    attach_recording,
    check_audio,
    expand_pattern,
    find_recording,
    recording_path,
)


def _call(**kw: object) -> Call:
    values: dict[str, object] = {
        "call_id": "1767603600.42",
        "queue": "sales",
        "agent": "A1",
        "caller": "13800000000",
        "did": "400",
        "source": "pbx1",
        "enqueued_at": datetime(2026, 1, 5, 9, 0, 7),
        "answered_at": datetime(2026, 1, 5, 9, 0, 17),
        "ended_at": datetime(2026, 1, 5, 9, 3),
        "recording_ref": "",
    }
    values.update(kw)
    return Call(**values)


@pytest.mark.parametrize(
    ("role", "agent_id", "expected"),
    [
        ("supervisor", None, True),
        ("qa", None, True),
        ("admin", None, True),
        ("agent", "A1", True),
        ("agent", "A2", False),
        ("agent", None, False),
        ("agent", "", False),
        ("hr", None, False),
        ("display", None, False),
        (None, None, False),
    ],
)
def test_access_rule(role: str | None, agent_id: str | None, expected: bool) -> None:
    assert can_access(role, agent_id, SimpleNamespace(agent="A1")) is expected
    assert can_access(role, agent_id, _call()) is expected


def test_pattern_uses_fields_of_the_call() -> None:
    call = _call()
    assert expand_pattern("/var/spool/asterisk/monitor/{call_id}.wav", call) == Path(
        "/var/spool/asterisk/monitor/1767603600.42.wav"
    )
    assert expand_pattern("{year}/{month}/{day}/{queue}-{agent}-{uniqueid}.wav", call) == Path(
        "2026/01/05/sales-A1-1767603600.42.wav"
    )
    assert expand_pattern("{date}_{enqueued_at:%H%M%S}_{epoch}.wav", call) == Path(
        "2026-01-05_090007_1767603607.wav"
    )


def test_bad_and_unsafe_patterns() -> None:
    with pytest.raises(RecordingError, match=r"unknown field \{callid\}") as info:
        expand_pattern("/rec/{callid}.wav", _call())
    assert info.value.reason == "bad_pattern"
    with pytest.raises(RecordingError, match="unknown field"):
        expand_pattern("/rec/{call_id.__class__}.wav", _call())
    with pytest.raises(RecordingError) as info:
        expand_pattern("/rec/{call_id}.wav", _call(call_id="../../etc/passwd"))
    assert info.value.reason == "unsafe"
    with pytest.raises(RecordingError, match="no recording pattern is configured") as info:
        recording_path(_call())
    assert info.value.reason == "no_recording"


def test_imported_path_wins_and_relative_paths_use_the_base_dir(tmp_path: Path) -> None:
    call = _call(recording_ref="imported/x.wav")
    assert recording_path(call, pattern="/p/{call_id}.wav", base_dir=tmp_path) == (
        tmp_path / "imported/x.wav"
    )
    assert recording_path(_call(), pattern="{call_id}.wav", base_dir=tmp_path) == (
        tmp_path / "1767603600.42.wav"
    )


def test_missing_unreadable_and_not_audio(tmp_path: Path) -> None:
    cases = {
        "missing": tmp_path / "nope.wav",
        "unreadable": tmp_path / "broken.wav",
        "not_audio": tmp_path / "notes.txt",
    }
    cases["unreadable"].write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    cases["not_audio"].write_text("hello")
    for reason, path in cases.items():
        with pytest.raises(RecordingError) as info:
            check_audio(path)
        assert info.value.reason == reason
        assert str(path) in str(info.value)
    empty = tmp_path / "empty.mp3"
    empty.write_bytes(b"")
    with pytest.raises(RecordingError, match="is empty"):
        check_audio(empty)


def test_demo_recordings_are_short_valid_wav_files(tmp_path: Path) -> None:
    files = write_demo_recordings(tmp_path / "rec", count=3, seconds=4)
    assert [f.name for f in files] == ["demo-1.wav", "demo-2.wav", "demo-3.wav"]
    for path in files:
        info = check_audio(path)
        assert (info.mime, info.duration, info.sample_rate, info.channels) == (
            "audio/wav",
            4.0,
            8000,
            1,
        )
        assert info.size < 100_000
        with wave.open(str(path)) as audio:
            frames = audio.readframes(audio.getnframes())
        assert len(set(frames)) > 100  # not silence
    assert files[0].read_bytes() != files[1].read_bytes()
    again = write_demo_recordings(tmp_path / "again", count=1, seconds=4)
    assert again[0].read_bytes() == files[0].read_bytes()  # deterministic
    with pytest.raises(ValueError, match="count 0"):
        write_demo_recordings(tmp_path, count=0)


def test_attach_and_find(db_session: Session, tmp_path: Path) -> None:
    files = write_demo_recordings(tmp_path, count=2, seconds=1)
    calls = [make_call(db_session, agent="A1") for _ in range(3)]
    make_call(db_session, agent="A1", outcome="abandoned", talk=None)
    assert attach_demo_recordings(db_session=db_session, files=files, actor="demo") == 3
    assert [c.recording_ref for c in calls] == [str(files[0]), str(files[1]), str(files[0])]
    assert find_recording(calls[1]).path == files[1]
    other = make_call(db_session, agent="A2")
    with pytest.raises(RecordingError, match="does not exist"):
        attach_recording(
            db_session=db_session, call_pk=other.id, path=tmp_path / "x.wav", actor="sup"
        )
    attach_recording(db_session=db_session, call_pk=other.id, path=files[1], actor="sup")
    assert find_recording(other, pattern="/nowhere/{call_id}.wav").duration == 1.0
