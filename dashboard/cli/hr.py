"""``floorboard agents|ledger|awards``: HR's monthly work from the command line (stable: other
tools call it). The database is ``FLOORBOARD_DATABASE_URL``; run ``floorboard db upgrade`` first.

Every command that changes data records its actor (``--by``) in the audit log. Role checks
(only hr and admin publish or override) come with the web login; the CLI trusts its user.
"""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy.orm import Session

from core.db import make_engine, session_factory, session_scope
from dashboard.cli import Context, pass_context, require_tables
from qa.awards.decisions import override_coefficient, resolve_tie
from qa.awards.month import compute as compute_awards
from qa.awards.month import revise as revise_awards
from qa.awards.policy import Policy, PolicyError, load_policy
from qa.awards.report import month_view, render_text
from qa.awards.schemas import AwardStatus, Month, MonthView
from qa.awards.service import AwardsError, get_month, publish_month, review_month
from qa.csvio import CsvImportError
from qa.ledger.files import export_ledger_csv, import_ledger_csv, write_ledger_csv
from qa.ledger.schemas import Category, EntryIn, EntryKind, LedgerError, parse_points
from qa.ledger.service import add_entry, correct_entry, list_entries
from qa.people.schemas import PeopleError
from qa.people.service import agent_out, import_agents_csv, list_agents

# evaluations: the QA averages that break ties come from there.
TABLES = ("agents", "ledger_entries", "award_months", "audit_log", "evaluations")
_DOMAIN_ERRORS = (CsvImportError, LedgerError, AwardsError, PolicyError, PeopleError)
_F = TypeVar("_F", bound=Callable[..., Any])
_FILE = click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)


