"""Shared fixtures: one real Redis server per test session, a fresh key prefix per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from collectors.compiled import stale_modules
from collectors.keys import Keys
from collectors.redis_server import EmbeddedRedis

DATA = Path(__file__).parent / "data"


def pytest_sessionstart(session: pytest.Session) -> None:
    # A compiled extension shadows the source beside it: tests would run yesterday's code.
    stale = stale_modules()
    if stale:
        pytest.exit(
            f"compiled modules are older than their source: {', '.join(stale)}; "
            "run `make test` (it rebuilds them) or `pip install -e .`",
            returncode=2,
        )


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"), appendonly=False)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_client(redis_server: EmbeddedRedis) -> Iterator[redis.Redis]:
    client = redis_server.client()
    yield client
    client.close()


@pytest.fixture
def keys(redis_client: redis.Redis) -> Iterator[Keys]:
    """Key names under a prefix no other test uses; the keys are deleted afterwards."""
    k = Keys(prefix=f"t{uuid.uuid4().hex[:10]}", center="main")
    yield k
    stale = list(redis_client.scan_iter(match=f"{k.prefix}:*", count=1000))
    if stale:
        redis_client.delete(*stale)


@pytest.fixture
def data_dir() -> Path:
    return DATA
