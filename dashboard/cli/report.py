"""``floorboard report``: the real pipeline over files, every metric per queue and interval.

Its own module (not with ``aggregate``) so that it imports neither SQLAlchemy nor Alembic.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from collectors.aggregator.engine import AggregatorConfig
from collectors.cdr.importer import summary_notes
from collectors.cdr.verdict import RejectLimit
from collectors.report import ReportError, build_report
from dashboard.cli import Context, pass_context
from dashboard.cli.collect import SCALE_HELP, SURVEY_HELP, survey_options
from dashboard.cli.import_calls import (
    MAX_REJECTS,
    PRESET,
    check_mapping_options,
    check_rejects,
)
from dashboard.runtime import aggregator_config


@click.command()
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
    every metric of docs/METRICS.md per queue and interval. Rejected lines are summarised on
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
