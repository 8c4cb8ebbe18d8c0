"""The HR actions of the ranking page (kept apart from the page module): compute, review,
publish and revise a month, resolve a tie and override a coefficient. The page's callback is
guarded for hr and admin; each action runs in one transaction and raises
:class:`~qa.awards.service.AwardsError` with a message for the user when refused."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from dash import ctx

from core.db import session_scope
from core.roles import Principal
from dashboard import inputs
from dashboard.i18n import t
from dashboard.pages.hr import ids
from dashboard.pages.hr.ranking_parts import star_name
from dashboard.state import app_state
from qa.awards.decisions import override_coefficient, resolve_tie
from qa.awards.month import compute, revise
from qa.awards.schemas import Month
from qa.awards.service import AwardsError, get_month, publish_month, review_month


def _pattern(kind: str) -> dict[str, Any]:
    """Values of the pattern-matched states of type ``kind``, by index."""
    out: dict[str, Any] = {}
    for group in ctx.states_list:
        for item in group if isinstance(group, list) else [group]:
            ident = item.get("id")
            if isinstance(ident, dict) and ident.get("type") == kind:
                out[str(ident["index"])] = item.get("value")
    return out


def _coefficient(text: Any, loc: str) -> Decimal:
    try:
        value = Decimal(str(text or "").strip().replace(",", "."))
    except InvalidOperation:
        raise AwardsError(t("hr.bad_number", loc)) from None
    if not value.is_finite():
        raise AwardsError(t("hr.bad_number", loc))
    return value


def _require(text: Any, loc: str) -> str:
    reason = inputs.text(text, "reason").strip()
    if not reason:
        raise AwardsError(t("hr.need_reason", loc))
    return reason


def _confirmed(db: Any, month: Month, pending: Any, loc: str) -> None:
    """Publishing is final: only the revision the confirmation named is published."""
    if not isinstance(pending, dict) or not pending.get("revision"):
        raise AwardsError(t("hr.publish_unconfirmed", loc))
    latest = get_month(db_session=db, month=month)
    if (
        pending.get("month") != str(month)
        or latest is None
        or (latest.revision != pending["revision"])
    ):
        raise AwardsError(t("hr.publish_changed", loc))


def _step(
    db: Any, trigger: str, month: Month, revise_reason: str | None, who: Principal, pending: Any
) -> str:
    """Compute, review, publish (confirmed) or revise; returns the message to show."""
    loc, actor, tz = who.locale, who.name, app_state().settings.timezone
    if trigger == ids.HR_COMPUTE:
        row = compute(db_session=db, month=month, actor=actor, tz=tz)
        return t("hr.computed", loc, revision=row.revision, month=str(month))
    if trigger == ids.HR_REVIEW:
        review_month(db_session=db, month=month, actor=actor)
        return t("hr.reviewed_msg", loc)
    if trigger == ids.HR_PUBLISH_CONFIRM:
        _confirmed(db, month, pending, loc)
        publish_month(db_session=db, month=month, actor=actor)
        return t("hr.published_msg", loc)
    if trigger != ids.HR_REVISE:
        raise AwardsError(f"unknown action {trigger!r}")
    reason = _require(revise_reason, loc)
    row = revise(db_session=db, month=month, reason=reason, actor=actor, tz=tz)
    return t("hr.revised_msg", loc, revision=row.revision)


def _decide(db: Any, trigger: dict[str, Any], month: Month, who: Principal) -> str:
    """Resolve a tie or override (or clear) a coefficient; returns the message to show."""
    loc, actor = who.locale, who.name
    kind, index = trigger["type"], str(trigger["index"])
    if kind == ids.HR_TIE_RESOLVE:
        pick = inputs.text(_pattern(ids.HR_TIE_PICK).get(index), "agent")
        if not pick:
            raise AwardsError(t("hr.pick_agent", loc))
        reason = _require(_pattern(ids.HR_TIE_REASON).get(index), loc)
        resolve_tie(
            db_session=db, month=month, star=index, agent_id=pick, reason=reason, actor=actor
        )
        return t("hr.tie_resolved", loc, star=star_name(index, index, loc))
    reason = _require(_pattern(ids.HR_OVR_REASON).get(index), loc)
    value = None
    if kind == ids.HR_OVR_APPLY:
        value = _coefficient(_pattern(ids.HR_OVR_VALUE).get(index), loc)
    override_coefficient(
        db_session=db, month=month, agent_id=index, coefficient=value, reason=reason, actor=actor
    )
    key = "hr.override_set" if value is not None else "hr.override_cleared"
    return t(key, loc, agent=index)


def dispatch(
    trigger: Any, month: Month, revise_reason: str | None, who: Principal, pending: Any = None
) -> str:
    """Run the action ``trigger`` asked for in one transaction; returns the message.
    ``pending``: the publication the manager confirmed (month and revision)."""
    with session_scope(app_state().sessions) as db:
        if isinstance(trigger, dict):
            return _decide(db, trigger, month, who)
        return _step(db, str(trigger), month, revise_reason, who, pending)
