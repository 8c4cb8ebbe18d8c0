"""HR demo data for ``floorboard demo`` (:func:`seed_hr_demo`, once per data directory).

The simulator's roster becomes the agents HR knows (teams, a few still on probation) plus two
agents of the email desk, who take no calls. Two earlier months are published (ties decided by
the floor managers) so that agents have a history; last month has a realistic ledger of
incidents, bonuses and one correction, shaped so that HR meets the interesting cases:

- the Service Star is a three-way tie that the rules break (QA average, then answered calls);
- the Etiquette Star goes to one agent;
- the Model Star is a tie between the two email-desk agents that no rule can break (no calls, no
  QA): a manager must pick, with a written reason, before the month can be published.

The shaping reads the ledger as it is (QA scorecard deductions included), so run it after the
QA demo data. Everything is deterministic for a given seed and call history.

The caller (``floorboard demo``) supplies the database sessions, the center's time zone and the
login accounts (which agent the demo's agent account is linked to): nothing here reads the
web app's settings or users.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from core.db import session_scope
from qa.awards.decisions import resolve_tie
from qa.awards.engine import eligibility, evaluate
from qa.awards.inputs import gather_inputs
from qa.awards.month import compute, previous_month, providers
from qa.awards.policy import Policy, load_policy
from qa.awards.schemas import AgentFacts, Month, MonthInputs, StarStatus
from qa.awards.service import get_month, publish_month, review_month
from qa.ledger.schemas import Category, EntryIn, EntryKind
from qa.ledger.service import add_entry, correct_entry, list_entries
from qa.people.schemas import AgentIn, Employment
from qa.people.service import upsert_agent

SUPERVISOR = "supervisor"  # the demo supervisor account records the incidents
HR = "hr"  # the demo HR account published the earlier months
AGENT_ACCOUNT = "agent"  # the demo agent account (the QA demo links it to an agent)
DESK_TEAM = "Email desk"
DESK_AGENTS = ("沈雪", "Helen Qian")
TIE_BREAKS = ("qa_average", "answered_calls")  # what breaks the demo's Service Star tie
PROBATION_EVERY = 9  # every 9th agent of the roster is still on probation
STEP = Decimal("0.5")
# Agents picked for a planned star start with at most this much (QA scorecard) deductions, so
# that the shaping leaves them eligible (an attempt that fails is rolled back anyway).
MAX_TARGET_DEDUCTIONS = Decimal("-1.5")
# (note, category, points): what supervisors record most (docs/METRICS.md#deductions-and-bonuses)
CASES = (
    ("Late for the shift (迟到)", Category.DISCIPLINE, Decimal("-0.5")),
    ("Left the seat without notice (擅自离岗)", Category.DISCIPLINE, Decimal("-0.5")),
    ("Personal phone on the floor (现场使用手机)", Category.DISCIPLINE, Decimal("-1")),
    ("Dress code (着装不规范)", Category.ETIQUETTE, Decimal("-0.5")),
    ("Standard greeting missing (未使用规范用语)", Category.ETIQUETTE, Decimal("-0.5")),
    ("Business handling error (业务办理差错)", Category.SERVICE, Decimal("-1")),
    ("Justified customer complaint (有效投诉)", Category.SERVICE, Decimal("-2")),
)
WEIGHTS = (30, 14, 8, 12, 14, 16, 6)


@dataclass(frozen=True)
class Plan:
    """Who the shaped month is about: the three tied for the Service Star, the Etiquette Star
    winner and the two tied for the Model Star."""

    service: tuple[str, ...]
    etiquette: tuple[str, ...]
    model: tuple[str, ...]

    def targets(self) -> dict[str, tuple[str, ...]]:
        return {"service": self.service, "etiquette": self.etiquette, "model": self.model}


def seed_hr_demo(
    *,
    sessions: sessionmaker[Session],
    tz: str,
    config: Any,
    echo: Callable[[str], None],
    accounts: Mapping[str, str | None] | None = None,
    seed: int = 7,
) -> bool:
    """Install the HR demo data unless last month already has incidents or results.

    Args:
        sessions: The demo database (schema migrated).
        tz: The center's time zone (which month is "last month").
        config: The simulator's center (``collectors.simulator.default_center``).
        echo: Where to say what was done.
        accounts: Login accounts: username → linked agent id (the agent that the demo's
            ``agent`` account is linked to is never put on probation). None: no accounts.
        seed: Makes the ledger reproducible.

    Returns:
        True when data was added.
    """
    month = previous_month(tz=tz)
    agent = (accounts or {}).get(AGENT_ACCOUNT)
    linked = frozenset({agent} if agent else ())
    with session_scope(sessions) as db:
        if _already(db, month):
            return False
    # Try a plan whose Service Star tie QA averages break, then one that answered calls break;
    # an attempt that does not come out as planned is rolled back whole.
    for tie_break in (*TIE_BREAKS, None):
        try:
            with session_scope(sessions) as db:
                roster, plan = _seed(db, config, linked, month, tz, seed, tie_break)
        except _Retry:
            continue
        break
    if plan is None:
        echo(f"HR demo: {month} has incidents, but too few agents or calls for the tie cases")
    else:
        echo(
            f"HR demo: {len(roster)} agents, earlier months published, {month} ready to compute "
            f"(Service Star: 3-way tie {', '.join(plan.service)} broken by {tie_break}; "
            f"Model Star: {' and '.join(plan.model)} tied, HR decides)"
        )
    return True


class _Retry(Exception):
    """The attempt did not come out as planned: roll it back and try the next tie-break."""


def _seed(
    db: Session,
    config: Any,
    linked: frozenset[str],
    month: Month,
    tz: str,
    seed: int,
    tie_break: str | None,
) -> tuple[list[AgentIn], Plan | None]:
    roster = import_roster(db, config, linked=linked)
    for earlier in (_shift(month, -2), _shift(month, -1)):
        if get_month(db_session=db, month=earlier) is None:
            _random_month(db, earlier, roster, _rng(f"{seed}:{earlier}"), skip=())
            _publish(db, earlier, tz, _rng(f"{seed}:decide:{earlier}"))
    plan = None
    if tie_break is not None:
        plan = choose_plan(db, month, roster, tz, _rng(f"{seed}:plan"), tie_break=tie_break)
        if plan is None:
            raise _Retry
    skip = tuple(a for group in plan.targets().values() for a in group) if plan else ()
    _random_month(db, month, roster, _rng(f"{seed}:{month}"), skip=skip)
    _correction(db, month)
    if plan is not None and not shape(db, month, plan, tz):
        raise _Retry
    return roster, plan


def _rng(name: str) -> random.Random:
    return random.Random(name)  # noqa: S311 - reproducible demo data, not security


def _already(db: Session, month: Month) -> bool:
    if get_month(db_session=db, month=month) is not None:
        return True
    entries = list_entries(db_session=db, start=month.start, end=month.end)
    return any(e.kind in (EntryKind.INCIDENT, EntryKind.BONUS) for e in entries)


def _shift(month: Month, by: int) -> Month:
    index = month.year * 12 + month.month - 1 + by
    return Month(index // 12, index % 12 + 1)


def import_roster(
    db: Session, config: Any, *, linked: frozenset[str] = frozenset()
) -> list[AgentIn]:
    """The simulator's agents (every ``PROBATION_EVERY``-th on probation, never one in
    ``linked``: the agent the demo's agent account is linked to) and the email desk, created or
    updated in ``qa.people``."""
    roster = [
        AgentIn(
            member.name,
            member.name,
            member.team,
            Employment.PROBATION
            if i % PROBATION_EVERY == PROBATION_EVERY - 1 and member.name not in linked
            else Employment.REGULAR,
        )
        for i, member in enumerate(config.agents)
    ]
    roster += [AgentIn(name, name, DESK_TEAM) for name in DESK_AGENTS]
    for agent in roster:
        upsert_agent(db_session=db, data=agent, actor="demo")
    return roster


def _day(month: Month, rng: random.Random) -> date:
    days = (month.end - month.start).days
    return month.start + timedelta(days=rng.randrange(days))


def _add(
    db: Session,
    agent: str,
    day: date,
    category: Category,
    points: Decimal,
    note: str,
    kind: EntryKind = EntryKind.INCIDENT,
) -> None:
    entry = EntryIn(
        agent_id=agent,
        date=day,
        category=category,
        points=points,
        kind=kind,
        reporter=SUPERVISOR,
        note=note,
    )
    add_entry(db_session=db, entry=entry, actor=SUPERVISOR)


def _random_month(
    db: Session,
    month: Month,
    roster: Sequence[AgentIn],
    rng: random.Random,
    *,
    skip: Sequence[str],
) -> None:
    """A plausible month: 0-3 incidents per agent, now and then a customer's praise."""
    for agent in roster:
        if agent.agent_id in skip:
            continue
        count = rng.choices((0, 1, 2, 3, 4), weights=(16, 30, 28, 17, 9))[0]
        for note, category, points in rng.choices(CASES, weights=WEIGHTS, k=count):
            _add(db, agent.agent_id, _day(month, rng), category, points, note)
        if rng.random() < 0.18:
            _add(
                db,
                agent.agent_id,
                _day(month, rng),
                Category.SERVICE,
                Decimal(1),
                "Customer praise (客户表扬)",
                EntryKind.BONUS,
            )


