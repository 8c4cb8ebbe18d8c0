"""Finished calls reach the SQL history exactly once, even when the database is away."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import redis
from event_factories import T0, abandoned_call, answered_call, ev
from sqlalchemy import select

from collectors.aggregator.consumer import Aggregator
from collectors.events import Kind
from collectors.history.archive import sql_history
from collectors.history.models import Call
from collectors.history.schemas import CallFilter
from collectors.history.service import list_calls
from collectors.keys import Keys
from collectors.pipeline.producer import EventProducer
from core.db import Base, make_engine, session_factory


def database(path: Path) -> str:
    url = f"sqlite:///{path}"
    Base.metadata.create_all(make_engine(url))
    return url


def rows(url: str) -> list[Call]:
    with session_factory(make_engine(url))() as session:
        return list(session.scalars(select(Call).order_by(Call.enqueued_at)))


def test_calls_are_archived_with_their_details(
    redis_client: redis.Redis, keys: Keys, tmp_path: Path
) -> None:
    url = database(tmp_path / "h.db")
    events = [
        *answered_call("a1", "sales", "ann", T0, wait=12, talk=200),
        *abandoned_call("a2", "sales", T0 + 5, wait=40),
        ev(Kind.ACW_START, T0 + 212, agent="ann", queue="sales"),
        ev(Kind.ACW_END, T0 + 242, agent="ann", queue="sales", wrap=30),
        ev(Kind.SURVEY, T0 + 250, call_id="a1", queue="sales", score=5),
    ]
    EventProducer(redis_client, keys=keys).publish(sorted(events, key=lambda e: e.ts))
    Aggregator(redis_client, keys=keys, history=sql_history(url)).drain()
    answered, abandoned = rows(url)
    assert (answered.call_id, answered.outcome, answered.agent) == ("a1", "answered", "ann")
    assert (answered.wait, answered.talk, answered.wrap, answered.survey_score) == (12, 200, 30, 5)
    assert answered.enqueued_at == datetime(2026, 1, 1, 0, 0, 0)
    assert answered.answered_at == datetime(2026, 1, 1, 0, 0, 12)
    assert answered.ended_at == datetime(2026, 1, 1, 0, 3, 32)
    assert answered.handle_time == 230
    assert (abandoned.outcome, abandoned.wait, abandoned.agent) == ("abandoned", 40, "")
    found = list_calls(
        db_session=session_factory(make_engine(url))(),
        criteria=CallFilter(
            start=datetime(2026, 1, 1), end=datetime(2026, 1, 2), outcomes=("answered",)
        ),
    )
    assert [c.call_id for c in found] == ["a1"]


def test_database_away_keeps_calls_in_the_outbox_until_it_is_back(
    redis_client: redis.Redis, keys: Keys, tmp_path: Path
) -> None:
    events = answered_call("b1", "q", "bob", T0, wait=3, talk=30)
    EventProducer(redis_client, keys=keys).publish(events)
    missing = tmp_path / "not-yet" / "h.db"  # its folder does not exist: every write fails
    Aggregator(redis_client, keys=keys, history=sql_history(f"sqlite:///{missing}")).drain()
    assert redis_client.llen(keys.outbox) == 1

    missing.parent.mkdir()
    url = database(missing)
    aggregator = Aggregator(redis_client, keys=keys, history=sql_history(url))
    assert aggregator.flush_history(everything=True) == 1
    assert redis_client.llen(keys.outbox) == 0
    assert [c.call_id for c in rows(url)] == ["b1"]


def test_writing_the_same_records_again_changes_nothing(
    redis_client: redis.Redis, keys: Keys, tmp_path: Path
) -> None:
    url = database(tmp_path / "h.db")
    EventProducer(redis_client, keys=keys).publish(
        answered_call("c1", "q", "cy", T0, wait=3, talk=30)
    )
    aggregator = Aggregator(redis_client, keys=keys, history=None)
    aggregator.drain()
    outbox = redis_client.lrange(keys.outbox, 0, -1)
    # A crash after the SQL commit but before the outbox trim replays the same records.
    redis_client.rpush(keys.outbox, *outbox)
    Aggregator(redis_client, keys=keys, history=sql_history(url)).flush_history(everything=True)
    assert len(rows(url)) == 1
