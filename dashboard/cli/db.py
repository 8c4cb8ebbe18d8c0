"""``floorboard db``: create or migrate the SQL schema."""

from __future__ import annotations

import click
from sqlalchemy.exc import SQLAlchemyError

from core.migrate import upgrade
from dashboard.cli import Context, pass_context


@click.group()
def db() -> None:
    """Database schema (FLOORBOARD_DATABASE_URL; SQLite under the data directory by default)."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@pass_context
def db_upgrade(ctx: Context, revision: str) -> None:
    """Create the schema or migrate it to the latest version."""
    url = ctx.settings.sqlalchemy_url
    try:
        upgrade(url, revision)
    except SQLAlchemyError as exc:
        raise click.ClickException(
            f"cannot migrate {_safe(url)}: {exc.__class__.__name__}: {exc}"
        ) from exc
    click.echo(f"database at {_safe(url)} is at revision {revision}")


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url  # noqa: PLC0415

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is shown as given
        return url
