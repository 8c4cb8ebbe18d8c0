"""Malformed and hostile input, end to end: hypothesis writes queue_log files and CSV exports
with over-long lines, wrong encodings, NUL bytes, control characters in names and plain junk;
the real reader or importer publishes them and the aggregator applies them.

Nothing may crash, and every line is accounted for: it is an event, a dead letter naming its
``file:line``, or blank or a counted site-made event (queue_log) / ignored (CSV). The
parser-level properties (any chunking, never raising on bytes) are in
``tests/collectors/test_queue_log.py`` and ``test_cdr.py``; this adds the way through Redis and
the aggregator, where a hostile name once broke a batch (a tab in a queue name split the packed
counter writes).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collectors.aggregator.consumer import Aggregator
from collectors.cdr import import_calls, load_mapping
from collectors.events import decode_frame
from collectors.keys import Keys
from collectors.pipeline.producer import EventProducer
from collectors.queue_log.follower import QueueLogReader

LIMIT = 200  # bytes per queue_log line in these tests
GOOD = [
    "1767254400|NONE|NONE|王芳|AGENTLOGIN|PJSIP/1001",
    "1767254401|NONE|sales|王芳|ADDMEMBER|",
    "1767254402|c1|sales|NONE|ENTERQUEUE||13800000000|1",
    "1767254410|c1|sales|王芳|CONNECT|8|c1.1|2",
    "1767254500|c1|sales|王芳|COMPLETECALLER|8|90|1",
    "1767254503|c2|support|NONE|ENTERQUEUE||13900000000|1",
    "1767254530|c2|support|NONE|ABANDON|1|1|27",
    "1767254540|NONE|NONE|王芳|PAUSEALL|lunch",
]
NAMES = st.sampled_from(["a\tb", "q\x00", "x\x1fy", "\u2028", "tab\t\tend", "%s|", "\ufeffq"])

_plain = st.sampled_from(GOOD).map(lambda s: s.encode())
_long = st.integers(LIMIT + 1, 3 * LIMIT).map(lambda n: b"1767254400|c9|q|NONE|" + b"x" * n)


def with_nul(text: str, at: int) -> bytes:
    return (text[:at] + "\x00" + text[at:]).encode()


_nul = st.builds(with_nul, st.sampled_from(GOOD), st.integers(0, 40))
_gbk = st.sampled_from(GOOD[:1] + GOOD[3:5]).map(lambda s: s.encode("gbk"))
_utf16 = st.sampled_from(GOOD).map(lambda s: s.encode("utf-16-le"))
_named = st.tuples(NAMES, NAMES, st.integers(0, 50)).map(
    lambda t: f"17672545{t[2]:02d}|k{t[2]}|{t[0]}|{t[1]}|CONNECT|3|k.1|1".encode()
)
_enq = NAMES.map(lambda q: f"1767254401|k1|{q}|NONE|ENTERQUEUE||1|1".encode())
_junk = st.binary(max_size=80).map(lambda b: b.replace(b"\n", b""))
_blank = st.sampled_from([b"", b"   ", b"\r"])
LINE = st.one_of(_plain, _long, _nul, _gbk, _utf16, _named, _enq, _junk, _blank)
BAD = {"long", "gbk"}


def is_blank(raw: bytes) -> bool:
    """Blank as the parser sees it: after one CR and one BOM nothing but white space."""
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        return False
    return not text.removesuffix("\r").removeprefix("\ufeff").strip()


def dead_letters(client: redis.Redis, keys: Keys) -> list[dict[str, str]]:
    return [fields for _, fields in client.xrange(keys.dead_letter)]


def drop(client: redis.Redis, keys: Keys) -> None:
    stale = list(client.scan_iter(match=f"{keys.prefix}:*", count=1000))
    if stale:
        client.delete(*stale)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(LINE, max_size=40), tail=st.one_of(st.just(b""), _junk, _plain))
def test_hostile_queue_log_lines_are_all_accounted_for_end_to_end(
    redis_client: redis.Redis, tmp_path: Path, lines: list[bytes], tail: bytes
) -> None:
    keys = Keys(prefix=f"h{uuid.uuid4().hex[:10]}")
    path = tmp_path / f"{keys.prefix}.log"
    path.write_bytes(b"".join(line + b"\n" for line in lines) + tail)
    try:
        producer = EventProducer(redis_client, keys=keys)
        summary = QueueLogReader(path, producer=producer, max_line_bytes=LIMIT).run()
        blank = sum(1 for line in lines if is_blank(line))
        assert summary.lines == len(lines)
        # a site-made event (an event verb on a sound line) is counted as ignored
        ignored = sum(summary.ignored.values())
        assert summary.events + summary.rejects + ignored == len(lines) - blank
        letters = dead_letters(redis_client, keys)
        assert len(letters) == summary.rejects
        numbers = [int(d["location"].rsplit(":", 1)[1]) for d in letters]
        assert len(set(numbers)) == len(numbers) and all(1 <= n <= len(lines) for n in numbers)
        for n, line in enumerate(lines, 1):
            if len(line) > LIMIT or (not is_blank(line) and not _utf8(line)):
                assert n in numbers, f"line {n} ({line[:30]!r}) must be a dead letter"
        assert summary.pending_bytes == len(tail)
        published = [e for _, f in redis_client.xrange(keys.events) for e in decode_frame(f["e"])]
        assert len(published) == summary.events
        # the aggregator applies whatever got through, names with tabs and NULs included
        Aggregator(redis_client, keys=keys).drain()
        stats = redis_client.hgetall(keys.stats)
        counted = int(stats.get("applied", 0)) + int(stats.get("duplicates", 0))
        assert counted == summary.events
        assert int(stats.get("rejected", 0)) == summary.rejects
        assert "pipeline" in json.loads(redis_client.get(keys.snapshot) or "{}")
    finally:
        drop(redis_client, keys)


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode()
    except UnicodeDecodeError:
        return False
    return True


# --- CSV exports ---------------------------------------------------------------------------

HEADER = b"CallID,Direction,Queue,Agent,ANI,QueueStart,AnswerTime,EndTime,WaitSec,TalkSec,"
HEADER += b"HoldSec,WrapSec,Disposition,TransferTo"
ROWS = [
    "G-1,inbound,Sales,alice,+1212,03/04/2024 09:00:05,03/04/2024 09:00:17,"
    "03/04/2024 09:04:02,12,225,20,30,ANSWERED,",
    "G-2,inbound,Sales,,+1212,03/04/2024 09:01:10,,03/04/2024 09:01:50,40,,,,ABANDONED,",
    "G-3,outbound,Sales,bob,+1212,03/04/2024 09:02:00,,,,,,,ANSWERED,",
    "G-4,inbound,客服,王芳,+86,03/04/2024 09:03:00,03/04/2024 09:03:09,03/04/2024 09:05:00,"
    "9,111,,,ANSWERED,",
]
_row = st.sampled_from(ROWS)
_csv_line = st.one_of(
    _row.map(str.encode),
    _row.map(lambda r: r.encode("gbk")),
    _row.map(lambda r: r.encode("utf-16-le")),
    st.tuples(_row, st.integers(0, 60)).map(
        lambda t: (t[0][: t[1]] + "\x00" + t[0][t[1] :]).encode()
    ),
    _row.map(lambda r: r.replace(",+1212,", ',"' + "9" * 140_000 + '",').encode()),
    _row.map(lambda r: r.replace("Sales", '"Sa\nles"').encode()),
    _row.map(lambda r: r.replace("Sales", "Sa\tles").encode()),
    _row.map(lambda r: (r + ',"unterminated').encode()),
    st.binary(max_size=60).map(lambda b: b.replace(b"\n", b"")),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(_csv_line, max_size=25))
def test_hostile_csv_rows_are_all_accounted_for_end_to_end(
    redis_client: redis.Redis, tmp_path: Path, data_dir: Path, rows: list[bytes]
) -> None:
    keys = Keys(prefix=f"h{uuid.uuid4().hex[:10]}")
    path = tmp_path / f"{keys.prefix}.csv"
    path.write_bytes(HEADER + b"\n" + b"".join(r + b"\n" for r in rows))
    mapping = load_mapping(data_dir / "cdr" / "generic_acd.yaml")
    try:
        producer = EventProducer(redis_client, keys=keys)
        summary = import_calls(path=path, mapping=mapping, producer=producer)
        assert summary.rows_read == summary.calls + summary.ignored + summary.rejected
        letters = dead_letters(redis_client, keys)
        assert len(letters) == summary.rejected
        assert all(d["location"].startswith(f"{path.name}:") for d in letters)
        published = [e for _, f in redis_client.xrange(keys.events) for e in decode_frame(f["e"])]
        assert len(published) == summary.events
        Aggregator(redis_client, keys=keys).drain()
        stats = redis_client.hgetall(keys.stats)
        counted = int(stats.get("applied", 0)) + int(stats.get("duplicates", 0))
        assert counted == summary.events
    finally:
        drop(redis_client, keys)
