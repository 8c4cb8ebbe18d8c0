"""``floorboard demo``'s QA data: a sample with playable recordings for the supervisor that
starts with calls of the agent the demo ``agent`` account is linked to, earlier evaluations
for the reports, a closed calibration session with two evaluators, and nothing twice."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from collectors.aggregator.engine import Engine
from collectors.history.models import Call
from collectors.history.service import archive_records
from collectors.simulator import default_center, generate
from core.db import session_scope
from dashboard.auth.models import User
from dashboard.cli.demo import qa_demo_setup
from dashboard.runtime import aggregator_config
from dashboard.settings import Settings
from qa.calibration.service import calibration_report, list_sessions
from qa.evaluations.demo import seed_qa_demo
from qa.evaluations.service import list_evaluations
from qa.people.service import get_agent
from qa.recordings.service import find_recording
from qa.sampling.service import work_queue


def simulate(settings: Settings, sessions: Any, days: int) -> Any:
    config = default_center(agents=8, timezone=settings.timezone)
    tz = ZoneInfo(settings.timezone)
    midnight = datetime.now(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    engine = Engine(aggregator_config(settings))
    start, end = (midnight - timedelta(days=days)).timestamp(), midnight.timestamp()
    for event in generate(config=config, seed=3, start=start, end=end):
        engine.apply(event)
    with session_scope(sessions) as db:
        archive_records(db_session=db, records=engine.take_changes().outbox)
    return config


def test_the_demo_gets_a_scored_ready_qa_console(settings: Settings, sessions: Any) -> None:
    config = simulate(settings, sessions, days=10)
    said: list[str] = []
    assert seed_qa_demo(qa_demo_setup(settings), config=config, seconds=3.0, echo=said.append)
    assert "calls sampled" in said[0]
    with session_scope(sessions) as db:
        agent = db.scalars(select(User).where(User.username == "agent")).one().agent_id
        assert agent in {a.name for a in config.agents}
        assert get_agent(db_session=db, agent_id=agent) is not None
        queue = work_queue(db_session=db, evaluator="supervisor")
        assert queue and queue[0].agent_id == agent  # due first: the linked agent's calls
        assert work_queue(db_session=db, evaluator="qa")
        for item in queue:
            info = find_recording(db.get(Call, item.call_pk), base_dir=settings.data_dir)
            assert info.duration is not None and info.duration > 2
        past = list_evaluations(db_session=db, status="submitted")
        assert len(past) >= 10
        assert any(e.agent_id == agent and e.disputes for e in past)
        closed, opened = (list_sessions(db_session=db, status=s)[0] for s in ("closed", "open"))
        report = calibration_report(db_session=db, session_id=closed.id)
        assert [e.evaluator for e in report.evaluators] == ["qa", "supervisor"]
        assert report.score_spread is not None and report.mean_alignment is not None
        assert opened.evaluators == ["supervisor", "qa"]
    assert not seed_qa_demo(qa_demo_setup(settings), config=config, seconds=3.0, echo=said.append)


def test_without_history_nothing_is_sampled(settings: Settings, sessions: Any) -> None:
    said: list[str] = []
    config = default_center(agents=4, timezone=settings.timezone)
    assert not seed_qa_demo(qa_demo_setup(settings), config=config, echo=said.append)
    assert "no call history" in said[0]
