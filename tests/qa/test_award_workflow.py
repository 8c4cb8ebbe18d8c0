"""Review and publication on SQLite and PostgreSQL: tie decisions, coefficient overrides,
frozen published months, revisions that keep the old one, and policies kept per month."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from qa.audit.service import list_entries
from qa.awards.decisions import override_coefficient, resolve_tie
from qa.awards.policy import load_policy, parse_policy
from qa.awards.report import month_view, render_text
from qa.awards.schemas import Month
from qa.awards.service import (
    AwardsError,
    agent_history,
    compute_month,
    get_month,
    get_published,
    list_months,
    list_revisions,
    publish_month,
    review_month,
)
from qa.ledger.schemas import Category, EntryIn, EntryKind
from qa.ledger.service import add_entry
from qa.people.models import Agent

JAN, FEB = Month(2026, 1), Month(2026, 2)
MakeAgent = Callable[..., Agent]


def ded(db: Session, agent: str, points: str, category: str = "etiquette", day: int = 10,
        month: Month = JAN) -> None:  # fmt: skip
    on = date(month.year, month.month, day)
    entry = EntryIn(agent, on, Category(category), Decimal(points), EntryKind.INCIDENT, "sup")
    add_entry(db_session=db, entry=entry, actor="sup")


def view(db: Session, month: Month = JAN, revision: int | None = None) -> dict[str, Any]:
    row = get_month(db_session=db, month=month, revision=revision)
    assert row is not None
    return month_view(row)


def winner(db: Session, star: str, month: Month = JAN, revision: int | None = None) -> Any:
    return view(db, month, revision)["stars"][star]["winner"]


def coefficient(db: Session, agent_id: str, revision: int | None = None) -> float:
    agents = view(db, JAN, revision)["agents"]
    value: float = next(a["coefficient"] for a in agents if a["agent_id"] == agent_id)
    return value


@pytest.fixture
def tied_month(db_session: Session, make_agent: MakeAgent) -> Session:
    """X and Y: no deductions, nothing else to tell them apart. W: -0.5 etiquette and service."""
    for a in ("W", "X", "Y"):
        make_agent(a)
    ded(db_session, "W", "-0.5")
    ded(db_session, "W", "-0.5", "service")
    compute_month(db_session=db_session, month=JAN, actor="hr")
    return db_session


def test_tie_is_resolved_by_a_manager_with_a_reason(tied_month: Session) -> None:
    db = tied_month
    assert view(db)["needs_decision"] == ["service", "etiquette", "model"]
    with pytest.raises(AwardsError, match="W is not among the tied candidates X, Y"):
        resolve_tie(db_session=db, month=JAN, star="service", agent_id="W", reason="r", actor="m")
    with pytest.raises(AwardsError, match="needs a written reason"):
        resolve_tie(db_session=db, month=JAN, star="service", agent_id="Y", reason=" ", actor="m")
    with pytest.raises(AwardsError, match="no tie to resolve"):
        resolve_tie(db_session=db, month=JAN, star="model", agent_id="Y", reason="r", actor="m")
    resolve_tie(
        db_session=db, month=JAN, star="service", agent_id="Y", reason="praised twice", actor="m1"
    )
    stars = view(db)["stars"]
    assert (stars["service"]["winner"], stars["service"]["status"]) == ("Y", "decided")
    assert stars["service"]["decision"] == {"agent_id": "Y", "reason": "praised twice", "by": "m1"}
    # Unblocked: etiquette goes to X (0), model to W (total -1 is eligible, discipline 0).
    assert (stars["etiquette"]["winner"], stars["model"]["winner"]) == ("X", "W")
    assert view(db)["needs_decision"] == []
    audit = list_entries(db_session=db, entity="award_month", actions=["awards.resolve_tie"])
    assert [(a.actor, a.details["agent_id"], a.details["tied"]) for a in audit] == [
        ("m1", "Y", ["X", "Y"])
    ]
    assert "decided by m1" in render_text(view(db))


def test_publish_needs_review_and_every_star_decided(tied_month: Session) -> None:
    db = tied_month
    with pytest.raises(AwardsError, match="is a draft: review it first"):
        publish_month(db_session=db, month=JAN, actor="hr")
    review_month(db_session=db, month=JAN, actor="hr")
    with pytest.raises(AwardsError, match="service, etiquette, model need a manager's decision"):
        publish_month(db_session=db, month=JAN, actor="hr")
    # A decision after review sends the month back to draft.
    resolve_tie(db_session=db, month=JAN, star="service", agent_id="X", reason="r", actor="m")
    assert view(db)["status"] == "draft"
    review_month(db_session=db, month=JAN, actor="hr2")
    publish_month(db_session=db, month=JAN, actor="hr3")
    published = view(db)
    assert (published["status"], published["reviewed"]["by"], published["published"]["by"]) == (
        "published", "hr2", "hr3"
    )  # fmt: skip
    actions = [a.action for a in list_entries(db_session=db, entity="award_month")]
    assert actions == [
        "awards.compute", "awards.review", "awards.resolve_tie", "awards.review", "awards.publish"
    ]  # fmt: skip


def test_coefficient_override_with_reason(tied_month: Session) -> None:
    db = tied_month
    with pytest.raises(AwardsError, match="needs a written reason"):
        override_coefficient(
            db_session=db, month=JAN, agent_id="W", coefficient=Decimal("0.9"), reason="",
            actor="hr",
        )  # fmt: skip
    with pytest.raises(AwardsError, match="between 0 and 999.999"):
        override_coefficient(
            db_session=db, month=JAN, agent_id="W", coefficient=Decimal("-1"), reason="r",
            actor="hr",
        )  # fmt: skip
    override_coefficient(
        db_session=db, month=JAN, agent_id="W", coefficient=Decimal("0.95"),
        reason="rude to a caller, heavier penalty", actor="hr1",
    )  # fmt: skip
    w = next(a for a in view(db)["agents"] if a["agent_id"] == "W")
    assert (w["computed_coefficient"], w["coefficient"]) == (0.99, 0.95)
    assert w["override"] == {
        "coefficient": 0.95, "reason": "rude to a caller, heavier penalty", "by": "hr1"
    }  # fmt: skip
    assert w["explanation"][-1] == (
        "overridden by hr1: 0.95 instead of 0.99 (rude to a caller, heavier penalty)"
    )
    override_coefficient(
        db_session=db, month=JAN, agent_id="W", coefficient=None, reason="undo", actor="hr1"
    )
    assert coefficient(db, "W") == 0.99
    audit = list_entries(db_session=db, actions=["awards.override"])
    assert [(a.details["coefficient"], a.details["previous"]) for a in audit] == [
        ("0.95", None), (None, "0.95")
    ]  # fmt: skip


def _publish(db: Session, month: Month = JAN) -> None:
    review_month(db_session=db, month=month, actor="hr")
    publish_month(db_session=db, month=month, actor="hr")


def test_published_month_is_frozen_and_a_revision_keeps_the_old_one(
    db_session: Session, make_agent: MakeAgent
) -> None:
    db = db_session
    make_agent("A")
    make_agent("B")
    ded(db, "B", "-0.5", "service")
    ded(db, "A", "-0.5")
    compute_month(db_session=db, month=JAN, actor="hr")
    override_coefficient(
        db_session=db, month=JAN, agent_id="B", coefficient=Decimal("1.05"), reason="r", actor="h"
    )
    _publish(db)
    assert (winner(db, "service"), winner(db, "etiquette")) == ("A", "B")
    # A late incident for A changes January, but the published result does not move.
    ded(db, "A", "-1", "service", day=28)
    with pytest.raises(AwardsError, match="published and frozen; give a reason"):
        compute_month(db_session=db, month=JAN, actor="hr")
    with pytest.raises(AwardsError, match="published and frozen; revise it first"):
        override_coefficient(
            db_session=db, month=JAN, agent_id="A", coefficient=Decimal(1), reason="r", actor="h"
        )
    compute_month(db_session=db, month=JAN, actor="hr", reason="late incident report for A")
    revised = view(db)
    assert (revised["revision"], revised["status"], revised["supersedes"]) == (2, "draft", 1)
    assert revised["reason"] == "late incident report for A"
    assert (winner(db, "service"), winner(db, "etiquette")) == ("B", "A")
    assert coefficient(db, "B") == 1.05  # the override carries over to the new revision
    # Revision 1 is kept as it was, and stays the published one until revision 2 is published.
    assert (winner(db, "service", revision=1), view(db, revision=1)["status"]) == (
        "A", "published"
    )  # fmt: skip
    published = get_published(db_session=db, month=JAN)
    assert published is not None and published.revision == 1
    _publish(db)
    published = get_published(db_session=db, month=JAN)
    assert published is not None and published.revision == 2
    assert [r.status for r in list_revisions(db_session=db, month=JAN)] == [
        "published", "published"
    ]  # fmt: skip


def test_old_months_keep_their_policy(db_session: Session, make_agent: MakeAgent) -> None:
    db = db_session
    make_agent("A")
    make_agent("B")
    ded(db, "B", "-1", "service")
    ded(db, "B", "-1", "service", month=FEB)
    compute_month(db_session=db, month=JAN, actor="hr")
    _publish(db)
    raw = load_policy().to_dict()
    raw["version"] = "2"
    raw["stars"]["service"]["bonus"] = "0.3"
    compute_month(db_session=db, month=FEB, actor="hr", policy=parse_policy(raw))
    assert view(db, FEB)["policy"]["version"] == "2"
    assert coefficient_of(view(db, FEB), "A") == 1.3
    # January is revised later without naming a policy: it keeps the policy it was made with.
    compute_month(db_session=db, month=JAN, actor="hr", reason="recheck")
    jan = view(db, JAN)
    assert (jan["revision"], jan["policy"]["version"], coefficient_of(jan, "A")) == (2, "1", 1.2)
    assert [r.month for r in list_months(db_session=db)] == ["2026-02", "2026-01"]
    # A's history: January's published revision 1 only (revision 2 and February are drafts).
    history = agent_history(db_session=db, agent_id="A")
    assert [(h["month"], h["revision"], h["stars"], h["coefficient"]) for h in history] == [
        ("2026-01", 1, ["service"], 1.2)
    ]
    latest = agent_history(db_session=db, agent_id="A", published_only=False)
    assert [(h["month"], h["revision"], h["status"]) for h in latest] == [
        ("2026-02", 1, "draft"), ("2026-01", 2, "draft")
    ]  # fmt: skip


def coefficient_of(month_view_: dict[str, Any], agent_id: str) -> float:
    value: float = next(
        a["coefficient"] for a in month_view_["agents"] if a["agent_id"] == agent_id
    )
    return value


def test_recompute_of_a_draft_uses_the_current_ledger(
    db_session: Session, make_agent: MakeAgent
) -> None:
    db = db_session
    make_agent("A")
    compute_month(db_session=db, month=JAN, actor="hr")
    review_month(db_session=db, month=JAN, actor="hr")
    ded(db, "A", "-2.5")
    compute_month(db_session=db, month=JAN, actor="hr")
    again = view(db)
    assert (again["revision"], again["status"], winner(db, "service")) == (1, "draft", "A")
    assert winner(db, "etiquette") is None  # A's total -2.50 is below -2
    assert coefficient(db, "A") == 1.175