class MonthType(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.5
    """A ``YYYY-MM`` month."""

    name = "YYYY-MM"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, Month):
            return value
        try:
            return Month.parse(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


MONTH = MonthType()


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return "cli"


def _by(required: bool) -> Callable[[_F], _F]:
    if required:
        return click.option("--by", "actor", required=True, help="Who does this (audit log).")
    return click.option(
        "--by", "actor", default=_default_actor, show_default="your user name",
        help="Who does this (audit log).",
    )  # fmt: skip


def _check_schema(url: str) -> None:
    require_tables(url, TABLES)


@contextmanager
def _session(ctx: Context) -> Iterator[Session]:
    """A session on the configured database, committed on success; domain errors become
    clear messages with a non-zero exit, and nothing of a failed command is kept."""
    url = ctx.settings.sqlalchemy_url
    _check_schema(url)
    engine = make_engine(url)
    try:
        with session_scope(session_factory(engine)) as session:
            yield session
    except _DOMAIN_ERRORS as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        engine.dispose()


# --- agents -------------------------------------------------------------------------------


@click.group()
def agents() -> None:
    """Agents (telephony agent id, name, team, employment regular|probation)."""


@agents.command("import")
@click.argument("file", type=_FILE)
@_by(required=False)
@pass_context
def agents_import(ctx: Context, file: Path, actor: str) -> None:
    """Create or update agents from FILE (columns agent_id,name,team,employment)."""
    with _session(ctx) as db:
        report = import_agents_csv(db_session=db, path=file, actor=actor)
    total = len(report.created) + len(report.updated) + len(report.unchanged)
    click.echo(
        f"{total} agents in {file}: {len(report.created)} created, "
        f"{len(report.updated)} updated, {len(report.unchanged)} unchanged"
    )


@agents.command("list")
@click.option("--team", help="Only this team.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def agents_list(ctx: Context, team: str | None, as_json: bool) -> None:
    """List agents by agent id."""
    with _session(ctx) as db:
        rows = [agent_out(a) for a in list_agents(db_session=db, team=team)]
    if as_json:
        click.echo(json.dumps([asdict(a) for a in rows], indent=2, ensure_ascii=False))
        return
    for a in rows:
        status = a.employment + ("" if a.active else ", inactive")
        click.echo(f"{a.agent_id:<12} {a.name:<24} {a.team or '-':<12} {status}")


# --- ledger -------------------------------------------------------------------------------


@click.group()
def ledger() -> None:
    """Deductions and bonuses (entries are never edited: corrections are new entries)."""


@ledger.command("import")
@click.argument("file", type=_FILE)
@_by(required=False)
@pass_context
def ledger_import(ctx: Context, file: Path, actor: str) -> None:
    """Add the entries of FILE (columns agent_id,date,category,points,kind,note); one bad row
    means nothing is imported."""
    with _session(ctx) as db:
        rows = import_ledger_csv(db_session=db, path=file, actor=actor)
    click.echo(f"imported {len(rows)} ledger entries from {file}")


@ledger.command("export")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--month", type=MONTH, help="Only entries dated in this month.")
@pass_context
def ledger_export(ctx: Context, file: Path, month: Month | None) -> None:
    """Write ledger entries to FILE as CSV ("-" for standard output)."""
    start, end = (month.start, month.end) if month else (None, None)
    with _session(ctx) as db:
        if str(file) == "-":
            write_ledger_csv(list_entries(db_session=db, start=start, end=end), sys.stdout)
            return
        try:
            count = export_ledger_csv(db_session=db, path=file, start=start, end=end)
        except OSError as exc:
            raise click.ClickException(f"cannot write {file}: {exc.strerror}") from exc
    click.echo(f"wrote {count} ledger entries to {file}")


def _points(value: str) -> Decimal:
    try:
        return parse_points(value)
    except LedgerError as exc:
        raise click.BadParameter(str(exc)) from exc


@ledger.command("add")
@click.option("--agent", "agent_id", required=True, help="Agent id.")
@click.option("--date", "day", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Date.")
@click.option("--category", required=True, type=click.Choice([c.value for c in Category]))
@click.option("--points", required=True, help="Negative for a deduction, positive for a bonus.")
@click.option(
    "--kind", default="incident", show_default=True,
    type=click.Choice([EntryKind.INCIDENT.value, EntryKind.BONUS.value]),
)  # fmt: skip
@click.option("--note", default="", help="What happened.")
@_by(required=True)
@pass_context
def ledger_add(ctx: Context, agent_id: str, day: Any, category: str, points: str, kind: str,
               note: str, actor: str) -> None:  # fmt: skip
    """Record one incident (or bonus) for an agent."""
    entry = EntryIn(
        agent_id=agent_id, date=date(day.year, day.month, day.day), category=Category(category),
        points=_points(points), kind=EntryKind(kind), reporter=actor, note=note,
    )  # fmt: skip
    with _session(ctx) as db:
        row = add_entry(db_session=db, entry=entry, actor=actor)
    click.echo(f"entry {row.id}: {agent_id} {row.date} {category} {row.points:.2f} ({kind})")


@ledger.command("correct")
@click.argument("entry_id", type=click.IntRange(min=1))
@click.option("--points", required=True, help="What the entry should count for (0 voids it).")
@click.option("--reason", required=True, help="Why.")
@_by(required=True)
@pass_context
def ledger_correct(ctx: Context, entry_id: int, points: str, reason: str, actor: str) -> None:
    """Correct entry ENTRY_ID by adding a correction entry that references it."""
    with _session(ctx) as db:
        row = correct_entry(
            db_session=db, entry_id=entry_id, new_points=_points(points), reason=reason,
            actor=actor,
        )  # fmt: skip
    click.echo(f"entry {row.id} corrects entry {row.corrects_id} by {row.points}")


# --- awards -------------------------------------------------------------------------------


@click.group()
def awards() -> None:
    """Monthly star awards and performance coefficients (draft → reviewed → published)."""


def _policy(path: Path | None) -> Policy | None:
    try:
        return load_policy(path) if path is not None else None
    except PolicyError as exc:
        raise click.ClickException(str(exc)) from exc


def _show(view: MonthView, as_json: bool) -> None:
    click.echo(json.dumps(view, indent=2, ensure_ascii=False) if as_json else render_text(view))


_JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON (with explanations).")
_MONTH = click.option("--month", type=MONTH, required=True, help="The month, YYYY-MM.")


@awards.command("compute")
@_MONTH
@click.option("--policy", "policy_path", type=_FILE, help="Policy YAML (default: the month's).")
@click.option("--reason", help="Why, when recomputing a published month (a new revision).")
@_JSON
@_by(required=False)
@pass_context
def awards_compute(ctx: Context, month: Month, policy_path: Path | None, reason: str | None,
                   as_json: bool, actor: str) -> None:  # fmt: skip
    """Compute the month's draft from the ledger, call history and QA scores (the same
    computation as the HR page).

    A published month is frozen: without --reason its published figures are shown as they are.
    """
    policy = _policy(policy_path)
    with _session(ctx) as db:
        row = get_month(db_session=db, month=month)
        if row is not None and row.status == AwardStatus.PUBLISHED and not reason:
            if policy is not None:
                raise click.ClickException(
                    f"{month} is published; give --reason to recompute it with another policy"
                )
            click.echo(
                f"{month} revision {row.revision} is published and frozen; these are its "
                "figures (give --reason to compute a corrected revision)",
                err=True,
            )
        else:
            # the same computation as the HR page (QA averages, answered calls, time zone)
            row = compute_awards(
                db_session=db, month=month, actor=actor, policy=policy, reason=reason,
                tz=ctx.settings.timezone,
            )  # fmt: skip
        view = month_view(row)
    _show(view, as_json)


@awards.command("show")
@_MONTH
@click.option("--revision", type=click.IntRange(min=1), help="A revision (default: the latest).")
@_JSON
@pass_context
def awards_show(ctx: Context, month: Month, revision: int | None, as_json: bool) -> None:
    """Show a stored revision of the month."""
    with _session(ctx) as db:
        row = get_month(db_session=db, month=month, revision=revision)
        if row is None:
            which = f"revision {revision}" if revision else "any result"
            raise click.ClickException(f"{month} has no {which}: run `floorboard awards compute`")
        view = month_view(row)
    _show(view, as_json)


def _step(ctx: Context, as_json: bool, action: Any, **kwargs: Any) -> None:
    with _session(ctx) as db:
        view = month_view(action(db_session=db, **kwargs))
    _show(view, as_json)


@awards.command("review")
@_MONTH
@_JSON
@_by(required=True)
@pass_context
def awards_review(ctx: Context, month: Month, as_json: bool, actor: str) -> None:
    """Mark the month's draft as reviewed."""
    _step(ctx, as_json, review_month, month=month, actor=actor)


@awards.command("publish")
@_MONTH
@_JSON
@_by(required=True)
@pass_context
def awards_publish(ctx: Context, month: Month, as_json: bool, actor: str) -> None:
    """Publish (freeze) the reviewed month (hr and admin)."""
    _step(ctx, as_json, publish_month, month=month, actor=actor)


@awards.command("resolve-tie")
@_MONTH
@click.option("--star", required=True, help="The star: etiquette, service or model.")
@click.option("--agent", "agent_id", required=True, help="The winner, one of the tied.")
@click.option("--reason", required=True, help="Why (written reason).")
@_JSON
@_by(required=True)
@pass_context
def awards_resolve_tie(ctx: Context, month: Month, star: str, agent_id: str, reason: str,
                       as_json: bool, actor: str) -> None:  # fmt: skip
    """Pick the winner of a tied star."""
    _step(ctx, as_json, resolve_tie, month=month, star=star, agent_id=agent_id, reason=reason,
          actor=actor)  # fmt: skip


@awards.command("override")
@_MONTH
@click.option("--agent", "agent_id", required=True, help="The agent.")
@click.option("--coefficient", help="The final coefficient, e.g. 0.95.")
@click.option("--clear", is_flag=True, help="Remove the agent's override instead.")
@click.option("--reason", required=True, help="Why (written reason).")
@_JSON
@_by(required=True)
@pass_context
def awards_override(ctx: Context, month: Month, agent_id: str, coefficient: str | None,
                    clear: bool, reason: str, as_json: bool, actor: str) -> None:  # fmt: skip
    """Override an agent's coefficient (hr and admin)."""
    if clear == (coefficient is not None):
        raise click.UsageError("give either --coefficient or --clear")
    try:
        value = None if clear else Decimal(str(coefficient))
    except InvalidOperation:
        raise click.BadParameter(
            f"{coefficient!r} is not a number", param_hint="--coefficient"
        ) from None
    _step(ctx, as_json, override_coefficient, month=month, agent_id=agent_id,
          coefficient=value, reason=reason, actor=actor)  # fmt: skip


@awards.command("revise")
@_MONTH
@click.option("--reason", required=True, help="Why the published month is corrected.")
@click.option("--policy", "policy_path", type=_FILE, help="Policy YAML (default: the month's).")
@_JSON
@_by(required=True)
@pass_context
def awards_revise(ctx: Context, month: Month, reason: str, policy_path: Path | None,
                  as_json: bool, actor: str) -> None:  # fmt: skip
    """Start a corrected revision of a published month; the published one is kept."""
    _step(ctx, as_json, revise_awards, month=month, reason=reason, actor=actor,
          policy=_policy(policy_path), tz=ctx.settings.timezone)  # fmt: skip
