"""``floorboard scorecards|qa|recordings``: the QA console's batch work from the command line.

The database is ``FLOORBOARD_DATABASE_URL``; run ``floorboard db upgrade`` first. Commands
that change data record their actor (``--by``) in the audit log.
"""

from __future__ import annotations

import getpass
import json
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from collectors.history.models import Call
from core.db import make_engine, session_factory, session_scope
from dashboard.cli import Context, pass_context, require_tables
from qa.recordings.demo import write_demo_recordings
from qa.recordings.service import RecordingError, attach_demo_recordings, find_recording
from qa.reports.export import (
    failures_table,
    quality_table,
    render_text,
    workload_table,
    write_csv,
    write_xlsx,
)
from qa.reports.schemas import GroupBy, Table
from qa.reports.service import evaluator_workload, item_failure_rates, quality_scores
from qa.sampling.schemas import Period, SamplingError, load_policy
from qa.sampling.service import run_sampling, work_queue
from qa.scorecards.files import dumps_spec
from qa.scorecards.schemas import ScorecardError
from qa.scorecards.service import (
    export_scorecard,
    get_version,
    import_scorecard,
    install_default,
    list_scorecards,
    scorecard_out,
    spec_of,
)

TABLES = ("calls", "scorecards", "evaluations", "qa_assignments")
_ERRORS = (ScorecardError, SamplingError, RecordingError)
_FILE = click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)
_OUT = click.Path(dir_okay=False, writable=True, path_type=Path)
_DAY = click.DateTime(["%Y-%m-%d"])


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return "cli"


_BY = click.option(
    "--by", "actor", default=_default_actor, show_default="your user name",
    help="Who does this (audit log).",
)  # fmt: skip
_JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def _check_schema(url: str) -> None:
    require_tables(url, TABLES)


@contextmanager
def _session(ctx: Context) -> Iterator[Session]:
    """A committed-on-success session; domain errors become messages with exit code 1."""
    url = ctx.settings.sqlalchemy_url
    _check_schema(url)
    engine = make_engine(url)
    try:
        with session_scope(session_factory(engine)) as session:
            yield session
    except _ERRORS as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        engine.dispose()


def _today(ctx: Context) -> date:
    return datetime.now(ZoneInfo(ctx.settings.timezone)).date()


# --- scorecards -----------------------------------------------------------------------------


@click.group()
def scorecards() -> None:
    """Scorecards: versioned definitions in YAML or JSON (see the default for every field)."""


