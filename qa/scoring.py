"""The scoring engine: a pure function from a scorecard and answers to a score.

Formula (points-weighted, Genesys style; sections weighted)::

    score = 100 × Σ_sections weight × Σ_items earned / Σ_sections weight × Σ_items possible

- yes earns the item's points, no earns 0; a scale answer ``v`` earns
  ``points × (v − min) / (max − min)``.
- N/A (and, while an evaluation is a draft, an unanswered item) leaves both numerator and
  denominator.
- A bonus item's earned points go to the numerator only, so a score may exceed 100 %.
- Critical items (see :class:`qa.scorecards.schemas.Critical`): a failed ``fatal`` item sets
  the score to 0 and fails the evaluation; ``section`` zeroes its section's earned points;
  ``flag`` fails the evaluation without touching the score. ``raw_score`` is the score before
  any critical rule, kept for analysis.
- ``passed``: no failed fatal or flag item, and the score reaches the pass mark (if any).

Worked example (issue 4): sections weighted 40 and 20; section 1 has two 1-point items
answered yes and no, section 2 one item answered yes → (40·1 + 20·1) / (40·2 + 20·1) = 60 %;
with the "no" marked N/A → (40 + 20) / (40 + 20) = 100 %.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from qa.scorecards.schemas import (
    AnswerType,
    CommentRule,
    Critical,
    ItemSpec,
    ScorecardError,
    ScorecardSpec,
    SectionSpec,
)

NA = "na"


@dataclass(frozen=True)
class ItemScore:
    """How one item scored. ``value`` is None when unanswered; ``possible`` is 0 for bonus,
    N/A and unanswered items."""

    ref: str
    value: str | None
    earned: float
    possible: float
    applicable: bool
    failed: bool
    bonus: bool
    critical: Critical

    @property
    def lost(self) -> bool:
        """Whether the item lost points (only such items can be disputed)."""
        return self.applicable and not self.bonus and self.earned < self.possible


@dataclass(frozen=True)
class SectionScore:
    """A section's unweighted points; ``score`` is its own percentage (None: nothing
    applicable); ``zeroed``: a failed ``section`` critical item set it to 0 in the score."""

    key: str
    weight: float
    earned: float
    possible: float
    score: float | None
    zeroed: bool


@dataclass(frozen=True)
class ScoreResult:
    """The outcome of scoring. Percentages are rounded to 2 decimals.

    Attributes:
        score: The score after the critical rules (None when no item is applicable).
        raw_score: The score before the critical rules.
        passed: See the module docstring.
        earned: Weighted earned points before the critical rules.
        possible: Weighted possible points.
        critical_failures: Refs of failed critical items of any kind.
        missing: Refs of unanswered items (an evaluation can be submitted only without any).
        items: Every item's result, in scorecard order.
        sections: Every section's result, in order.
    """

    score: float | None
    raw_score: float | None
    passed: bool
    earned: float
    possible: float
    critical_failures: tuple[str, ...]
    missing: tuple[str, ...]
    items: tuple[ItemScore, ...]
    sections: tuple[SectionScore, ...]

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def failed_refs(self) -> tuple[str, ...]:
        return tuple(i.ref for i in self.items if i.failed)

    def item(self, ref: str) -> ItemScore:
        return next(i for i in self.items if i.ref == ref)


class ProblemKind(StrEnum):
    """What stops an answer from being stored or submitted."""

    UNKNOWN_ITEM = "unknown_item"
    UNANSWERED = "unanswered"
    INVALID = "invalid"
    COMMENT_REQUIRED = "comment_required"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the answers to one item; ``str()`` gives ``"<ref>: <message>"``."""

    kind: ProblemKind
    item_ref: str
    message: str

    def __str__(self) -> str:
        return f"{self.item_ref}: {self.message}"


def value_problem(item: ItemSpec, value: str) -> str | None:
    """Why ``value`` is not a valid answer to ``item``, or None when it is."""
    if value == NA:
        return None if item.na_allowed else "N/A is not allowed for this item"
    if value in item.values():
        return None
    return f"answer {value!r} must be one of {', '.join(item.values())}"


