"""``floorboard aggregate`` and ``floorboard report``: the aggregator, live or over files."""

from __future__ import annotations

import json
import logging
import signal
import socket
import sys
import threading
from pathlib import Path

import click
import redis

from collectors import compiled
from collectors.aggregator.consumer import Aggregator, ConsumerOptions
from collectors.aggregator.engine import AggregatorConfig
from collectors.aggregator.memory import GarbagePolicy
from collectors.aggregator.partition import Partition, claim_partition
from collectors.cdr.importer import summary_notes
from collectors.cdr.verdict import RejectLimit
from collectors.history.archive import sql_history
from collectors.keys import Keys
from collectors.pipeline.outage import OutageTracker
from collectors.report import ReportError, build_report
from core.migrate import upgrade
from dashboard.cli import Context, main, pass_context
from dashboard.cli.collect import SCALE_HELP, SURVEY_HELP, survey_options
from dashboard.cli.import_calls import (
    MAX_REJECTS,
    PRESET,
    check_mapping_options,
    check_rejects,
)
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


@main.command()
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


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--queue-log",
    "kind",
    flag_value="queue-log",
    default=True,
    help="SOURCES are Asterisk queue_log files (the default).",
)
@click.option(
    "--calls",
    "calls",
    type=click.Path(path_type=Path),
    help="A per-call CSV export (with --mapping or --preset) instead of queue_log files.",
)
@click.option("--mapping", type=click.Path(path_type=Path), help="Mapping file for --calls.")
@PRESET
@click.option(
    "--calls-timezone",
    help="IANA zone of the --calls file's local times (replaces the mapping's; with --preset "
    "the default is --timezone when given).",
)
@MAX_REJECTS
@click.option(
    "--interval", type=click.Choice(["15m", "30m", "1h", "day"]), default="15m", show_default=True
)
@click.option("--queue", default=None, help="Only this queue (the '*' total follows it).")
@click.option(
    "--sl-threshold",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Service level T in seconds (default 20).",
)
@click.option(
    "--short-abandon",
    type=click.FloatRange(min=0),
    default=None,
    help="Short abandon threshold in seconds (default 5).",
)
@click.option("--timezone", default=None, help="Center time zone for intervals (default UTC).")
@click.option("--json", "as_json", is_flag=True, help="Print the records as JSON.")
@click.option("--survey", "survey_verbs", multiple=True, metavar="VERB:FIELD", help=SURVEY_HELP)
@click.option("--survey-scale", metavar="LOW-HIGH", default=None, help=SCALE_HELP)
@pass_context
def report(
    ctx: Context,
    sources: tuple[Path, ...],
    kind: str,
    calls: Path | None,
    mapping: Path | None,
    preset: str | None,
    calls_timezone: str | None,
    max_rejects: RejectLimit,
    interval: str,
    queue: str | None,
    sl_threshold: float | None,
    short_abandon: float | None,
    timezone: str | None,
    as_json: bool,
    survey_verbs: tuple[str, ...],
    survey_scale: str | None,
) -> None:
    """Run the real pipeline (collector → Redis stream → aggregator) over files and print
    every metric (docs/METRICS.md) per queue and interval. Rejected lines are summarised on
    stderr."""
    settings = ctx.settings
    survey = survey_options(settings, survey_verbs, survey_scale)
    # Every rejected line is summarised below; per-line warnings would only repeat it.
    logging.getLogger("collectors").setLevel(logging.ERROR)
    base = aggregator_config(settings)
    config = AggregatorConfig(
        timezone=timezone or base.timezone,
        interval_minutes=15,
        sl_threshold=sl_threshold if sl_threshold is not None else base.sl_threshold,
        sl_thresholds={} if sl_threshold is not None else base.sl_thresholds,
        short_abandon=short_abandon if short_abandon is not None else base.short_abandon,
        csat_satisfied_min=base.csat_satisfied_min,
    )
    if calls is None and not sources:
        raise click.UsageError("give queue_log files, or --calls FILE --mapping MAPPING")
    if calls is not None and sources:
        raise click.UsageError("--calls takes one FILE (and no other sources)")
    if calls is not None:
        check_mapping_options(mapping, preset)
    try:
        result = build_report(
            queue_logs=list(sources), calls=calls, mapping=mapping, config=config,
            interval=interval, queue=queue, preset=preset, survey=survey,
            # A preset's server-local times: the center's zone when no other is given.
            calls_timezone=calls_timezone or (timezone if preset else None),
        )  # fmt: skip
    except ReportError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        json.dump(result.records, sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _print_table(result.records)
    click.echo(result.rejects_summary(), err=True)
    if result.calls_summary is not None:
        if result.calls_summary.clock_warning:
            click.echo(f"warning: {result.calls_summary.clock_warning}", err=True)
        for line in summary_notes(result.calls_summary):  # legs, figures it cannot know
            click.echo(line.strip(), err=True)
        check_rejects(result.calls_summary, max_rejects)


def _print_table(records: list[dict[str, object]]) -> None:
    cols = ("interval_start", "queue", "offered", "answered", "abandoned", "short_abandoned",
            "exited", "service_level", "answer_rate", "asa", "aht")  # fmt: skip
    click.echo("  ".join(f"{c:>14}" for c in cols))
    for r in records:
        cells = []
        for c in cols:
            v = r.get(c)
            unknown = r.get("not_available")
            if isinstance(unknown, list) and c in unknown:  # a CDR without the wait or talk
                v = "n/a"
            cells.append(
                f"{v:>14.3f}" if isinstance(v, float) else f"{'-' if v is None else v!s:>14}"
            )
        click.echo("  ".join(cells))
