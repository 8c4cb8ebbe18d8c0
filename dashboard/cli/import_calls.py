"""``floorboard import-calls``: backfill call history from an ACD's per-call CSV export."""

from __future__ import annotations

from pathlib import Path

import click

from collectors.aggregator.memory import collector_thresholds
from collectors.cdr import CdrFileError, ImportSummary, MappingError, import_calls, load_mapping
from collectors.cdr.importer import summary_notes
from collectors.pipeline.producer import EventProducer
from dashboard.center_time import center_time
from dashboard.cli import Context, main, pass_context
from dashboard.runtime import keys_for, redis_connection

_READABLE_FILE = click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)


@main.command("import-calls")
@click.argument("file", type=_READABLE_FILE)
@click.option(
    "--mapping",
    "mapping_path",
    required=True,
    type=_READABLE_FILE,
    help="YAML file describing the export (see docs/cdr-mapping.md).",
)
@click.option("--dry-run", is_flag=True, help="Read and check everything, publish nothing.")
@click.option(
    "--reorder-window",
    type=click.FloatRange(min=0),
    default=6 * 3600.0,
    show_default=True,
    help="Seconds of out-of-order rows tolerated while streaming (see docs/cdr-mapping.md).",
)
@click.option(
    "--whole-file", is_flag=True, help="Sort the whole file in memory (exports in no order)."
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=5000,
    show_default=True,
    help="Events and rejects per Redis transaction.",
)
@click.option("--strict", is_flag=True, help="Exit with status 3 when any row was rejected.")
@pass_context
def import_calls_command(
    ctx: Context,
    file: Path,
    mapping_path: Path,
    dry_run: bool,
    reorder_window: float,
    whole_file: bool,
    batch_size: int,
    strict: bool,
) -> None:
    """Import FILE, a per-call (CDR) CSV export, as canonical call events.

    Rows already imported (same call id and queue) are dropped by the aggregator, so a file or
    an overlapping export can be imported again safely.
    """
    try:
        mapping = load_mapping(mapping_path)
    except MappingError as exc:
        raise click.ClickException(f"invalid mapping: {exc}") from exc
    reorder = None if whole_file else reorder_window
    collector_thresholds()

    def run(producer: EventProducer | None) -> ImportSummary:
        return import_calls(
            path=file,
            mapping=mapping,
            producer=producer,
            batch_size=batch_size,
            reorder_window=reorder,
        )

    try:
        if dry_run:
            summary = run(None)
        else:
            with redis_connection(ctx.settings) as client:
                summary = run(EventProducer(client, keys=keys_for(ctx.settings)))
    except CdrFileError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(format_summary(summary, ctx.settings.timezone))
    if strict and summary.rejected:
        raise SystemExit(3)


def format_summary(summary: ImportSummary, tz: str = "UTC") -> str:
    """The human report of one import: counts, time range (in the center's zone ``tz``),
    rejects by reason and a sample."""
    published = "dry run: nothing published" if summary.dry_run else "published"
    lines = [
        f"{summary.path} ({summary.source}, {published})",
        f"  rows read   {summary.rows_read}",
        f"  calls       {summary.calls}",
        f"  events      {summary.events}{_span(summary, tz)}",
        f"  ignored     {summary.ignored}",
        f"  rejected    {summary.rejected}",
    ]
    lines += [f"    {reason}: {n}" for reason, n in summary.rejects.most_common()]
    if summary.samples:
        lines.append("  first rejects:")
        lines += [f"    {r.location}: {r.reason}" for r in summary.samples]
    if summary.late_events:
        lines.append(
            f"  warning: {summary.late_events} events came after later ones were released; "
            "the export is not in time order within --reorder-window (use --whole-file)"
        )
    lines += summary_notes(summary)  # multi-leg calls, figures the source cannot know
    return "\n".join(lines)


def _span(summary: ImportSummary, tz: str) -> str:
    if summary.first_ts is None or summary.last_ts is None:
        return ""
    first = center_time(summary.first_ts, tz, style="seconds")
    last = center_time(summary.last_ts, tz, style="seconds")
    return f"  ({first} .. {last})"
