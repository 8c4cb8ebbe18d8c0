"""Small builders for the QA console tests: calls in the history, scorecards, evaluations."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from collectors.history.models import Call
from qa.evaluations.models import Evaluation
from qa.evaluations.schemas import AnswerIn
from qa.evaluations.service import save_draft, start_evaluation, submit_evaluation
from qa.ledger.schemas import Category
from qa.scorecards.models import Scorecard
from qa.scorecards.schemas import (
    AnswerType,
    CommentRule,
    Critical,
    ItemSpec,
    ScorecardSpec,
    SectionSpec,
)
from qa.scorecards.service import save_scorecard

T0 = datetime(2026, 1, 5, 9, 0)  # a Monday, naive UTC
_ids = itertools.count(1)


def make_call(
    db: Session,
    *,
    agent: str = "A1",
    queue: str = "sales",
    at: datetime = T0,
    talk: float | None = 120.0,
    outcome: str = "answered",
    call_id: str | None = None,
    recording_ref: str = "",
) -> Call:
    """An answered call (answered 10 s after it entered the queue)."""
    answered = at + timedelta(seconds=10) if outcome in ("answered", "transferred") else None
    call = Call(
        call_id=call_id or f"c{next(_ids)}",
        queue=queue,
        agent=agent,
        enqueued_at=at,
        answered_at=answered,
        ended_at=at + timedelta(seconds=10 + (talk or 0)),
        wait=10.0,
        talk=talk,
        outcome=outcome,
        recording_ref=recording_ref,
    )
    db.add(call)
    db.flush()
    return call


def yes_no(key: str, points: float = 1.0, **kw: object) -> ItemSpec:
    """A yes/no item (keyword arguments as in :class:`ItemSpec`)."""
    return ItemSpec(key=key, text=f"Item {key}", text_zh=f"项目 {key}", points=points, **kw)  # type: ignore[arg-type]


def scale(key: str, points: float = 5.0, low: int = 0, high: int = 5, **kw: object) -> ItemSpec:
    """A scale item."""
    return ItemSpec(
        key=key,
        text=f"Scale {key}",
        answer_type=AnswerType.SCALE,
        scale_min=low,
        scale_max=high,
        points=points,
        **kw,  # type: ignore[arg-type]
    )


def worked_example(key: str = "example") -> ScorecardSpec:
    """Issue 4's worked example: groups weighted 40 and 20; g1 has two 1-point items (a, b),
    g2 one (c). b may be N/A."""
    return ScorecardSpec(
        key=key,
        name="Worked example",
        sections=(
            SectionSpec(
                "g1", "Group 1", weight=40, items=(yes_no("a"), yes_no("b", na_allowed=True))
            ),
            SectionSpec("g2", "Group 2", weight=20, items=(yes_no("c"),)),
        ),
    )


def ledger_card(key: str = "card") -> ScorecardSpec:
    """A small card with deductions: a scale item, a critical item needing a comment on fail,
    a plain item and a bonus."""
    return ScorecardSpec(
        key=key,
        name="Ledger card",
        pass_mark=50,
        sections=(
            SectionSpec(
                "s",
                "Service",
                items=(
                    yes_no("greet", 2, category=Category.ETIQUETTE, deduction=Decimal("0.5")),
                    scale(
                        "answer",
                        4,
                        0,
                        4,
                        pass_value=3,
                        category=Category.SERVICE,
                        deduction=Decimal("1"),
                    ),
                    yes_no(
                        "rude",
                        2,
                        critical=Critical.FATAL,
                        category=Category.ETIQUETTE,
                        deduction=Decimal("2"),
                        comment_required=CommentRule.ON_FAIL,
                    ),
                    yes_no("wow", 1, bonus=True, na_allowed=True),
                ),
            ),
        ),
    )


def card(db: Session, spec: ScorecardSpec | None = None) -> Scorecard:
    """Save ``spec`` (the worked example by default) and return its current version."""
    return save_scorecard(db_session=db, spec=spec or worked_example(), actor="admin").scorecard


def evaluate(
    db: Session,
    call: Call,
    answers: Mapping[str, str],
    *,
    evaluator: str = "qa1",
    scorecard_key: str = "example",
    comments: Mapping[str, str] | None = None,
    submit: bool = True,
    now: datetime | None = None,
) -> Evaluation:
    """Score ``call`` with ``answers`` (and item comments); submitted unless ``submit=False``."""
    evaluation = start_evaluation(
        db_session=db, call_pk=call.id, evaluator=evaluator, scorecard_key=scorecard_key
    )
    comments = comments or {}
    given = {ref: AnswerIn(value, comments.get(ref, "")) for ref, value in answers.items()}
    save_draft(db_session=db, evaluation_id=evaluation.id, answers=given, actor=evaluator)
    if submit:
        submit_evaluation(db_session=db, evaluation_id=evaluation.id, actor=evaluator, now=now)
    return evaluation