def item_score(ref: str, item: ItemSpec, value: str | None) -> ItemScore:
    """Score one item.

    Raises:
        ScorecardError: ``value`` is not a valid answer to the item.
    """
    if value is None or value == NA:
        if value == NA and not item.na_allowed:
            raise ScorecardError(f"{ref}: N/A is not allowed for this item")
        return ItemScore(ref, value, 0.0, 0.0, False, False, item.bonus, item.critical)
    problem = value_problem(item, value)
    if problem:
        raise ScorecardError(f"{ref}: {problem}")
    if item.answer_type is AnswerType.YES_NO:
        fraction = 1.0 if value == "yes" else 0.0
        failed = value == "no"
    else:
        number = int(value)
        fraction = (number - item.scale_min) / (item.scale_max - item.scale_min)
        failed = number < item.pass_threshold
    possible = 0.0 if item.bonus else item.points
    return ItemScore(
        ref, value, item.points * fraction, possible, True, failed and not item.bonus,
        item.bonus, item.critical,
    )  # fmt: skip


def _pct(earned: float, possible: float) -> float | None:
    return None if possible <= 0 else round(100.0 * earned / possible, 2)


def _section(section: SectionSpec, items: list[ItemScore]) -> SectionScore:
    earned = sum(i.earned for i in items)
    possible = sum(i.possible for i in items)
    zeroed = any(i.failed and i.critical is Critical.SECTION for i in items)
    return SectionScore(
        section.key, section.weight, earned, possible, _pct(earned, possible), zeroed
    )


def score(spec: ScorecardSpec, answers: Mapping[str, str | None]) -> ScoreResult:
    """Score ``answers`` (item ref → ``yes``/``no``/``na``/scale value; missing or None means
    unanswered) on ``spec``.

    Raises:
        ScorecardError: An answer names an unknown item or has an invalid value.
    """
    unknown = sorted(set(answers) - set(spec.refs()))
    if unknown:
        raise ScorecardError(f"scorecard {spec.key!r} has no item {', '.join(unknown)}")
    items: list[ItemScore] = []
    sections: list[SectionScore] = []
    for section in spec.sections:
        mine = [
            item_score(f"{section.key}.{item.key}", item, answers.get(f"{section.key}.{item.key}"))
            for item in section.items
        ]
        items.extend(mine)
        sections.append(_section(section, mine))
    earned = sum(s.weight * s.earned for s in sections)
    possible = sum(s.weight * s.possible for s in sections)
    critical = tuple(i.ref for i in items if i.failed and i.critical is not Critical.NONE)
    fatal = any(i.failed and i.critical is Critical.FATAL for i in items)
    flagged = any(i.failed and i.critical is Critical.FLAG for i in items)
    final_earned = sum(s.weight * s.earned for s in sections if not s.zeroed)
    final = 0.0 if fatal and possible > 0 else _pct(final_earned, possible)
    passed = not fatal and not flagged
    if passed and spec.pass_mark is not None and final is not None:
        passed = final >= spec.pass_mark
    missing = tuple(i.ref for i in items if i.value is None)
    return ScoreResult(
        score=final,
        raw_score=_pct(earned, possible),
        passed=passed,
        earned=earned,
        possible=possible,
        critical_failures=critical,
        missing=missing,
        items=tuple(items),
        sections=tuple(sections),
    )


def answer_problems(
    spec: ScorecardSpec,
    answers: Mapping[str, str | None],
    comments: Mapping[str, str] | None = None,
    *,
    complete: bool = True,
) -> list[Problem]:
    """Everything that stops these answers from being submitted, one problem per item.

    Args:
        spec: The scorecard.
        answers: Item ref → answer value (missing or None: unanswered).
        comments: Item ref → the evaluator's comment on the item.
        complete: Require every item to be answered (False: check only what is given).
    """
    comments = comments or {}
    problems = [unknown_item(ref) for ref in sorted(set(answers) - set(spec.refs()))]
    for ref, _section, item in spec.items():
        value = answers.get(ref)
        if value is None:
            if complete:
                problems.append(Problem(ProblemKind.UNANSWERED, ref, "not answered"))
            continue
        problem = value_problem(item, value)
        if problem:
            problems.append(Problem(ProblemKind.INVALID, ref, problem))
            continue
        if not (comments.get(ref) or "").strip() and _needs_comment(ref, item, value):
            problems.append(Problem(ProblemKind.COMMENT_REQUIRED, ref, "a comment is required"))
    return problems


def unknown_item(ref: str) -> Problem:
    """The problem of an answer to an item the scorecard does not have."""
    return Problem(ProblemKind.UNKNOWN_ITEM, ref, "no such item")


def _needs_comment(ref: str, item: ItemSpec, value: str) -> bool:
    if item.comment_required is CommentRule.ALWAYS:
        return True
    if item.comment_required is CommentRule.ON_FAIL:
        return item_score(ref, item, value).failed
    return False
