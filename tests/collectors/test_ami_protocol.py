"""The AMI wire protocol: blocks from a byte stream cut anywhere, bad input reported, not fatal."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collectors.ami.protocol import (
    Decoder,
    Message,
    ProtocolError,
    encode,
    encode_action,
    parse_banner,
)

JOIN = (
    b"Event: QueueCallerJoin\r\nPrivilege: agent,all\r\nTimestamp: 1700000410.200000\r\n"
    b"Uniqueid: 1700000410.11\r\nQueue: support\r\nPosition: 1\r\nCallerIDNum: 13800138001\r\n\r\n"
)
PONG = b"Response: Success\r\nActionID: fb-1-3\r\nPing: Pong\r\nTimestamp: 1700000411.0\r\n\r\n"
BAD = b"this is not a field\r\nEvent: Broken\r\n\r\n"
UNKNOWN = b"Event: SomethingNew\r\nFoo: bar: baz\r\nEmpty:\r\n\r\n"


def decode_all(data: bytes, **kwargs: int) -> list[Message | ProtocolError]:
    decoder = Decoder(**kwargs)
    return decoder.feed(data) + decoder.finish()


def describe(items: list[Message | ProtocolError]) -> list[object]:
    """Comparable outcomes: fields of messages, reasons of errors."""
    return [i.fields if isinstance(i, Message) else i.reason for i in items]


def test_a_block_becomes_a_message_with_its_fields_in_order() -> None:
    [msg] = decode_all(JOIN)
    assert isinstance(msg, Message)
    assert msg.event == "QueueCallerJoin" and msg.response == ""
    assert msg.fields[3] == ("Uniqueid", "1700000410.11")
    assert msg.get("uniqueid") == msg.get("UNIQUEID") == "1700000410.11"
    assert msg.get("Missing", "x") == "x" and not msg.has("Missing")


def test_lf_only_line_endings_read_the_same_as_crlf() -> None:
    crlf = decode_all(JOIN + PONG)
    lf = decode_all((JOIN + PONG).replace(b"\r\n", b"\n"))
    assert describe(lf) == describe(crlf)
    assert [m.digest() for m in lf if isinstance(m, Message)] == [
        m.digest() for m in crlf if isinstance(m, Message)
    ]


def test_unknown_events_and_odd_values_parse() -> None:
    [msg] = decode_all(UNKNOWN)
    assert isinstance(msg, Message)
    assert msg.event == "SomethingNew"
    assert msg.get("Foo") == "bar: baz"  # only the first colon separates
    assert msg.has("Empty") and msg.get("Empty") == ""


def test_a_malformed_block_is_reported_and_the_next_one_is_read() -> None:
    items = decode_all(JOIN + BAD + PONG)
    assert isinstance(items[0], Message)
    assert isinstance(items[1], ProtocolError)
    assert items[1].reason.startswith("malformed line: line 1")
    assert "this is not a field" in items[1].raw
    assert isinstance(items[2], Message) and items[2].get("Ping") == "Pong"


def test_blank_lines_between_blocks_are_padding() -> None:
    assert describe(decode_all(b"\r\n\r\n" + JOIN + b"\r\n\r\n" + PONG)) == describe(
        decode_all(JOIN + PONG)
    )


def test_an_oversized_block_is_dropped_as_it_arrives_and_reported_once() -> None:
    decoder = Decoder(max_message_bytes=1024)
    out = decoder.feed(b"Event: Junk\r\nData: ")
    for _ in range(200):  # 200 KiB of a line that never ends
        out += decoder.feed(b"X" * 1024)
        assert decoder.pending <= 1024 + 1024
    out += decoder.feed(b"\r\n\r\n" + JOIN)
    assert [type(i) for i in out] == [ProtocolError, Message]
    assert isinstance(out[0], ProtocolError)
    assert out[0].reason.startswith("message too long:")
    assert out[0].raw.startswith("Event: Junk")
    assert len(out[0].raw) <= 256


def test_many_short_lines_over_the_limit_are_one_error() -> None:
    block = b"Event: Big\r\n" + b"".join(b"K%d: v\r\n" % i for i in range(500)) + b"\r\n"
    items = decode_all(block + JOIN, max_message_bytes=512)
    assert [type(i) for i in items] == [ProtocolError, Message]


def test_a_block_cut_off_by_the_end_of_the_stream_is_reported() -> None:
    decoder = Decoder()
    assert decoder.feed(JOIN[:-2]) == []  # the blank line has not come yet
    [error] = decoder.finish()
    assert isinstance(error, ProtocolError) and error.reason.startswith("truncated message")


def test_latin1_values_are_read_rather_than_rejected() -> None:
    [msg] = decode_all(b"Event: QueueCallerJoin\r\nCallerIDName: Jos\xe9\r\n\r\n")
    assert isinstance(msg, Message) and msg.get("CallerIDName") == "José"


STREAM = JOIN + BAD + UNKNOWN + b"Event: Big\r\nData: " + b"Y" * 700 + b"\r\n\r\n" + PONG + JOIN


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=30))
def test_the_output_does_not_depend_on_how_the_stream_is_cut(cuts: list[int]) -> None:
    expected = describe(decode_all(STREAM, max_message_bytes=512))
    decoder = Decoder(max_message_bytes=512)
    got: list[Message | ProtocolError] = []
    start = 0
    for cut in sorted(cuts) + [len(STREAM)]:
        got += decoder.feed(STREAM[start:cut])
        start = cut
    got += decoder.finish()
    assert describe(got) == expected
    assert len(expected) == 6  # join, bad, unknown, too long, pong, join


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_decode_without_raising(data: bytes) -> None:
    decoder = Decoder(max_message_bytes=256)
    for item in decoder.feed(data) + decoder.finish():
        assert isinstance(item, Message | ProtocolError)
    assert decoder.pending == 0


def test_the_banner_gives_the_version() -> None:
    assert parse_banner(b"Asterisk Call Manager/9.0.0\r\n") == "9.0.0"
    for bad in (b"HTTP/1.1 400 Bad Request\r\n", b"Asterisk Call Manager/\r\n", b""):
        with pytest.raises(ValueError, match="not an Asterisk manager banner"):
            parse_banner(bad)


def test_actions_are_encoded_with_crlf_and_read_back() -> None:
    wire = encode_action("Login", "fb-1-1", {"Username": "wall", "Secret": "s3"})
    assert wire == b"Action: Login\r\nActionID: fb-1-1\r\nUsername: wall\r\nSecret: s3\r\n\r\n"
    [msg] = decode_all(wire)
    assert isinstance(msg, Message)
    assert msg.fields == (
        ("Action", "Login"),
        ("ActionID", "fb-1-1"),
        ("Username", "wall"),
        ("Secret", "s3"),
    )


@pytest.mark.parametrize(
    "fields",
    [{"Secret": "x\r\nAction: Originate"}, {"Bad\nKey": "v"}, {"": "v"}, {"A:B": "v"}],
)
def test_a_field_that_would_inject_a_line_is_refused(fields: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="cannot be sent"):
        encode(fields)


def test_the_digest_is_the_same_for_the_same_fields_only() -> None:
    [a] = decode_all(JOIN)
    [b] = decode_all(JOIN.replace(b"\r\n", b"\n"))
    [c] = decode_all(JOIN.replace(b"410.200000", b"410.300000"))
    assert isinstance(a, Message) and isinstance(b, Message) and isinstance(c, Message)
    assert a.digest() == b.digest() != c.digest()


# -- saved captures: Asterisk console output around the blocks ---------------------------------

CONSOLE = (
    b"Connected to Asterisk 20.5.0 currently running on pbx (pid = 1234)\n"
    b"pbx*CLI> manager set debug on\n"
    b"    -- Executing [\x1b[1;36;40m4000@from-trunk\x1b[0m:3] \x1b[1;36;40mQueue\x1b[0m(...)\n"
    b"  == Using SIP RTP CoS mark 5\n"
    # the console prints on the prompt's line, and redraws the prompt with CR, erase-line
    b"\r\x1b[Kpbx*CLI>     -- Executing [s@x:1] Answer()\n"
    b"*CLI> <-- Examining AMI event: -->\n" + JOIN + b"\r\n"
    # the debug log's header stands right above the event, in the same block
    b"[2026-12-01 09:00:01.250] DEBUG[2462]: manager.c:5657 should_send_event: "
    b"Examining AMI event (993992674):\n" + PONG +
    # looks like a field ("WARNING[3150]" has no space) but is a log line
    b"WARNING[3150]: chan_pjsip.c:2512 hangup_cause2sip: No mapping for cause 16\n"
    b"[Dec  1 09:00:02] VERBOSE[3150][C-0000000b] pbx.c:     -- Executing [s@macro:1]\n"
    b"\x1b[0m\n"
)


def decode_capture(data: bytes) -> tuple[list[Message | ProtocolError], Decoder]:
    decoder = Decoder(capture=True)
    return decoder.feed(data) + decoder.finish(), decoder


def test_console_output_in_a_capture_is_skipped_counted_and_hides_no_block() -> None:
    items, decoder = decode_capture(CONSOLE)
    assert describe(items) == describe(decode_all(JOIN + PONG))
    assert decoder.noise == {"console": 1, "prompt": 1, "verbose": 3, "debug header": 1, "log": 3}


def test_a_field_printed_on_the_prompts_line_is_kept() -> None:
    items, decoder = decode_capture(b"pbx*CLI> " + JOIN + PONG)
    assert describe(items) == describe(decode_all(JOIN + PONG))
    assert decoder.noise == {}


def test_live_decoding_still_takes_console_output_for_a_malformed_block() -> None:
    assert [type(i) for i in decode_all(CONSOLE)].count(ProtocolError) >= 1


def test_an_unreadable_line_in_a_capture_is_reported_alone_and_its_block_still_read() -> None:
    stray = JOIN.replace(b"Queue: support\r\n", b"Queue: support\r\nthis was pasted here\r\n")
    items, _ = decode_capture(b"Asterisk Call Manager/7.0.3\r\n" + stray + PONG)
    error, join, pong = items
    assert isinstance(error, ProtocolError) and error.line == 7
    assert error.reason.startswith("unreadable line") and error.raw == "this was pasted here"
    assert isinstance(join, Message) and join.get("Queue") == "support" and join.line == 2
    assert describe([join, pong]) == describe(decode_all(JOIN + PONG))
    assert isinstance(pong, Message) and pong.line == 11


def test_console_output_where_the_blank_line_should_be_still_separates_blocks() -> None:
    joined = JOIN.rstrip(b"\r\n") + b"\r\n    -- Executing [x@y:1] Wait(1)\r\n" + PONG
    items, _ = decode_capture(joined)
    assert describe(items) == describe(decode_all(JOIN + PONG))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=len(CONSOLE) - 1), max_size=6, unique=True))
def test_a_capture_reads_the_same_however_it_is_cut(cuts: list[int]) -> None:
    decoder = Decoder(capture=True)
    items: list[Message | ProtocolError] = []
    bounds = [0, *sorted(cuts), len(CONSOLE)]
    for start, end in itertools.pairwise(bounds):
        items += decoder.feed(CONSOLE[start:end])
    items += decoder.finish()
    whole, whole_decoder = decode_capture(CONSOLE)
    assert describe(items) == describe(whole)
    assert decoder.noise == whole_decoder.noise
