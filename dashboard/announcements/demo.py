"""Notices for ``floorboard demo``: what a utility's contact center shows on its LED ticker
(seed: outages and repairs, 停水、降压、抢修), so that the demo's boards do not show an empty
ticker. Posted once per day, only when no notice is current or scheduled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.db import session_scope
from dashboard.announcements import service
from dashboard.dbsession import sessions_for
from dashboard.settings import Settings

#: (level, text, hours from now until it ends)
DEMO_NOTICES = (
    (
        "warning",
        "Water supply cut in the Riverside district (burst main, crews on site): tell callers "
        "repairs are under way · 滨江片区水管爆裂停水，抢修人员已到场，请向来电客户说明",
        8,
    ),
    (
        "info",
        "Voltage reduction in the north grid tonight (scheduled maintenance) · "
        "今晚北区电网降压检修（计划停电维护）",
        16,
    ),
)


def seed_demo_announcements(settings: Settings, *, now: datetime | None = None) -> int:
    """Post the demo notices unless some notice is current or scheduled.

    Args:
        settings: the application settings (the database).
        now: the current time (naive UTC; default now).

    Returns:
        How many notices were posted.
    """
    moment = now or datetime.now(UTC).replace(tzinfo=None)
    with session_scope(sessions_for(settings)) as session:
        if service.current_and_scheduled(session, now=moment):
            return 0
        for level, text, hours in DEMO_NOTICES:
            service.post(
                session,
                text=text,
                created_by="demo",
                level=level,
                starts_at=moment,
                ends_at=moment + timedelta(hours=hours),
            )
    return len(DEMO_NOTICES)
