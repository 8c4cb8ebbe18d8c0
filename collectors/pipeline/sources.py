"""What each live collector last said about itself: one JSON record per source, in Redis.

A collector that runs for days can be up and publishing and still be wrong in a way an
operator must hear about (the AMI collector: events without timestamps). It keeps a small
record under its source name in the center's ``sources`` hash; ``floorboard health`` prints
the warnings in it. A record is a snapshot of the collector's view, not a liveness proof: its
``updated_at`` says when it was written, ``connected`` whether the collector was connected then.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from collectors.keys import Keys
from collectors.pipeline.clients import RedisClient


def write_status(client: RedisClient, keys: Keys, source: str, record: Mapping[str, Any]) -> None:
    """Store ``record`` (JSON-able) as what ``source`` says about itself now."""
    client.hset(keys.sources, source, json.dumps(dict(record), sort_keys=True))


def read_statuses(client: RedisClient, keys: Keys) -> dict[str, dict[str, Any]]:
    """Every source's record; a record that is not a JSON object is skipped."""
    out: dict[str, dict[str, Any]] = {}
    for source, raw in sorted(client.hgetall(keys.sources).items()):
        try:
            record = json.loads(raw)
        except ValueError:
            continue
        if isinstance(record, dict):
            out[str(source)] = record
    return out
