"""``floorboard collect ami``: follow an Asterisk server's manager interface into the stream,
or (``--replay FILE``) feed a saved AMI capture through the same decoder and mapper."""

from __future__ import annotations

import asyncio
import contextlib
import math
import re
import signal
import threading
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
import redis

from collectors.ami.client import AmiAuthError, AmiCollector, AmiStats
from collectors.ami.replay import ReplayError, ReplaySummary, replay_capture
from collectors.ami.timestamps import REPLAY_WARNING
from collectors.ami.timestamps import WARNING as NO_TIMESTAMP_WARNING
from collectors.pipeline.producer import EventProducer
from core.center_time import center_time
from dashboard.cli import Context, pass_context
from dashboard.cli.collect import check_readable
from dashboard.runtime import keys_for, redis_connection

REJECTS_EXIT = 3
"""Exit status when a replay rejected more than ``--max-rejects`` allows (as ``--strict``)."""


async def _run(collector: AmiCollector, duration: float | None) -> AmiStats:
    """Run until SIGINT/SIGTERM (or ``duration`` seconds), then publish what is left."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    signals: list[signal.Signals] = []
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
                signals.append(sig)
    if duration is not None:
        loop.call_later(duration, stop.set)
    try:
        return await collector.run(stop=stop)
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)


def _report(stats: AmiStats) -> None:
    click.echo(
        f"AMI: {stats.connections} connection(s), {stats.messages} messages, "
        f"{stats.published_events} events and {stats.published_rejects} rejects published, "
        f"{stats.ignored} events not needed"
    )
    if stats.lost_events:
        click.echo(f"  {stats.lost_events} events could not be published (Redis unavailable)")
    if stats.last_error:
        click.echo(f"  last connection problem: {stats.last_error}")
    if stats.timestamps == "missing":
        click.echo(f"  WARNING: {stats.untimed_events} events dated on arrival", err=True)
        click.echo(f"  {NO_TIMESTAMP_WARNING}", err=True)


@click.command("ami")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    envvar="FLOORBOARD_AMI_HOST",
    help="Asterisk host (env FLOORBOARD_AMI_HOST).",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=5038,
    show_default=True,
    envvar="FLOORBOARD_AMI_PORT",
    help="Manager port (env FLOORBOARD_AMI_PORT).",
)
@click.option(
    "--username",
    envvar="FLOORBOARD_AMI_USERNAME",
    help="manager.conf user (env FLOORBOARD_AMI_USERNAME). Required unless --replay.",
)
@click.option(
    "--secret",
    envvar="FLOORBOARD_AMI_SECRET",
    help="Its secret (env FLOORBOARD_AMI_SECRET; prefer it to the command line).",
)
@click.option(
    "--server-name",
    default=None,
    help="This server's name in event ids (default host:port). Keep it stable.",
)
@click.option(
    "--duration",
    type=click.FloatRange(min=0),
    default=None,
    help="Stop after this many seconds (default: run until Ctrl-C or SIGTERM).",
)
@click.option(
    "--replay",
    type=click.Path(path_type=Path),
    default=None,
    metavar="FILE",
    help="Read a saved AMI capture instead of a live server (see docs/ami.md).",
)
@click.option("--dry-run", is_flag=True, help="With --replay: read and summarise, publish nothing.")
@click.option(
    "--max-rejects",
    default="0",
    show_default=True,
    metavar="N|P%",
    help="With --replay: exit 3 when more blocks/lines than this (a count, or a percentage of "
    "the blocks read) were rejected.",
)
@click.option(
    "--untimed-at",
    default=None,
    metavar="TIME",
    help="With --replay, for a capture without Timestamp headers: the time its events get "
    "(epoch seconds or ISO 8601; without an offset, in the center's time zone). "
    "Default: the file's modification time.",
)
@pass_context
def ami(
    ctx: Context,
    host: str,
    port: int,
    username: str | None,
    secret: str | None,
    server_name: str | None,
    duration: float | None,
    replay: Path | None,
    dry_run: bool,
    max_rejects: str,
    untimed_at: str | None,
) -> None:
    """Follow an Asterisk Manager Interface (AMI) into the event stream.

    Logs in, reads the queues' state (members, pauses, waiting callers) so the wallboard is
    right at once, then follows queue events; reconnects with back-off when the line drops.

    With --replay FILE, reads a saved capture (a socket dump or Asterisk console output with
    'manager set debug on') through the same decoder and mapper, publishes its events (or,
    with --dry-run, only summarises them) and exits.
    """
    if replay is not None:
        if duration is not None:
            raise click.UsageError("--duration is for a live AMI, not with --replay")
        _replay(ctx, replay, server_name, dry_run, _max_rejects(max_rejects), untimed_at)
        return
    if dry_run or untimed_at is not None or max_rejects != "0":
        raise click.UsageError("--dry-run, --untimed-at and --max-rejects go with --replay FILE")
    for name, value in (("--username", username), ("--secret", secret)):
        if not value:
            raise click.UsageError(f"Missing option '{name}' (needed to follow a live AMI)")
    _follow(ctx, host, port, username or "", secret or "", server_name, duration)


def _follow(
    ctx: Context,
    host: str,
    port: int,
    username: str,
    secret: str,
    server_name: str | None,
    duration: float | None,
) -> None:
    settings = ctx.settings
    try:
        with redis_connection(settings) as client:
            collector = AmiCollector(
                host=host,
                port=port,
                username=username,
                secret=secret,
                producer=EventProducer(client, keys=keys_for(settings)),
                server_name=server_name,
            )
            click.echo(f"following AMI at {host}:{port} (Ctrl-C to stop)", err=True)
            stats = asyncio.run(_run(collector, duration))
    except AmiAuthError as exc:
        raise click.ClickException(
            f"AMI at {host}:{port} refused user {username!r}: {exc} "
            "(check [user] and secret in manager.conf, and its permit/deny lines)"
        ) from exc
    except redis.RedisError as exc:
        raise click.ClickException(f"Redis error while collecting from AMI: {exc}") from exc
    _report(stats)


# -- --replay ------------------------------------------------------------------------------------


def _max_rejects(text: str) -> tuple[float, bool]:
    """``N`` → (N, False); ``P%`` → (P, True)."""
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(%?)\s*", text)
    if found is None:
        raise click.BadParameter(
            f"{text!r} is neither a count nor a percentage", param_hint="--max-rejects"
        )
    return float(found.group(1)), bool(found.group(2))


def _untimed_at(text: str | None, path: Path, tz: str) -> tuple[float, str]:
    """The time for a capture's events without ``Timestamp``, and where it came from."""
    if text is None:
        return path.stat().st_mtime, "the file's modification time; --untimed-at to choose"
    try:
        return float(text), "--untimed-at"
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is neither epoch seconds nor an ISO 8601 time", param_hint="--untimed-at"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(tz))
    return moment.timestamp(), "--untimed-at"


