"""Evaluations on SQLite and PostgreSQL: drafts scored live, comments pinned to a time,
submission rules, immutability, the HR ledger feed, acknowledgement, audit, access rules."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from qa_factories import card, evaluate, ledger_card, make_call
from sqlalchemy import CheckConstraint
from sqlalchemy.orm import Session

from qa.calibration.models import CalibrationSession
from qa.calibration.schemas import SessionStatus
from qa.evaluations.access import (
    can_dispute,
    can_edit_evaluation,
    can_evaluate,
    can_resolve_disputes,
    can_view_evaluation,
)
from qa.evaluations.models import Dispute, Evaluation
from qa.evaluations.schemas import AnswerIn, DisputeStatus, EvaluationError, EvaluationStatus
from qa.evaluations.service import (
    acknowledge,
    add_comment,
    delete_comment,
    discard_draft,
    list_evaluations,
    save_draft,
    start_evaluation,
    submit_evaluation,
)
from qa.evaluations.views import evaluation_history, evaluation_view
from qa.ledger.service import list_entries
from qa.people.models import Agent
from qa.scorecards.models import Scorecard
from qa.scorecards.schemas import ScorecardStatus
from qa.scoring import ProblemKind

FULL = {"s.greet": "yes", "s.answer": "4", "s.rude": "yes", "s.wow": "na"}


def test_draft_is_scored_live_and_submitted_once_complete(db_session: Session) -> None:
    card(db_session)
    call = make_call(db_session, agent="A7", queue="support")
    draft = start_evaluation(
        db_session=db_session, call_pk=call.id, evaluator="qa1", scorecard_key="example"
    )
    assert (draft.agent_id, draft.queue, draft.status) == ("A7", "support", "draft")
    live = save_draft(
        db_session=db_session,
        evaluation_id=draft.id,
        actor="qa1",
        answers={"g1.a": AnswerIn("yes"), "g1.b": AnswerIn("no")},
    )
    assert live.score == 50.0 and live.missing == ("g2.c",)
    assert draft.score == 50.0
    with pytest.raises(EvaluationError, match="g2.c: not answered"):
        submit_evaluation(db_session=db_session, evaluation_id=draft.id, actor="qa1")
    save_draft(
        db_session=db_session,
        evaluation_id=draft.id,
        actor="qa1",
        answers={"g2.c": AnswerIn("yes")},
    )
    submit_evaluation(db_session=db_session, evaluation_id=draft.id, actor="qa1")
    assert (draft.status, draft.score, draft.raw_score, draft.passed) == (
        "submitted",
        60.0,
        60.0,
        True,
    )
    assert (
        start_evaluation(
            db_session=db_session, call_pk=call.id, evaluator="qa2", scorecard_key="example"
        ).id
        != draft.id
    )
    with pytest.raises(EvaluationError, match="already evaluated"):
        start_evaluation(
            db_session=db_session, call_pk=call.id, evaluator="qa1", scorecard_key="example"
        )


def test_submitted_evaluation_is_immutable(db_session: Session) -> None:
    card(db_session)
    done = evaluate(db_session, make_call(db_session), {"g1.a": "yes", "g1.b": "no", "g2.c": "yes"})
    for attempt in (
        lambda: save_draft(
            db_session=db_session,
            evaluation_id=done.id,
            actor="qa1",
            answers={"g1.b": AnswerIn("yes")},
        ),
        lambda: add_comment(db_session=db_session, evaluation_id=done.id, author="qa1", text="x"),
        lambda: discard_draft(db_session=db_session, evaluation_id=done.id, actor="qa1"),
        # (its evaluator submitting again changes nothing: see test_evaluations_autosave.py)
        lambda: submit_evaluation(db_session=db_session, evaluation_id=done.id, actor="qa2"),
    ):
        with pytest.raises(EvaluationError, match="only through a dispute"):
            attempt()
    assert done.score == 60.0


def test_only_the_evaluator_edits_a_draft(db_session: Session) -> None:
    card(db_session)
    draft = evaluate(db_session, make_call(db_session), {"g1.a": "yes"}, submit=False)
    with pytest.raises(EvaluationError, match="qa1's draft"):
        save_draft(
            db_session=db_session,
            evaluation_id=draft.id,
            actor="qa2",
            answers={"g1.a": AnswerIn("no")},
        )


def test_comments_pinned_to_a_time_and_required_comments(db_session: Session) -> None:
    card(db_session, ledger_card())
    draft = evaluate(
        db_session,
        make_call(db_session),
        {**FULL, "s.rude": "no"},
        scorecard_key="card",
        submit=False,
    )
    later = add_comment(
        db_session=db_session,
        evaluation_id=draft.id,
        author="qa1",
        text="raises voice",
        at_seconds=42.5,
        item_ref="s.rude",
    )
    add_comment(
        db_session=db_session, evaluation_id=draft.id, author="qa1", text="early", at_seconds=3.0
    )
    general = add_comment(db_session=db_session, evaluation_id=draft.id, author="qa1", text="ok")
    with pytest.raises(EvaluationError, match="no item 's.nope'"):
        add_comment(
            db_session=db_session, evaluation_id=draft.id, author="qa1", text="x", item_ref="s.nope"
        )
    view = evaluation_view(draft)
    assert [(c.text, c.at_seconds) for c in view.comments] == [
        ("early", 3.0),
        ("raises voice", 42.5),
        ("ok", None),
    ]
    delete_comment(db_session=db_session, comment_id=general.id, actor="qa1")
    assert later.item_ref == "s.rude" and len(draft.comments) == 2
    with pytest.raises(EvaluationError, match="s.rude: a comment is required"):
        submit_evaluation(db_session=db_session, evaluation_id=draft.id, actor="qa1")
    save_draft(
        db_session=db_session,
        evaluation_id=draft.id,
        actor="qa1",
        answers={"s.rude": AnswerIn("no", "said 你问我，我问谁？")},
    )
    submit_evaluation(db_session=db_session, evaluation_id=draft.id, actor="qa1")
    assert (draft.score, draft.raw_score, draft.passed) == (0.0, 75.0, False)


def test_submission_feeds_the_hr_ledger(
    db_session: Session, make_agent: Callable[..., Agent]
) -> None:
    make_agent("A1")
    card(db_session, ledger_card())
    call = make_call(db_session, agent="A1")
    answers = {"s.greet": "no", "s.answer": "2", "s.rude": "yes", "s.wow": "no"}
    done = evaluate(db_session, call, answers, scorecard_key="card")
    entries = list_entries(db_session=db_session, agent_id="A1")
    assert [(e.source_item, e.category, e.points, e.kind, e.date) for e in entries] == [
        ("s.greet", "etiquette", Decimal("-0.50"), "scorecard", date(2026, 1, 5)),
        ("s.answer", "service", Decimal("-1.00"), "scorecard", date(2026, 1, 5)),
    ]
    assert {e.source_ref for e in entries} == {done.ref}
    # An agent unknown to HR has no ledger: the evaluation is still submitted.
    other = evaluate(db_session, make_call(db_session, agent="Z9"), answers, scorecard_key="card")
    assert other.status == "submitted"
    assert list_entries(db_session=db_session, agent_id="Z9") == []


def test_acknowledge_and_audit_history(db_session: Session) -> None:
    card(db_session)
    done = evaluate(
        db_session, make_call(db_session, agent="A2"), {"g1.a": "yes", "g1.b": "no", "g2.c": "yes"}
    )
    with pytest.raises(EvaluationError, match="not an evaluation of agent A3"):
        acknowledge(db_session=db_session, evaluation_id=done.id, agent_id="A3", actor="a3")
    acknowledge(db_session=db_session, evaluation_id=done.id, agent_id="A2", actor="a2")
    assert done.acknowledged_at is not None
    actions = [e.action for e in evaluation_history(db_session=db_session, evaluation_id=done.id)]
    assert actions == [
        "evaluation.start",
        "evaluation.save",
        "evaluation.submit",
        "evaluation.acknowledge",
    ]


def test_list_evaluations_filters(db_session: Session) -> None:
    card(db_session)
    evaluate(db_session, make_call(db_session, agent="A1"), {"g1.a": "yes"}, submit=False)
    evaluate(
        db_session,
        make_call(db_session, agent="A2"),
        {"g1.a": "yes", "g1.b": "yes", "g2.c": "yes"},
        evaluator="qa2",
    )
    assert [e.agent_id for e in list_evaluations(db_session=db_session)] == ["A2", "A1"]
    assert [e.agent_id for e in list_evaluations(db_session=db_session, status="draft")] == ["A1"]
    assert [e.evaluator for e in list_evaluations(db_session=db_session, agent_id="A2")] == ["qa2"]


def _ev(
    kind: str = "regular", status: str = "submitted", agent: str = "A1", evaluator: str = "qa1"
) -> SimpleNamespace:
    return SimpleNamespace(kind=kind, status=status, agent_id=agent, evaluator=evaluator)


@pytest.mark.parametrize(
    ("role", "agent_id", "evaluation", "expected"),
    [
        ("agent", "A1", _ev(), True),
        ("agent", "A2", _ev(), False),  # another agent's evaluation
        ("agent", None, _ev(), False),  # an agent account not linked to an agent id
        ("agent", "A1", _ev(status="draft"), False),
        ("agent", "A1", _ev(kind="calibration"), False),
        ("supervisor", None, _ev(status="draft"), True),
        ("qa", None, _ev(), True),
        ("admin", None, _ev(), True),
        ("hr", None, _ev(), True),
        ("hr", None, _ev(status="draft"), False),
        ("display", None, _ev(), False),
        (None, None, _ev(), False),
        ("supervisor", None, _ev(kind="calibration", evaluator="qa2"), False),  # blind
    ],
)
def test_who_may_view_an_evaluation(
    role: str | None, agent_id: str | None, evaluation: SimpleNamespace, expected: bool
) -> None:
    allowed = can_view_evaluation(
        user_role=role, username="someone", user_agent_id=agent_id, evaluation=evaluation
    )
    assert allowed is expected


def test_calibration_visibility_and_other_rules() -> None:
    calib = _ev(kind="calibration", evaluator="qa2")
    assert can_view_evaluation(user_role="qa", username="qa2", user_agent_id=None, evaluation=calib)
    assert can_view_evaluation(
        user_role="supervisor",
        username="boss",
        user_agent_id=None,
        evaluation=calib,
        calibration_closed=True,
    )
    assert not can_view_evaluation(
        user_role="agent",
        username="a1",
        user_agent_id="A1",
        evaluation=calib,
        calibration_closed=True,
    )
    assert can_edit_evaluation(username="qa1", evaluation=_ev(status="draft"))
    assert not can_edit_evaluation(username="qa2", evaluation=_ev(status="draft"))
    assert not can_edit_evaluation(username="qa1", evaluation=_ev())
    assert can_dispute(user_role="agent", user_agent_id="A1", evaluation=_ev())
    assert not can_dispute(user_role="agent", user_agent_id="A2", evaluation=_ev())
    assert not can_dispute(user_role="supervisor", user_agent_id="A1", evaluation=_ev())
    assert [r for r in ("agent", "supervisor", "qa", "hr", "admin") if can_evaluate(r)] == [
        "supervisor",
        "qa",
        "admin",
    ]
    assert [r for r in ("agent", "supervisor", "qa", "hr", "admin") if can_resolve_disputes(r)] == [
        "supervisor",
        "admin",
    ]


def test_long_comments_are_refused_and_nothing_is_stored(db_session: Session) -> None:
    card(db_session)
    call = make_call(db_session, agent="A7", queue="support")
    draft = start_evaluation(
        db_session=db_session, call_pk=call.id, evaluator="qa1", scorecard_key="example"
    )
    with pytest.raises(EvaluationError, match="comment is 12,000 characters long; at most 2,000"):
        add_comment(db_session=db_session, evaluation_id=draft.id, author="qa1", text="c" * 12_000)
    with pytest.raises(EvaluationError, match=r"item comment \(item g1.a\) is 501 characters"):
        save_draft(
            db_session=db_session, evaluation_id=draft.id, actor="qa1",
            answers={"g1.a": AnswerIn("yes", "i" * 501)},
        )  # fmt: skip
    assert (draft.comments, draft.answers) == ([], [])
    add_comment(db_session=db_session, evaluation_id=draft.id, author="qa1", text="c" * 2000)
    assert len(draft.comments) == 1


def test_refused_answers_carry_typed_problems(db_session: Session) -> None:
    """Callers tell problems apart by kind, never by message (issue 13.5): a draft refuses
    unknown items and invalid values but not a missing required comment; a submission lists
    every problem, each with its kind and item."""
    card(db_session, ledger_card())
    draft = evaluate(db_session, make_call(db_session), {}, scorecard_key="card", submit=False)
    with pytest.raises(EvaluationError) as refused:
        save_draft(
            db_session=db_session, evaluation_id=draft.id, actor="qa1",
            answers={"s.greet": AnswerIn("maybe"), "s.rude": AnswerIn("no"), "x.y": AnswerIn(None)},
        )  # fmt: skip
    assert [(p.kind, p.item_ref) for p in refused.value.problems] == [
        (ProblemKind.INVALID, "s.greet"),
        (ProblemKind.UNKNOWN_ITEM, "x.y"),
    ]
    assert str(refused.value) == (
        "s.greet: answer 'maybe' must be one of yes, no; x.y: no such item"
    )
    save_draft(
        db_session=db_session, evaluation_id=draft.id, actor="qa1",
        answers={"s.greet": AnswerIn("yes"), "s.rude": AnswerIn("no")},
    )  # fmt: skip
    with pytest.raises(EvaluationError) as incomplete:
        submit_evaluation(db_session=db_session, evaluation_id=draft.id, actor="qa1")
    assert [(p.kind, p.item_ref) for p in incomplete.value.problems] == [
        (ProblemKind.UNANSWERED, "s.answer"),
        (ProblemKind.COMMENT_REQUIRED, "s.rude"),
        (ProblemKind.UNANSWERED, "s.wow"),
    ]


def test_stored_statuses_are_the_enum_values() -> None:
    """The status enums name exactly the values the tables' CHECK constraints allow (no
    migration: the stored values did not change)."""
    for table, enum in (
        (Evaluation.__table__, EvaluationStatus),
        (Dispute.__table__, DisputeStatus),
        (CalibrationSession.__table__, SessionStatus),
        (Scorecard.__table__, ScorecardStatus),
    ):
        check = next(
            c
            for c in table.constraints
            if isinstance(c, CheckConstraint) and "status" in str(c.sqltext)
        )
        allowed = set(re.findall(r"'([a-z_]+)'", str(check.sqltext)))
        assert allowed == {s.value for s in enum}, table.name
