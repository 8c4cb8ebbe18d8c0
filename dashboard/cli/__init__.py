"""The ``floorboard`` command: one click group, one module per family of subcommands."""

from __future__ import annotations

from collections.abc import Iterable

import click

from dashboard.settings import Settings, SettingsError, load_settings


class Context:
    """What every subcommand gets: the settings, read once when first asked for."""

    def __init__(self) -> None:
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="floorboard")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Floorboard: real-time call-center wallboard and QA console."""
    ctx.ensure_object(Context)


def _register() -> None:
    # Subcommand modules attach themselves to ``main``; imported here, not at their import time.
    from dashboard.cli import commands  # noqa: F401,PLC0415


_register()
