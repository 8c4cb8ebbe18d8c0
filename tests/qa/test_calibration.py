"""Calibration: the maths by hand (pure), then a session on SQLite and PostgreSQL: blind, closed
only with a benchmark, the report, and calibration never counting for the agent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from qa_factories import card, ledger_card, make_call, scale, worked_example, yes_no
from sqlalchemy.orm import Session

from qa.calibration.report import compare
from qa.calibration.schemas import CalibrationError
from qa.calibration.service import (
    calibration_report,
    close_session,
    create_session,
    list_sessions,
    start_calibration,
)
from qa.evaluations.access import can_view_evaluation
from qa.evaluations.schemas import AnswerIn
from qa.evaluations.service import list_evaluations, save_draft, submit_evaluation
from qa.ledger.service import list_entries
from qa.people.models import Agent
from qa.reports.service import quality_averages
from qa.scorecards.schemas import Critical, ScorecardSpec, SectionSpec

# Items: q (scale 0-4, 4 points, section weight 1), y (yes/no, 2 points, weight 1),
# n (yes/no N/A allowed, 1 point, weight 2), f (fatal critical, 1 point, weight 2).
SPEC = ScorecardSpec(
    "cal",
    "Calibration",
    sections=(
        SectionSpec("a", "A", weight=1, items=(scale("q", 4, 0, 4), yes_no("y", 2))),
        SectionSpec(
            "b",
            "B",
            weight=2,
            items=(yes_no("n", 1, na_allowed=True), yes_no("f", 1, critical=Critical.FATAL)),
        ),
    ),
)
BENCH = {"a.q": "4", "a.y": "yes", "b.n": "yes", "b.f": "yes"}


def test_item_and_overall_alignment_by_hand() -> None:
    answers = {
        "ann": (1, {"a.q": "3", "a.y": "no", "b.n": "yes", "b.f": "yes"}),
        "bob": (2, {"a.q": "4", "a.y": "yes", "b.n": "na", "b.f": "yes"}),
    }
    bench_score, evaluators, items = compare(SPEC, BENCH, answers)
    assert bench_score == 100.0
    q = next(i for i in items if i.ref == "a.q")
    # ann gave 3 of 4 points: deviation (3 − 4) / 4, alignment 1 − 1/4
    assert (q.deviations["ann"], q.alignments["ann"], q.alignments["bob"]) == (-0.25, 0.75, 1.0)
    assert q.weight == 4 and q.maximum == 4
    assert q.agreement == 0.5
    assert q.spread == 0.125  # values 0.75 and 1.0
    n = next(i for i in items if i.ref == "b.n")
    assert (n.alignments["bob"], n.deviations["bob"]) == (0.0, None)  # N/A on one side only
    ann, bob = evaluators
    # ann: weights q 4, y 2, n 2, f 2 → (4·0.75 + 2·0 + 2·1 + 2·1) / 10 = 0.7
    assert (ann.evaluator, ann.alignment, ann.critical_disagreements) == ("ann", 0.7, ())
    # scores: ann (3 + 0 + 2 + 2) / 10 = 70 %, bob (4 + 2 + 0 + 2) / (10 − 2) = 100 %
    assert (ann.score, ann.score_deviation) == (70.0, -30.0)
    # bob: (4 + 2 + 2·0 + 2) / 10 = 0.8
    assert (bob.score, bob.alignment) == (100.0, 0.8)


def test_both_na_is_left_out_and_fatal_disagreement_scores_zero() -> None:
    bench = {**BENCH, "b.n": "na"}
    answers = {
        "ann": (1, {"a.q": "4", "a.y": "yes", "b.n": "na", "b.f": "yes"}),
        "cat": (3, {"a.q": "4", "a.y": "yes", "b.n": "na", "b.f": "no"}),
    }
    _score, (ann, cat), items = compare(SPEC, bench, answers)
    assert ann.alignment == 1.0
    assert next(i for i in items if i.ref == "b.n").alignments == {"ann": None, "cat": None}
    assert (cat.alignment, cat.critical_disagreements, cat.score) == (0.0, ("b.f",), 0.0)


@pytest.fixture
def session_id(db_session: Session, make_agent: Callable[..., Agent]) -> int:
    make_agent("A1")
    card(db_session, ledger_card())
    call = make_call(db_session, agent="A1")
    session = create_session(
        db_session=db_session,
        call_pk=call.id,
        evaluators=["qa1", "qa2"],
        expert="lead",
        actor="sup",
        scorecard_key="card",
    )
    return session.id


def _score(
    db: Session, session_id: int, who: str, answers: dict[str, str], comment: str = ""
) -> int:
    draft = start_calibration(db_session=db, session_id=session_id, evaluator=who)
    given = {ref: AnswerIn(v, comment) for ref, v in answers.items()}
    save_draft(db_session=db, evaluation_id=draft.id, answers=given, actor=who)
    submit_evaluation(db_session=db, evaluation_id=draft.id, actor=who)
    return draft.id


def test_session_flow_blind_then_report(db_session: Session, session_id: int) -> None:
    full = {"s.greet": "yes", "s.answer": "4", "s.rude": "yes", "s.wow": "na"}
    qa1 = _score(db_session, session_id, "qa1", {**full, "s.answer": "2"})
    evaluation = list_evaluations(db_session=db_session, kinds=(), evaluator="qa1")[0]
    assert evaluation.kind == "calibration" and evaluation.id == qa1
    assert not can_view_evaluation(
        user_role="qa", username="qa2", user_agent_id=None, evaluation=evaluation
    )
    with pytest.raises(CalibrationError, match="has not submitted the benchmark"):
        close_session(db_session=db_session, session_id=session_id, actor="sup")
    _score(db_session, session_id, "lead", full)
    with pytest.raises(CalibrationError, match="not invited"):
        start_calibration(db_session=db_session, session_id=session_id, evaluator="qa9")
    report = calibration_report(db_session=db_session, session_id=session_id)
    assert report.pending == ("qa2",)
    assert [(e.evaluator, e.score, e.score_deviation) for e in report.evaluators] == [
        ("qa1", 75.0, -25.0),
    ]
    _score(db_session, session_id, "qa2", {**full, "s.rude": "no"}, comment="rude at 1:10")
    close_session(db_session=db_session, session_id=session_id, actor="sup")
    report = calibration_report(db_session=db_session, session_id=session_id)
    # qa1: answer 2 of 4 → alignment (2·1 + 4·0.5 + 2·1) / 8 = 0.75; qa2 failed the fatal item.
    assert [(e.evaluator, e.alignment) for e in report.evaluators] == [("qa1", 0.75), ("qa2", 0.0)]
    assert report.evaluators[1].critical_disagreements == ("s.rude",)
    assert (report.score_spread, report.score_range, report.mean_alignment) == (37.5, 75.0, 0.375)
    assert report.pending == ()
    assert [s.id for s in list_sessions(db_session=db_session, participant="qa2")] == [session_id]
    with pytest.raises(CalibrationError, match="closed"):
        start_calibration(db_session=db_session, session_id=session_id, evaluator="qa1")


def test_calibration_never_counts_for_the_agent(db_session: Session, session_id: int) -> None:
    bad = {"s.greet": "no", "s.answer": "0", "s.rude": "no", "s.wow": "no"}
    _score(db_session, session_id, "lead", bad, comment="x")
    _score(db_session, session_id, "qa1", bad, comment="x")
    assert list_entries(db_session=db_session, agent_id="A1") == []  # no ledger deductions
    averages = quality_averages(
        db_session=db_session, start=date(2026, 1, 1), end=date(2026, 2, 1), agent_ids=["A1"]
    )
    assert averages == {}
    assert list_evaluations(db_session=db_session, agent_id="A1") == []  # regular only


def test_session_needs_distinct_people(db_session: Session) -> None:
    card(db_session, worked_example())
    call = make_call(db_session)
    for evaluators, expert in ((["qa1", "qa1"], "lead"), ([], "lead"), (["qa1"], "qa1")):
        with pytest.raises(CalibrationError):
            create_session(
                db_session=db_session,
                call_pk=call.id,
                evaluators=evaluators,
                expert=expert,
                actor="sup",
                scorecard_key="example",
            )
