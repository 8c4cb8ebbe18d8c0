"""``floorboard serve``: the web app (gunicorn; the Flask development server with ``--dev``)."""

from __future__ import annotations

import click
from sqlalchemy.exc import SQLAlchemyError

from core.migrate import upgrade
from dashboard.cli import Context, pass_context
from dashboard.runtime import redis_connection


@click.command()
@click.option("--host", help="Address to listen on (default FLOORBOARD_HOST).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default FLOORBOARD_PORT).")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True)
@click.option("--threads", type=click.IntRange(1, 256), default=8, show_default=True)
@click.option("--dev", is_flag=True, help="Flask's development server (reloads, not for TVs).")
@pass_context
def serve(
    ctx: Context, host: str | None, port: int | None, workers: int, threads: int, dev: bool
) -> None:
    """Serve the wallboards and pages (migrates the database first)."""
    import dataclasses  # noqa: PLC0415

    settings = ctx.settings
    if dev and settings.production:
        # Flask's development server runs in debug mode: never where the public can reach it.
        raise click.UsageError(
            "--dev (Flask's development server, debug mode) is refused in production "
            "(FLOORBOARD_ENV=production): run `floorboard serve` without --dev"
        )
    settings = dataclasses.replace(settings, host=host or settings.host, port=port or settings.port)
    try:
        upgrade(settings.sqlalchemy_url)
    except SQLAlchemyError as exc:
        raise click.ClickException(f"cannot migrate the database: {exc}") from exc
    # Without FLOORBOARD_REDIS_URL the embedded server must run: start it unless another
    # Floorboard process (the aggregator, the demo) already does.
    with redis_connection(settings):
        if dev:
            from dashboard.app import create_app  # noqa: PLC0415
            from dashboard.webserver import forecast_for  # noqa: PLC0415

            create_app(settings, forecast=forecast_for(settings)).run(
                host=settings.host, port=settings.port, debug=True, use_reloader=False
            )
        else:
            from dashboard.webserver import run_gunicorn  # noqa: PLC0415

            run_gunicorn(settings, workers=workers, threads=threads)
