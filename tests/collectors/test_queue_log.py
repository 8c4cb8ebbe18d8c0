"""The queue_log parser: every mapped event, every kind of bad line, and its invariants."""

from __future__ import annotations

from collections import Counter
from hashlib import blake2b
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collectors.events import Event, Kind, Reject
from collectors.queue_log.decoder import (
    Ignored,
    LineDecoder,
    parse_bytes,
    parse_file,
    parse_line,
    parse_lines,
)
from collectors.queue_log.parser import EVENT_NAMES, default_source

SRC = "queue_log:/var/log/asterisk/queue_log"
TS = "1710144123"


def ev(
    rest: str, *, call: str = "1710144100.12", queue: str = "support", agent: str = "Agent/1001"
) -> Event:
    """Parse ``epoch|call|queue|agent|<rest>`` and insist that it is an event."""
    result = parse_line(f"{TS}|{call}|{queue}|{agent}|{rest}", source=SRC, location="q:1")
    assert isinstance(result, Event), result
    return result


def rej(line: str) -> Reject:
    result = parse_line(line, source=SRC, location="q:7")
    assert isinstance(result, Reject), result
    return result


# --- one test per mapped event ----------------------------------------------------------------


def test_common_fields_and_content_id() -> None:
    line = f"{TS}.25|1710144100.12|support|Agent/1001|CONNECT|8|1710144115.33|6"
    e = parse_line(line + "\r\n", source=SRC, location="q:1")
    assert isinstance(e, Event)
    assert (e.ts, e.source, e.call_id, e.queue, e.agent) == (
        1710144123.25,
        SRC,
        "1710144100.12",
        "support",
        "Agent/1001",
    )
    assert e.event_id == blake2b(line.encode(), digest_size=10).hexdigest()


def test_enterqueue_with_and_without_position() -> None:
    e = ev("ENTERQUEUE||13800138001|3", agent="NONE")
    assert (e.kind, e.target, e.position, e.agent) == (Kind.ENQUEUE, "13800138001", 3, "")
    old = ev("ENTERQUEUE||13800138001", agent="")
    assert (old.position, old.target) == (None, "13800138001")
    assert ev("ENTERQUEUE||13800138001|").position is None


def test_connect_with_and_without_ringtime() -> None:
    e = ev("CONNECT|8|1710144115.33|6")
    assert (e.kind, e.wait, e.ring) == (Kind.ANSWER, 8.0, 6.0)
    assert ev("CONNECT|8|1710144115.33").ring is None


@pytest.mark.parametrize(
    ("name", "who"), [("COMPLETEAGENT", "agent"), ("COMPLETECALLER", "caller")]
)
def test_complete(name: str, who: str) -> None:
    e = ev(f"{name}|12|288|1")
    assert (e.kind, e.reason, e.wait, e.talk) == (Kind.COMPLETE, who, 12.0, 288.0)


def test_abandon() -> None:
    e = ev("ABANDON|2|3|42", agent="NONE")
    assert (e.kind, e.position, e.wait) == (Kind.ABANDON, 2, 42.0)


@pytest.mark.parametrize(
    ("name", "kind"), [("EXITWITHTIMEOUT", Kind.EXIT_TIMEOUT), ("EXITEMPTY", Kind.EXIT_EMPTY)]
)
def test_exit_with_and_without_waittime(name: str, kind: Kind) -> None:
    e = ev(f"{name}|1|3|240")
    assert (e.kind, e.position, e.wait) == (kind, 1, 240.0)
    old = ev(f"{name}|2")
    assert (old.kind, old.position, old.wait) == (kind, 2, None)
    assert ev(f"{name}|2|1|").wait is None


def test_exitwithkey_with_and_without_waittime() -> None:
    e = ev("EXITWITHKEY|0|3|4|45")
    assert (e.kind, e.reason, e.position, e.wait) == (Kind.EXIT_KEY, "0", 3, 45.0)
    old = ev("EXITWITHKEY|9|1")
    assert (old.reason, old.position, old.wait) == ("9", 1, None)


@pytest.mark.parametrize(("name", "how"), [("TRANSFER", "transfer"), ("BLINDTRANSFER", "blind")])
def test_transfer_and_blind_transfer(name: str, how: str) -> None:
    e = ev(f"{name}|2100|from-internal|6|95|1")
    assert (e.kind, e.reason, e.target, e.wait, e.talk) == (
        Kind.TRANSFER,
        how,
        "2100@from-internal",
        6.0,
        95.0,
    )


