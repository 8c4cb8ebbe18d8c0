"""``floorboard health``: a health check for containers (``docker-compose.yml``).

Without options it checks that Redis answers (what a collector needs); with
``--max-snapshot-age`` it also checks that the center's snapshot is fresh, which is true only
while an aggregator runs for every partition (the aggregator writes the snapshot at least once
a second even when nothing happens, and a merged snapshot is as old as its oldest part).

Either way it prints the warnings live collectors left in their status records (an AMI server
sending events without timestamps) on stderr. They do not fail the check: restarting the
container would not fix them; the configuration of the source does.
"""

from __future__ import annotations

import json
import time

import click
import redis

from collectors.pipeline.clients import connect
from collectors.pipeline.sources import read_statuses
from dashboard.cli import Context, pass_context
from dashboard.runtime import keys_for


@click.command()
@click.option(
    "--max-snapshot-age",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Also fail when the center's snapshot is older than this many seconds.",
)
@pass_context
def health(ctx: Context, max_snapshot_age: float | None) -> None:
    """Exit 0 when Redis answers (and the snapshot is fresh enough); for health checks."""
    settings = ctx.settings
    if not settings.redis_url:
        raise click.ClickException("FLOORBOARD_REDIS_URL is not set: nothing to check")
    try:
        client = connect(settings.redis_url, socket_timeout=3, socket_connect_timeout=3)
        client.ping()
        keys = keys_for(settings)
        raw = client.get(keys.snapshot) if max_snapshot_age else None
        statuses = read_statuses(client, keys)
        client.close()
    except (redis.RedisError, ValueError) as exc:
        raise click.ClickException(f"Redis at FLOORBOARD_REDIS_URL does not answer: {exc}") from exc
    _warn(statuses)
    if max_snapshot_age is None:
        click.echo("ok: Redis answers")
        return
    if raw is None:
        raise click.ClickException("no snapshot yet: is the aggregator running?")
    age = time.time() - float(json.loads(raw).get("generated_at") or 0)
    if age > max_snapshot_age:
        raise click.ClickException(
            f"the snapshot is {age:.0f} s old (limit {max_snapshot_age:g} s): "
            "an aggregator (or a partition's aggregator) is not running"
        )
    click.echo(f"ok: snapshot {age:.1f} s old")


def _warn(statuses: dict[str, dict[str, object]]) -> None:
    """Every warning a collector's status record holds, loudly, on stderr."""
    for source, record in statuses.items():
        warnings = record.get("warnings")
        for warning in warnings if isinstance(warnings, list) else []:
            state = "connected" if record.get("connected") else "not connected"
            updated = record.get("updated_at")
            age = (
                f", recorded {time.time() - float(updated):.0f} s ago"
                if isinstance(updated, int | float)
                else ""
            )
            click.echo(f"WARNING {source} ({state}{age}): {warning}", err=True)
