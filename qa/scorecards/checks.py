"""The rules a scorecard definition obeys, shared by the file import and the builder."""

from __future__ import annotations

import math
from decimal import Decimal

from qa.scorecards.schemas import (
    KEY_PATTERN,
    AnswerType,
    Critical,
    ItemSpec,
    ScorecardError,
    ScorecardSpec,
    SectionSpec,
)

_MAX_DEDUCTION = Decimal("999.99")


def item_problems(item: ItemSpec) -> list[str]:
    """What is wrong with one item (empty when nothing)."""
    problems = []
    if not KEY_PATTERN.fullmatch(item.key):
        problems.append(f"key {item.key!r} must be 1-64 of a-z, 0-9, _ and -")
    if not (item.text.strip() or item.text_zh.strip()):
        problems.append("needs a text (text or text_zh)")
    if not math.isfinite(item.points) or item.points < 0:
        problems.append(f"points {item.points} must be a number >= 0")
    elif item.points == 0 and item.critical is Critical.NONE:
        problems.append("points may be 0 only for a critical item")
    if item.answer_type is AnswerType.SCALE:
        if item.scale_min >= item.scale_max:
            problems.append(f"scale [{item.scale_min}, {item.scale_max}] must go up")
        elif item.pass_value is not None and not (
            item.scale_min <= item.pass_value <= item.scale_max
        ):
            problems.append(f"pass_value {item.pass_value} is outside the scale")
    elif item.pass_value is not None:
        problems.append("pass_value applies to scale items only")
    if item.bonus and item.critical is not Critical.NONE:
        problems.append("a bonus item cannot be critical")
    problems.extend(_deduction_problems(item))
    return problems


def _deduction_problems(item: ItemSpec) -> list[str]:
    deduction = item.deduction
    if not deduction.is_finite() or deduction < 0 or deduction > _MAX_DEDUCTION:
        return [f"deduction {deduction} must be a number from 0 to 999.99 (points deducted)"]
    if deduction != deduction.quantize(Decimal("0.01")):
        return [f"deduction {deduction} has more than two decimals"]
    if item.bonus and deduction:
        return ["a bonus item never fails, so it cannot have a deduction"]
    return []


def section_problems(section: SectionSpec) -> list[str]:
    """What is wrong with a section itself (not its items)."""
    problems = []
    if not KEY_PATTERN.fullmatch(section.key):
        problems.append(f"key {section.key!r} must be 1-64 of a-z, 0-9, _ and -")
    if not (section.title.strip() or section.title_zh.strip()):
        problems.append("needs a title (title or title_zh)")
    if not math.isfinite(section.weight) or section.weight <= 0:
        problems.append(f"weight {section.weight} must be a number > 0")
    if not section.items:
        problems.append("has no items")
    keys = [i.key for i in section.items]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        problems.append(f"item key(s) {', '.join(repeated)} repeat")
    return problems


def card_problems(spec: ScorecardSpec) -> list[str]:
    """What is wrong with the scorecard's own fields and as a whole."""
    problems = []
    if not KEY_PATTERN.fullmatch(spec.key):
        problems.append(f"key {spec.key!r} must be 1-64 of a-z, 0-9, _ and -")
    if not (spec.name.strip() or spec.name_zh.strip()):
        problems.append("needs a name (name or name_zh)")
    if spec.pass_mark is not None and not 0 <= spec.pass_mark <= 100:
        problems.append(f"pass_mark {spec.pass_mark} must be from 0 to 100")
    if not spec.sections:
        problems.append("has no sections")
    keys = [s.key for s in spec.sections]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        problems.append(f"section key(s) {', '.join(repeated)} repeat")
    scored = [i for s in spec.sections for i in s.items if not i.bonus and i.points > 0]
    if spec.sections and not scored:
        problems.append("needs at least one item with points that is not a bonus")
    return problems


def spec_problems(spec: ScorecardSpec) -> list[str]:
    """Every problem of the definition, each prefixed by where it is (section or item ref)."""
    problems = card_problems(spec)
    for section in spec.sections:
        problems += [f"section {section.key}: {p}" for p in section_problems(section)]
        for item in section.items:
            problems += [f"item {section.key}.{item.key}: {p}" for p in item_problems(item)]
    return problems


def check_spec(spec: ScorecardSpec) -> ScorecardSpec:
    """Return ``spec`` when valid.

    Raises:
        ScorecardError: Every problem found, one per line.
    """
    problems = spec_problems(spec)
    if problems:
        raise ScorecardError(f"scorecard {spec.key!r}: " + "; ".join(problems))
    return spec
