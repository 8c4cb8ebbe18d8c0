"""Connections built from the settings: Redis (a server, a cluster, or the embedded one) and the
database.

``FLOORBOARD_REDIS_URL`` may name a Redis Cluster: ``redis+cluster://host:port[,host:port...]``
(see ``collectors.pipeline.clients``). ``FLOORBOARD_PARTITIONS`` (default 1) splits a center's
stream and live state into that many partitions, each with its own aggregator worker
(``docs/DEPLOYMENT.md``); every process of a center must use the same value.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import redis

from collectors.aggregator.engine import AggregatorConfig
from collectors.keys import Keys
from collectors.pipeline.clients import connect
from collectors.redis_server import EmbeddedRedis
from dashboard.settings import Settings, SettingsError


def partitions_for(settings: Settings) -> int:
    """How many partitions the center has (``FLOORBOARD_PARTITIONS``, default 1)."""
    count = settings.partitions
    if not 1 <= count <= 256:
        raise SettingsError(f"FLOORBOARD_PARTITIONS must be between 1 and 256, got {count}")
    return count


def keys_for(settings: Settings) -> Keys:
    return Keys(
        prefix=settings.key_prefix, center=settings.center, partitions=partitions_for(settings)
    )


def _running_embedded(data_dir: Path) -> redis.Redis | None:
    """A client for an embedded server another Floorboard process already runs, if any."""
    port_file = data_dir / "redis" / "port"
    if not port_file.exists():
        return None
    try:
        client = redis.Redis(
            port=int(port_file.read_text().strip()), decode_responses=True, socket_connect_timeout=1
        )
        client.ping()
    except (ValueError, redis.RedisError):
        return None
    return client


@contextlib.contextmanager
def redis_connection(settings: Settings) -> Iterator[redis.Redis]:
    """A Redis client: ``FLOORBOARD_REDIS_URL`` when set (a server or a cluster), else the
    embedded server under the data directory (started here if no other Floorboard process runs
    it, stopped on exit).

    A cluster client is typed as ``redis.Redis``: it has the same methods for every command
    Floorboard sends (all keyed, all of one center in one slot)."""
    if settings.redis_url:
        try:
            client = cast(redis.Redis, connect(settings.redis_url))
        except ValueError as exc:
            raise SettingsError(f"FLOORBOARD_REDIS_URL: {exc}") from exc
        try:
            yield client
        finally:
            client.close()
        return
    existing = _running_embedded(settings.data_dir)
    if existing is not None:
        try:
            yield existing
        finally:
            existing.close()
        return
    server = EmbeddedRedis(settings.data_dir / "redis", appendonly=True)
    server.start()
    port_file = settings.data_dir / "redis" / "port"
    port_file.write_text(str(server.port))
    # The server is ours: if it dies, it is started again (same port, same AOF), so the
    # demo and the processes attached to it carry on.
    supervised = threading.Event()
    watcher = server.keep_running(supervised)
    client = server.client()
    try:
        yield client
    finally:
        client.close()
        supervised.set()
        watcher.join(timeout=15)
        port_file.unlink(missing_ok=True)
        server.stop()


def aggregator_config(settings: Settings) -> AggregatorConfig:
    """The counting rules of the center, from the settings."""
    return AggregatorConfig(
        timezone=settings.timezone,
        interval_minutes=settings.interval_minutes,
        sl_threshold=settings.sl_threshold,
        sl_thresholds={
            q: s.sl_threshold for q, s in settings.queues.items() if s.sl_threshold is not None
        },
        sl_target=settings.sl_target,
        short_abandon=settings.short_abandon,
        csat_satisfied_min=settings.csat_satisfied_min,
        trunk_capacity=settings.trunk_capacity,
        presence_idle_gap_s=settings.presence_idle_gap_s,
        roster=settings.roster,
    )