def _correction(db: Session, month: Month) -> None:
    """One lateness recorded by mistake and voided the next day (the ledger keeps both)."""
    entries = list_entries(db_session=db, start=month.start, end=month.end)
    late = next((e for e in entries if e.kind == EntryKind.INCIDENT and "迟到" in e.note), None)
    if late is not None:
        correct_entry(
            db_session=db,
            entry_id=late.id,
            new_points=Decimal(0),
            actor=SUPERVISOR,
            reason="Badge reader fault that morning: not late (门禁故障)",
        )


def _publish(db: Session, month: Month, tz: str, rng: random.Random) -> None:
    """Compute an earlier month, settle its ties as the managers did, review and publish."""
    row = compute(db_session=db, month=month, actor=HR, tz=tz)
    for _ in range(len(row.result["stars"])):
        stars = row.result["stars"]
        waiting = [k for k, s in stars.items() if s["status"] == StarStatus.NEEDS_DECISION]
        if not waiting:
            break
        star = waiting[0]
        pick = rng.choice(row.result["stars"][star]["tied"])
        row = resolve_tie(
            db_session=db,
            month=month,
            star=star,
            agent_id=pick,
            actor=HR,
            reason="Floor managers' meeting: most customer praise this month",
        )
    review_month(db_session=db, month=month, actor=HR)
    publish_month(db_session=db, month=month, actor=HR)


