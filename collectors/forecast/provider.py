"""The wallboards' forecast: intraday forecast from the SQL call history (collectors.forecast).

Boards call it through ``CachedForecast`` (one SQL query per scope every few minutes, never one
per refresh). Today's intervals so far come from the history too, so the rest of the day is
scaled by how today is going.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from collectors.forecast import ForecastError, forecast_day
from collectors.staffing.schemas import ServiceLevelTarget
from dashboard.boards.forecast import Forecast, ForecastProvider, IntervalForecast
from dashboard.dbsession import sessions_for
from dashboard.settings import Settings

log = logging.getLogger(__name__)


def history_forecast(
    settings: Settings,
    *,
    sessions: sessionmaker[Session] | None = None,
    clock: Callable[[], float] = time.time,
) -> ForecastProvider:
    """A forecast provider reading the call history of the configured database."""
    factory = sessions or sessions_for(settings, migrate=False)
    target = ServiceLevelTarget(settings.sl_target, settings.sl_threshold)

    def provider(*, day: str, queues: tuple[str, ...] | None) -> Forecast | None:
        try:
            when = datetime.strptime(day, "%Y%m%d").date()
        except ValueError:
            return None  # no snapshot yet (a board opened before the aggregator ran)
        scope = "*" if not queues else "+".join(sorted(queues))
        groups = {scope: list(queues)} if queues and len(queues) > 1 else None
        try:
            with factory() as db_session:
                result = forecast_day(
                    db_session=db_session,
                    day=when,
                    timezone=settings.timezone,
                    interval_minutes=settings.interval_minutes,
                    queues=[scope],
                    groups=groups,
                    default_target=target,
                    now=clock(),
                )
        except ForecastError:
            return None
        except SQLAlchemyError:
            log.exception("forecast: the call history could not be read")
            return None
        forecast = result.queues.get(scope)
        if forecast is None:
            return None
        return {
            i.index: IntervalForecast(offered=i.offered_forecast, aht=i.aht_forecast)
            for i in forecast.intervals
        }

    return provider
