"""``floorboard collect ami`` against the fake AMI server (run in its own thread and loop)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from click.testing import CliRunner, Result

from collectors.aggregator.consumer import Aggregator
from collectors.aggregator.engine import AggregatorConfig
from collectors.aggregator.report import read_days
from collectors.ami.fake_server import FakeAmiServer
from collectors.ami.replay import replay_capture
from collectors.events import Event, decode_frame
from collectors.keys import Keys
from collectors.redis_server import EmbeddedRedis
from dashboard.cli import main

USER, SECRET = "wallboard", "s3cret-for-tests"


@pytest.fixture
def env(redis_server: EmbeddedRedis, keys: Keys, tmp_path: Path) -> dict[str, str]:
    return {
        "FLOORBOARD_REDIS_URL": redis_server.url,
        "FLOORBOARD_KEY_PREFIX": keys.prefix,
        "FLOORBOARD_CENTER": keys.center,
        "FLOORBOARD_DATA_DIR": str(tmp_path / "data"),
        "FLOORBOARD_CONFIG": "",
        "FLOORBOARD_AMI_SECRET": SECRET,
    }


@contextlib.contextmanager
def running(server: FakeAmiServer) -> Iterator[FakeAmiServer]:
    """``server`` serving from its own thread and event loop."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.start())
        ready.set()
        loop.run_forever()
        loop.run_until_complete(server.stop())
        loop.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(5.0), "the fake AMI server did not start"
    try:
        yield server
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5.0)


@pytest.fixture
def fake_ami(data_dir: Path) -> Iterator[FakeAmiServer]:
    server = FakeAmiServer(
        data_dir / "ami" / "session.txt",
        status=data_dir / "ami" / "status.txt",
        username=USER,
        secret=SECRET,
    )
    with running(server):
        yield server


def invoke(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, ["collect", "ami", *args], env=env)


def stream_events(client: redis.Redis, keys: Keys) -> list[Event]:
    return [e for _, f in client.xrange(keys.events) for e in decode_frame(f["e"])]


def test_collects_a_session_for_a_while_and_reports(
    env: dict[str, str], fake_ami: FakeAmiServer, redis_client: redis.Redis, keys: Keys
) -> None:
    result = invoke(env, "--port", str(fake_ami.port), "--username", USER, "--duration", "1.5")
    assert result.exit_code == 0, result.output
    events = [e for _, f in redis_client.xrange(keys.events) for e in decode_frame(f["e"])]
    assert len(events) == 35  # 7 from the queue state, 28 from the session
    assert "AMI: 1 connection(s)" in result.output
    assert "35 events and 0 rejects published" in result.output
    assert fake_ami.logins == 1
    assert "WARNING" not in result.output  # timestampevents = yes in this session
    health = CliRunner().invoke(main, ["health"], env=env)
    assert (health.exit_code, health.output) == (0, "ok: Redis answers\n")


def test_a_refused_login_names_the_server_and_the_user(
    env: dict[str, str], fake_ami: FakeAmiServer
) -> None:
    env = {**env, "FLOORBOARD_AMI_SECRET": "wrong"}
    result = invoke(env, "--port", str(fake_ami.port), "--username", USER, "--duration", "5")
    assert result.exit_code == 1
    assert f"AMI at 127.0.0.1:{fake_ami.port} refused user 'wallboard'" in result.output
    assert "Authentication failed" in result.output


def test_the_username_is_required(env: dict[str, str]) -> None:
    result = invoke(env, "--port", "5038")
    assert result.exit_code == 2
    assert "--username" in result.output


# -- --replay: a saved capture through the same decoder and mapper ------------------------------

CAPTURE_DAY = "20261201"  # the capture's Timestamp headers: 2026-12-01 09:00-09:05 UTC


def replay(env: dict[str, str], path: Path, *args: str) -> Result:
    return invoke(env, "--replay", str(path), *args)


