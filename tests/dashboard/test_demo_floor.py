"""What ``floorboard demo`` sets up for the floor: lines for its size, one time zone per data
directory, and notices on the ticker (once)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from core.db import session_scope
from dashboard.announcements import service
from dashboard.announcements.demo import DEMO_NOTICES, seed_demo_announcements
from dashboard.cli.demo import DEMO_ZONES, demo_trunk_capacity, demo_zone
from dashboard.settings import Settings


def test_the_demo_has_lines_for_every_agent_and_a_queue() -> None:
    assert demo_trunk_capacity(36) == 60  # two E1 trunks, not the default 30
    assert demo_trunk_capacity(18) == 30
    for agents in (2, 36, 110, 300, 2000):
        lines = demo_trunk_capacity(agents)
        assert lines % 30 == 0 and lines >= 1.5 * agents


def test_the_zone_is_chosen_once_per_data_directory(tmp_path: Path) -> None:
    first = demo_zone(tmp_path / "data")
    assert first in DEMO_ZONES
    assert (tmp_path / "data" / "demo-timezone").read_text().strip() == first
    other = next(z for z in DEMO_ZONES if z != first)
    (tmp_path / "data" / "demo-timezone").write_text(other)
    assert demo_zone(tmp_path / "data") == other  # kept, whatever the hour now
    (tmp_path / "data" / "demo-timezone").write_text("Mars/Olympus")
    assert demo_zone(tmp_path / "data") in DEMO_ZONES


def test_notices_are_posted_once_and_expire(settings: Settings, sessions: Any) -> None:
    now = datetime(2026, 11, 25, 3, 0)
    assert seed_demo_announcements(settings, now=now) == len(DEMO_NOTICES)
    assert seed_demo_announcements(settings, now=now) == 0  # a current one: nothing new
    with session_scope(sessions) as db:
        current = service.current_and_scheduled(db, now=now)
        assert {n.level for n in current} == {"warning", "info"}
        assert all("停" in n.text or "降压" in n.text for n in current)
        assert service.current_and_scheduled(db, now=now + timedelta(days=1)) == []
