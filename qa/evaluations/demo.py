"""QA console demo data for ``floorboard demo`` (:func:`seed_qa_demo`, once per data directory).

After it a supervisor logs in and finds a sample of simulated calls with recordings in the work
queue (the first ones are calls of the agent the demo ``agent`` account is linked to), scores
one while listening, the agent logs in, sees it and disputes an item, the supervisor decides,
and the calibration page shows a closed session with two evaluators and its report. A few weeks
of earlier evaluations give the reports something to show.

Accounts live in the shell, which ``qa`` does not import: the caller passes the database's
session factory and ``link_agent``, which links the demo ``agent`` account to the agent chosen
here (the ``floorboard demo`` command does).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
from sqlalchemy.orm import Session, sessionmaker

from collectors.history.models import Call
from collectors.history.schemas import CallFilter
from collectors.history.service import list_calls
from core.db import session_scope
from qa.calibration.service import close_session, create_session, list_sessions, start_calibration
from qa.evaluations.disputes import raise_dispute, resolve_dispute
from qa.evaluations.schemas import AnswerIn, Decision, DisputePolicy
from qa.evaluations.service import acknowledge, save_draft, start_evaluation, submit_evaluation
from qa.people.schemas import AgentIn
from qa.people.service import get_agent, upsert_agent
from qa.recordings.demo import write_demo_recordings
from qa.recordings.service import attach_recording
from qa.sampling.schemas import Period, SamplingPolicy
from qa.sampling.service import local_to_utc, run_sampling, work_queue
from qa.scorecards.schemas import AnswerType, CommentRule, Critical, ScorecardSpec
from qa.scorecards.service import install_default, spec_of
from qa.scoring import NA

ACTOR = "demo"
AGENT_USER = "agent"
EVALUATORS = ("supervisor", "qa")
EXPERT = "admin"


#: Links the demo agent account (:data:`AGENT_USER`) to an agent id, in the session given.
LinkAgent = Callable[[Session, str], None]


@dataclass(frozen=True)
class DemoSetup:
    """Where the demo data goes.

    Attributes:
        sessions: The database's session factory (the schema is migrated already).
        timezone: The center's time zone.
        recordings_dir: Where the synthetic recordings are written.
        link_agent: Links the demo ``agent`` account to the demo agent (accounts are the
            shell's).
    """

    sessions: sessionmaker[Session]
    timezone: str
    recordings_dir: Path
    link_agent: LinkAgent


def seed_qa_demo(
    setup: DemoSetup,
    *,
    config: Any,
    seed: int = 7,
    recordings: int = 6,
    seconds: float = 24.0,
    echo: Callable[[str], None] = click.echo,
) -> bool:
    """Install the QA demo data unless the database already has QA work.

    Args:
        setup: The database, time zone, recordings folder and account linking.
        config: The simulator's center (``collectors.simulator.default_center``): its roster
            becomes the agents HR and QA know.
        seed: Makes the sample and the demo answers reproducible.
        recordings: How many synthetic recordings to write and share out.
        seconds: Length of each recording.
        echo: Where to say what was done.

    Returns:
        True when data was added.
    """
    with session_scope(setup.sessions) as db:
        if work_queue(db_session=db, include_done=True) or list_sessions(db_session=db):
            return False
        done = _seed(db, setup, config, seed, recordings, seconds)
    if done is None:
        echo("QA demo: no call history yet, nothing sampled")
        return False
    agent, assigned, past = done
    echo(
        f"QA demo: {assigned} calls sampled for {' and '.join(EVALUATORS)} (with recordings), "
        f"{past} earlier evaluations, 2 calibration sessions; the '{AGENT_USER}' account is "
        f"agent {agent}"
    )
    return True


def _seed(db: Session, setup: DemoSetup, config: Any, seed: int, recordings: int,
          seconds: float) -> tuple[str, int, int] | None:  # fmt: skip
    """Everything of :func:`seed_qa_demo` in one transaction: (agent, sampled, earlier)."""
    install_default(db_session=db, actor=ACTOR)
    _import_roster(db, config)
    tz = setup.timezone
    today = datetime.now(ZoneInfo(tz)).date()
    agent = _demo_agent(db, today, tz)
    if agent is None:
        return None
    setup.link_agent(db, agent)
    written = write_demo_recordings(setup.recordings_dir, count=recordings, seconds=seconds,
                                    seed=seed)  # fmt: skip
    files = [f.resolve() for f in written]
    assigned = _sample(db, agent, today, tz, seed)
    rng = random.Random(seed)  # noqa: S311 - demo answers, not security
    _attach(db, [w.call_pk for w in work_queue(db_session=db, include_done=True)], files)
    past = _past_evaluations(db, agent, today, tz, rng, files)
    _calibration(db, today, tz, rng, files)
    return agent, assigned, past


def _import_roster(db: Session, config: Any) -> None:
    for member in config.agents:
        if get_agent(db_session=db, agent_id=member.name) is None:
            upsert_agent(
                db_session=db, data=AgentIn(member.name, member.name, member.team), actor=ACTOR
            )


def _calls(db: Session, first: date, end: date, tz: str, *, min_talk: float = 45.0) -> list[Call]:
    criteria = CallFilter(
        start=local_to_utc(first, tz),
        end=local_to_utc(end, tz),
        outcomes=("answered",),
        min_talk=min_talk,
    )
    return [c for c in list_calls(db_session=db, criteria=criteria) if c.agent]


def _demo_agent(db: Session, today: date, tz: str) -> str | None:
    """The agent with the most answered calls over the last two days."""
    counts = Counter(c.agent for c in _calls(db, today - timedelta(days=2), today, tz))
    if not counts:
        return None
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def _sample(db: Session, agent: str, today: date, tz: str, seed: int) -> int:
    """Two runs: the demo agent's latest calls for the supervisor (due today, so listed
    first), then last week's calls of everyone for the supervisor and QA."""
    mine = SamplingPolicy(
        name="Demo: latest calls of the demo agent",
        per_agent=2,
        evaluators=(EVALUATORS[0],),
        period=Period.MONTH,
        min_talk=45,
        agents=(agent,),
        due_days=0,
    )
    first = run_sampling(
        db_session=db,
        policy=mine,
        start=today - timedelta(days=2),
        end=today,
        seed=seed,
        actor=ACTOR,
        tz=tz,
    )
    start, end = Period.WEEK.previous(today)
    weekly = SamplingPolicy(
        name="Demo: weekly sample",
        per_agent=1,
        evaluators=EVALUATORS,
        period=Period.WEEK,
        min_talk=45,
    )
    second = run_sampling(
        db_session=db, policy=weekly, start=start, end=end, seed=seed, actor=ACTOR, tz=tz
    )
    return len(first.drawn) + len(second.drawn)


