"""The awards policy: loading and validating the versioned YAML file (default:
docs/METRICS.md#awards-month).

A policy is immutable once loaded. :meth:`Policy.to_dict` is what gets stored with a monthly
result; :func:`parse_policy` reads that back, so an old month is always recomputed with the
policy it was computed with.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from core import safe_yaml
from qa.ledger.schemas import Category

DEFAULT_POLICY_PATH = Path(__file__).with_name("default_policy.yaml")
POLICY_FORMAT = 1
BASES = ("total", "category")
TIE_BREAK_KEYS = ("qa_average", "answered_calls")
MISSING_RULES = ("skip", "lowest")
_TOP_KEYS = {
    "format", "name", "version", "description", "participants", "deductions", "stars",
    "award_order", "one_star_per_agent", "tie_breaks", "coefficient",
}  # fmt: skip


class PolicyError(ValueError):
    """The policy file is invalid; the message names the file and the setting."""


@dataclass(frozen=True)
class StarRule:
    """One star: the deduction category it ranks by, its eligibility threshold and reward."""

    key: str
    label: str
    category: Category
    min_deductions: Decimal
    bonus: Decimal


@dataclass(frozen=True)
class TieBreak:
    """One tie-break step: the higher ``by`` wins; ``missing`` says what a missing value does."""

    by: str
    missing: str


@dataclass(frozen=True)
class CoefficientRule:
    """Coefficient = base (per agent if set) + star bonus − deduction points × per point
    (+ bonus points × per bonus point)."""

    base: Decimal
    agent_base: Mapping[str, Decimal]
    per_deduction_point: Decimal
    per_bonus_point: Decimal

    def base_for(self, agent_id: str) -> Decimal:
        return self.agent_base.get(agent_id, self.base)


@dataclass(frozen=True)
class Policy:
    """A validated awards policy. ``stars`` is in award order."""

    name: str
    version: str
    description: str
    employment: tuple[str, ...]
    active_only: bool
    eligibility_basis: str
    ranking_basis: str
    bonuses_offset_deductions: bool
    stars: tuple[StarRule, ...]
    one_star_per_agent: bool
    tie_breaks: tuple[TieBreak, ...]
    coefficient: CoefficientRule

    def to_dict(self) -> dict[str, Any]:
        """The policy as plain values (decimals as text), in the YAML file's layout."""
        c = self.coefficient
        return {
            "format": POLICY_FORMAT,
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "participants": {"employment": list(self.employment), "active_only": self.active_only},
            "deductions": {
                "eligibility_basis": self.eligibility_basis,
                "ranking_basis": self.ranking_basis,
                "bonuses_offset_deductions": self.bonuses_offset_deductions,
            },
            "stars": {
                s.key: {
                    "label": s.label,
                    "category": s.category.value,
                    "min_deductions": str(s.min_deductions),
                    "bonus": str(s.bonus),
                }
                for s in self.stars
            },
            "award_order": [s.key for s in self.stars],
            "one_star_per_agent": self.one_star_per_agent,
            "tie_breaks": [{"by": t.by, "missing": t.missing} for t in self.tie_breaks],
            "coefficient": {
                "base": str(c.base),
                "agent_base": {k: str(v) for k, v in sorted(c.agent_base.items())},
                "per_deduction_point": str(c.per_deduction_point),
                "per_bonus_point": str(c.per_bonus_point),
            },
        }

    @property
    def digest(self) -> str:
        """A fingerprint of the rules (two files with the same rules have the same digest)."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


class _Reader:
    """Typed access to the raw mapping with errors naming the file and the setting."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, where: str, message: str) -> PolicyError:
        return PolicyError(f"{self.origin}: {where}: {message}")

    def mapping(self, raw: Any, where: str, allowed: set[str] | None = None) -> Mapping[str, Any]:
        if not isinstance(raw, Mapping):
            raise self.fail(where, "must be a mapping")
        unknown = sorted(str(k) for k in raw if allowed is not None and k not in allowed)
        if unknown:
            raise self.fail(where, f"unknown setting(s) {', '.join(unknown)}")
        return raw

    def get(self, raw: Mapping[str, Any], key: str, where: str) -> Any:
        if key not in raw:
            raise self.fail(f"{where}.{key}".lstrip("."), "is missing")
        return raw[key]

    def choice(self, raw: Mapping[str, Any], key: str, where: str, options: tuple[str, ...]) -> str:
        value = self.get(raw, key, where)
        if value not in options:
            raise self.fail(f"{where}.{key}", f"{value!r} is not one of {', '.join(options)}")
        return str(value)

    def flag(self, raw: Mapping[str, Any], key: str, where: str) -> bool:
        value = self.get(raw, key, where)
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{key}", f"{value!r} must be true or false")
        return value

    def number(self, value: Any, where: str, *, sign: int = 0) -> Decimal:
        try:
            if isinstance(value, bool):
                raise TypeError
            number = Decimal(str(value))
        except (InvalidOperation, TypeError):
            raise self.fail(where, f"{value!r} is not a number") from None
        if not number.is_finite() or number * sign < 0:
            wanted = {1: "at least 0", -1: "at most 0"}.get(sign, "finite")
            raise self.fail(where, f"{value} must be {wanted}")
        return number

    def text(self, raw: Mapping[str, Any], key: str, where: str) -> str:
        value = self.get(raw, key, where)
        if not isinstance(value, str | int | float) or not str(value).strip():
            raise self.fail(f"{where}.{key}".lstrip("."), "must be a non-empty text")
        return str(value).strip()


