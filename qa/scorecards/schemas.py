"""Typed scorecard definitions: what a scorecard is, independent of how it is stored.

A :class:`ScorecardSpec` is what the builder edits, what YAML/JSON files hold and what the
scoring engine (:mod:`qa.scoring`) reads. Items are addressed by their *ref*,
``"<section key>.<item key>"``, which stays the same across versions of a scorecard.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from qa.ledger.schemas import Category

KEY_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


class ScorecardError(ValueError):
    """A scorecard definition or change is invalid; the message says where and why."""


class AnswerType(StrEnum):
    """``yes_no``: yes / no (/ N/A when allowed). ``scale``: an integer from ``scale_min`` to
    ``scale_max`` (/ N/A when allowed)."""

    YES_NO = "yes_no"
    SCALE = "scale"


class Critical(StrEnum):
    """What failing an item does beyond losing its points.

    ``fatal``: the evaluation fails and its score is 0 (the raw score is kept).
    ``section``: the item's section counts 0 in the score; pass/fail follows the pass mark.
    ``flag``: the score is unchanged but the evaluation fails.
    """

    NONE = "none"
    FATAL = "fatal"
    SECTION = "section"
    FLAG = "flag"


class CommentRule(StrEnum):
    """When the evaluator must write a comment on an item: never, when it fails, or always."""

    NEVER = "never"
    ON_FAIL = "on_fail"
    ALWAYS = "always"


@dataclass(frozen=True)
class ItemSpec:
    """One question of a scorecard.

    Attributes:
        key: Identifier within its section (``[a-z0-9_-]``).
        text: The question in English; ``text_zh`` in Chinese (either may be empty, not both).
        answer_type: yes/no or scale.
        scale_min: Lowest scale value (scale items).
        scale_max: Highest scale value (scale items); full points.
        pass_value: Lowest scale value that does not count as failed; ``None`` means
            ``scale_max`` (any lost point is a fail). Yes/no items fail on "no".
        points: Points of the item (earned in proportion on a scale); 0 is allowed only for
            critical items (a pure auto-fail check).
        na_allowed: Whether "N/A" is a valid answer (N/A leaves numerator and denominator).
        critical: What failing it does (see :class:`Critical`).
        bonus: A bonus item adds its earned points to the numerator only, so the score may go
            above 100 %; a bonus item never fails.
        category: The award category its deduction feeds (etiquette / service / discipline).
        deduction: Points deducted in the HR ledger when the item fails (0: none). Written as
            a positive number; the ledger entry is negative.
        comment_required: When a comment is required.
    """

    key: str
    text: str
    text_zh: str = ""
    answer_type: AnswerType = AnswerType.YES_NO
    scale_min: int = 0
    scale_max: int = 1
    pass_value: int | None = None
    points: float = 1.0
    na_allowed: bool = False
    critical: Critical = Critical.NONE
    bonus: bool = False
    category: Category = Category.SERVICE
    deduction: Decimal = Decimal("0")
    comment_required: CommentRule = CommentRule.NEVER

    def label(self, locale: str = "en") -> str:
        """The item's text in ``locale`` (``zh`` or ``en``), falling back to the other."""
        if locale.startswith("zh"):
            return self.text_zh or self.text
        return self.text or self.text_zh

    @property
    def full_value(self) -> str:
        """The answer that earns full points (``yes`` or the scale maximum)."""
        return "yes" if self.answer_type is AnswerType.YES_NO else str(self.scale_max)

    @property
    def pass_threshold(self) -> int:
        """Lowest passing scale value."""
        return self.scale_max if self.pass_value is None else self.pass_value

    def values(self) -> tuple[str, ...]:
        """Every valid answer value of the item, best first (``na`` last when allowed)."""
        if self.answer_type is AnswerType.YES_NO:
            base: tuple[str, ...] = ("yes", "no")
        else:
            base = tuple(str(v) for v in range(self.scale_max, self.scale_min - 1, -1))
        return (*base, "na") if self.na_allowed else base


@dataclass(frozen=True)
class SectionSpec:
    """A group of items; ``weight`` multiplies the points of its items in the score."""

    key: str
    title: str
    title_zh: str = ""
    weight: float = 1.0
    items: tuple[ItemSpec, ...] = ()

    def label(self, locale: str = "en") -> str:
        if locale.startswith("zh"):
            return self.title_zh or self.title
        return self.title or self.title_zh


@dataclass(frozen=True)
class ScorecardSpec:
    """A whole scorecard definition (one version's content).

    Attributes:
        key: Stable identifier of the scorecard across versions (e.g. ``default``).
        name: Display name in English; ``name_zh`` in Chinese.
        description: Free text for evaluators.
        pass_mark: Lowest passing score in percent; ``None``: only critical items decide.
        sections: The sections in order.
    """

    key: str
    name: str
    name_zh: str = ""
    description: str = ""
    pass_mark: float | None = None
    sections: tuple[SectionSpec, ...] = field(default_factory=tuple)

    def label(self, locale: str = "en") -> str:
        if locale.startswith("zh"):
            return self.name_zh or self.name
        return self.name or self.name_zh

    def items(self) -> Iterator[tuple[str, SectionSpec, ItemSpec]]:
        """Every item with its ref and section, in order."""
        for section in self.sections:
            for item in section.items:
                yield f"{section.key}.{item.key}", section, item

    def item(self, ref: str) -> ItemSpec:
        """The item with this ref.

        Raises:
            ScorecardError: No such item.
        """
        for item_ref, _section, item in self.items():
            if item_ref == ref:
                return item
        raise ScorecardError(f"scorecard {self.key!r} has no item {ref!r}")

    def refs(self) -> tuple[str, ...]:
        return tuple(ref for ref, _s, _i in self.items())


class ScorecardStatus(StrEnum):
    """A version is ``current`` (new evaluations use it), ``superseded`` (an older version) or
    ``archived`` (no new evaluations at all). The stored values of ``scorecards.status``."""

    CURRENT = "current"
    SUPERSEDED = "superseded"
    ARCHIVED = "archived"


@dataclass(frozen=True)
class ScorecardOut:
    """A stored scorecard version as listed to people and tools."""

    id: int
    key: str
    version: int
    name: str
    name_zh: str
    status: ScorecardStatus
    items: int
    evaluations: int
    created_at: str
    created_by: str