def queue_totals(redis_client: redis.Redis, keys: Keys) -> dict[str, dict[str, int]]:
    """Day → queue 'support' totals, as the real aggregator counts the stream."""
    Aggregator(redis_client, keys=keys, config=AggregatorConfig(), clock=lambda: 0.0).drain()
    out: dict[str, dict[str, int]] = {}
    for day, (queues, _) in read_days(redis_client, keys).items():
        totals: Counter[str] = Counter()
        for (queue, _, name), value in queues.items():
            if queue == "support":
                totals[name] += value
        out[day] = {k: totals[k] for k in ("offered", "answered", "abandoned", "handled")}
    return out


THREE_CALLS = {"offered": 3, "answered": 2, "abandoned": 1, "handled": 2}


def test_replay_publishes_a_capture_counted_at_its_timestamps(
    env: dict[str, str], data_dir: Path, redis_client: redis.Redis, keys: Keys
) -> None:
    path = data_dir / "ami" / "capture.txt"
    result = replay(env, path)
    assert result.exit_code == 0, result.output
    assert f"{path} (ami:replay:capture.txt, published)" in result.stdout
    assert "events made     11  (2026-12-01 09:00:00 UTC .. 2026-12-01 09:04:04 UTC)" in (
        result.stdout
    )
    assert "enqueue 3, ring 3, answer 2, complete 2, abandon 1" in result.stdout
    assert "timestamps      present on all 15 queue events" in result.stdout
    assert "WARNING" not in result.output
    assert queue_totals(redis_client, keys) == {CAPTURE_DAY: THREE_CALLS}


def test_replay_without_timestamps_counts_on_the_files_time_warns_and_repeats_safely(
    env: dict[str, str], data_dir: Path, tmp_path: Path, redis_client: redis.Redis, keys: Keys
) -> None:
    path = tmp_path / "untimed.txt"
    path.write_bytes((data_dir / "ami" / "capture-untimed.txt").read_bytes())
    written = 1796299200  # 2026-12-03 12:00 UTC: when the capture was last written
    os.utime(path, (written, written))
    result = replay(env, path)
    assert result.exit_code == 0, result.output
    assert (
        "MISSING on all 15 queue events (timestampevents was off): every event is dated "
        "2026-12-03 12:00:00 UTC (the file's modification time" in result.stdout
    )
    assert "WARNING: this capture's events carry no Timestamp header" in result.stderr
    assert "timestampevents = yes" in result.stderr
    # counted on the capture's day, not on the day it was read; a second replay (another day,
    # the same file) gives the same ids and dates, so nothing is counted twice
    assert replay(env, path).exit_code == 0
    assert queue_totals(redis_client, keys) == {"20261203": THREE_CALLS}


def test_replay_untimed_at_chooses_the_time_in_the_centers_zone(
    env: dict[str, str], data_dir: Path, redis_client: redis.Redis, keys: Keys
) -> None:
    env = {**env, "FLOORBOARD_TIMEZONE": "Asia/Shanghai"}
    path = data_dir / "ami" / "capture-untimed.txt"
    result = replay(env, path, "--untimed-at", "2026-12-01T23:30:00")
    assert result.exit_code == 0, result.output
    assert "every event is dated 2026-12-01 23:30:00 CST (--untimed-at)" in result.stdout
    [event] = {e.ts for e in stream_events(redis_client, keys)}
    assert event == 1796139000.0  # 23:30 in Shanghai = 15:30 UTC
    bad = replay(env, path, "--untimed-at", "yesterday")
    assert bad.exit_code == 2 and "--untimed-at" in bad.output


