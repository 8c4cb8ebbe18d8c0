"""What the HR pages, the payroll exports and ``floorboard awards`` share: how a month is computed
(the same tie-break providers everywhere, so the page and the CLI give the same figures) and the
read-only views the pages show. Domain rules stay in :mod:`qa.awards`; this only wires them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from core.center_time import center_time
from qa.awards.models import AwardMonth
from qa.awards.policy import Policy
from qa.awards.report import month_view
from qa.awards.schemas import (
    AnsweredCallsProvider,
    AwardStatus,
    Month,
    MonthView,
    QaAverageProvider,
)
from qa.awards.service import (
    compute_month,
    get_month,
    get_published,
    list_months,
    list_revisions,
    revise_month,
)
from qa.people.service import list_agents
from qa.reports.service import qa_average_provider

#: The default stars (docs/METRICS.md#stars-and-ties) in the order the poster shows them (the
#: policy may add others).
STAR_KEYS = ("etiquette", "service", "model")


@dataclass(frozen=True)
class Providers:
    """Where a computation's tie-break inputs come from, and the time zone of month boundaries.

    Attributes:
        qa_averages: Average QA score per agent.
        tz: The center's time zone.
        answered_calls: Answered calls per agent; None: the call history table.
    """

    qa_averages: QaAverageProvider
    tz: str
    answered_calls: AnsweredCallsProvider | None = None


def providers(tz: str) -> Providers:
    """The tie-break inputs every computation uses: QA averages from submitted evaluations and
    answered calls from the call history, with month boundaries in the center's time zone.

    Args:
        tz: The center's time zone (``FLOORBOARD_TIMEZONE``).
    """
    return Providers(qa_averages=qa_average_provider(tz), tz=tz)


def compute(
    *,
    db_session: Session,
    month: Month,
    actor: str,
    tz: str,
    policy: Policy | None = None,
    reason: str | None = None,
) -> AwardMonth:
    """:func:`qa.awards.service.compute_month` with the standard providers.

    Args:
        db_session: The session (the caller commits).
        month: The month.
        actor: Who computes (audit log).
        tz: The center's time zone.
        policy: Another policy (default: the month's own, or the default policy).
        reason: Why, when a published month is recomputed (a new revision).
    """
    sources = providers(tz)
    return compute_month(
        db_session=db_session,
        month=month,
        actor=actor,
        policy=policy,
        reason=reason,
        qa_averages=sources.qa_averages,
        answered_calls=sources.answered_calls,
        tz=sources.tz,
    )


def revise(
    *,
    db_session: Session,
    month: Month,
    reason: str,
    actor: str,
    tz: str,
    policy: Policy | None = None,
) -> AwardMonth:
    """:func:`qa.awards.service.revise_month` with the standard providers.

    Args:
        db_session: The session (the caller commits).
        month: The published month to correct.
        reason: Why (required, kept with the new revision).
        actor: Who revises (audit log).
        tz: The center's time zone.
        policy: Another policy (default: the month's own).
    """
    sources = providers(tz)
    return revise_month(
        db_session=db_session,
        month=month,
        reason=reason,
        actor=actor,
        policy=policy,
        qa_averages=sources.qa_averages,
        answered_calls=sources.answered_calls,
        tz=sources.tz,
    )


def current_month(*, tz: str, now: datetime | None = None) -> Month:
    """The current calendar month in the center's time zone.

    Args:
        tz: The center's time zone.
        now: The moment (default: now).
    """
    local = (now or datetime.now(ZoneInfo(tz))).astimezone(ZoneInfo(tz))
    return Month(local.year, local.month)


def previous_month(*, tz: str, now: datetime | None = None) -> Month:
    """The calendar month before the current one in the center's time zone (what HR closes).

    Args:
        tz: The center's time zone.
        now: The moment (default: now).
    """
    this = current_month(tz=tz, now=now)
    return Month(this.year, this.month - 1) if this.month > 1 else Month(this.year - 1, 12)


def month_choices(
    *, db_session: Session, tz: str, count: int = 12, now: datetime | None = None
) -> list[Month]:
    """Months HR may open, newest first: every computed month and the last ``count`` months.

    Args:
        db_session: The session.
        tz: The center's time zone.
        count: How many recent calendar months to offer besides the computed ones.
        now: The moment (default: now).
    """
    newest = previous_month(tz=tz, now=now)
    recent = {newest}
    year, month = newest.year, newest.month
    for _ in range(count - 1):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        recent.add(Month(year, month))
    computed = {Month.parse(row.month) for row in list_months(db_session=db_session)}
    return sorted(recent | computed, reverse=True)


def load_view(
    *, db_session: Session, month: Month, revision: int | None = None
) -> MonthView | None:
    """A revision of the month as plain values (:func:`qa.awards.report.month_view`), the
    latest when ``revision`` is None; None when not computed."""
    row = get_month(db_session=db_session, month=month, revision=revision)
    return month_view(row) if row is not None else None


def published_view(*, db_session: Session, month: Month) -> MonthView | None:
    """The month's newest published revision as plain values, or None."""
    row = get_published(db_session=db_session, month=month)
    return month_view(row) if row is not None else None


def latest_published_view(*, db_session: Session) -> MonthView | None:
    """The newest published month (what the wallboard poster shows), or None."""
    for row in list_months(db_session=db_session):
        view = published_view(db_session=db_session, month=Month.parse(row.month))
        if view is not None:
            return view
    return None


@dataclass(frozen=True)
class RevisionInfo:
    """One revision of a month, for the revision list."""

    revision: int
    status: AwardStatus
    reason: str
    computed: str
    published: str


def _stamp(at: datetime | None, by: str | None, tz: str) -> str:
    return f"{center_time(at, tz)} · {by}" if at is not None else ""


def revision_list(*, db_session: Session, month: Month, tz: str) -> list[RevisionInfo]:
    """Every revision of the month, newest first (times in the center's zone ``tz``)."""
    rows = list_revisions(db_session=db_session, month=month)
    return [
        RevisionInfo(
            r.revision,
            AwardStatus(r.status),
            r.reason,
            _stamp(r.computed_at, r.computed_by, tz),
            _stamp(r.published_at, r.published_by, tz),
        )
        for r in reversed(rows)
    ]


def team_names(*, db_session: Session) -> list[str]:
    """Every team that has an agent, sorted."""
    return sorted({a.team_name for a in list_agents(db_session=db_session) if a.team_name})
