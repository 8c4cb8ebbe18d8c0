"""``floorboard aggregate``: the aggregator, live (``report`` runs it over files: report.py)."""

from __future__ import annotations

import logging
import signal
import socket
import threading

import click
import redis

from collectors import compiled
from collectors.aggregator.consumer import Aggregator, ConsumerOptions
from collectors.aggregator.memory import GarbagePolicy
from collectors.aggregator.partition import Partition, claim_partition
from collectors.history.archive import sql_history
from collectors.keys import Keys
from collectors.pipeline.outage import OutageTracker
from core.migrate import upgrade
from dashboard.cli import Context, pass_context
from dashboard.runtime import aggregator_config, keys_for, redis_connection

log = logging.getLogger(__name__)


def tune_gc() -> GarbagePolicy:
    """Timed garbage collection instead of CPython's automatic one (see ``memory.py``); the
    returned policy must be called between batches."""
    policy = GarbagePolicy()
    policy.start()
    return policy


def log_hot_path() -> None:
    """Say whether the counting engine runs compiled; warn when an extension is out of date."""
    states = compiled.status()
    done = sum(1 for state in states.values() if state == "compiled")
    log.info("hot path: %d of %d modules compiled (mypyc)", done, len(states))
    stale = compiled.stale_modules()
    if stale:
        log.warning(
            "compiled modules older than their source (run `make` or `pip install -e .`): %s",
            ", ".join(stale),
        )


def stop_on_signals() -> threading.Event:
    """An event set by Ctrl-C or SIGTERM, so loops end cleanly."""
    stop = threading.Event()

    def handler(_signum: int, _frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    return stop


@click.command()
@click.option(
    "--consumer",
    default=f"aggregator-{socket.gethostname()}",
    show_default=True,
    help="Consumer name in the group (unique per process).",
)
@click.option("--read-count", default=10, show_default=True, help="Stream entries per batch.")
@click.option(
    "--snapshot-interval-ms",
    type=int,
    default=None,
    help="Snapshot refresh period (default from settings).",
)
@click.option("--no-history", is_flag=True, help="Do not write finished calls to SQL.")
@click.option(
    "--counter-ttl-days",
    type=click.IntRange(min=1),
    default=35,
    show_default=True,
    help="Days the interval counters stay in Redis (the call history is in SQL).",
)
@click.option(
    "--partition",
    "partition_text",
    default="auto",
    show_default=True,
    help="With FLOORBOARD_PARTITIONS=N > 1: the partition this worker runs (0..N-1), or "
    "'auto' for the first one without an active worker (a standby while all have one).",
)
@pass_context
def aggregate(
    ctx: Context,
    consumer: str,
    read_count: int,
    snapshot_interval_ms: int | None,
    no_history: bool,
    counter_ttl_days: int,
    partition_text: str,
) -> None:
    """Consume the event stream: live state, counters, snapshot, call history."""
    settings = ctx.settings
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    collect_garbage = tune_gc()
    log_hot_path()
    history = None
    if not no_history:
        upgrade(settings.sqlalchemy_url)
        history = sql_history(settings.sqlalchemy_url)
    options = ConsumerOptions(
        consumer=consumer,
        read_count=read_count,
        snapshot_interval_ms=snapshot_interval_ms or settings.snapshot_interval_ms,
        counter_ttl_days=counter_ttl_days,
    )
    center = keys_for(settings)
    wanted = _partition_option(partition_text, center)
    stop = stop_on_signals()
    with redis_connection(settings) as client:
        partition = None
        if center.partitions > 1:
            index = wanted if wanted is not None else _claim(client, center, options, stop)
            if index is None:
                return
            partition = Partition(index, center)
        aggregator = Aggregator(
            client,
            keys=partition.keys if partition else center,
            config=aggregator_config(settings),
            options=options,
            history=history,
            partition=partition,
        )
        part = f", partition {partition.index} of {center.partitions}" if partition else ""
        click.echo(f"aggregating center {settings.center!r}{part}; Ctrl-C to stop", err=True)
        aggregator.run(stop, on_batch=collect_garbage)


def _partition_option(text: str, center: Keys) -> int | None:
    """The partition asked for; ``None`` for ``auto``."""
    if text == "auto":
        return None
    if not text.isdigit() or int(text) >= center.partitions:
        raise click.BadParameter(
            f"{text!r} is not 'auto' or a partition of 0..{center.partitions - 1} "
            f"(FLOORBOARD_PARTITIONS={center.partitions})",
            param_hint="--partition",
        )
    return int(text)


def _claim(
    client: redis.Redis, center: Keys, options: ConsumerOptions, stop: threading.Event
) -> int | None:
    """Wait until a partition has no active worker and take it; ``None`` when stopped."""
    waiting = False
    outage = OutageTracker("aggregate: Redis", log)
    while not stop.is_set():
        try:
            index = claim_partition(client, center, owner=options.consumer, ttl_ms=options.lease_ms)
        except redis.RedisError as exc:
            stop.wait(outage.failed(exc))
            continue
        outage.recovered()
        if index is not None:
            return index
        if not waiting:
            click.echo("every partition has an active worker: waiting as a standby", err=True)
            waiting = True
        stop.wait(1.0)
    return None