def _replay(
    ctx: Context,
    path: Path,
    server_name: str | None,
    dry_run: bool,
    max_rejects: tuple[float, bool],
    untimed_text: str | None,
) -> None:
    check_readable(path, "AMI capture")
    settings = ctx.settings
    untimed_at, untimed_origin = _untimed_at(untimed_text, path, settings.timezone)
    server = server_name or f"replay:{path.name}"

    def run(producer: EventProducer | None) -> ReplaySummary:
        return replay_capture(path, producer=producer, server=server, untimed_at=untimed_at)

    try:
        if dry_run:
            summary = run(None)
        else:
            with redis_connection(settings) as client:
                summary = run(EventProducer(client, keys=keys_for(settings)))
    except ReplayError as exc:
        raise click.ClickException(str(exc)) from exc
    except redis.RedisError as exc:
        raise click.ClickException(f"Redis error while replaying {path}: {exc}") from exc
    click.echo(format_replay(summary, settings.timezone, untimed_origin))
    if summary.timestamps in ("missing", "partial"):
        click.echo(f"WARNING: {REPLAY_WARNING}", err=True)
    limit, percent = max_rejects
    allowed = math.floor(limit * summary.blocks / 100) if percent else int(limit)
    if summary.rejected > allowed:
        shown = f"{limit:g}%" if percent else f"{int(limit)}"
        click.echo(
            f"{summary.rejected} rejected > --max-rejects {shown}: exit status {REJECTS_EXIT}",
            err=True,
        )
        raise SystemExit(REJECTS_EXIT)


def format_replay(summary: ReplaySummary, tz: str, untimed_origin: str = "") -> str:
    """The human summary of one replay (times in the center's zone ``tz``)."""
    s = summary
    published = "dry run: nothing published" if s.dry_run else "published"
    made = sum(s.events.values())
    kinds = ", ".join(f"{kind} {n}" for kind, n in s.events.most_common())
    span = ""
    if s.first_ts is not None and s.last_ts is not None:
        span = f"  ({center_time(s.first_ts, tz, style='seconds')} .. "
        span += f"{center_time(s.last_ts, tz, style='seconds')})"
    noise = ", ".join(f"{kind} {n}" for kind, n in s.noise.most_common())
    lines = [
        f"{s.path} ({s.source}, {published})",
        f"  lines read      {s.lines}",
        f"  AMI blocks      {s.blocks} (events {s.ami_events}, responses {s.responses}, "
        f"actions {s.actions})",
        f"  events made     {made}{span}",
        *([f"    {kinds}"] if kinds else []),
        f"  not needed      {s.ignored} AMI events",
        f"  repeats         {s.repeats} (blocks seen again, skipped)",
        f"  console noise   {s.noise_lines} lines skipped" + (f" ({noise})" if noise else ""),
        f"  timestamps      {_timestamps(s, tz, untimed_origin)}",
        f"  rejected        {s.rejected}",
    ]
    lines += [f"    {reason}: {n}" for reason, n in s.rejects_by_reason.most_common()]
    if s.samples:
        lines.append("  first rejects:")
        lines += [f"    {r.location}: {r.reason}" for r in s.samples]
    return "\n".join(lines)


def _timestamps(s: ReplaySummary, tz: str, untimed_origin: str) -> str:
    total = s.timed + s.untimed
    if s.timestamps == "present":
        return f"present on all {total} queue events"
    if s.timestamps == "unknown":
        return "no queue event to tell"
    if s.timestamps == "partial":
        return (
            f"MISSING on {s.untimed} of {total} queue events: "
            "each is dated at the last Timestamp before it"
        )
    when = center_time(s.untimed_at, tz, style="seconds")
    return (
        f"MISSING on all {total} queue events (timestampevents was off): "
        f"every event is dated {when} ({untimed_origin})"
    )
