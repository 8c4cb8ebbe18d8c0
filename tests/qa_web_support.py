"""Helpers of the QA console web tests: a small world (scorecard, calls with recordings, agents
linked to accounts, evaluations). Requests to pages and callbacks: ``support.dash_requests``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from qa_factories import evaluate, make_call, worked_example
from sqlalchemy.orm import Session, sessionmaker

from core.db import session_scope
from qa.recordings.demo import synthesize, write_wav
from qa.scorecards.service import save_scorecard

# Agents and the accounts linked to them.
AGENT_A, AGENT_B = "Alice Agent", "Bob Agent"
USERS = {
    "agent-a": ("agent", AGENT_A),
    "agent-b": ("agent", AGENT_B),
    "qa-1": ("qa", None),
    "qa-2": ("qa", None),
    "sup-1": ("supervisor", None),
    "hr-1": ("hr", None),
    "admin-1": ("admin", None),
}


@dataclass(frozen=True)
class World:
    """Ids of what :func:`build_world` made."""

    wav: Path
    call_a: int  # Alice's call, with a recording
    call_b: int  # Bob's call, with a recording
    call_gone: int  # Alice's call whose recording file is missing
    call_none: int  # Alice's call without a recording
    eval_a: int  # submitted: Alice, item g1.b answered "no"
    eval_b: int  # submitted: Bob
    draft_a: int  # qa-1's draft of Alice's third call


def build_world(
    sessions: sessionmaker[Session], folder: Path, make_user: Callable[..., str]
) -> World:
    """Users, the worked-example scorecard, four calls and three evaluations (recent, so that
    the dispute window is open)."""
    for name, (role, agent) in USERS.items():
        make_user(role, username=name, agent_id=agent)
    wav = write_wav(folder / "call.wav", synthesize(4.0, seed=3))
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0) - timedelta(hours=3)
    with session_scope(sessions) as db:
        save_scorecard(db_session=db, spec=worked_example("default"), actor="admin-1")
        call_a = make_call(db, agent=AGENT_A, at=now, recording_ref=str(wav))
        call_b = make_call(db, agent=AGENT_B, at=now, recording_ref=str(wav))
        gone = make_call(db, agent=AGENT_A, at=now, recording_ref=str(folder / "gone.wav"))
        none = make_call(db, agent=AGENT_A, at=now)
        answers = {"g1.a": "yes", "g1.b": "no", "g2.c": "yes"}
        eval_a = evaluate(db, call_a, answers, evaluator="qa-1", scorecard_key="default")
        eval_b = evaluate(db, call_b, answers, evaluator="qa-1", scorecard_key="default")
        draft = evaluate(
            db, none, {"g1.a": "yes"}, evaluator="qa-1", scorecard_key="default", submit=False
        )
        return World(wav, call_a.id, call_b.id, gone.id, none.id, eval_a.id, eval_b.id, draft.id)
