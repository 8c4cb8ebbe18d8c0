"""What autosave and double clicks rely on, on SQLite and PostgreSQL: a draft is updated by each
save (an item comment written before its answer is kept), a submitted evaluation is never
changed by a save that read it as a draft before the submission committed, and submitting
twice changes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path

import pytest
from qa_factories import card, evaluate, ledger_card, make_call
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from core.db import make_engine, session_factory, session_scope
from core.tables import load_models
from qa.audit.service import list_entries as audit_entries
from qa.evaluations.models import Evaluation
from qa.evaluations.schemas import AnswerIn, EvaluationError
from qa.evaluations.service import (
    add_comment,
    answers_of,
    discard_draft,
    item_comments_of,
    save_draft,
    start_evaluation,
    submit_evaluation,
)
from qa.evaluations.views import evaluation_view
from qa.ledger.service import list_entries
from qa.people.models import Agent

FULL = {"g1.a": "yes", "g1.b": "no", "g2.c": "yes"}
_databases = count(1)


def _submits(db_session: Session, evaluation_id: int) -> int:
    entries = audit_entries(
        db_session=db_session,
        entity="evaluation",
        entity_id=str(evaluation_id),
        actions=("evaluation.submit",),
    )
    return len(entries)


def test_each_save_updates_the_draft_and_keeps_a_comment_written_before_its_answer(
    db_session: Session,
) -> None:
    card(db_session)
    draft = evaluate(db_session, make_call(db_session), {"g1.a": "yes"}, submit=False)
    save_draft(
        db_session=db_session,
        evaluation_id=draft.id,
        actor="qa1",
        answers={"g1.a": AnswerIn("no", "no greeting"), "g1.b": AnswerIn(None, "check the hold")},
    )
    assert answers_of(draft) == {"g1.a": "no"}
    assert item_comments_of(draft) == {"g1.a": "no greeting", "g1.b": "check the hold"}
    view = evaluation_view(draft)
    assert view.result.missing == ("g1.b", "g2.c")
    assert view.item_comments["g1.b"] == "check the hold"
    with pytest.raises(EvaluationError, match=r"g1\.b: not answered"):
        submit_evaluation(db_session=db_session, evaluation_id=draft.id, actor="qa1")
    # Answered later: the comment is still there; cleared with its comment: the row goes.
    save_draft(
        db_session=db_session,
        evaluation_id=draft.id,
        actor="qa1",
        answers={"g1.b": AnswerIn("na", "check the hold"), "g2.c": AnswerIn("yes")},
    )
    assert answers_of(draft) == {"g1.a": "no", "g1.b": "na", "g2.c": "yes"}
    assert item_comments_of(draft)["g1.b"] == "check the hold"
    save_draft(
        db_session=db_session, evaluation_id=draft.id, actor="qa1", answers={"g2.c": AnswerIn(None)}
    )
    assert {a.item_ref for a in draft.answers} == {"g1.a", "g1.b"}
    with pytest.raises(EvaluationError, match="no such item"):
        save_draft(
            db_session=db_session,
            evaluation_id=draft.id,
            actor="qa1",
            answers={"zz.top": AnswerIn(None, "a comment on nothing")},
        )


def test_submitting_twice_changes_nothing(
    db_session: Session, make_agent: Callable[..., Agent]
) -> None:
    make_agent("A1")
    card(db_session, ledger_card())
    answers = {"s.greet": "no", "s.answer": "2", "s.rude": "yes", "s.wow": "no"}
    done = evaluate(db_session, make_call(db_session, agent="A1"), answers, scorecard_key="card")
    submitted_at, ledger = done.submitted_at, list_entries(db_session=db_session, agent_id="A1")
    again = submit_evaluation(db_session=db_session, evaluation_id=done.id, actor="qa1")
    assert again is done and again.submitted_at == submitted_at
    assert list_entries(db_session=db_session, agent_id="A1") == ledger  # no second deduction
    assert _submits(db_session, done.id) == 1
    with pytest.raises(EvaluationError, match="only through a dispute"):
        submit_evaluation(db_session=db_session, evaluation_id=done.id, actor="qa2")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def committed_engine(
    request: pytest.FixtureRequest, tmp_path: Path, make_postgres_database: Callable[[str], str]
) -> Iterator[Engine]:
    """A database of its own whose sessions really commit (two sessions must see each other)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'autosave.db'}"
    else:
        url = make_postgres_database(f"autosave_{next(_databases)}")
    engine = make_engine(url)
    load_models().create_all(engine)
    yield engine
    engine.dispose()


def _draft(engine: Engine) -> int:
    with session_scope(session_factory(engine)) as db:
        card(db)
        call = make_call(db)
        draft = start_evaluation(
            db_session=db, call_pk=call.id, evaluator="qa1", scorecard_key="example"
        )
        given = {ref: AnswerIn(value) for ref, value in FULL.items()}
        save_draft(db_session=db, evaluation_id=draft.id, answers=given, actor="qa1")
        return draft.id


def test_a_save_that_read_the_draft_before_the_submission_changes_nothing(
    committed_engine: Engine,
) -> None:
    evaluation_id = _draft(committed_engine)
    sessions = session_factory(committed_engine)
    late = sessions()  # an autosave request: it has read the evaluation as a draft...
    try:
        stale = late.get(Evaluation, evaluation_id)
        assert stale is not None and stale.status == "draft"
        with session_scope(sessions) as db:  # ...then the Submit button's request commits
            submit_evaluation(db_session=db, evaluation_id=evaluation_id, actor="qa1")
        with pytest.raises(EvaluationError, match="only through a dispute"):
            save_draft(
                db_session=late,
                evaluation_id=evaluation_id,
                actor="qa1",
                answers={"g1.a": AnswerIn("no", "late"), "g2.c": AnswerIn(None)},
            )
        with pytest.raises(EvaluationError, match="only through a dispute"):
            add_comment(db_session=late, evaluation_id=evaluation_id, author="qa1", text="late")
        with pytest.raises(EvaluationError, match="only through a dispute"):
            discard_draft(db_session=late, evaluation_id=evaluation_id, actor="qa1")
        late.commit()  # whatever the late request had done would be written now
    finally:
        late.close()
    with session_scope(sessions) as db:
        evaluation = db.get(Evaluation, evaluation_id)
        assert evaluation is not None and evaluation.status == "submitted"
        assert answers_of(evaluation) == FULL and item_comments_of(evaluation) == {}
        assert evaluation.comments == [] and evaluation.score == 60.0


def test_a_second_submit_that_read_the_draft_before_the_first_committed_changes_nothing(
    committed_engine: Engine,
) -> None:
    evaluation_id = _draft(committed_engine)
    sessions = session_factory(committed_engine)
    second = sessions()  # the second click's request read the evaluation as a draft...
    try:
        assert second.get(Evaluation, evaluation_id).status == "draft"  # type: ignore[union-attr]
        with session_scope(sessions) as db:  # ...then the first click's request committed
            first = submit_evaluation(db_session=db, evaluation_id=evaluation_id, actor="qa1")
            submitted_at = first.submitted_at
        again = submit_evaluation(db_session=second, evaluation_id=evaluation_id, actor="qa1")
        assert again.status == "submitted" and again.submitted_at == submitted_at
        second.commit()
    finally:
        second.close()
    with session_scope(sessions) as db:
        assert _submits(db, evaluation_id) == 1
