"""``floorboard displays add/list/revoke``: tokens that let a TV show some boards, read-only."""

from __future__ import annotations

import getpass
from datetime import datetime, timedelta

import click

from core.center_time import center_time
from core.db import session_scope
from dashboard.auth import service
from dashboard.auth.schemas import AuthError, DisplayInfo
from dashboard.boards.registry import BoardRegistry
from dashboard.cli import Context, pass_context
from dashboard.dbsession import sessions_for
from dashboard.pages.admin.displays_urls import board_url


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return "cli"


@click.group()
def displays() -> None:
    """Display tokens for wallboard screens (kiosk mode)."""


def _layouts() -> BoardRegistry:
    from dashboard.app import LAYOUTS  # noqa: PLC0415

    return BoardRegistry(LAYOUTS)


@displays.command("add")
@click.argument("name")
@click.option("--board", "boards", multiple=True, required=True, help="A board it may show.")
@click.option(
    "--created-by", "--by", default=_default_actor, show_default="your user name",
    help="Who creates it (audit log).",
)  # fmt: skip
@click.option("--base-url", help="Address of the server, for the printed links.")
@click.option(
    "--days", type=click.FloatRange(min=0, min_open=True),
    help="The token stops working after this many days (default: until revoked).",
)  # fmt: skip
@pass_context
def add(
    ctx: Context,
    name: str,
    boards: tuple[str, ...],
    created_by: str,
    base_url: str | None,
    days: float | None,
) -> None:
    """Create a token; prints the address to open on the screen (shown only this once)."""
    known = _layouts().names()
    unknown = sorted(set(boards) - set(known))
    if unknown:
        raise click.BadParameter(
            f"unknown board(s) {', '.join(unknown)}; boards: {', '.join(known) or 'none'}",
            param_hint="--board",
        )
    settings = ctx.settings
    try:
        with session_scope(sessions_for(settings)) as session:
            expires = service.utcnow() + timedelta(days=days) if days else None
            new = service.create_display(
                session, name=name, boards=boards, created_by=created_by, expires_at=expires
            )
    except AuthError as exc:
        raise click.ClickException(str(exc)) from exc
    base = base_url or f"http://{settings.host}:{settings.port}"
    until = f" (expires {center_time(expires, settings.timezone)})" if expires else ""
    click.echo(f"display {new.info.name}: token {new.token}{until}")
    for board in new.info.boards:
        click.echo(f"  {board_url(base, board, new.token)}")


@displays.command("list")
@pass_context
def list_(ctx: Context) -> None:
    """Every display token, its state, expiry and when its screen was last seen (never the token
    itself: it is stored hashed)."""
    with session_scope(sessions_for(ctx.settings)) as session:
        rows = service.list_displays(session)
    if not rows:
        click.echo("no displays; add one with: floorboard displays add NAME --board center")
    tz = ctx.settings.timezone
    for d in rows:
        click.echo(
            f"{d.name:<24} {','.join(d.boards):<30} {_state(d, tz):<32} "
            f"seen {_when(d.last_seen, tz)}  ({d.hint}…)"
        )


def _when(moment: datetime | None, tz: str) -> str:
    return center_time(moment, tz) if moment else "never"


def _state(d: DisplayInfo, tz: str) -> str:
    if d.revoked_at is not None:
        return f"revoked {center_time(d.revoked_at, tz)}"
    if d.expired():
        return f"expired {center_time(d.expires_at, tz)}"
    return f"active until {center_time(d.expires_at, tz)}" if d.expires_at else "active"


@displays.command("revoke")
@click.argument("name")
@click.option(
    "--by", "actor", default=_default_actor, show_default="your user name",
    help="Who revokes it (audit log).",
)  # fmt: skip
@pass_context
def revoke(ctx: Context, name: str, actor: str) -> None:
    """Revoke a token: the screen turns stale within seconds."""
    try:
        with session_scope(sessions_for(ctx.settings)) as session:
            service.revoke_display(session, name=name, actor=actor)
    except AuthError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"revoked {name}")