@pytest.mark.parametrize(
    ("data", "target"),
    [
        ("BRIDGE|7c1e0f8a-3b2d|8|262|1", "7c1e0f8a-3b2d"),
        ("APP|VoiceMail|7|173|1", "VoiceMail"),
        ("LINK|PJSIP/1003-0000002a|PJSIP/2200-0000002b|4|296|1", "PJSIP/2200-0000002b"),
    ],
)
def test_attended_transfer_variants(data: str, target: str) -> None:
    e = ev(f"ATTENDEDTRANSFER|{data}")
    assert (e.kind, e.reason, e.target) == (Kind.TRANSFER, "attended", target)
    wait, talk = (float(x) for x in data.split("|")[-3:-1])
    assert (e.wait, e.talk) == (wait, talk)


def test_ringnoanswer_and_ringcanceled_in_seconds() -> None:
    e = ev("RINGNOANSWER|15000")
    assert (e.kind, e.ring, e.reason) == (Kind.RING_NO_ANSWER, 15.0, "")
    c = ev("RINGCANCELED|2500")
    assert (c.kind, c.ring, c.reason) == (Kind.RING_NO_ANSWER, 2.5, "canceled")


def test_member_add_and_remove() -> None:
    assert (ev("ADDMEMBER|", call="NONE").kind, ev("ADDMEMBER|").queue) == (
        Kind.MEMBER_ADD,
        "support",
    )
    e = ev("REMOVEMEMBER|", call="NONE")
    assert (e.kind, e.queue, e.call_id) == (Kind.MEMBER_REMOVE, "support", "")


def test_logins_and_logoffs_including_callback_variants() -> None:
    assert ev("AGENTLOGIN|PJSIP/1001-00000001", queue="NONE").kind == Kind.LOGIN
    assert ev("AGENTCALLBACKLOGIN|1005@from-internal", queue="NONE").kind == Kind.LOGIN
    off = ev("AGENTLOGOFF|PJSIP/1001-00000001|14160", queue="NONE")
    assert (off.kind, off.reason) == (Kind.LOGOUT, "")
    cb = ev("AGENTCALLBACKLOGOFF|1005@from-internal|9040|CommandLogoff", queue="NONE")
    assert (cb.kind, cb.reason, cb.queue) == (Kind.LOGOUT, "CommandLogoff", "")


def test_pause_and_unpause_with_reason() -> None:
    p = ev("PAUSE|Lunch", call="NONE")
    assert (p.kind, p.queue, p.reason) == (Kind.PAUSE, "support", "Lunch")
    u = ev("UNPAUSE|Lunch", call="NONE")
    assert (u.kind, u.queue, u.reason) == (Kind.UNPAUSE, "support", "Lunch")
    assert ev("PAUSE|", queue="NONE").queue == ""


def test_pauseall_and_unpauseall_are_for_every_queue() -> None:
    p = ev("PAUSEALL|Meeting", queue="support")
    assert (p.kind, p.queue, p.reason) == (Kind.PAUSE, "", "Meeting")
    u = ev("UNPAUSEALL|", queue="NONE")
    assert (u.kind, u.queue) == (Kind.UNPAUSE, "")


def test_queuestart_is_a_system_start() -> None:
    e = ev("QUEUESTART|", call="NONE", queue="NONE", agent="NONE")
    assert (e.kind, e.call_id, e.queue, e.agent) == (Kind.SYSTEM_START, "", "", "")


@pytest.mark.parametrize(
    ("rest", "reason", "target"),
    [
        ("DID|4008001000", "did", "4008001000"),
        ("INFO|VIP|gold", "info", "VIP|gold"),
        ("INFO", "info", ""),
        ("CONFIGRELOAD|", "configreload", ""),
        ("SYSCOMPAT|", "syscompat", ""),
    ],
)
def test_call_info_events(rest: str, reason: str, target: str) -> None:
    e = ev(rest)
    assert (e.kind, e.reason, e.target) == (Kind.CALL_INFO, reason, target)


def test_survey_score() -> None:
    e = ev("SURVEY|4")
    assert (e.kind, e.score) == (Kind.SURVEY, 4.0)
    assert ev("SURVEY|4.5").score == 4.5


