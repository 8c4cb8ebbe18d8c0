"""A stored revision as plain values (JSON for tools and pages, typed as
:class:`~qa.awards.schemas.MonthView`) and as a text table (CLI)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from qa.awards.models import AwardMonth
from qa.awards.schemas import AgentView, AwardStatus, MonthView, StarStatus, StarView


def _at(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def _star(raw: dict[str, Any]) -> StarView:
    # the stored JSON (StarOutcome.to_dict) holds the status as text: the view gives the enum
    # member, which compares and serialises as that same text
    return cast(StarView, {**raw, "status": StarStatus(raw["status"])})


def month_view(row: AwardMonth) -> MonthView:
    """A revision as plain values: the workflow state and policy, then ``stars`` (keyed by
    star), ``agents`` (one entry per agent, with explanations) and ``needs_decision``."""
    result = row.result
    agents: list[AgentView] = result["agents"]
    return {
        "month": row.month,
        "revision": row.revision,
        "status": AwardStatus(row.status),
        "reason": row.reason,
        "supersedes": row.supersedes.revision if row.supersedes is not None else None,
        "policy": {
            "name": row.policy_name,
            "version": row.policy_version,
            "digest": row.policy_digest,
        },
        "computed": {"at": _at(row.computed_at), "by": row.computed_by},
        "reviewed": {"at": _at(row.reviewed_at), "by": row.reviewed_by},
        "published": {"at": _at(row.published_at), "by": row.published_by},
        "stars": {key: _star(star) for key, star in result["stars"].items()},
        "agents": agents,
        "needs_decision": result["needs_decision"],
    }


def coefficient_text(value: float) -> str:
    """A coefficient as people read it: ``1.1``, ``0.9875``, ``1.0`` (at most 4 decimals)."""
    text = f"{value:.4f}".rstrip("0")
    return f"{text}0" if text.endswith(".") else text


def _star_line(star: StarView) -> str:
    status = star["status"]
    if status in (StarStatus.AWARDED, StarStatus.DECIDED):
        how = "awarded" if status is StarStatus.AWARDED else f"decided by {star['decision']['by']}"
        return f"  {star['label']:<28} {star['winner']:<12} {how}"
    if status is StarStatus.NEEDS_DECISION:
        return f"  {star['label']:<28} {'-':<12} NEEDS DECISION: tied {', '.join(star['tied'])}"
    if status is StarStatus.BLOCKED:
        return f"  {star['label']:<28} {'-':<12} {star['explanation'][-1]}"
    return f"  {star['label']:<28} {'-':<12} no eligible agent"


def render_text(view: MonthView) -> str:
    """The month as a table for a terminal (``--json`` gives every explanation)."""
    policy = view["policy"]
    lines = [
        f"{view['month']} revision {view['revision']} ({view['status']}), "
        f"policy {policy['name']} version {policy['version']}"
    ]
    if view["reason"]:
        lines.append(f"Reason: {view['reason']}")
    lines.append("Stars:")
    lines += [_star_line(star) for star in view["stars"].values()]
    header = f"  {'agent':<10} {'name':<20} {'team':<10} {'etiq':>6} {'serv':>6} {'disc':>6}"
    lines += ["Agents:", f"{header} {'total':>6}  {'stars':<10} coefficient"]
    for agent in view["agents"]:
        d = agent["deductions"]
        flag = " (override)" if agent["override"] else ""
        lines.append(
            f"  {agent['agent_id']:<10} {agent['name'][:20]:<20} {agent['team'][:10]:<10} "
            f"{d['etiquette']:>6.2f} {d['service']:>6.2f} {d['discipline']:>6.2f} "
            f"{d['total']:>6.2f}  {','.join(agent['stars']) or '-':<10} "
            f"{coefficient_text(agent['coefficient'])}{flag}"
        )
    if view["needs_decision"]:
        lines.append(
            f"Waiting for a manager: {', '.join(view['needs_decision'])} "
            "(floorboard awards resolve-tie)"
        )
    return "\n".join(lines)