@scorecards.command("list")
@click.option("--all-versions", is_flag=True, help="Every version, not only the newest.")
@_JSON
@pass_context
def scorecards_list(ctx: Context, all_versions: bool, as_json: bool) -> None:
    """List scorecards: key, version, status, items and evaluations."""
    with _session(ctx) as db:
        rows = [
            scorecard_out(db_session=db, scorecard=s)
            for s in list_scorecards(db_session=db, all_versions=all_versions)
        ]
    if as_json:
        click.echo(json.dumps([asdict(r) for r in rows], indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("no scorecards: `floorboard scorecards import --default` adds the default one")
    for r in rows:
        click.echo(
            f"{r.key:<16} v{r.version:<3} {r.status:<10} {r.items:>3} items "
            f"{r.evaluations:>5} evaluations  {r.name}"
        )


@scorecards.command("import")
@click.argument("file", type=_FILE, required=False)
@click.option("--default", "use_default", is_flag=True, help="Floorboard's default scorecard.")
@_BY
@pass_context
def scorecards_import(ctx: Context, file: Path | None, use_default: bool, actor: str) -> None:
    """Create or change a scorecard from FILE (YAML, or JSON for .json). A scorecard that
    already has evaluations gets a new version."""
    if (file is None) == (not use_default):
        raise click.UsageError("give a FILE or --default (not both)")
    with _session(ctx) as db:
        if file is None:
            result = install_default(db_session=db, actor=actor)
        else:
            result = import_scorecard(db_session=db, path=file, actor=actor)
        card, change = result.scorecard, result.change
        message = {
            "created": "created", "updated": "updated in place (no evaluations yet)",
            "new_version": "saved as a new version (the previous one has evaluations)",
            "unchanged": "unchanged",
        }[change]  # fmt: skip
        click.echo(f"scorecard {card.key} version {card.version}: {message}")


@scorecards.command("export")
@click.argument("key")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--version", "version", type=click.IntRange(min=1), help="Default: the newest.")
@pass_context
def scorecards_export(ctx: Context, key: str, file: Path, version: int | None) -> None:
    """Write scorecard KEY to FILE (.json for JSON, else YAML; "-" for YAML on stdout)."""
    with _session(ctx) as db:
        if str(file) == "-":
            card = get_version(db_session=db, key=key, version=version)
            sys.stdout.write(dumps_spec(spec_of(card)))
            return
        try:
            card = export_scorecard(db_session=db, key=key, path=file, version=version)
        except OSError as exc:
            raise click.ClickException(f"cannot write {file}: {exc.strerror}") from exc
    click.echo(f"wrote scorecard {card.key} version {card.version} to {file}")


# --- qa -----------------------------------------------------------------------------------


@click.group()
def qa() -> None:
    """QA sampling, work queues and reports."""


@qa.command("sample")
@click.option("--policy", "policy_path", type=_FILE, required=True, help="Policy YAML/JSON.")
@click.option("--seed", type=int, help="Random seed (printed when not given; reuse it to redo).")
@click.option("--start", type=_DAY, help="First day (default: the last complete period).")
@click.option("--end", type=_DAY, help="Day after the last (default: with --start, one period).")
@click.option("--dry-run", is_flag=True, help="Show the sample without assigning it.")
@_JSON
@_BY
@pass_context
def qa_sample(
    ctx: Context,
    policy_path: Path,
    seed: int | None,
    start: Any,
    end: Any,
    dry_run: bool,
    as_json: bool,
    actor: str,
) -> None:
    """Draw calls from the call history by policy and assign them evenly to evaluators."""
    try:
        policy = load_policy(policy_path)
    except SamplingError as exc:
        raise click.ClickException(str(exc)) from exc
    first, last = policy.period.previous(_today(ctx))
    first = start.date() if start else first
    last = end.date() if end else (policy.period.next_start(first) if start else last)
    seed = secrets.randbelow(2**31) if seed is None else seed
    with _session(ctx) as db:
        result = run_sampling(db_session=db, policy=policy, start=first, end=last, seed=seed,
                              actor=actor, tz=ctx.settings.timezone, dry_run=dry_run)  # fmt: skip
    if as_json:
        payload = {
            "run_id": result.run_id, "seed": seed, "start": first.isoformat(),
            "end": last.isoformat(), "per_evaluator": dict(result.per_evaluator),
            "calls": [{**asdict(d), "call_at": d.call_at.isoformat(),
                       "period_start": d.period_start.isoformat()} for d in result.drawn],
        }  # fmt: skip
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    what = "would assign" if dry_run else "assigned"
    click.echo(f"{policy.name}: {first} to {last} (seed {seed}): {what} {len(result.drawn)} calls")
    for evaluator, count in result.per_evaluator.items():
        click.echo(f"  {evaluator:<16} {count}")
    for agent, period, found in result.short:
        click.echo(f"  note: {agent} had only {found} qualifying calls in the period of {period}")


@qa.command("queue")
@click.argument("evaluator", required=False)
@click.option("--all", "include_done", is_flag=True, help="Include assignments already done.")
@_JSON
@pass_context
def qa_queue(ctx: Context, evaluator: str | None, include_done: bool, as_json: bool) -> None:
    """Show what is due (EVALUATOR's, or everyone's)."""
    with _session(ctx) as db:
        items = work_queue(db_session=db, evaluator=evaluator, include_done=include_done,
                           today=_today(ctx))  # fmt: skip
    if as_json:
        click.echo(json.dumps([asdict(i) for i in items], indent=2, default=str))
        return
    for i in items:
        flag = " OVERDUE" if i.overdue else ""
        click.echo(
            f"#{i.assignment_id:<5} {i.evaluator:<12} {i.status:<11} due {i.due_on or '-'} "
            f"call {i.call_id} ({i.queue}, agent {i.agent_id}){flag}"
        )
    if not items:
        click.echo("nothing due")


def _range(ctx: Context, start: Any, end: Any) -> tuple[date, date]:
    today = _today(ctx)
    first = start.date() if start else today.replace(day=1)
    last = end.date() if end else today + timedelta(days=1)
    if last <= first:
        raise click.BadParameter(f"--end {last} must be after --start {first}", param_hint="--end")
    return first, last


@qa.command("report")
@click.argument("kind", type=click.Choice(["quality", "items", "evaluators"]))
@click.option("--start", type=_DAY, help="First day (default: the 1st of this month).")
@click.option("--end", type=_DAY, help="Day after the last (default: tomorrow).")
@click.option(
    "--group",
    type=click.Choice([g.value for g in GroupBy]),
    default="agent",
    show_default=True,
    help="Quality report: group by.",
)
@click.option(
    "--period",
    type=click.Choice([p.value for p in Period]),
    help="Quality report: one row per day, week or month.",
)
@click.option("--scorecard", help="Only evaluations on this scorecard.")
@click.option("--csv", "csv_path", type=_OUT, help="Also write the report as CSV.")
@click.option("--xlsx", "xlsx_path", type=_OUT, help="Also write the report as XLSX.")
@pass_context
def qa_report(
    ctx: Context,
    kind: str,
    start: Any,
    end: Any,
    group: str,
    period: str | None,
    scorecard: str | None,
    csv_path: Path | None,
    xlsx_path: Path | None,
) -> None:
    """Quality scores (quality), item failure rates (items) or evaluator workload."""
    first, last = _range(ctx, start, end)
    tz = ctx.settings.timezone
    with _session(ctx) as db:
        table = _report(db, kind, first, last, tz, GroupBy(group),
                        Period(period) if period else None, scorecard)  # fmt: skip
    table = Table(f"{table.title}, {first} to {last}", table.columns, table.rows)
    click.echo(render_text(table))
    try:
        if csv_path:
            write_csv(table, csv_path)
            click.echo(f"wrote {csv_path}")
        if xlsx_path:
            write_xlsx([table], xlsx_path)
            click.echo(f"wrote {xlsx_path}")
    except OSError as exc:
        raise click.ClickException(f"cannot write the report: {exc}") from exc


def _report(
    db: Session,
    kind: str,
    first: date,
    last: date,
    tz: str,
    group: GroupBy,
    period: Period | None,
    scorecard: str | None,
) -> Table:
    if kind == "quality":
        rows = quality_scores(db_session=db, start=first, end=last, by=group, period=period,
                              tz=tz, scorecard_key=scorecard)  # fmt: skip
        return quality_table(rows, by=group)
    if kind == "items":
        return failures_table(item_failure_rates(db_session=db, start=first, end=last, tz=tz,
                                                 scorecard_key=scorecard))  # fmt: skip
    return workload_table(evaluator_workload(db_session=db, start=first, end=last, tz=tz))


# --- recordings ---------------------------------------------------------------------------


@click.group()
def recordings() -> None:
    """Call recordings (found by FLOORBOARD_RECORDING_PATTERN or imported per call)."""


@recordings.command("demo")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--count", type=click.IntRange(1, 50), default=4, show_default=True)
@click.option("--seconds", type=click.FloatRange(1, 120), default=6.0, show_default=True)
@click.option(
    "--attach",
    is_flag=True,
    help="Also give every answered call without a recording one of them (demo data).",
)
@_BY
@pass_context
def recordings_demo(
    ctx: Context, directory: Path, count: int, seconds: float, attach: bool, actor: str
) -> None:
    """Write COUNT short synthetic recordings (WAV) into DIRECTORY."""
    try:
        files = write_demo_recordings(directory, count=count, seconds=seconds)
    except OSError as exc:
        raise click.ClickException(f"cannot write to {directory}: {exc.strerror}") from exc
    click.echo(f"wrote {len(files)} demo recordings to {directory}")
    if attach:
        with _session(ctx) as db:
            done = attach_demo_recordings(db_session=db, files=[f.resolve() for f in files],
                                          actor=actor)  # fmt: skip
        click.echo(f"gave {done} calls a demo recording")


@recordings.command("check")
@click.argument("call_id")
@pass_context
def recordings_check(ctx: Context, call_id: str) -> None:
    """Find and check the recording of CALL_ID (exit 1 with the reason when unplayable)."""
    pattern = ctx.settings.recording_pattern
    with _session(ctx) as db:
        calls = list(db.scalars(select(Call).where(Call.call_id == call_id).order_by(Call.id)))
        if not calls:
            raise click.ClickException(f"there is no call {call_id!r} in the call history")
        info = find_recording(calls[-1], pattern=pattern, base_dir=ctx.settings.data_dir)
    length = f", {info.duration:.1f} s" if info.duration is not None else ""
    click.echo(f"{info.path}: {info.mime}, {info.size} bytes{length}")