def _stars(r: _Reader, raw: Mapping[str, Any]) -> tuple[StarRule, ...]:
    stars_raw = r.mapping(r.get(raw, "stars", ""), "stars")
    if not stars_raw:
        raise r.fail("stars", "needs at least one star")
    order = r.get(raw, "award_order", "")
    if not isinstance(order, list) or sorted(map(str, order)) != sorted(map(str, stars_raw)):
        raise r.fail("award_order", f"must list each star once: {', '.join(map(str, stars_raw))}")
    stars = []
    allowed = {"label", "category", "min_deductions", "bonus"}
    for key in order:
        where = f"stars.{key}"
        star = r.mapping(stars_raw[key], where, allowed)
        category = r.choice(star, "category", where, tuple(c.value for c in Category))
        stars.append(
            StarRule(
                key=str(key),
                label=str(star.get("label", key)),
                category=Category(category),
                min_deductions=r.number(
                    r.get(star, "min_deductions", where), f"{where}.min_deductions", sign=-1
                ),
                bonus=r.number(r.get(star, "bonus", where), f"{where}.bonus", sign=1),
            )
        )
    return tuple(stars)


def _tie_breaks(r: _Reader, raw: Any) -> tuple[TieBreak, ...]:
    if not isinstance(raw, list):
        raise r.fail("tie_breaks", "must be a list (it may be empty)")
    steps = []
    for index, item in enumerate(raw):
        where = f"tie_breaks[{index}]"
        step = r.mapping(item, where, {"by", "missing"})
        steps.append(
            TieBreak(
                by=r.choice(step, "by", where, TIE_BREAK_KEYS),
                missing=r.choice({"missing": "skip", **step}, "missing", where, MISSING_RULES),
            )
        )
    return tuple(steps)


def _coefficient(r: _Reader, raw: Any) -> CoefficientRule:
    allowed = {"base", "agent_base", "per_deduction_point", "per_bonus_point"}
    c = r.mapping(raw, "coefficient", allowed)
    agent_base = r.mapping(c.get("agent_base") or {}, "coefficient.agent_base")
    return CoefficientRule(
        base=r.number(r.get(c, "base", "coefficient"), "coefficient.base", sign=1),
        agent_base={
            str(k): r.number(v, f"coefficient.agent_base.{k}", sign=1)
            for k, v in agent_base.items()
        },
        per_deduction_point=r.number(
            r.get(c, "per_deduction_point", "coefficient"),
            "coefficient.per_deduction_point",
            sign=1,
        ),
        per_bonus_point=r.number(
            c.get("per_bonus_point", 0), "coefficient.per_bonus_point", sign=1
        ),
    )


def parse_policy(raw: Any, *, origin: str = "policy") -> Policy:
    """Validate a policy given as plain values (a parsed YAML file or a stored policy).

    Args:
        raw: The mapping.
        origin: Where it came from, for error messages (a file name).

    Raises:
        PolicyError: A setting is missing, unknown or has a bad value.
    """
    r = _Reader(origin)
    top = r.mapping(raw, "top level", _TOP_KEYS)
    if top.get("format", POLICY_FORMAT) != POLICY_FORMAT:
        raise r.fail("format", f"{top['format']!r} is not a supported format ({POLICY_FORMAT})")
    participants = r.mapping(
        r.get(top, "participants", ""), "participants", {"employment", "active_only"}
    )
    employment = r.get(participants, "employment", "participants")
    if not isinstance(employment, list) or not set(employment) <= {"regular", "probation"}:
        raise r.fail("participants.employment", "must be a list of regular and/or probation")
    deductions = r.mapping(
        r.get(top, "deductions", ""),
        "deductions",
        {"eligibility_basis", "ranking_basis", "bonuses_offset_deductions"},
    )
    return Policy(
        name=r.text(top, "name", ""),
        version=r.text(top, "version", ""),
        description=str(top.get("description") or ""),
        employment=tuple(str(e) for e in employment),
        active_only=r.flag({"active_only": True, **participants}, "active_only", "participants"),
        eligibility_basis=r.choice(deductions, "eligibility_basis", "deductions", BASES),
        ranking_basis=r.choice(deductions, "ranking_basis", "deductions", BASES),
        bonuses_offset_deductions=r.flag(deductions, "bonuses_offset_deductions", "deductions"),
        stars=_stars(r, top),
        one_star_per_agent=r.flag({"one_star_per_agent": True, **top}, "one_star_per_agent", ""),
        tie_breaks=_tie_breaks(r, r.get(top, "tie_breaks", "")),
        coefficient=_coefficient(r, r.get(top, "coefficient", "")),
    )


def load_policy(path: Path | None = None) -> Policy:
    """Load and validate a policy YAML file (the default policy when ``path`` is None).

    Raises:
        PolicyError: The file cannot be read, is not YAML, or is not a valid policy.
    """
    path = path or DEFAULT_POLICY_PATH
    try:
        raw = safe_yaml.load_file(path, what="policy file")
    except safe_yaml.UserYamlError as exc:
        raise PolicyError(str(exc)) from exc
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: not valid YAML: {exc}") from exc
    return parse_policy(raw, origin=str(path))