def test_replay_reads_the_events_between_asterisk_console_noise(
    env: dict[str, str], data_dir: Path, redis_client: redis.Redis, keys: Keys
) -> None:
    path = data_dir / "ami" / "capture-console.txt"
    result = replay(env, path)
    # the console's lines are skipped and counted; the two genuinely bad inputs are rejects,
    # located, and exit with status 3 (as --strict does elsewhere) while the rest is published
    assert result.exit_code == 3, result.output
    assert (
        "console noise   38 lines skipped "
        "(debug header 13, verbose 11, log 9, prompt 3, console 2)" in result.stdout
    )
    assert "repeats         1 (blocks seen again, skipped)" in result.stdout
    assert "AMI blocks      18 (events 17, responses 0, actions 1)" in result.stdout
    assert "enqueue 3, ring 3, answer 2, complete 2, abandon 1" in result.stdout
    assert f"{path}:166: unreadable line" in result.stdout
    assert f"{path}:425: bad number: AgentRingNoAnswer RingTime='soon'" in result.stdout
    assert "2 rejected > --max-rejects 0: exit status 3" in result.stderr
    letters = [f for _, f in redis_client.xrange(keys.dead_letter)]
    assert [f["location"] for f in letters] == [f"{path}:166", f"{path}:425"]
    assert queue_totals(redis_client, keys) == {CAPTURE_DAY: THREE_CALLS}
    # the events are those of the clean capture of the same session: same ids
    clean = replay_capture(
        data_dir / "ami" / "capture.txt", producer=None, server="x", untimed_at=0.0
    )
    console = replay_capture(path, producer=None, server="x", untimed_at=0.0)
    assert console.events == clean.events
    assert replay(env, path, "--max-rejects", "2").exit_code == 0
    assert replay(env, path, "--max-rejects", "20%").exit_code == 0  # 20 % of 18 blocks = 3
    assert replay(env, path, "--max-rejects", "5%").exit_code == 3


def test_replay_ids_match_the_live_collectors_with_its_server_name(
    env: dict[str, str], data_dir: Path, redis_client: redis.Redis, keys: Keys
) -> None:
    console = data_dir / "ami" / "capture-console.txt"
    clean = data_dir / "ami" / "capture.txt"
    assert replay(env, clean, "--server-name", "pbx:5038").exit_code == 0
    first = {e.event_id for e in stream_events(redis_client, keys)}
    replay(env, console, "--server-name", "pbx:5038", "--max-rejects", "2")
    assert {e.event_id for e in stream_events(redis_client, keys)} == first
    assert all(i.startswith("ami:pbx:5038:") for i in first)


def test_replay_dry_run_publishes_nothing(
    env: dict[str, str], data_dir: Path, redis_client: redis.Redis, keys: Keys
) -> None:
    result = replay(env, data_dir / "ami" / "capture.txt", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run: nothing published" in result.stdout
    assert redis_client.exists(keys.events) == 0


@pytest.mark.parametrize(
    ("name", "message"),
    [("missing.txt", "AMI capture not found: "), (".", "is a directory, not an AMI capture")],
)
def test_replay_of_a_file_that_cannot_be_read_says_so(
    env: dict[str, str], tmp_path: Path, name: str, message: str
) -> None:
    result = replay(env, tmp_path / name, "--dry-run")
    assert result.exit_code == 1
    assert message in result.output


def test_replay_options_need_replay(env: dict[str, str]) -> None:
    result = invoke(env, "--username", USER, "--dry-run")
    assert result.exit_code == 2 and "--replay" in result.output


# -- a live server without timestamps: warned at connect and in `floorboard health` -----------


def untimed(path: Path, out: Path) -> Path:
    """``path`` as a server with ``timestampevents = no`` would have sent it."""
    kept = [
        ln for ln in path.read_text().splitlines(keepends=True) if not ln.startswith("Timestamp:")
    ]
    out.write_text("".join(kept))
    return out


def test_a_live_server_without_timestamps_is_warned_about_and_shown_by_health(
    env: dict[str, str], data_dir: Path, tmp_path: Path
) -> None:
    script = untimed(data_dir / "ami" / "session.txt", tmp_path / "untimed.txt")
    with running(FakeAmiServer(script, username=USER, secret=SECRET)) as server:
        result = invoke(env, "--port", str(server.port), "--username", USER, "--duration", "1.5")
    assert result.exit_code == 0, result.output
    # the warning comes with the first queue event; how many arrived in 1.5 s does not matter
    assert re.search(r"WARNING: [1-9]\d* events dated on arrival", result.stderr)
    health = CliRunner().invoke(main, ["health"], env=env)
    assert health.exit_code == 0, health.output  # a warning, not a failed health check
    assert health.stdout == "ok: Redis answers\n"
    source = f"ami:127.0.0.1:{server.port}"
    assert f"WARNING {source} (not connected, recorded" in health.stderr
    assert "timestampevents = yes" in health.stderr
