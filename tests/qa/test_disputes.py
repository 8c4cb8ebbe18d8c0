"""Disputes on SQLite and PostgreSQL: window, which items, one per item, cap, accept / partly
accept / reject, score recomputed, ledger corrected, history kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from qa_factories import card, evaluate, ledger_card, make_call
from sqlalchemy.orm import Session

from qa.evaluations.disputes import (
    disputable_items,
    list_disputes,
    preview_decision,
    raise_dispute,
    resolve_dispute,
)
from qa.evaluations.models import Evaluation
from qa.evaluations.schemas import Decision, DisputePolicy, EvaluationError, Refusal
from qa.evaluations.views import evaluation_history, evaluation_view
from qa.ledger.service import effective_points, list_entries
from qa.people.models import Agent

SUBMITTED = datetime(2026, 1, 6, 12, 0)
# greet no (−2 of 2), answer 2 of 4 (−2, fails: pass value 3), rude yes, wow no → 4/8 = 50 %
ANSWERS = {"s.greet": "no", "s.answer": "2", "s.rude": "yes", "s.wow": "no"}


@pytest.fixture
def scored(db_session: Session, make_agent: Callable[..., Agent]) -> Evaluation:
    make_agent("A1")
    card(db_session, ledger_card())
    call = make_call(db_session, agent="A1")
    return evaluate(db_session, call, ANSWERS, scorecard_key="card", now=SUBMITTED)


def _raise(
    db: Session,
    evaluation: Evaluation,
    ref: str,
    *,
    days: float = 1.0,
    agent: str = "A1",
    policy: DisputePolicy | None = None,
) -> int:
    dispute = raise_dispute(
        db_session=db,
        evaluation_id=evaluation.id,
        item_ref=ref,
        reason="I did greet",
        agent_id=agent,
        actor="agent1",
        policy=policy,
        now=SUBMITTED + timedelta(days=days),
    )
    return dispute.id


def test_window_is_configurable(db_session: Session, scored: Evaluation) -> None:
    with pytest.raises(
        EvaluationError, match="dispute window of evaluation:.* closed on 2026-01-13"
    ):
        _raise(db_session, scored, "s.greet", days=7.01)
    assert disputable_items(scored, DisputePolicy(), SUBMITTED + timedelta(days=8)) == ()
    long = DisputePolicy(window_days=45)
    assert _raise(db_session, scored, "s.greet", days=30, policy=long)
    view = evaluation_view(scored, policy=long)
    assert view.dispute_deadline == SUBMITTED + timedelta(days=45)


def test_only_the_agent_and_only_items_that_lost_points(
    db_session: Session, scored: Evaluation
) -> None:
    with pytest.raises(EvaluationError, match="only agent A1 may dispute"):
        _raise(db_session, scored, "s.greet", agent="A2")
    with pytest.raises(EvaluationError, match="s.rude lost no points"):
        _raise(db_session, scored, "s.rude")
    with pytest.raises(EvaluationError, match="s.wow lost no points"):  # a bonus loses nothing
        _raise(db_session, scored, "s.wow")
    with pytest.raises(EvaluationError, match="needs a reason"):
        raise_dispute(
            db_session=db_session,
            evaluation_id=scored.id,
            item_ref="s.greet",
            reason="  ",
            agent_id="A1",
            actor="agent1",
        )
    assert disputable_items(scored, DisputePolicy(), SUBMITTED) == ("s.greet", "s.answer")


def test_one_dispute_per_item_and_a_cap(db_session: Session, scored: Evaluation) -> None:
    _raise(db_session, scored, "s.greet")
    with pytest.raises(EvaluationError, match="s.greet was already disputed"):
        _raise(db_session, scored, "s.greet")
    with pytest.raises(EvaluationError, match="at most 1 items"):
        _raise(db_session, scored, "s.answer", policy=DisputePolicy(max_per_evaluation=1))


def test_accept_recomputes_and_voids_the_deduction(db_session: Session, scored: Evaluation) -> None:
    assert scored.score == 50.0
    dispute_id = _raise(db_session, scored, "s.greet")
    dispute = resolve_dispute(
        db_session=db_session, dispute_id=dispute_id, decision=Decision.ACCEPT, actor="sup"
    )
    assert (dispute.status, dispute.value_before, dispute.value_after) == ("accepted", "no", "yes")
    assert (dispute.score_before, dispute.score_after) == (50.0, 75.0)
    assert (scored.score, scored.revision) == (75.0, 1)
    greet = next(e for e in list_entries(db_session=db_session) if e.source_item == "s.greet")
    assert effective_points(db_session=db_session, entry_id=greet.id) == Decimal("0.00")
    with pytest.raises(EvaluationError, match="already accepted: it is final"):
        resolve_dispute(
            db_session=db_session,
            dispute_id=dispute_id,
            decision=Decision.REJECT,
            actor="sup",
            note="changed my mind",
        )


def test_partly_accept_a_scale_item(db_session: Session, scored: Evaluation) -> None:
    dispute_id = _raise(db_session, scored, "s.answer")
    for bad in (None, "2", "4", "1"):
        with pytest.raises(EvaluationError):
            resolve_dispute(
                db_session=db_session,
                dispute_id=dispute_id,
                note="half right",
                decision=Decision.PARTLY_ACCEPT,
                new_value=bad,
                actor="sup",
            )
    with pytest.raises(EvaluationError, match="give a note"):
        resolve_dispute(
            db_session=db_session,
            dispute_id=dispute_id,
            decision=Decision.PARTLY_ACCEPT,
            new_value="3",
            actor="sup",
        )
    dispute = resolve_dispute(
        db_session=db_session,
        dispute_id=dispute_id,
        note="mostly right",
        decision=Decision.PARTLY_ACCEPT,
        new_value="3",
        actor="sup",
    )
    assert (dispute.status, dispute.value_after, dispute.score_after) == (
        "partly_accepted",
        "3",
        62.5,
    )
    # 3 reaches the pass value: the item no longer fails, its deduction is voided.
    answer = next(e for e in list_entries(db_session=db_session) if e.source_item == "s.answer")
    assert effective_points(db_session=db_session, entry_id=answer.id) == Decimal("0.00")


def test_reject_keeps_the_score_and_history(db_session: Session, scored: Evaluation) -> None:
    dispute_id = _raise(db_session, scored, "s.greet")
    with pytest.raises(EvaluationError, match="give a note"):
        resolve_dispute(
            db_session=db_session, dispute_id=dispute_id, decision=Decision.REJECT, actor="sup"
        )
    resolve_dispute(
        db_session=db_session,
        dispute_id=dispute_id,
        decision=Decision.REJECT,
        note="no greeting on the recording at 0:03",
        actor="sup",
    )
    assert (scored.score, scored.revision) == (50.0, 0)
    greet = next(e for e in list_entries(db_session=db_session) if e.source_item == "s.greet")
    assert effective_points(db_session=db_session, entry_id=greet.id) == Decimal("-0.50")
    view = evaluation_view(scored)
    assert [(d.item_ref, d.status, d.decision_note) for d in view.disputes] == [
        ("s.greet", "rejected", "no greeting on the recording at 0:03"),
    ]
    actions = [e.action for e in evaluation_history(db_session=db_session, evaluation_id=scored.id)]
    assert actions[-2:] == ["evaluation.dispute", "evaluation.dispute_resolve"]
    assert [
        d.id for d in list_disputes(db_session=db_session, status="rejected", agent_id="A1")
    ] == [dispute_id]
    assert list_disputes(db_session=db_session, status="open") == []


def test_accept_as_not_applicable(db_session: Session, make_agent: Callable[..., Agent]) -> None:
    make_agent("A1")
    card(db_session)  # the worked example: g1.b allows N/A
    done = evaluate(
        db_session,
        make_call(db_session, agent="A1"),
        {"g1.a": "yes", "g1.b": "no", "g2.c": "yes"},
        now=SUBMITTED,
    )
    dispute_id = _raise(db_session, done, "g1.b")
    resolve_dispute(
        db_session=db_session,
        dispute_id=dispute_id,
        decision=Decision.ACCEPT,
        new_value="na",
        actor="sup",
    )
    assert done.score == 100.0
    with pytest.raises(EvaluationError):
        _raise(db_session, done, "g1.a")  # lost no points


def test_no_decision_is_refused_and_nothing_changes(
    db_session: Session, scored: Evaluation
) -> None:
    """A final decision is never a default (issue 11.17): no choice, no decision."""
    dispute_id = _raise(db_session, scored, "s.greet")
    for nothing in (None, ""):
        with pytest.raises(EvaluationError, match="choose a decision first"):
            resolve_dispute(
                db_session=db_session, dispute_id=dispute_id, decision=nothing, actor="sup"
            )
    with pytest.raises(EvaluationError, match="unknown decision 'maybe'"):
        resolve_dispute(db_session=db_session, dispute_id=dispute_id, decision="maybe", actor="s")
    dispute = list_disputes(db_session=db_session)[0]
    assert (dispute.status, scored.score, scored.revision) == ("open", 50.0, 0)


def test_a_preview_names_the_outcome_without_deciding(
    db_session: Session, scored: Evaluation
) -> None:
    dispute_id = _raise(db_session, scored, "s.greet")
    preview = preview_decision(db_session=db_session, dispute_id=dispute_id, decision="accept")
    assert (preview.value_before, preview.value_after) == ("no", "yes")
    assert (preview.score_before, preview.score_after) == (50.0, 75.0)
    kept = preview_decision(
        db_session=db_session, dispute_id=dispute_id, decision=Decision.REJECT, note="heard it"
    )
    assert (kept.value_after, kept.score_after) == ("no", 50.0)
    with pytest.raises(EvaluationError, match="give a note"):
        preview_decision(db_session=db_session, dispute_id=dispute_id, decision="reject")
    with pytest.raises(EvaluationError, match="choose a decision first"):
        preview_decision(db_session=db_session, dispute_id=dispute_id, decision=None)
    assert list_disputes(db_session=db_session)[0].status == "open"
    assert (scored.score, scored.revision) == (50.0, 0)


def test_a_300_kb_reason_or_note_is_refused_and_nothing_is_stored(
    db_session: Session, scored: Evaluation
) -> None:
    with pytest.raises(EvaluationError, match="dispute reason is 300,000 characters long; at mo"):
        raise_dispute(
            db_session=db_session, evaluation_id=scored.id, item_ref="s.greet",
            reason="x" * 300_000, agent_id="A1", actor="agent1",
            now=SUBMITTED + timedelta(days=1),
        )  # fmt: skip
    assert scored.disputes == []
    dispute_id = _raise(db_session, scored, "s.greet")
    with pytest.raises(EvaluationError, match="decision note is 2,001 characters long"):
        resolve_dispute(
            db_session=db_session, dispute_id=dispute_id, decision=Decision.REJECT,
            actor="qa1", note="n" * 2001,
        )  # fmt: skip
    assert [d.status for d in scored.disputes] == ["open"]


def test_refusals_the_agent_is_told_about_carry_their_reason(
    db_session: Session, scored: Evaluation
) -> None:
    """The page words these refusals for the agent from ``refusal``, not from the message."""
    with pytest.raises(EvaluationError) as late:
        _raise(db_session, scored, "s.greet", days=7.01)
    assert late.value.refusal is Refusal.WINDOW_CLOSED
    with pytest.raises(EvaluationError) as empty:
        raise_dispute(
            db_session=db_session, evaluation_id=scored.id, item_ref="s.greet", reason=" ",
            agent_id="A1", actor="agent1", now=SUBMITTED,
        )  # fmt: skip
    assert empty.value.refusal is Refusal.NEEDS_REASON
    with pytest.raises(EvaluationError) as other:
        _raise(db_session, scored, "s.rude")
    assert other.value.refusal is None
