"""``floorboard collect ...``: read telephony sources into the center's event stream."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import click
import redis

from collectors.aggregator.memory import collector_thresholds
from collectors.pipeline.producer import EventProducer
from collectors.queue_log.decoder import describe_ignored
from collectors.queue_log.follower import QueueLogReader
from collectors.queue_log.offset import ReadSummary
from collectors.queue_log.survey import SurveyConfigError, SurveyMapping, survey_mapping
from dashboard.cli import Context, pass_context
from dashboard.cli.lazy import LazyGroup
from dashboard.runtime import keys_for, redis_connection
from dashboard.settings import Settings

# ``ami`` lives in its own module (asyncio, the AMI client): imported only when it runs.
AMI = ("dashboard.cli.ami:ami", "Follow an Asterisk Manager Interface (AMI) into the event stream.")


@click.group("collect", cls=LazyGroup, lazy={"ami": AMI})
def collect() -> None:
    """Read telephony sources (Asterisk queue_log, ...) into the event stream."""


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGINT/SIGTERM, so that a follower publishes its last batch and exits."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop  # signal handlers can only be installed from the main thread
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def check_readable(path: Path, what: str = "queue_log file") -> None:
    """Fail with a clear message when the input file ``path`` (a ``what``) cannot be read."""
    if not path.exists():
        raise click.ClickException(f"{what} not found: {path}")
    if path.is_dir():
        article = "an" if what[:1] in "AEIOUaeiou" else "a"
        raise click.ClickException(f"{path} is a directory, not {article} {what}")
    try:
        with path.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror or exc}") from exc


def _report(summary: ReadSummary) -> None:
    click.echo(
        f"{summary.path}: {summary.lines} lines, {summary.events} events, "
        f"{summary.rejects} rejects (read from byte {summary.resumed_at} to {summary.position})"
    )
    for reason, count in sorted(summary.rejects_by_reason.items()):
        click.echo(f"  rejected, {reason}: {count}")
    ignored = describe_ignored(summary.ignored)
    if ignored:
        click.echo(f"  {ignored} (site-made QueueLog() verbs; docs/queue_log.md)")
    if summary.rotations or summary.truncations:
        click.echo(f"  rotations: {summary.rotations}, truncations: {summary.truncations}")
    if summary.pending_bytes:
        click.echo(
            f"  last line incomplete ({summary.pending_bytes} bytes without a newline): "
            "left for the next run"
        )


def survey_options(settings: Settings, verbs: tuple[str, ...], scale: str | None) -> SurveyMapping:
    """The survey mapping: ``--survey``/``--survey-scale`` over the settings' values."""
    try:
        return survey_mapping(
            ",".join(verbs) if verbs else settings.survey_verbs, scale or settings.survey_scale
        )
    except SurveyConfigError as exc:
        raise click.BadParameter(str(exc), param_hint="--survey / --survey-scale") from exc


SURVEY_HELP = (
    "A site-made verb that is a survey answer, VERB:FIELD (score in data field FIELD); "
    "repeat for more. Default: FLOORBOARD_SURVEY_VERBS (SURVEY:1)."
)
SCALE_HELP = "Valid survey scores LOW-HIGH. Default: FLOORBOARD_SURVEY_SCALE (1-5)."


@collect.command("queue-log")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--follow", is_flag=True, help="Keep following the file (rotation, truncation).")
@click.option("--from-start", is_flag=True, help="Ignore the stored offset; read from byte 0.")
@click.option(
    "--batch-lines",
    type=click.IntRange(min=1),
    default=5000,
    show_default=True,
    help="Lines per published batch.",
)
@click.option(
    "--poll-interval",
    type=click.FloatRange(min=0.01),
    default=0.5,
    show_default=True,
    help="Seconds between looks at the file with --follow.",
)
@click.option("--survey", "survey_verbs", multiple=True, metavar="VERB:FIELD", help=SURVEY_HELP)
@click.option("--survey-scale", metavar="LOW-HIGH", default=None, help=SCALE_HELP)
@pass_context
def queue_log(
    ctx: Context,
    path: Path,
    follow: bool,
    from_start: bool,
    batch_lines: int,
    poll_interval: float,
    survey_verbs: tuple[str, ...],
    survey_scale: str | None,
) -> None:
    """Read an Asterisk queue_log file into the event stream.

    Resumes where the last run stopped (the offset is stored with the events). With --follow it
    keeps reading as Asterisk writes, until Ctrl-C or SIGTERM.
    """
    if not follow:
        check_readable(path)  # only without --follow
    collector_thresholds()
    settings = ctx.settings
    survey = survey_options(settings, survey_verbs, survey_scale)
    try:
        with redis_connection(settings) as client, _stop_on_signals() as stop:
            reader = QueueLogReader(
                path,
                producer=EventProducer(client, keys=keys_for(settings)),
                from_start=from_start,
                batch_lines=batch_lines,
                survey=survey,
            )
            if follow:
                click.echo(f"following {path} (Ctrl-C to stop)", err=True)
            try:
                summary = reader.run(follow=follow, poll_interval=poll_interval, stop=stop)
            except OSError as exc:
                raise click.ClickException(f"cannot read {path}: {exc.strerror or exc}") from exc
    except redis.RedisError as exc:
        raise click.ClickException(f"Redis error while collecting {path}: {exc}") from exc
    _report(summary)
