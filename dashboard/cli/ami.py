"""``floorboard collect ami``: follow an Asterisk server's manager interface into the stream."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading

import click
import redis

from collectors.ami.client import AmiAuthError, AmiCollector, AmiStats
from collectors.pipeline.producer import EventProducer
from dashboard.cli import Context, pass_context
from dashboard.cli.collect import collect
from dashboard.runtime import keys_for, redis_connection


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


@collect.command("ami")
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
    required=True,
    envvar="FLOORBOARD_AMI_USERNAME",
    help="manager.conf user (env FLOORBOARD_AMI_USERNAME).",
)
@click.option(
    "--secret",
    required=True,
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
@pass_context
def ami(
    ctx: Context,
    host: str,
    port: int,
    username: str,
    secret: str,
    server_name: str | None,
    duration: float | None,
) -> None:
    """Follow an Asterisk Manager Interface (AMI) into the event stream.

    Logs in, reads the queues' state (members, pauses, waiting callers) so the wallboard is
    right at once, then follows queue events; reconnects with back-off when the line drops.
    """
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
