"""``floorboard users add/list/password/role/disable/enable/logout``: user accounts.

A new password, a role change, ``disable`` and ``logout`` end every session of the account at
once (its open pages go back to the login page).

Passwords must satisfy the policy (``dashboard.security.passwords``); every change is written to
the audit log with ``--by`` (default: your system user name) as the actor.
"""

from __future__ import annotations

import getpass
import json
import sys

import click

from core.db import session_scope
from core.roles import USER_ROLES
from dashboard.auth import service
from dashboard.auth.schemas import LOCALES, AuthError
from dashboard.cli import Context, pass_context
from dashboard.dbsession import sessions_for
from dashboard.security.passwords import policy_for

_ROLES = sorted(r.value for r in USER_ROLES)


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return "cli"


_BY = click.option(
    "--by", "actor", default=_default_actor, show_default="your user name",
    help="Who does this (audit log).",
)  # fmt: skip
_STDIN = click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input."
)


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@click.group()
def users() -> None:
    """User accounts (roles: agent, supervisor, qa, hr, admin)."""


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(_ROLES), required=True)
@click.option("--name", "display_name", default="", help="Name shown in the UI.")
@click.option("--agent-id", default=None, help="The agent name this account belongs to.")
@click.option("--locale", type=click.Choice(LOCALES), default="en", show_default=True)
@_STDIN
@_BY
@pass_context
def add(
    ctx: Context,
    username: str,
    role: str,
    display_name: str,
    agent_id: str | None,
    locale: str,
    password_stdin: bool,
    actor: str,
) -> None:
    """Create an account (the password is prompted for, or read with --password-stdin).

    The password needs FLOORBOARD_PASSWORD_MIN_LENGTH characters (default 12), must not resemble
    the username and must be hard to guess (zxcvbn: at least 10^10 estimated guesses; a refusal
    says why).
    """
    password = _read_password(password_stdin)
    try:
        with session_scope(sessions_for(ctx.settings)) as session:
            user = service.create_user(
                session,
                username=username,
                password=password,
                role=role,
                display_name=display_name,
                agent_id=agent_id,
                locale=locale,
                policy=policy_for(ctx.settings.password_min_length),
                actor=actor,
            )
    except AuthError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created {user.username} ({user.role})")


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON document.")
@pass_context
def list_(ctx: Context, as_json: bool) -> None:
    """Every account with its role and whether it is active."""
    with session_scope(sessions_for(ctx.settings)) as session:
        rows = service.list_users(session)
    if as_json:
        doc = [
            {
                "username": u.username,
                "display_name": u.display_name,
                "role": u.role.value,
                "agent_id": u.agent_id,
                "locale": u.locale,
                "active": u.active,
                "last_login_at": u.last_login_at.isoformat() if u.last_login_at else None,
            }
            for u in rows
        ]
        click.echo(json.dumps(doc, indent=2))
        return
    if not rows:
        click.echo("no users; add one with: floorboard users add NAME --role admin")
    for u in rows:
        state = "active" if u.active else "disabled"
        agent = f"  agent={u.agent_id}" if u.agent_id else ""
        click.echo(f"{u.username:<20} {u.role.value:<11} {state:<9} {u.display_name}{agent}")


@users.command("disable")
@click.argument("username")
@_BY
@pass_context
def disable(ctx: Context, username: str, actor: str) -> None:
    """Disable an account: it can no longer log in, and its sessions end at once."""
    try:
        with session_scope(sessions_for(ctx.settings)) as session:
            service.set_active(session, username=username, active=False, actor=actor)
    except AuthError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"disabled {username}")


@users.command("enable")
@click.argument("username")
@_BY
@pass_context
def enable(ctx: Context, username: str, actor: str) -> None:
    """Enable a disabled account again."""
    try:
        with session_scope(sessions_for(ctx.settings)) as session:
            service.set_active(session, username=username, active=True, actor=actor)
    except AuthError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"enabled {username}")


@users.command("password")
@click.argument("username")
@_STDIN
@_BY
@pass_context
def password(ctx: Context, username: str, password_stdin: bool, actor: str) -> None:
    """Set a new password (prompted for, or read with --password-stdin; same policy as add).

    Every session of the account ends at once.
    """
    new = _read_password(password_stdin)
    try:
        with session_scope(sessions_for(ctx.settings)) as session:
            service.set_password(
                session,
                username=username,
                password=new,
                policy=policy_for(ctx.settings.password_min_length),
                actor=actor,
            )
    except AuthError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"password changed for {username}")


@users.command("role")
@click.argument("username")
@click.argument("role", type=click.Choice(_ROLES))
@_BY
@pass_context
def role(ctx: Context, username: str, role: str, actor: str) -> None:
    """Give an account another role (its sessions end at once: it logs in again)."""
    try:
        with session_scope(sessions_for(ctx.settings)) as session:
            user = service.set_role(session, username=username, role=role, actor=actor)
    except AuthError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{user.username} is now {user.role.value}")


@users.command("logout")
@click.argument("username")
@_BY
@pass_context
def logout(ctx: Context, username: str, actor: str) -> None:
    """End every session of an account at once (e.g. a lost or shared computer)."""
    try:
        with session_scope(sessions_for(ctx.settings)) as session:
            service.end_sessions(session, username=username, actor=actor)
    except AuthError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"ended every session of {username}")
