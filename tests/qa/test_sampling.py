"""Sampling on SQLite and PostgreSQL: filters, N per agent per period, determinism with a
seed, even assignment, no call drawn twice, hand picks and the work queue."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from qa_factories import T0, card, make_call
from sqlalchemy.orm import Session
from yaml_bombs import BOMB

from qa.evaluations.schemas import AnswerIn
from qa.evaluations.service import save_draft, submit_evaluation
from qa.sampling.schemas import Period, SamplingError, SamplingPolicy, load_policy
from qa.sampling.service import (
    cancel_assignment,
    deal,
    pick_call,
    run_sampling,
    start_assignment,
    work_queue,
)

WEEK = (date(2026, 1, 5), date(2026, 1, 12))


def policy(**changes: object) -> SamplingPolicy:
    values: dict[str, object] = {
        "name": "weekly",
        "per_agent": 2,
        "evaluators": ("qa1", "qa2", "qa3"),
        "scorecard": "example",
        "min_talk": 30.0,
    }
    values.update(changes)
    return SamplingPolicy(**values)  # type: ignore[arg-type]


STAFF = frozenset({"qa1", "qa2"})  # active users with a QA role


@pytest.fixture
def history(db_session: Session) -> None:
    """Five agents with 6 qualifying calls each over the week, plus calls that never qualify."""
    card(db_session)
    for a in range(1, 6):
        for n in range(6):
            make_call(db_session, agent=f"A{a}", at=T0 + timedelta(days=n, minutes=a))
    make_call(db_session, agent="A1", talk=10.0)  # too short
    make_call(db_session, agent="A1", outcome="abandoned", talk=None)
    make_call(db_session, agent="A1", queue="vip")
    make_call(db_session, agent="A1", at=T0 + timedelta(days=7))  # next week


def _sample(db: Session, seed: int, **kw: object) -> list[tuple[str, str]]:
    result = run_sampling(
        db_session=db,
        policy=policy(**kw),
        start=WEEK[0],
        end=WEEK[1],
        seed=seed,
        actor="sup",
        dry_run=True,
    )
    return [(d.call_id, d.evaluator) for d in result.drawn]


def test_same_seed_same_sample_other_seed_other_sample(db_session: Session, history: None) -> None:
    first = _sample(db_session, 42)
    assert first == _sample(db_session, 42)
    assert first != _sample(db_session, 43)
    assert len(first) == 10  # 2 per agent


def test_filters_and_per_agent_per_period(db_session: Session, history: None) -> None:
    result = run_sampling(
        db_session=db_session,
        policy=policy(per_agent=10, queues=("sales",)),
        start=WEEK[0],
        end=date(2026, 1, 19),
        seed=1,
        actor="sup",
        dry_run=True,
    )
    per_agent = Counter((d.agent_id, d.period_start) for d in result.drawn)
    assert per_agent[("A1", date(2026, 1, 5))] == 6  # short call, abandon and vip left out
    assert per_agent[("A1", date(2026, 1, 12))] == 1  # the next week is its own period
    assert ("A1", date(2026, 1, 12), 1) in result.short
    daily = run_sampling(
        db_session=db_session,
        policy=policy(per_agent=1, period=Period.DAY, agents=("A2",)),
        start=WEEK[0],
        end=WEEK[1],
        seed=1,
        actor="sup",
        dry_run=True,
    )
    assert len(daily.drawn) == 6 and {d.agent_id for d in daily.drawn} == {"A2"}


def test_even_assignment_remainder_random(db_session: Session, history: None) -> None:
    result = run_sampling(
        db_session=db_session, policy=policy(), start=WEEK[0], end=WEEK[1], seed=7, actor="sup"
    )
    counts = sorted(result.per_evaluator.values())
    assert counts == [3, 3, 4]  # 10 calls, 3 evaluators
    assert sum(result.per_evaluator.values()) == len(result.drawn) == 10
    lucky = {
        max(deal(10, ["qa1", "qa2", "qa3"], seed=s).count(e) for e in ("qa1",)) for s in range(30)
    }
    assert lucky == {3, 4}  # the extra call does not always go to the same evaluator


def test_deal_is_even_for_any_count() -> None:
    for count in range(0, 25):
        owners = Counter(deal(count, ["a", "b", "c", "d"], seed=count))
        assert sum(owners.values()) == count
        assert max(owners.values(), default=0) - min(owners.values(), default=0) <= 1
    with pytest.raises(SamplingError):
        deal(3, [], seed=1)


def test_spread_draws_one_call_per_slice(db_session: Session, history: None) -> None:
    result = run_sampling(
        db_session=db_session,
        policy=policy(per_agent=3, spread=True, agents=("A3",)),
        start=WEEK[0],
        end=WEEK[1],
        seed=5,
        actor="sup",
        dry_run=True,
    )
    days = sorted(d.call_at.date() for d in result.drawn)
    # six calls on six days in three slices of two days each
    assert [(day - WEEK[0]).days // 2 for day in days] == [0, 1, 2]


def test_stored_run_is_not_drawn_twice(db_session: Session, history: None) -> None:
    first = run_sampling(
        db_session=db_session,
        policy=policy(per_agent=4),
        start=WEEK[0],
        end=WEEK[1],
        seed=1,
        actor="sup",
    )
    second = run_sampling(
        db_session=db_session,
        policy=policy(per_agent=4),
        start=WEEK[0],
        end=WEEK[1],
        seed=1,
        actor="sup",
    )
    assert first.run_id is not None and second.run_id is not None
    # 4 per agent, then what is left: 2 each, 3 for A1 (its vip call qualifies: no queue filter)
    assert len(first.drawn) == 20 and len(second.drawn) == 11
    assert not {d.call_pk for d in first.drawn} & {d.call_pk for d in second.drawn}


def test_work_queue_tracks_progress(db_session: Session, history: None) -> None:
    run_sampling(
        db_session=db_session,
        policy=policy(evaluators=("qa1",), per_agent=1),
        start=WEEK[0],
        end=WEEK[1],
        seed=3,
        actor="sup",
    )
    queue = work_queue(db_session=db_session, evaluator="qa1", today=date(2026, 1, 20))
    assert [w.status for w in queue] == ["due"] * 5
    assert all(w.due_on == date(2026, 1, 19) and w.overdue for w in queue)
    with pytest.raises(SamplingError, match="qa1's"):
        start_assignment(db_session=db_session, assignment_id=queue[0].assignment_id, actor="qa2")
    draft = start_assignment(
        db_session=db_session, assignment_id=queue[0].assignment_id, actor="qa1"
    )
    assert (
        draft.id
        == start_assignment(
            db_session=db_session, assignment_id=queue[0].assignment_id, actor="qa1"
        ).id
    )
    save_draft(
        db_session=db_session,
        evaluation_id=draft.id,
        actor="qa1",
        answers={r: AnswerIn("yes") for r in ("g1.a", "g1.b", "g2.c")},
    )
    statuses = Counter(w.status for w in work_queue(db_session=db_session, evaluator="qa1"))
    assert statuses == {"due": 4, "in_progress": 1}
    submit_evaluation(db_session=db_session, evaluation_id=draft.id, actor="qa1")
    assert len(work_queue(db_session=db_session, evaluator="qa1")) == 4
    done = work_queue(db_session=db_session, evaluator="qa1", include_done=True)
    assert [w.status for w in done].count("done") == 1
    assert work_queue(db_session=db_session, evaluator="qa2") == []


def test_pick_and_cancel_by_hand(db_session: Session, history: None) -> None:
    call = make_call(db_session, agent="A4", talk=5.0)  # any call, even one no policy draws
    picked = pick_call(
        db_session=db_session,
        call_pk=call.id,
        evaluator="qa2",
        actor="sup",
        staff=STAFF,
        scorecard_key="example",
        due_on=date(2026, 2, 1),
    )
    with pytest.raises(SamplingError, match="already assigned to qa2"):
        pick_call(db_session=db_session, call_pk=call.id, evaluator="qa2", actor="sup", staff=STAFF)
    assert [w.call_id for w in work_queue(db_session=db_session, evaluator="qa2")] == [call.call_id]
    cancel_assignment(db_session=db_session, assignment_id=picked.id, actor="sup")
    assert work_queue(db_session=db_session, evaluator="qa2") == []


def test_policy_file_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("name: weekly\nper_agent: 3\nevaluators: [qa1, qa2]\nqueues: [sales]\n")
    loaded = load_policy(path)
    assert (loaded.per_agent, loaded.evaluators, loaded.period) == (3, ("qa1", "qa2"), Period.WEEK)
    path.write_text("per_agent: 0\nevaluators: [qa1]\n")
    with pytest.raises(SamplingError, match=f"{path}: per_agent 0 must be"):
        load_policy(path)
    path.write_text("per_agent: 2\nevaluators: [qa1]\nqueue: [sales]\n")
    with pytest.raises(SamplingError, match="unknown field.*queue"):
        load_policy(path)
    path.write_text("per_agent: 2\nevaluators: []\n")
    with pytest.raises(SamplingError, match="at least one evaluator"):
        load_policy(path)


def test_a_sampling_policy_with_an_alias_bomb_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "plan.yaml"
    bomb.write_text(BOMB, encoding="utf-8")
    with pytest.raises(SamplingError, match=r"plan\.yaml:\d+: aliases .* expand to more than"):
        load_policy(bomb)


def test_a_call_is_only_assigned_to_qa_staff(db_session: Session, history: None) -> None:
    call = make_call(db_session, agent="A4")
    for stranger in ("mallory", "=cmd()", ""):
        with pytest.raises(SamplingError, match="not an active user with a QA role"):
            pick_call(db_session=db_session, call_pk=call.id, evaluator=stranger, actor="sup",
                      staff=STAFF)  # fmt: skip
    assert work_queue(db_session=db_session, evaluator="mallory") == []
    with pytest.raises(SamplingError, match="'mallory': not an active user"):
        run_sampling(db_session=db_session, policy=policy(evaluators=("qa1", "mallory")),
                     start=WEEK[0], end=WEEK[1], seed=1, actor="sup", staff=STAFF)  # fmt: skip
