"""``floorboard import-calls``: backfill call history from an ACD's per-call CSV export."""

from __future__ import annotations

from pathlib import Path

import click

from collectors.aggregator.memory import collector_thresholds
from collectors.cdr import CdrFileError, ImportSummary, MappingError, import_calls
from collectors.cdr.detect import detect
from collectors.cdr.importer import summary_notes
from collectors.cdr.preset import preset_names, preset_text, resolve_mapping
from collectors.cdr.verdict import RejectLimit, RejectLimitError
from collectors.pipeline.producer import EventProducer
from core.center_time import center_time
from dashboard.cli import Context, pass_context
from dashboard.runtime import keys_for, redis_connection

_SHOWN_REJECTS = 10  # the summary names the first rejected lines; the dead-letter stream has all
_READABLE_FILE = click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)


class RejectLimitType(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.5
    """``--max-rejects``: a number of rows or a percentage of the rows read."""

    name = "N|P%"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> RejectLimit:
        if isinstance(value, RejectLimit):
            return value
        try:
            return RejectLimit.parse(str(value))
        except RejectLimitError as exc:
            self.fail(str(exc), param, ctx)


MAX_REJECTS = click.option(
    "--max-rejects",
    type=RejectLimitType(),
    default="0",
    show_default=True,
    help="Rejected rows tolerated before the command fails (exit 3): a number, or a "
    "percentage of the rows read such as 2%. A file whose every row is rejected always fails.",
)
PRESET = click.option(
    "--preset",
    # Not listed here: help text is built at import time, and the list is read from the package.
    help="A shipped mapping instead of --mapping (docs/cdr-mapping.md, Presets); an unknown "
    "name lists the known ones. --detect proposes one.",
)


def _show_preset(ctx: click.Context, _param: click.Parameter, name: str | None) -> None:
    """``--show-preset NAME``: print the preset's YAML, comments included, and exit, so a
    center whose export is almost a preset can start from it (``> mine.yaml``, then
    ``--mapping mine.yaml``). Needs no FILE."""
    if name is None or ctx.resilient_parsing:
        return
    try:
        text = preset_text(name)
    except MappingError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param_hint="--show-preset") from exc
    click.echo(text, nl=not text.endswith("\n"))
    ctx.exit(0)


def check_mapping_options(mapping_path: Path | None, preset: str | None) -> None:
    """Exactly one of ``--mapping`` and ``--preset``."""
    if mapping_path is not None and preset is not None:
        raise click.UsageError(
            "--mapping and --preset are exclusive: a preset is a shipped mapping; give one"
        )
    if mapping_path is None and preset is None:
        raise click.UsageError(
            f"say how to read the file: --preset NAME ({', '.join(preset_names())}), "
            "--mapping FILE, or --detect to have a preset proposed"
        )


def check_rejects(summary: ImportSummary, limit: RejectLimit) -> None:
    """Exit with status 3 when the import rejected more rows than ``limit`` allows."""
    failure = limit.failure(rows_read=summary.rows_read, rejected=summary.rejected)
    if failure is not None:
        click.echo(f"Error: {summary.path}: {failure}", err=True)
        raise SystemExit(3)


@click.command("import-calls")
@click.argument("file", type=_READABLE_FILE)
@click.option(
    "--mapping",
    "mapping_path",
    type=_READABLE_FILE,
    help="YAML file describing the export (see docs/cdr-mapping.md).",
)
@PRESET
@click.option(
    "--timezone",
    help="IANA zone of the file's local times (e.g. Asia/Shanghai); required by presets of "
    "server-local exports, and replaces a mapping's time.timezone.",
)
@click.option(
    "--detect",
    is_flag=True,
    help="Propose a preset from the file's shape and say why; import nothing.",
)
@click.option(
    "--show-preset",
    metavar="NAME",
    is_eager=True,
    expose_value=False,
    callback=_show_preset,
    help="Print preset NAME's mapping (YAML, with its comments) and exit; no FILE needed. "
    "Redirect it to a file, edit it, and use it with --mapping.",
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
@MAX_REJECTS
@click.option(
    "--strict", is_flag=True, help="Same as --max-rejects 0 (the default; kept for scripts)."
)
@pass_context
def import_calls_command(
    ctx: Context,
    file: Path,
    mapping_path: Path | None,
    preset: str | None,
    timezone: str | None,
    detect: bool,
    dry_run: bool,
    reorder_window: float,
    whole_file: bool,
    batch_size: int,
    max_rejects: RejectLimit,
    strict: bool,
) -> None:
    """Import FILE, a per-call (CDR) CSV export, as canonical call events.

    Rows already imported (same call id and queue) are dropped by the aggregator, so a file or
    an overlapping export can be imported again safely. Any rejected row makes the command
    fail (exit 3) unless --max-rejects allows it.
    """
    if detect:
        _detect(file, mapping_path, preset)
        return
    if strict and (max_rejects.count or max_rejects.percent):
        raise click.UsageError("--strict means --max-rejects 0: give one or the other")
    check_mapping_options(mapping_path, preset)
    try:
        mapping = resolve_mapping(mapping_path=mapping_path, preset=preset, timezone=timezone)
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
    check_rejects(summary, max_rejects)


def _detect(file: Path, mapping_path: Path | None, preset: str | None) -> None:
    if mapping_path is not None or preset is not None:
        raise click.UsageError("--detect proposes a preset: give it without --mapping/--preset")
    try:
        found = detect(file)
    except OSError as exc:
        raise click.ClickException(f"cannot read {file}: {exc.strerror or exc}") from exc
    click.echo(found.text())
    if found.best is None:
        raise SystemExit(1)


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
        lines += [f"    {r.location}: {r.reason}" for r in summary.samples[:_SHOWN_REJECTS]]
        if summary.rejected > _SHOWN_REJECTS:
            lines.append(f"    ... and {summary.rejected - _SHOWN_REJECTS} more")
    if summary.rejects.get("wrong column count"):
        lines.append(
            "  hint: rows do not have the columns the mapping names; `floorboard import-calls "
            "FILE --detect` proposes a preset from the file's shape (an Asterisk 12+ Master.csv "
            "has 21 columns, older ones 18)"
        )
    if summary.clock_warning:
        lines.append(f"  warning: {summary.clock_warning}")
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