def _inputs(db: Session, month: Month, tz: str) -> MonthInputs:
    sources = providers(tz)
    return gather_inputs(
        db_session=db,
        month=month,
        qa_averages=sources.qa_averages,
        answered_calls=sources.answered_calls,
        tz=sources.tz,
    )


def _three(candidates: Sequence[str], value: Callable[[str], Any], rng: random.Random) -> list[str]:
    """Three candidates whose ``value`` is set, positive and different from the others'."""
    chosen: list[str] = []
    for agent in rng.sample(list(candidates), len(candidates)):
        mine = value(agent)
        if mine and all(value(other) != mine for other in chosen):
            chosen.append(agent)
        if len(chosen) == 3:
            break
    return chosen


def choose_plan(
    db: Session,
    month: Month,
    roster: Sequence[AgentIn],
    tz: str,
    rng: random.Random,
    *,
    tie_break: str = "answered_calls",
) -> Plan | None:
    """Three regular agents for the Service Star tie who differ in ``tie_break``
    (``qa_average`` or ``answered_calls``, so that it breaks the tie), one agent for the
    Etiquette Star, the email desk for the Model Star. None when the center is too small or
    has no such three agents that month."""
    facts = {a.agent_id: a for a in _inputs(db, month, tz).agents}
    voice = [
        a.agent_id
        for a in roster
        if a.employment is Employment.REGULAR
        and a.team != DESK_TEAM
        and a.agent_id in facts
        and sum(facts[a.agent_id].deductions.values()) >= MAX_TARGET_DEDUCTIONS
    ]
    # a planned winner starts clean in the star's own category: a tie at 0 needs the fewest
    # extra deductions for everyone else
    clean = {c: {a for a in voice if not facts[a].deductions.get(c)} for c in Category}
    pool = [a for a in voice if a in clean[Category.SERVICE]]
    service = _three(pool, lambda a: getattr(facts[a], tie_break), rng)
    rest = [a for a in voice if a not in service and a in clean[Category.ETIQUETTE]]
    if len(service) < 3 or not rest:
        return None
    return Plan(tuple(service), (rest[0],), DESK_AGENTS)


def _pushes(
    facts: Sequence[AgentFacts], plan: Plan, policy: Policy
) -> list[tuple[str, Category, Decimal]]:
    """The deductions that make the plan's agents, and only them, share the fewest deductions
    of each star's category among those eligible."""
    out: list[tuple[str, Category, Decimal]] = []
    by_id = {f.agent_id: f for f in facts}
    for star in policy.stars:
        targets = [a for a in plan.targets().get(star.key, ()) if a in by_id]
        if not targets:
            continue
        values = {f.agent_id: f.deductions.get(star.category, Decimal(0)) for f in facts}
        level = min(values[a] for a in targets)
        for agent in targets:
            if values[agent] > level:
                out.append((agent, star.category, level - values[agent]))
        for f in facts:
            fine = eligibility(f, star, policy).eligible
            if f.agent_id not in targets and fine and values[f.agent_id] >= level:
                extra = STEP * (1 + sum(map(ord, f.agent_id + star.key)) % 2)  # 0.5 or 1
                out.append((f.agent_id, star.category, level - values[f.agent_id] - extra))
    return out


def shape(db: Session, month: Month, plan: Plan, tz: str) -> bool:
    """Add the deductions the plan needs (again until nothing changes); True when the month
    then comes out as planned."""
    policy = load_policy()
    rng = _rng(f"shape:{month}")
    for _ in range(6):
        pushes = _pushes(_inputs(db, month, tz).agents, plan, policy)
        if not pushes:
            break
        for agent, category, points in pushes:
            note = rng.choice([c[0] for c in CASES if c[1] is category])
            _add(db, agent, _day(month, rng), category, points, note)
    result = evaluate(inputs=_inputs(db, month, tz), policy=policy)
    stars = result.stars
    still = {a.facts.agent_id for a in result.agents if a.eligibility["service"].eligible}
    return (
        set(plan.service) <= still  # all three still in the tie
        and stars["service"].winner in plan.service
        and stars["etiquette"].winner in plan.etiquette
        and set(stars["model"].tied) == set(plan.model)
    )
