"""Ledger rules: add, correct, list, monthly totals, and scorecard deductions (which a submitted
QA evaluation records, :mod:`qa.evaluations.service`).

Entries are never updated or deleted. A correction is a new ``correction`` entry that references
the original entry, carries the difference in points and the original's date and category, so
that it always counts in the month of the entry it corrects.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import get_by_id
from qa.audit.service import record, utcnow
from qa.ledger.models import LedgerEntry
from qa.ledger.schemas import (
    ZERO,
    Category,
    EntryIn,
    EntryKind,
    LedgerError,
    LedgerTotals,
    ScorecardDeduction,
    check_points,
    check_sign,
)
from qa.limits import Field, check_length
from qa.people.service import get_agent


def get_entry(*, db_session: Session, entry_id: int) -> LedgerEntry | None:
    """The entry with this id, or None."""
    return get_by_id(db_session, LedgerEntry, entry_id)


def check_entry(*, db_session: Session, entry: EntryIn) -> LedgerEntry | None:
    """Check ``entry`` against the ledger rules without writing anything.

    Returns:
        The original entry that ``entry`` corrects, if it is a correction of one.

    Raises:
        LedgerError: Unknown agent, bad points, wrong sign for the kind, or a correction that
            does not match the entry it corrects.
    """
    check_points(entry.points)
    check_sign(entry.kind, entry.points)
    if get_agent(db_session=db_session, agent_id=entry.agent_id) is None:
        raise LedgerError(f"unknown agent {entry.agent_id!r} (import the agents first)")
    if not entry.reporter.strip():
        raise LedgerError("an entry needs its reporter")
    check_length(entry.note, Field.LEDGER_NOTE, error=LedgerError)
    if entry.corrects_id is None:
        return None
    if entry.kind is not EntryKind.CORRECTION:
        raise LedgerError(f"only a correction may reference an entry, not a {entry.kind}")
    original = _root(db_session, entry.corrects_id)
    if original.agent_id != entry.agent_id:
        raise LedgerError(
            f"entry {original.id} is for agent {original.agent_id}, not {entry.agent_id}"
        )
    if (original.date, original.category) != (entry.date, entry.category):
        raise LedgerError(
            f"a correction of entry {original.id} must have its date {original.date} "
            f"and category {original.category}"
        )
    return original


def _root(db_session: Session, entry_id: int) -> LedgerEntry:
    entry = get_entry(db_session=db_session, entry_id=entry_id)
    if entry is None:
        raise LedgerError(f"there is no ledger entry {entry_id} to correct")
    if entry.corrects_id is not None:
        root = get_entry(db_session=db_session, entry_id=entry.corrects_id)
        if root is not None:
            return root
    return entry


def add_entry(
    *, db_session: Session, entry: EntryIn, actor: str, audit: bool = True
) -> LedgerEntry:
    """Add one entry after checking it (see :func:`check_entry`).

    Args:
        db_session: The session (flushed, not committed).
        entry: The entry.
        actor: Who adds it (audit log).
        audit: Write an audit entry (bulk imports write one for the whole file instead).
    """
    original = check_entry(db_session=db_session, entry=entry)
    row = insert_checked(db_session=db_session, entry=entry, corrects=original)
    if audit:
        _audit(db_session, row, actor)
    return row


def insert_checked(
    *,
    db_session: Session,
    entry: EntryIn,
    corrects: LedgerEntry | None = None,
    source: tuple[str, str] | None = None,
) -> LedgerEntry:
    """Write an entry that :func:`check_entry` accepted (``corrects`` is what it returned);
    ``source`` is the (evaluation, item) a scorecard entry comes from. No audit entry."""
    row = LedgerEntry(
        agent_id=entry.agent_id,
        date=entry.date,
        category=entry.category.value,
        points=entry.points,
        kind=entry.kind.value,
        note=entry.note,
        reporter=entry.reporter.strip(),
        created_at=utcnow(),
        corrects_id=corrects.id if corrects is not None else None,
        source_ref=source[0] if source else None,
        source_item=source[1] if source else None,
    )
    db_session.add(row)
    db_session.flush()
    return row


def _audit(db_session: Session, row: LedgerEntry, actor: str) -> None:
    record(
        db_session=db_session,
        actor=actor,
        action=f"ledger.{row.kind}",
        entity="ledger_entry",
        entity_id=str(row.id),
        details=entry_dict(row),
    )


def effective_points(*, db_session: Session, entry_id: int) -> Decimal:
    """An entry's points once every correction of it is applied."""
    root = _root(db_session, entry_id)
    corrections = db_session.scalars(
        select(LedgerEntry.points).where(LedgerEntry.corrects_id == root.id)
    )
    return root.points + sum(corrections, ZERO)


