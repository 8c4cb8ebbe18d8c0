"""Small builders for the HR page tests: a month with agents, ledger, calls and QA evaluations
(pages and callbacks are called with ``support.dash_requests``).

The month (January 2026) is built so that each tie-break shows:

- Service Star: A1, A2 and A5 have no service deduction; QA averages (A2 100, A1 66.67,
  A5 33.33) pick A2, whereas answered calls alone (A1 3, A2 2, A5 2) would pick A1.
- Etiquette Star: A1, A4, A5, A6 at 0; A4 and A6 have no evaluation (the QA step is skipped),
  answered calls pick A1.
- Model Star: A4 and A6 tie with no call and no evaluation: a manager decides.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from qa_factories import card, evaluate, make_call
from sqlalchemy.orm import Session, sessionmaker

from collectors.aggregator.engine import Engine
from collectors.history.service import archive_records
from collectors.simulator import generate
from core.db import session_scope
from dashboard.runtime import aggregator_config
from dashboard.settings import Settings
from qa.awards.month import previous_month
from qa.awards.schemas import Month
from qa.ledger.schemas import Category, EntryIn, EntryKind
from qa.ledger.service import add_entry
from qa.people.schemas import AgentIn, Employment
from qa.people.service import upsert_agent

MONTH = Month(2026, 1)
AGENTS = (
    AgentIn("A1", "Li Na", "North"),
    AgentIn("A2", "Wang Wei", "North"),
    AgentIn("A3", "Zhang San", "South", Employment.PROBATION),
    AgentIn("A4", "Chen Jie", "South"),
    AgentIn("A5", "Zhao Lei", "South"),
    AgentIn("A6", "孙丽", "South"),
)
# agent, day, category, points, kind
LEDGER = (
    ("A1", 6, Category.DISCIPLINE, "-1", EntryKind.INCIDENT),
    ("A2", 7, Category.ETIQUETTE, "-0.5", EntryKind.INCIDENT),
    ("A3", 7, Category.SERVICE, "-0.5", EntryKind.INCIDENT),
    ("A4", 8, Category.SERVICE, "-1", EntryKind.INCIDENT),
    ("A5", 9, Category.DISCIPLINE, "-0.5", EntryKind.INCIDENT),
    ("A5", 12, Category.SERVICE, "1", EntryKind.BONUS),
    ("A6", 13, Category.SERVICE, "-0.5", EntryKind.INCIDENT),
)
CALLS = {"A1": 3, "A2": 2, "A5": 2}
# the first call of each: worked example answers (g1 weighs 40 with a and b, g2 20 with c)
SCORES = {
    "A1": {"g1.a": "no", "g1.b": "yes", "g2.c": "yes"},  # 66.67
    "A2": {"g1.a": "yes", "g1.b": "yes", "g2.c": "yes"},  # 100
    "A5": {"g1.a": "no", "g1.b": "yes", "g2.c": "no"},  # 33.33
}


def seed_month(db: Session) -> None:
    """Agents, ledger, calls and evaluations of :data:`MONTH`."""
    for agent in AGENTS:
        upsert_agent(db_session=db, data=agent, actor="test")
    for agent_id, day, category, points, kind in LEDGER:
        entry = EntryIn(agent_id=agent_id, date=date(2026, 1, day), category=category,
                        points=Decimal(points), kind=kind, reporter="sup", note="test")  # fmt: skip
        add_entry(db_session=db, entry=entry, actor="sup")
    card(db)
    for agent_id, count in CALLS.items():
        calls = [
            make_call(db, agent=agent_id, at=datetime(2026, 1, 5 + n, 10) + timedelta(minutes=7))
            for n in range(count)
        ]
        evaluate(db, calls[0], SCORES[agent_id], now=datetime(2026, 1, 20, 9))


def pattern(kind: str, index: str, prop: str, value: Any) -> dict[str, Any]:
    """One pattern-matched component as the browser sends it."""
    return {"id": {"index": index, "type": kind}, "property": prop, "value": value}


def pattern_changed(kind: str, index: str, prop: str) -> str:
    return json.dumps({"index": index, "type": kind}, separators=(",", ":")) + f".{prop}"


def simulate_last_month(
    settings: Settings, sessions: sessionmaker[Session], config: Any, days: int
) -> None:
    """A few simulated days of last month straight into the call history."""
    tz = ZoneInfo(settings.timezone)
    month = previous_month(tz=settings.timezone)
    start = datetime.combine(month.start + timedelta(days=10), time(), tzinfo=tz)
    engine = Engine(aggregator_config(settings))
    for event in generate(config=config, seed=3, start=start.timestamp(),
                          end=(start + timedelta(days=days)).timestamp()):  # fmt: skip
        engine.apply(event)
    with session_scope(sessions) as db:
        archive_records(db_session=db, records=engine.take_changes().outbox)