# --- bad lines ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("1710144123|c|q|a|agentdump|", "unknown event: 'agentdump' is not an event verb"),
        ("1710144123|c|q|a||", "unknown event: (empty event name)"),
        ("1710144123|c|q", "too few fields: 3"),
        ("\x00\x00", "too few fields: 1"),
        ("17101441x3|c|q|a|ABANDON|1|1|3", "bad epoch: '17101441x3' is not a number"),
        ("1710144123000|c|q|a|ABANDON|1|1|3", "bad epoch: '1710144123000' is out of range"),
        ("nan|c|q|a|ABANDON|1|1|3", "bad epoch: 'nan' is out of range"),
        ("1710144123|c|q|a|ABANDON|1|1", "too few fields: ABANDON needs position|orig"),
        ("1710144123|c|q|a|ABANDON|1|1|abc", "bad number: ABANDON waittime='abc'"),
        ("1710144123|c|q|a|ABANDON|x|1|3", "bad number: ABANDON position='x'"),
        ("1710144123|c|q|a|CONNECT||x|3", "bad number: CONNECT holdtime is empty"),
        ("1710144123|c|q|a|CONNECT|5|x|soon", "bad number: CONNECT ringtime='soon'"),
        ("1710144123|c|q|a|COMPLETEAGENT|5", "too few fields: COMPLETEAGENT needs"),
        ("1710144123|c|q|a|EXITWITHTIMEOUT|-1|1|3", "bad number: EXITWITHTIMEOUT position='-1'"),
        ("1710144123|c|q|a|EXITEMPTY|1|1|inf", "bad number: EXITEMPTY waittime='inf'"),
        ("1710144123|c|q|a|EXITWITHKEY|5", "too few fields: EXITWITHKEY needs key|position"),
        ("1710144123|c|q|a|TRANSFER|2100|ctx|5", "too few fields: TRANSFER needs"),
        ("1710144123|c|q|a|ATTENDEDTRANSFER", "too few fields: ATTENDEDTRANSFER needs method"),
        ("1710144123|c|q|a|ATTENDEDTRANSFER|FOO|x|1|2|1", "unknown transfer method: "),
        ("1710144123|c|q|a|ATTENDEDTRANSFER|LINK|c1|c2|5", "too few fields: ATTENDEDTRANSFER"),
        (
            "1710144123|c|q|a|ATTENDEDTRANSFER|BRIDGE|b|5|x|1",
            "bad number: ATTENDEDTRANSFER calltime",
        ),
        ("1710144123|c|q|a|RINGNOANSWER|", "bad number: RINGNOANSWER ringtime_ms is empty"),
        ("1710144123|c|q|a|RINGCANCELED", "too few fields: RINGCANCELED needs ringtime_ms"),
        ("1710144123|c|q|a|SURVEY|five", "bad number: SURVEY score='five'"),
        ("1710144123|c|q|a|SURVEY|nan", "bad number: SURVEY score='nan'"),
    ],
)
def test_each_kind_of_problem_is_named(line: str, reason: str) -> None:
    r = rej(line)
    assert r.reason.startswith(reason), r.reason
    assert (r.source, r.location, r.raw) == (SRC, "q:7", line)


def test_blank_lines_are_skipped_not_rejected() -> None:
    for line in ("", "\n", "\r\n", "   \t", "\ufeff\n"):
        assert parse_line(line, source=SRC, location="q:1") is None


def test_bom_is_ignored_and_not_hashed() -> None:
    plain = ev("ENTERQUEUE||13800138001|1")
    line = f"{TS}|1710144100.12|support|Agent/1001|ENTERQUEUE||13800138001|1"
    with_bom = parse_line("\ufeff" + line, source=SRC, location="q:1")
    assert with_bom == plain


def test_oversized_line_is_rejected_with_a_preview() -> None:
    line = f"{TS}|c|q|a|INFO|" + "x" * 70_000
    r = rej(line)
    assert r.reason == f"line too long: {len(line)} bytes (limit 65536)"
    assert r.raw == line[:256]
    # the limit is on bytes: 30,000 three-byte characters are 90,000 bytes
    assert rej(f"{TS}|c|q|a|INFO|" + "语" * 30_000).reason.startswith("line too long: 90")


