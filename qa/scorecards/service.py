"""Scorecards: save (with versioning), look up, list, archive, import and export.

Versioning: saving a definition for a key whose latest version has evaluations (drafts
included) creates version n+1 and marks version n ``superseded``; without evaluations the
latest version is edited in place. Saving an identical definition changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.db import get_by_id
from qa.audit.service import record, utcnow
from qa.evaluations.models import Evaluation
from qa.ledger.schemas import Category
from qa.scorecards.checks import check_spec
from qa.scorecards.files import dump_spec, load_default_spec, load_spec, spec_to_dict
from qa.scorecards.models import Scorecard, ScorecardItem, ScorecardSection
from qa.scorecards.schemas import (
    AnswerType,
    CommentRule,
    Critical,
    ItemSpec,
    ScorecardError,
    ScorecardOut,
    ScorecardSpec,
    ScorecardStatus,
    SectionSpec,
)


@dataclass(frozen=True)
class SaveResult:
    """What :func:`save_scorecard` did: ``created`` (version 1), ``updated`` (in place),
    ``new_version`` or ``unchanged``; ``scorecard`` is the version now holding the definition."""

    scorecard: Scorecard
    change: str


def spec_of(scorecard: Scorecard) -> ScorecardSpec:
    """The definition stored in a scorecard version."""
    return ScorecardSpec(
        key=scorecard.key,
        name=scorecard.name,
        name_zh=scorecard.name_zh,
        description=scorecard.description,
        pass_mark=scorecard.pass_mark,
        sections=tuple(
            SectionSpec(s.key, s.title, s.title_zh, s.weight, tuple(_item_spec(i) for i in s.items))
            for s in scorecard.sections
        ),
    )


def _item_spec(row: ScorecardItem) -> ItemSpec:
    return ItemSpec(
        key=row.key, text=row.text, text_zh=row.text_zh, answer_type=AnswerType(row.answer_type),
        scale_min=row.scale_min, scale_max=row.scale_max, pass_value=row.pass_value,
        points=row.points, na_allowed=row.na_allowed, critical=Critical(row.critical),
        bonus=row.bonus, category=Category(row.category), deduction=row.deduction,
        comment_required=CommentRule(row.comment_required),
    )  # fmt: skip


def _sections(spec: ScorecardSpec) -> list[ScorecardSection]:
    return [
        ScorecardSection(
            position=n, key=s.key, title=s.title, title_zh=s.title_zh, weight=s.weight,
            items=[
                ScorecardItem(
                    position=m, key=i.key, text=i.text, text_zh=i.text_zh,
                    answer_type=i.answer_type.value, scale_min=i.scale_min,
                    scale_max=i.scale_max, pass_value=i.pass_value, points=i.points,
                    na_allowed=i.na_allowed, critical=i.critical.value, bonus=i.bonus,
                    category=i.category.value, deduction=i.deduction,
                    comment_required=i.comment_required.value,
                )
                for m, i in enumerate(s.items)
            ],
        )
        for n, s in enumerate(spec.sections)
    ]  # fmt: skip


def _fill(row: Scorecard, spec: ScorecardSpec) -> None:
    row.name, row.name_zh, row.description = spec.name, spec.name_zh, spec.description
    row.pass_mark = spec.pass_mark
    row.sections = _sections(spec)
    row.updated_at = utcnow()


def get_scorecard(*, db_session: Session, scorecard_id: int) -> Scorecard | None:
    """The scorecard version with this id, or None."""
    return get_by_id(db_session, Scorecard, scorecard_id)


def get_latest(*, db_session: Session, key: str) -> Scorecard | None:
    """The newest version of the scorecard ``key`` whatever its status, or None."""
    query = select(Scorecard).where(Scorecard.key == key).order_by(Scorecard.version.desc())
    return db_session.scalars(query.limit(1)).first()


def get_current(*, db_session: Session, key: str) -> Scorecard:
    """The version of ``key`` that new evaluations use.

    Raises:
        ScorecardError: No such scorecard, or it is archived.
    """
    latest = get_latest(db_session=db_session, key=key)
    if latest is None:
        raise ScorecardError(f"there is no scorecard {key!r} (import one first)")
    if latest.status != ScorecardStatus.CURRENT:
        raise ScorecardError(f"scorecard {key!r} is archived: restore it to use it")
    return latest


def list_scorecards(*, db_session: Session, all_versions: bool = False) -> list[Scorecard]:
    """Scorecards by key: the newest version of each (every version when ``all_versions``,
    newest first within a key)."""
    query = select(Scorecard).order_by(Scorecard.key, Scorecard.version.desc())
    rows = list(db_session.scalars(query))
    if all_versions:
        return rows
    newest: dict[str, Scorecard] = {}
    for row in rows:
        newest.setdefault(row.key, row)
    return list(newest.values())


def evaluation_count(*, db_session: Session, scorecard_id: int) -> int:
    """How many evaluations (drafts included) use this version."""
    query = select(func.count(Evaluation.id)).where(Evaluation.scorecard_id == scorecard_id)
    return int(db_session.scalar(query) or 0)


def scorecard_out(*, db_session: Session, scorecard: Scorecard) -> ScorecardOut:
    """The public summary of a version."""
    return ScorecardOut(
        id=scorecard.id,
        key=scorecard.key,
        version=scorecard.version,
        name=scorecard.name,
        name_zh=scorecard.name_zh,
        status=ScorecardStatus(scorecard.status),
        items=sum(len(s.items) for s in scorecard.sections),
        evaluations=evaluation_count(db_session=db_session, scorecard_id=scorecard.id),
        created_at=scorecard.created_at.isoformat(timespec="seconds"),
        created_by=scorecard.created_by,
    )


def _new_status(latest: Scorecard | None) -> ScorecardStatus:
    """A new version is current unless the scorecard is archived (it stays archived)."""
    if latest is None or latest.status == ScorecardStatus.CURRENT:
        return ScorecardStatus.CURRENT
    return ScorecardStatus.ARCHIVED


def save_scorecard(*, db_session: Session, spec: ScorecardSpec, actor: str) -> SaveResult:
    """Create or change the scorecard ``spec.key`` (the builder and the import both call this).

    Args:
        db_session: The session (flushed, not committed).
        spec: The whole definition.
        actor: Who saves (audit log).

    Raises:
        ScorecardError: The definition is invalid (every problem is listed).
    """
    check_spec(spec)
    latest = get_latest(db_session=db_session, key=spec.key)
    if latest is not None and spec_of(latest) == spec:
        return SaveResult(latest, "unchanged")
    now = utcnow()
    if latest is None or evaluation_count(db_session=db_session, scorecard_id=latest.id):
        row = Scorecard(
            key=spec.key,
            version=latest.version + 1 if latest else 1,
            status=_new_status(latest),
            created_at=now,
            created_by=actor,
        )
        _fill(row, spec)
        if latest is not None:
            latest.status = ScorecardStatus.SUPERSEDED
        db_session.add(row)
        change = "created" if latest is None else "new_version"
    else:
        row, change = latest, "updated"
        row.sections = []
        db_session.flush()  # old sections go before new ones reuse their keys
        _fill(row, spec)
    db_session.flush()
    record(
        db_session=db_session, actor=actor, action=f"scorecard.{change}", entity="scorecard",
        entity_id=f"{row.key}:v{row.version}", details={"definition": spec_to_dict(spec)},
    )  # fmt: skip
    return SaveResult(row, change)


def set_archived(*, db_session: Session, key: str, archived: bool, actor: str) -> Scorecard:
    """Archive a scorecard (no new evaluations on it) or restore it.

    Raises:
        ScorecardError: No such scorecard.
    """
    latest = get_latest(db_session=db_session, key=key)
    if latest is None:
        raise ScorecardError(f"there is no scorecard {key!r}")
    wanted = ScorecardStatus.ARCHIVED if archived else ScorecardStatus.CURRENT
    if latest.status != wanted:
        latest.status = wanted
        db_session.flush()
        record(
            db_session=db_session, actor=actor,
            action="scorecard.archive" if archived else "scorecard.restore",
            entity="scorecard", entity_id=f"{key}:v{latest.version}",
        )  # fmt: skip
    return latest


def import_scorecard(*, db_session: Session, path: Path, actor: str) -> SaveResult:
    """Read a YAML/JSON scorecard file and save it (see :func:`save_scorecard`).

    Raises:
        ScorecardError: The file is unreadable or invalid (file:line in every message).
    """
    return save_scorecard(db_session=db_session, spec=load_spec(path), actor=actor)


def install_default(*, db_session: Session, actor: str) -> SaveResult:
    """Save the default scorecard that ships with Floorboard (key ``default``)."""
    return save_scorecard(db_session=db_session, spec=load_default_spec(), actor=actor)


def get_version(*, db_session: Session, key: str, version: int | None = None) -> Scorecard:
    """A version of ``key`` (the newest, whatever its status, when ``version`` is None).

    Raises:
        ScorecardError: No such scorecard or version.
    """
    query = select(Scorecard).where(Scorecard.key == key)
    if version is not None:
        query = query.where(Scorecard.version == version)
    row = db_session.scalars(query.order_by(Scorecard.version.desc()).limit(1)).first()
    if row is None:
        which = f" version {version}" if version is not None else ""
        raise ScorecardError(f"there is no scorecard {key!r}{which}")
    return row


def export_scorecard(
    *, db_session: Session, key: str, path: Path, version: int | None = None
) -> Scorecard:
    """Write a version of ``key`` (the newest by default) to ``path`` (``.json`` or YAML).

    Raises:
        ScorecardError: No such scorecard or version.
    """
    row = get_version(db_session=db_session, key=key, version=version)
    dump_spec(spec_of(row), path)
    return row
