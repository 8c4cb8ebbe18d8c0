"""``floorboard displays add/list/revoke``: tokens that let a TV show some boards, read-only."""

from __future__ import annotations

import click

from collectors.db import session_scope
from dashboard.auth import service
from dashboard.auth.schemas import AuthError
from dashboard.boards.registry import BoardRegistry
from dashboard.cli import Context, main, pass_context
from dashboard.dbsession import sessions_for
from dashboard.pages.displays_urls import board_url


@main.group()
def displays() -> None:
    """Display tokens for wallboard screens (kiosk mode)."""


def _layouts() -> BoardRegistry:
    from dashboard.app import LAYOUTS  # noqa: PLC0415

    return BoardRegistry(LAYOUTS)


@displays.command("add")
@click.argument("name")
@click.option("--board", "boards", multiple=True, required=True, help="A board it may show.")
@click.option("--created-by", default="cli", show_default=True)
@click.option("--base-url", help="Address of the server, for the printed links.")
@pass_context
def add(
    ctx: Context, name: str, boards: tuple[str, ...], created_by: str, base_url: str | None
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
            new = service.create_display(session, name=name, boards=boards, created_by=created_by)
    except AuthError as exc:
        raise click.ClickException(str(exc)) from exc
    base = base_url or f"http://{settings.host}:{settings.port}"
    click.echo(f"display {new.info.name}: token {new.token}")
    for board in new.info.boards:
        click.echo(f"  {board_url(base, board, new.token)}")


@displays.command("list")
@pass_context
def list_(ctx: Context) -> None:
    """Every display token (never the token itself: it is stored hashed)."""
    with session_scope(sessions_for(ctx.settings)) as session:
        rows = service.list_displays(session)
    if not rows:
        click.echo("no displays; add one with: floorboard displays add NAME --board center")
    for d in rows:
        state = "active" if d.active else f"revoked {d.revoked_at:%Y-%m-%d %H:%M}"
        seen = f"{d.last_seen:%Y-%m-%d %H:%M} UTC" if d.last_seen else "never"
        click.echo(f"{d.name:<24} {','.join(d.boards):<30} {state:<24} seen {seen}  ({d.hint}…)")


@displays.command("revoke")
@click.argument("name")
@pass_context
def revoke(ctx: Context, name: str) -> None:
    """Revoke a token: the screen turns stale within seconds."""
    try:
        with session_scope(sessions_for(ctx.settings)) as session:
            service.revoke_display(session, name=name)
    except AuthError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"revoked {name}")
