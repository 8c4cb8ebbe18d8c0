"""Calibration sessions: create, take part (blind), close, report.

Evaluators and the expert score the session's call on its scorecard version with the normal
evaluation form (their evaluations are of kind ``calibration`` / ``benchmark``; they never
count in an agent's quality score nor feed the ledger). While the session is open each sees
only their own evaluation (:func:`qa.evaluations.access.can_view_evaluation`); closing it
needs the benchmark submitted and makes everything visible with the report.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from collectors.history.models import Call
from core.db import get_by_id
from qa.audit.service import record, utcnow
from qa.calibration.models import CalibrationSession
from qa.calibration.report import compare
from qa.calibration.schemas import CalibrationError, CalibrationReport, SessionStatus
from qa.evaluations.models import Evaluation
from qa.evaluations.schemas import EvaluationError, EvaluationStatus, Kind
from qa.evaluations.service import answers_of, list_evaluations, start_evaluation
from qa.limits import Field, check_length
from qa.scorecards.models import Scorecard
from qa.scorecards.schemas import ScorecardError
from qa.scorecards.service import get_current, spec_of


def get_session(*, db_session: Session, session_id: int) -> CalibrationSession:
    """The session with this id.

    Raises:
        CalibrationError: There is none.
    """
    session = get_by_id(db_session, CalibrationSession, session_id)
    if session is None:
        raise CalibrationError(f"there is no calibration session {session_id}")
    return session


def create_session(
    *,
    db_session: Session,
    call_pk: int,
    evaluators: Sequence[str],
    expert: str,
    actor: str,
    title: str = "",
    scorecard_key: str = "default",
) -> CalibrationSession:
    """Open a session on a call with the current version of a scorecard.

    Args:
        db_session: The session.
        call_pk: The call to score (``calls.id``).
        evaluators: Who scores it blind (at least one; two or more to see a spread).
        expert: Whose evaluation is the benchmark (not one of ``evaluators``).
        actor: Who creates it (audit log).
        title: A label (the call id by default).
        scorecard_key: The scorecard.

    Raises:
        CalibrationError: No evaluators, the expert among them, unknown call or scorecard.
    """
    names = [e.strip() for e in evaluators if e.strip()]
    if not names or len(set(names)) != len(names):
        raise CalibrationError("a calibration session needs distinct evaluators")
    if not expert.strip() or expert in names:
        raise CalibrationError("the expert (benchmark) must be someone other than the evaluators")
    check_length(title.strip(), Field.CALIBRATION_TITLE, error=CalibrationError)
    call = get_by_id(db_session, Call, call_pk)
    if call is None or not call.agent:
        raise CalibrationError(f"call {call_pk} does not exist or was not handled by an agent")
    try:
        version = get_current(db_session=db_session, key=scorecard_key)
    except ScorecardError as exc:
        raise CalibrationError(str(exc)) from exc
    session = CalibrationSession(
        title=title.strip() or f"Call {call.call_id}", call_pk=call.id, scorecard_id=version.id,
        expert=expert.strip(), evaluators=names, status=SessionStatus.OPEN, created_by=actor,
        created_at=utcnow(),
    )  # fmt: skip
    db_session.add(session)
    db_session.flush()
    _audit(db_session, session, actor, "calibration.create",
           {"evaluators": names, "expert": session.expert, "call_id": call.call_id})  # fmt: skip
    return session


def _audit(db_session: Session, session: CalibrationSession, actor: str, action: str,
           details: dict[str, object] | None = None) -> None:  # fmt: skip
    record(
        db_session=db_session, actor=actor, action=action, entity="calibration_session",
        entity_id=str(session.id), details=details or {},
    )  # fmt: skip


def start_calibration(*, db_session: Session, session_id: int, evaluator: str) -> Evaluation:
    """Open (or reopen) an invited evaluator's or the expert's draft for the session.

    Raises:
        CalibrationError: Closed session, or the user is not invited.
    """
    session = get_session(db_session=db_session, session_id=session_id)
    if session.status != SessionStatus.OPEN:
        raise CalibrationError(f"calibration session {session_id} is closed")
    if evaluator != session.expert and evaluator not in session.evaluators:
        raise CalibrationError(f"{evaluator} is not invited to calibration session {session_id}")
    existing = db_session.scalars(
        select(Evaluation).where(
            Evaluation.calibration_session_id == session.id, Evaluation.evaluator == evaluator
        )
    ).first()
    if existing is not None:
        return existing
    kind = Kind.BENCHMARK if evaluator == session.expert else Kind.CALIBRATION
    try:
        return start_evaluation(
            db_session=db_session, call_pk=session.call_pk, evaluator=evaluator,
            scorecard=get_by_id(db_session, Scorecard, session.scorecard_id), kind=kind,
            calibration_session_id=session.id,
        )  # fmt: skip
    except EvaluationError as exc:
        raise CalibrationError(str(exc)) from exc


def _submitted(db_session: Session, session: CalibrationSession) -> list[Evaluation]:
    return [
        e
        for e in list_evaluations(
            db_session=db_session, kinds=(), calibration_session_id=session.id
        )
        if e.status == EvaluationStatus.SUBMITTED
    ]


def close_session(*, db_session: Session, session_id: int, actor: str) -> CalibrationSession:
    """Close the session: answers become visible to staff and the report final.

    Raises:
        CalibrationError: Already closed, or the benchmark is not submitted.
    """
    session = get_session(db_session=db_session, session_id=session_id)
    if session.status != SessionStatus.OPEN:
        raise CalibrationError(f"calibration session {session_id} is already closed")
    if not any(e.kind == Kind.BENCHMARK.value for e in _submitted(db_session, session)):
        raise CalibrationError(f"the expert {session.expert} has not submitted the benchmark")
    session.status, session.closed_at, session.closed_by = SessionStatus.CLOSED, utcnow(), actor
    db_session.flush()
    _audit(db_session, session, actor, "calibration.close")
    return session


def list_sessions(
    *, db_session: Session, status: SessionStatus | None = None, participant: str | None = None
) -> list[CalibrationSession]:
    """Sessions, newest first; optionally only ``open``/``closed`` ones, or those where
    ``participant`` is an evaluator or the expert."""
    query = select(CalibrationSession).order_by(CalibrationSession.id.desc())
    if status is not None:
        query = query.where(CalibrationSession.status == status)
    sessions = list(db_session.scalars(query))
    if participant is not None:
        sessions = [s for s in sessions if participant == s.expert or participant in s.evaluators]
    return sessions


def calibration_report(*, db_session: Session, session_id: int) -> CalibrationReport:
    """The session's report (see :mod:`qa.calibration.report`); show it to staff once the
    session is closed (the blind rule).

    Raises:
        CalibrationError: The benchmark is not submitted yet.
    """
    session = get_session(db_session=db_session, session_id=session_id)
    done = _submitted(db_session, session)
    bench = next((e for e in done if e.kind == Kind.BENCHMARK.value), None)
    if bench is None:
        raise CalibrationError(f"the expert {session.expert} has not submitted the benchmark")
    version = bench.scorecard
    spec = spec_of(version)
    others = {e.evaluator: (e.id, answers_of(e)) for e in done if e.kind != Kind.BENCHMARK.value}
    bench_score, evaluators, items = compare(spec, answers_of(bench), dict(others))
    scores = [e.score for e in evaluators if e.score is not None]
    alignments = [e.alignment for e in evaluators if e.alignment is not None]
    return CalibrationReport(
        session_id=session.id, title=session.title, call_id=bench.call_id,
        scorecard_key=version.key, scorecard_version=version.version,
        status=SessionStatus(session.status), expert=session.expert,
        benchmark_score=bench_score, evaluators=evaluators, items=items,
        score_spread=round(statistics.pstdev(scores), 2) if len(scores) >= 2 else None,
        score_range=round(max(scores) - min(scores), 2) if len(scores) >= 2 else None,
        mean_alignment=round(statistics.fmean(alignments), 4) if alignments else None,
        pending=tuple(e for e in session.evaluators if e not in others),
    )  # fmt: skip