def _attach(db: Session, call_pks: Sequence[int], files: Sequence[Path]) -> None:
    for n, call_pk in enumerate(dict.fromkeys(call_pks)):
        attach_recording(db_session=db, call_pk=call_pk, path=files[n % len(files)], actor=ACTOR)


def demo_answers(
    spec: ScorecardSpec, rng: random.Random, *, misses: int = 2
) -> dict[str, AnswerIn]:
    """Plausible answers: mostly full marks, N/A where the situation often does not occur,
    ``misses`` items that lost points (never a fatal item), comments where required."""
    answers: dict[str, AnswerIn] = {}
    refs = [r for r, _s, i in spec.items() if i.critical is Critical.NONE and not i.bonus]
    missed = set(rng.sample(refs, min(misses, len(refs))))
    for ref, _section, item in spec.items():
        if ref in missed:
            value = "no" if item.answer_type is AnswerType.YES_NO else str(item.scale_min)
        elif item.na_allowed and rng.random() < 0.4:
            value = NA
        else:
            value = item.full_value
        needs = item.comment_required is CommentRule.ALWAYS or (
            ref in missed and item.comment_required is CommentRule.ON_FAIL
        )
        answers[ref] = AnswerIn(value, "Heard on the recording (demo)." if needs else "")
    return answers


def _scored(db: Session, call: Call, rng: random.Random, misses: int, after: timedelta,
            tz: str) -> tuple[Any, datetime]:  # fmt: skip
    """An evaluation of ``call`` by the QA user, submitted ``after`` the call."""
    evaluation = start_evaluation(db_session=db, call_pk=call.id, evaluator=EVALUATORS[1])
    answers = demo_answers(spec_of(evaluation.scorecard), rng, misses=misses)
    save_draft(db_session=db, evaluation_id=evaluation.id, actor=EVALUATORS[1], answers=answers)
    at = (call.answered_at or call.enqueued_at) + after
    submit_evaluation(db_session=db, evaluation_id=evaluation.id, actor=EVALUATORS[1], tz=tz,
                      now=at)  # fmt: skip
    return evaluation, at