def correct_entry(
    *, db_session: Session, entry_id: int, new_points: Decimal, reason: str, actor: str
) -> LedgerEntry:
    """Correct an entry to ``new_points`` (0 voids it) by adding a correction entry.

    Args:
        db_session: The session.
        entry_id: The entry to correct (a correction's id means its original entry).
        new_points: What the entry should count for from now on.
        reason: Why (stored as the correction's note; required).
        actor: Who corrects (reporter and audit log).

    Raises:
        LedgerError: No such entry, no reason, or nothing would change.
    """
    if not reason.strip():
        raise LedgerError("a correction needs a reason")
    check_length(reason.strip(), Field.CORRECTION_REASON, error=LedgerError)
    check_points(new_points)
    root = _root(db_session, entry_id)
    delta = new_points - effective_points(db_session=db_session, entry_id=root.id)
    if delta == 0:
        raise LedgerError(f"entry {root.id} already counts {new_points} points")
    correction = EntryIn(
        agent_id=root.agent_id,
        date=root.date,
        category=Category(root.category),
        points=delta,
        kind=EntryKind.CORRECTION,
        reporter=actor,
        note=reason.strip(),
        corrects_id=root.id,
    )
    return add_entry(db_session=db_session, entry=correction, actor=actor)


def list_entries(
    *,
    db_session: Session,
    agent_id: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> list[LedgerEntry]:
    """Entries by date then id, optionally for one agent and dates in ``[start, end)``."""
    query = select(LedgerEntry).order_by(LedgerEntry.date, LedgerEntry.id)
    if agent_id is not None:
        query = query.where(LedgerEntry.agent_id == agent_id)
    if start is not None:
        query = query.where(LedgerEntry.date >= start)
    if end is not None:
        query = query.where(LedgerEntry.date < end)
    return list(db_session.scalars(query))


def totals(entries: Iterable[LedgerEntry]) -> dict[str, LedgerTotals]:
    """Per agent deductions and bonuses by category from a set of entries.

    An original entry and its corrections count as one figure of the original's kind: a bonus
    adds to bonuses, anything else (incidents, scorecard items, corrections without an
    original) to deductions. Deductions are capped at 0 and bonuses floored at 0, so that a
    correction can cancel an entry but never turn a deduction into a bonus.
    """
    groups: dict[int, list[LedgerEntry]] = defaultdict(list)
    for entry in entries:
        groups[entry.corrects_id or entry.id].append(entry)
    result: dict[str, LedgerTotals] = {}
    for members in groups.values():
        root = next((m for m in members if m.corrects_id is None), members[0])
        agent = result.setdefault(root.agent_id, LedgerTotals(root.agent_id))
        category = Category(root.category)
        value = sum((m.points for m in members), ZERO)
        target = agent.bonuses if root.kind == EntryKind.BONUS else agent.deductions
        target[category] += value
        agent.entries[category] += 1
    for agent in result.values():
        agent.deductions = {c: min(v, ZERO) for c, v in agent.deductions.items()}
        agent.bonuses = {c: max(v, ZERO) for c, v in agent.bonuses.items()}
    return result


def monthly_totals(*, db_session: Session, start: date, end: date) -> dict[str, LedgerTotals]:
    """:func:`totals` of the entries dated in ``[start, end)`` (corrections carry the date of
    the entry they correct, so they count in its month)."""
    return totals(list_entries(db_session=db_session, start=start, end=end))


def record_scorecard_deductions(
    *,
    db_session: Session,
    evaluation_ref: str,
    agent_id: str,
    on: date,
    items: Sequence[ScorecardDeduction],
    actor: str,
) -> list[LedgerEntry]:
    """Make the ledger reflect the failed items of one evaluation (the QA console calls this
    when an evaluation is submitted, and again whenever it changes).

    The first call adds one ``scorecard`` entry per item. A later call for the same evaluation
    adds corrections only: an item no longer failed is voided, an item whose deduction changed
    is corrected to its new value, a new item is added. Calling twice with the same items
    writes nothing.

    Args:
        db_session: The session.
        evaluation_ref: The evaluation's stable identifier (e.g. ``evaluation:42``).
        agent_id: The agent evaluated.
        on: The date the deductions count on (the call's date).
        items: The failed items with their configured category and (negative) points.
        actor: Who submitted the evaluation (reporter and audit log).

    Returns:
        The entries written.

    Raises:
        LedgerError: An item repeats, has non-negative points, or the agent is unknown.
    """
    refs = [item.item_ref for item in items]
    if len(set(refs)) != len(refs):
        raise LedgerError(f"evaluation {evaluation_ref}: an item is listed twice")
    existing = {
        e.source_item: e
        for e in db_session.scalars(
            select(LedgerEntry).where(LedgerEntry.source_ref == evaluation_ref)
        )
    }
    written = []
    for item in items:
        old = existing.pop(item.item_ref, None)
        if old is None:
            written.append(_add_scorecard(db_session, evaluation_ref, agent_id, on, item, actor))
        elif effective_points(db_session=db_session, entry_id=old.id) != item.points:
            check_sign(EntryKind.SCORECARD, item.points)
            reason = f"{evaluation_ref}: item {item.item_ref} deduction changed"
            written.append(
                correct_entry(
                    db_session=db_session,
                    entry_id=old.id,
                    new_points=item.points,
                    reason=reason,
                    actor=actor,
                )
            )
    for item_ref, old in existing.items():
        if effective_points(db_session=db_session, entry_id=old.id) != 0:
            reason = f"{evaluation_ref}: item {item_ref} no longer failed"
            written.append(
                correct_entry(
                    db_session=db_session, entry_id=old.id, new_points=ZERO, reason=reason,
                    actor=actor,
                )
            )  # fmt: skip
    return written


def _add_scorecard(
    db_session: Session,
    evaluation_ref: str,
    agent_id: str,
    on: date,
    item: ScorecardDeduction,
    actor: str,
) -> LedgerEntry:
    entry = EntryIn(
        agent_id=agent_id,
        date=on,
        category=item.category,
        points=item.points,
        kind=EntryKind.SCORECARD,
        reporter=actor,
        note=item.note,
    )
    check_entry(db_session=db_session, entry=entry)
    row = insert_checked(db_session=db_session, entry=entry, source=(evaluation_ref, item.item_ref))
    _audit(db_session, row, actor)
    return row


def entry_dict(entry: LedgerEntry) -> dict[str, object]:
    """An entry as plain values (audit details, JSON output, CSV export)."""
    return {
        "id": entry.id,
        "agent_id": entry.agent_id,
        "date": entry.date.isoformat(),
        "category": entry.category,
        "points": f"{entry.points:.2f}",
        "kind": entry.kind,
        "note": entry.note,
        "reporter": entry.reporter,
        "corrects_id": entry.corrects_id,
        "source_ref": entry.source_ref,
        "source_item": entry.source_item,
        "created_at": entry.created_at.isoformat(timespec="seconds"),
    }