def test_text_without_utf8_form_is_rejected() -> None:
    r = rej(f"{TS}|c|q|a|INFO|\udcff")
    assert r.reason.startswith("undecodable bytes")


def test_good_lines_around_bad_ones_survive() -> None:
    lines = [
        f"{TS}|c1|support|NONE|ENTERQUEUE||555|1",
        "garbage",
        f"{TS}|c1|support|Agent/1001|CONNECT|oops|x|1",
        "",
        f"{TS}|c1|support|Agent/1001|CONNECT|3|x|1",
    ]
    events, rejects = parse_lines(lines, source=SRC, path_label="queue_log", first_lineno=10)
    assert [e.kind for e in events] == [Kind.ENQUEUE, Kind.ANSWER]
    assert [r.location for r in rejects] == ["queue_log:11", "queue_log:12"]


def test_same_second_events_differing_only_by_agent_are_distinct() -> None:
    a = ev("ADDMEMBER|", call="NONE", agent="Agent/2001")
    b = ev("ADDMEMBER|", call="NONE", agent="Agent/2002")
    assert a.event_id != b.event_id
    assert a._replace(agent="", event_id="") == b._replace(agent="", event_id="")


def test_the_same_line_always_gets_the_same_id() -> None:
    line = f"{TS}|c|q|a|ABANDON|1|1|3"
    first = parse_lines([line], source=SRC, path_label="a")[0][0]
    again = parse_lines([line + "\n"], source="other", path_label="b", first_lineno=99)[0][0]
    assert first.event_id == again.event_id


# --- bytes --------------------------------------------------------------------------------------


def test_bytes_not_utf8_become_a_reject_naming_the_line() -> None:
    data = f"{TS}|c|q|NONE|ENTERQUEUE||555|1\n".encode() + b"1710144124|c|q|NONE|INFO|Jos\xe9\n"
    events, rejects = parse_bytes(data, source=SRC, path_label="ql")
    assert len(events) == 1
    assert rejects == [Reject(SRC, "ql:2", "1710144124|c|q|NONE|INFO|Jos\\xe9", rejects[0].reason)]
    assert rejects[0].reason.startswith("undecodable bytes")


def test_crlf_and_bom_in_bytes() -> None:
    line = f"{TS}|c|q|NONE|ENTERQUEUE||555|1"
    data = b"\xef\xbb\xbf" + f"{line}\r\n{line}\r\n".encode()
    events, rejects = parse_bytes(data, source=SRC, path_label="ql")
    assert rejects == []
    assert [e.event_id for e in events] == [blake2b(line.encode(), digest_size=10).hexdigest()] * 2


def test_decoder_waits_for_the_end_of_a_line() -> None:
    decoder = LineDecoder(source=SRC, path_label="ql")
    line = f"{TS}|c|q|NONE|ENTERQUEUE||555|1\n".encode()
    assert decoder.feed(line[:10]) == ([], [])
    assert (decoder.consumed, decoder.pending, decoder.lineno) == (0, 10, 0)
    events, _ = decoder.feed(line[10:])
    assert len(events) == 1
    assert (decoder.consumed, decoder.pending, decoder.lineno) == (len(line), 0, 1)


def test_decoder_drops_an_oversized_line_without_buffering_it() -> None:
    decoder = LineDecoder(source=SRC, path_label="ql", max_line_bytes=100)
    decoder.feed(b"x" * 500)
    assert decoder.pending == 500
    assert len(decoder._buf) < 300  # only a preview is kept
    events, rejects = decoder.feed(b"y" * 500 + f"\n{TS}|c|q|NONE|ENTERQUEUE||555|1\n".encode())
    assert [r.reason for r in rejects] == ["line too long: 1000 bytes (limit 100)"]
    assert rejects[0].raw == "x" * 256
    assert len(events) == 1
    assert decoder.lineno == 2


def test_golden_files_parse_cleanly(data_dir: Path) -> None:
    folder = data_dir / "queue_log"
    for name, count in (("morning_two_queues.log", 162), ("midnight.log", 35)):
        events, rejects = parse_file(folder / name)
        assert (len(events), rejects) == (count, [])
        assert len({e.event_id for e in events}) == count
        assert {e.source for e in events} == {default_source(folder / name)}
    events, rejects = parse_file(folder / "malformed.log")
    assert len(events) == 15
    lines = [int(r.location.rsplit(":", 1)[1]) for r in rejects]
    assert lines == [6, 8, 9, 12, 15, 17, 19, 20, 22, 23, 28]