def _past_evaluations(db: Session, agent: str, today: date, tz: str, rng: random.Random,
                      files: Sequence[Path]) -> int:  # fmt: skip
    """Submitted evaluations of earlier weeks (by the QA user) so that reports have data; one
    of the demo agent's has a decided dispute (the history the agent sees)."""
    taken = {w.call_pk for w in work_queue(db_session=db, include_done=True)}
    calls = _calls(db, today - timedelta(days=27), today - timedelta(days=9), tz)
    by_agent: dict[str, list[Call]] = {}
    for call in calls:
        if call.id not in taken:
            by_agent.setdefault(call.agent, []).append(call)
    chosen = [c for name in sorted(by_agent)[:14]
              for c in rng.sample(by_agent[name], min(2, len(by_agent[name])))]  # fmt: skip
    for call in chosen:
        misses = rng.choice((0, 1, 1, 2, 3))
        evaluation, at = _scored(db, call, rng, misses, timedelta(days=1), tz)
        if rng.random() < 0.6:
            acknowledge(db_session=db, evaluation_id=evaluation.id, agent_id=call.agent,
                        actor=call.agent, now=at + timedelta(hours=5))  # fmt: skip
    disputed = _past_dispute(db, agent, today, tz, rng, taken)
    _attach(db, [c.id for c in chosen] + ([disputed] if disputed else []), files)
    return len(chosen) + (1 if disputed else 0)


def _past_dispute(db: Session, agent: str, today: date, tz: str, rng: random.Random,
                  taken: set[int]) -> int | None:  # fmt: skip
    """A recent evaluation of the demo agent with one item disputed and accepted."""
    calls = _calls(db, today - timedelta(days=6), today - timedelta(days=3), tz)
    call = next((c for c in calls if c.agent == agent and c.id not in taken), None)
    if call is None:
        return None
    evaluation, at = _scored(db, call, rng, 2, timedelta(hours=20), tz)
    lost = [a.item_ref for a in evaluation.answers if a.value == "no"]
    if lost:
        acknowledge(db_session=db, evaluation_id=evaluation.id, agent_id=agent,
                    actor=AGENT_USER, now=at + timedelta(hours=2))  # fmt: skip
        dispute = raise_dispute(
            db_session=db, evaluation_id=evaluation.id, item_ref=lost[0], agent_id=agent,
            actor=AGENT_USER, reason="The caller asked me to skip this; it is at 0:40 in the call.",
            policy=DisputePolicy(), now=at + timedelta(hours=3),
        )  # fmt: skip
        resolve_dispute(db_session=db, dispute_id=dispute.id, decision=Decision.ACCEPT,
                        actor=EVALUATORS[0], note="Confirmed on the recording.", tz=tz,
                        now=at + timedelta(hours=8))  # fmt: skip
    return call.id


def _calibration(
    db: Session, today: date, tz: str, rng: random.Random, files: Sequence[Path]
) -> None:
    """A closed session (expert + two evaluators, report ready) and an open blind round."""
    calls = _calls(db, today - timedelta(days=8), today - timedelta(days=1), tz, min_talk=90)
    taken = {w.call_pk for w in work_queue(db_session=db, include_done=True)}
    free = [c for c in calls if c.id not in taken]
    if len(free) < 2:
        return
    first, second = free[len(free) // 3], free[2 * len(free) // 3]
    _attach(db, [first.id, second.id], files)
    closed = create_session(
        db_session=db,
        call_pk=first.id,
        evaluators=list(EVALUATORS),
        expert=EXPERT,
        actor=EVALUATORS[0],
        title="Calibration: opening, hold and closing",
    )
    bench = start_calibration(db_session=db, session_id=closed.id, evaluator=EXPERT)
    spec = spec_of(bench.scorecard)
    answers = demo_answers(spec, rng, misses=2)
    for who, changes in ((EXPERT, 0), (EVALUATORS[1], 1), (EVALUATORS[0], 3)):
        evaluation = start_calibration(db_session=db, session_id=closed.id, evaluator=who)
        given = _disagree(spec, answers, rng, changes)
        save_draft(db_session=db, evaluation_id=evaluation.id, actor=who, answers=given)
        submit_evaluation(db_session=db, evaluation_id=evaluation.id, actor=who, tz=tz)
    close_session(db_session=db, session_id=closed.id, actor=EVALUATORS[0])
    create_session(
        db_session=db,
        call_pk=second.id,
        evaluators=list(EVALUATORS),
        expert=EXPERT,
        actor=EVALUATORS[0],
        title="Blind round: this week's calibration call",
    )


def _disagree(
    spec: ScorecardSpec, answers: dict[str, AnswerIn], rng: random.Random, changes: int
) -> dict[str, AnswerIn]:
    """The benchmark's answers with ``changes`` yes/no items flipped (never a fatal one)."""
    out = dict(answers)
    flippable = [
        r
        for r, _s, i in spec.items()
        if i.answer_type is AnswerType.YES_NO
        and i.critical is Critical.NONE
        and answers[r].value in ("yes", "no")
    ]
    for ref in rng.sample(flippable, min(changes, len(flippable))):
        value = "no" if answers[ref].value == "yes" else "yes"
        out[ref] = AnswerIn(value, answers[ref].comment or "Calibration note (demo).")
    return out
