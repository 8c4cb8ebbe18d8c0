"""The wallboards' forecast: intraday forecast from the SQL call history (collectors.forecast).

Boards call it through a cache (one SQL query per scope every few minutes, never one per
refresh). Today's intervals so far come from the history too, so the rest of the day is scaled
by how today is going. The web app wires it with its database and settings.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from collectors.forecast.schemas import Forecast, ForecastError, ForecastPoint, ForecastProvider
from collectors.forecast.service import forecast_day
from collectors.staffing.schemas import ServiceLevelTarget

log = logging.getLogger(__name__)


def history_forecast(
    *,
    sessions: sessionmaker[Session],
    timezone: str,
    interval_minutes: int,
    target: ServiceLevelTarget,
    clock: Callable[[], float] = time.time,
) -> ForecastProvider:
    """A forecast provider reading the call history.

    Args:
        sessions: sessions on the database holding the call history.
        timezone: the center's time zone (the day's local intervals).
        interval_minutes: the interval length of the live snapshot.
        target: the service-level target Erlang C staffs for.
        clock: wall clock (today's actuals up to now).
    """

    def provider(*, day: str, queues: tuple[str, ...] | None) -> Forecast | None:
        try:
            when = datetime.strptime(day, "%Y%m%d").date()
        except ValueError:
            return None  # no snapshot yet (a board opened before the aggregator ran)
        scope = "*" if not queues else "+".join(sorted(queues))
        groups = {scope: list(queues)} if queues and len(queues) > 1 else None
        try:
            with sessions() as db_session:
                result = forecast_day(
                    db_session=db_session,
                    day=when,
                    timezone=timezone,
                    interval_minutes=interval_minutes,
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
            i.index: ForecastPoint(offered=i.offered_forecast, aht=i.aht_forecast)
            for i in forecast.intervals
        }

    return provider