def test_every_event_of_the_golden_morning_is_mapped(data_dir: Path) -> None:
    text = (data_dir / "queue_log" / "morning_two_queues.log").read_text()
    names = {line.split("|")[4] for line in text.splitlines()}
    assert names <= EVENT_NAMES  # the generations' files cover the rest (test_queue_log_events)


# --- properties ---------------------------------------------------------------------------------

_pieces = st.sampled_from(
    ["1710144123", "|", "c", "support", "NONE", "ENTERQUEUE", "CONNECT", "ABANDON", "LINK",
     "ATTENDEDTRANSFER", "EXITWITHKEY", "SURVEY", "3", "-1", "1e3", "", " ", "\r", "\ufeff", "é",
     "RINGING", "AGENTDUMP", "PENALTY"]
)  # fmt: skip
_lineish = st.one_of(st.text(max_size=80), st.lists(_pieces, max_size=14).map("".join))


def _is_blank(line: str) -> bool:
    """Blank as the parser sees it: after one CR and one BOM, nothing but white space."""
    line = line.removesuffix("\r").removeprefix("\ufeff")
    return not line.strip()


@settings(max_examples=300, deadline=None)
@given(st.lists(_lineish, max_size=12))
def test_every_non_blank_line_yields_exactly_one_result(lines: list[str]) -> None:
    lines = [line.replace("\n", " ") for line in lines]
    ignored: Counter[str] = Counter()
    events, rejects = parse_lines(lines, source=SRC, path_label="p", ignored=ignored)
    blank = sum(1 for line in lines if _is_blank(line))
    assert len(events) + len(rejects) + ignored.total() == len(lines) - blank
    assert not any(r.reason.startswith(("unparseable", "custom")) for r in rejects)
    for line in lines:
        one = parse_line(line, source=SRC, location="p:1")
        assert one is None or isinstance(one, Event | Reject | Ignored)


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=300) | st.lists(_lineish, max_size=8).map(lambda x: "\n".join(x).encode())
)
def test_parse_never_raises_on_bytes(data: bytes) -> None:
    events, rejects = parse_bytes(data, source=SRC, path_label="p", max_line_bytes=40)
    assert all(isinstance(r.reason, str) and r.reason for r in rejects)
    assert not any(r.reason.startswith("unparseable") for r in rejects)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(_lineish.map(str.encode), st.binary(max_size=60)), max_size=10).map(
        lambda xs: b"\n".join(xs)
    ),
    st.lists(st.integers(min_value=0, max_value=400), max_size=8),
)
def test_any_chunking_gives_identical_output(data: bytes, cuts: list[int]) -> None:
    whole = LineDecoder(source=SRC, path_label="p", max_line_bytes=24)
    expected = whole.feed(data)
    chunked = LineDecoder(source=SRC, path_label="p", max_line_bytes=24)
    events: list[Event] = []
    rejects: list[Reject] = []
    start = 0
    for cut in [*sorted(c for c in cuts if c <= len(data)), len(data)]:
        got = chunked.feed(data[start:cut])
        events += got[0]
        rejects += got[1]
        start = cut
    assert (events, rejects) == expected
    assert (chunked.consumed, chunked.lineno, chunked.pending) == (
        whole.consumed,
        whole.lineno,
        whole.pending,
    )
    assert chunked.finish() == whole.finish()


@settings(max_examples=200, deadline=None)
@given(st.lists(_lineish.map(lambda s: s.replace("\n", " ")), max_size=10), st.integers(0, 10))
def test_splitting_lines_into_runs_gives_identical_output(lines: list[str], at: int) -> None:
    whole = parse_lines(lines, source=SRC, path_label="p")
    head = parse_lines(lines[:at], source=SRC, path_label="p")
    tail = parse_lines(lines[at:], source=SRC, path_label="p", first_lineno=len(lines[:at]) + 1)
    assert (head[0] + tail[0], head[1] + tail[1]) == whole
    # text lines and the same content as UTF-8 bytes agree
    data = "".join(line + "\n" for line in lines).encode("utf-8", "surrogatepass")
    if all(not any(0xD800 <= ord(c) <= 0xDFFF for c in line) for line in lines):
        assert parse_bytes(data, source=SRC, path_label="p") == whole
