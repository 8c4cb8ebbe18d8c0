"""The ``floorboard`` command: one click group, one module per family of subcommands.

A subcommand's module is imported only when that subcommand runs (:class:`LazyGroup`), so a
light command (``--help``, ``staffing``, ``report``) does not pay for Dash, SQLAlchemy or the
QA and HR domain. A new subcommand goes into :data:`COMMANDS` with its one-line help.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import click

from dashboard.cli.lazy import LazyGroup

if TYPE_CHECKING:
    from dashboard.settings import Settings

#: name -> ("module:attribute", the one-line help ``floorboard --help`` lists: the first
#: sentence of the command's docstring; tests/dashboard/test_cli_startup.py keeps them equal).
COMMANDS: dict[str, tuple[str, str]] = {
    "agents": ("dashboard.cli.hr:agents",
               "Agents (telephony agent id, name, team, employment regular|probation)."),
    "aggregate": ("dashboard.cli.pipeline:aggregate",
                  "Consume the event stream: live state, counters, snapshot, call history."),
    "awards": ("dashboard.cli.hr:awards", "Monthly star awards and performance coefficients "
               "(draft → reviewed → published)."),
    "collect": ("dashboard.cli.collect:collect",
                "Read telephony sources (Asterisk queue_log, ...) into the event stream."),
    "db": ("dashboard.cli.db:db", "Database schema (FLOORBOARD_DATABASE_URL; SQLite under the "
           "data directory by default)."),
    "demo": ("dashboard.cli.demo:demo", "Run everything embedded: Redis, SQLite, simulator, "
             "aggregator and the web app."),
    "displays": ("dashboard.cli.displays:displays",
                 "Display tokens for wallboard screens (kiosk mode)."),
    "forecast": ("dashboard.cli.forecast:forecast", "Offered calls, AHT and agents required per "
                 "interval of a day (Erlang C estimate)."),
    "health": ("dashboard.cli.health:health", "Exit 0 when Redis answers (and the snapshot is "
               "fresh enough); for health checks."),
    "import-calls": ("dashboard.cli.import_calls:import_calls_command",
                     "Import FILE, a per-call (CDR) CSV export, as canonical call events."),
    "ledger": ("dashboard.cli.hr:ledger", "Deductions and bonuses (entries are never edited: "
               "corrections are new entries)."),
    "qa": ("dashboard.cli.qa:qa", "QA sampling, work queues and reports."),
    "recordings": ("dashboard.cli.qa:recordings", "Call recordings (found by "
                   "FLOORBOARD_RECORDING_PATTERN or imported per call)."),
    "report": ("dashboard.cli.report:report", "Run the real pipeline (collector → Redis stream "
               "→ aggregator) over files and print every metric per queue and interval."),
    "scorecards": ("dashboard.cli.qa:scorecards", "Scorecards: versioned definitions in YAML or "
                   "JSON (see the default for every field)."),
    "serve": ("dashboard.cli.serve:serve",
              "Serve the wallboards and pages (migrates the database first)."),
    "simulate": ("dashboard.cli.simulate:simulate",
                 "Simulate a call center: live demo traffic, load, or history backfill."),
    "staffing": ("dashboard.cli.staffing:staffing",
                 "Agents required for one interval's volume (Erlang C, no abandonment)."),
    "users": ("dashboard.cli.users:users",
              "User accounts (roles: agent, supervisor, qa, hr, admin)."),
}  # fmt: skip


class Context:
    """What every subcommand gets: the settings, read once when first asked for."""

    def __init__(self) -> None:
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            # Imported here: ``--help`` and commands that need no settings skip YAML and zones.
            from dashboard.settings import SettingsError, load_settings  # noqa: PLC0415

            try:
                self._settings = load_settings()
            except SettingsError as exc:
                raise click.ClickException(str(exc)) from exc
        return self._settings


pass_context = click.make_pass_decorator(Context, ensure=True)


def require_tables(url: str, tables: Iterable[str]) -> None:
    """:func:`core.migrate.require_tables` for a command: what is missing is an error, exit 1."""
    # Alembic is slow to import: only the commands that use a database pay for it.
    from core.migrate import DatabaseNotReady  # noqa: PLC0415
    from core.migrate import require_tables as require  # noqa: PLC0415

    try:
        require(url, tables)
    except DatabaseNotReady as exc:
        raise click.ClickException(str(exc)) from exc


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="floorboard")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Floorboard: real-time call-center wallboard and QA console."""
    ctx.ensure_object(Context)
