"""``floorboard collect ami`` against the fake AMI server (run in its own thread and loop)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from click.testing import CliRunner, Result

from collectors.ami.fake_server import FakeAmiServer
from collectors.events import decode_frame
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


@pytest.fixture
def fake_ami(data_dir: Path) -> Iterator[FakeAmiServer]:
    loop = asyncio.new_event_loop()
    server = FakeAmiServer(
        data_dir / "ami" / "session.txt",
        status=data_dir / "ami" / "status.txt",
        username=USER,
        secret=SECRET,
    )
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
    yield server
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5.0)


def invoke(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, ["collect", "ami", *args], env=env)


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
