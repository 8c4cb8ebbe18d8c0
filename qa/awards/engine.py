"""The monthly rules (docs/METRICS.md#awards-month) as one pure function: inputs + policy +
managers' decisions → stars, eligibility and coefficients, each figure with the lines that
explain it.

No database here: the same inputs always give the same result, which is what lets a stored
month be re-evaluated after a tie decision or an override without anything else moving.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from qa.awards.policy import Policy, StarRule
from qa.awards.schemas import (
    AgentFacts,
    AgentOutcome,
    CoefficientOverride,
    Eligibility,
    MonthInputs,
    MonthOutcome,
    StarOutcome,
    StarStatus,
    TieDecision,
)
from qa.ledger.schemas import ZERO, Category


def points(value: Decimal) -> str:
    """Points as shown to people: two decimals, e.g. ``-1.50``."""
    return f"{value:.2f}"


def number(value: Decimal) -> str:
    """A coefficient or rate without trailing zeros, keeping one decimal (``1.0``, ``1.185``)."""
    text = format(value.normalize(), "f")
    return text if "." in text else f"{text}.0"


def scored(facts: AgentFacts, policy: Policy) -> dict[Category, Decimal]:
    """The deductions that eligibility and ranking look at, per category (bonuses offset them
    only when the policy says so, and never beyond 0)."""
    if not policy.bonuses_offset_deductions:
        return dict(facts.deductions)
    return {c: min(v + facts.bonuses.get(c, ZERO), ZERO) for c, v in facts.deductions.items()}


def measure(facts: AgentFacts, policy: Policy, basis: str, category: Category) -> Decimal:
    """Deductions on ``basis``: ``total`` (all categories) or ``category`` (the star's own)."""
    values = scored(facts, policy)
    return sum(values.values(), ZERO) if basis == "total" else values.get(category, ZERO)


def eligibility(facts: AgentFacts, star: StarRule, policy: Policy) -> Eligibility:
    """Whether the agent may win ``star``, and why."""
    if facts.employment not in policy.employment:
        return Eligibility(False, f"{facts.employment} agents do not take part in stars")
    if policy.active_only and not facts.active:
        return Eligibility(False, "inactive agents do not take part in stars")
    basis = policy.eligibility_basis
    label = "total" if basis == "total" else star.category.value
    value = measure(facts, policy, basis, star.category)
    limit = star.min_deductions
    if value >= limit:
        return Eligibility(True, f"{label} deductions {points(value)} >= {points(limit)}")
    return Eligibility(False, f"{label} deductions {points(value)} below {points(limit)}")


def _tie_value(facts: AgentFacts, by: str) -> Decimal | None:
    if by == "qa_average":
        return facts.qa_average
    return Decimal(facts.answered_calls)


def break_tie(
    candidates: Sequence[AgentFacts], policy: Policy
) -> tuple[list[AgentFacts], list[str]]:
    """Apply the policy's tie-breaks in order; returns who is left and how.

    A step whose value is missing for a candidate is skipped (``missing: skip``) or ranks that
    candidate lowest (``missing: lowest``).
    """
    left = list(candidates)
    lines = []
    for step in policy.tie_breaks:
        if len(left) < 2:
            break
        values = {a.agent_id: _tie_value(a, step.by) for a in left}
        missing = [agent for agent, v in values.items() if v is None]
        if missing and step.missing == "skip":
            lines.append(f"tie-break {step.by} not applied: no value for {', '.join(missing)}")
            continue
        best = max((v is not None, v or ZERO) for v in values.values())
        left = [
            a for a in left if (values[a.agent_id] is not None, values[a.agent_id] or ZERO) == best
        ]
        shown = ", ".join(f"{k} {'none' if v is None else v}" for k, v in values.items())
        lines.append(
            f"tie-break {step.by} (higher wins): {shown} -> {', '.join(a.agent_id for a in left)}"
        )
    return left, lines


def _rank(star: StarRule, pool: Sequence[AgentFacts], policy: Policy) -> StarOutcome:
    outcome = StarOutcome(key=star.key, label=star.label)
    if not pool:
        outcome.explanation.append("no eligible agent left")
        return outcome
    label = star.category.value if policy.ranking_basis == "category" else "total"
    value = {a.agent_id: measure(a, policy, policy.ranking_basis, star.category) for a in pool}
    best = max(value.values())
    top = [a for a in pool if value[a.agent_id] == best]
    outcome.explanation.append(
        f"{len(pool)} eligible; fewest {label} deductions: {points(best)} "
        f"({', '.join(a.agent_id for a in top)})"
    )
    left, lines = break_tie(top, policy) if len(top) > 1 else (top, [])
    outcome.explanation.extend(lines)
    if len(left) == 1:
        outcome.winner, outcome.status = left[0].agent_id, StarStatus.AWARDED
    else:
        outcome.status, outcome.tied = StarStatus.NEEDS_DECISION, tuple(a.agent_id for a in left)
        outcome.explanation.append(f"still tied: {', '.join(outcome.tied)}; a manager decides")
    return outcome


def _apply_decision(outcome: StarOutcome, decision: TieDecision | None) -> None:
    if decision is None:
        return
    if outcome.status is not StarStatus.NEEDS_DECISION:
        outcome.explanation.append(
            f"a manager's pick of {decision.agent_id} is on file but the rules decide now"
        )
    elif decision.agent_id in outcome.tied:
        outcome.winner, outcome.decision = decision.agent_id, decision
        outcome.status = StarStatus.DECIDED
        outcome.explanation.append(
            f"tie resolved by {decision.decided_by}: {decision.agent_id} ({decision.reason})"
        )
    else:
        outcome.explanation.append(
            f"a manager's pick of {decision.agent_id} no longer applies (not among the tied)"
        )


def award_stars(
    agents: Sequence[AgentFacts],
    policy: Policy,
    decisions: Mapping[str, TieDecision],
) -> tuple[dict[str, StarOutcome], dict[str, dict[str, Eligibility]]]:
    """Award the stars in the policy's order; returns the stars and everyone's eligibility."""
    eligible = {
        a.agent_id: {s.key: eligibility(a, s, policy) for s in policy.stars} for a in agents
    }
    stars: dict[str, StarOutcome] = {}
    awarded: set[str] = set()
    waiting: StarRule | None = None
    for star in policy.stars:
        if waiting is not None:
            stars[star.key] = StarOutcome(
                key=star.key,
                label=star.label,
                status=StarStatus.BLOCKED,
                explanation=[f"waits for a manager's decision on the {waiting.label}"],
            )
            continue
        pool = [
            a
            for a in agents
            if eligible[a.agent_id][star.key].eligible and a.agent_id not in awarded
        ]
        outcome = _rank(star, pool, policy)
        _apply_decision(outcome, decisions.get(star.key))
        if outcome.winner is not None and policy.one_star_per_agent:
            awarded.add(outcome.winner)
        if outcome.status is StarStatus.NEEDS_DECISION and policy.one_star_per_agent:
            waiting = star  # who wins here changes who may win the next stars
        stars[star.key] = outcome
    return stars, eligible


def _count(entries: int) -> str:
    return f" ({entries} {'entry' if entries == 1 else 'entries'})"


def _describe(facts: AgentFacts) -> list[str]:
    def part(values: Mapping[Category, Decimal]) -> str:
        items = [
            f"{c.value} {points(v)}" + (_count(facts.entries[c]) if v else "")
            for c, v in values.items()
        ]
        return f"{'; '.join(items)}; total {points(sum(values.values(), ZERO))}"

    lines = [f"deductions: {part(facts.deductions)}"]
    if any(facts.bonuses.values()):
        lines.append(f"bonuses: {part(facts.bonuses)}")
    qa = "none (no evaluations)" if facts.qa_average is None else str(facts.qa_average)
    lines.append(f"QA average: {qa}; answered calls: {facts.answered_calls}")
    return lines


def coefficient(facts: AgentFacts, won: Sequence[StarRule], policy: Policy) -> tuple[Decimal, str]:
    """The computed coefficient (before any override) and the sum that gives it."""
    rule = policy.coefficient
    base = rule.base_for(facts.agent_id)
    lost = -sum(facts.deductions.values(), ZERO)
    gained = sum(facts.bonuses.values(), ZERO)
    value = base - lost * rule.per_deduction_point
    text = f"coefficient = base {number(base)}"
    for star in won:
        value += star.bonus
        text += f" + {star.label} {number(star.bonus)}"
    text += f" - {points(lost)} deduction points x {number(rule.per_deduction_point)}"
    if rule.per_bonus_point and gained:
        value += gained * rule.per_bonus_point
        text += f" + {points(gained)} bonus points x {number(rule.per_bonus_point)}"
    return value, f"{text} = {number(value)}"


def evaluate(
    *,
    inputs: MonthInputs,
    policy: Policy,
    decisions: Mapping[str, TieDecision] | None = None,
    overrides: Mapping[str, CoefficientOverride] | None = None,
) -> MonthOutcome:
    """Apply the policy to one month.

    Args:
        inputs: Every agent's deductions, bonuses, QA average and answered calls.
        policy: The rules.
        decisions: Managers' tie decisions by star key (applied only to a tie they resolve).
        overrides: Managers' coefficient overrides by agent id.
    """
    decisions, overrides = decisions or {}, overrides or {}
    agents = sorted(inputs.agents, key=lambda a: a.agent_id)
    stars, eligible = award_stars(agents, policy, decisions)
    rules = {s.key: s for s in policy.stars}
    outcomes = []
    for facts in agents:
        won = [rules[k] for k, s in stars.items() if s.winner == facts.agent_id]
        lines = _describe(facts)
        for key, e in eligible[facts.agent_id].items():
            verdict = "eligible" if e.eligible else "not eligible"
            lines.append(f"{rules[key].label}: {verdict} ({e.reason})")
        lines.append(f"won the {' and the '.join(s.label for s in won)}" if won else "won no star")
        computed, how = coefficient(facts, won, policy)
        lines.append(how)
        override = overrides.get(facts.agent_id)
        if override is not None:
            lines.append(
                f"overridden by {override.decided_by}: {number(override.coefficient)} "
                f"instead of {number(computed)} ({override.reason})"
            )
        final = override.coefficient if override is not None else computed
        keys = tuple(s.key for s in won)
        outcomes.append(
            AgentOutcome(facts, eligible[facts.agent_id], keys, computed, final, override, lines)
        )
    return MonthOutcome(inputs.month, stars, outcomes)
