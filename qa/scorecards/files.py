"""Scorecard files: YAML or JSON in, YAML or JSON out (the layout of
``default_scorecard.yaml``, which documents every field).

Errors name the file, the line and the field, e.g. ``card.yaml:14: item opening.greeting:
points 'two' must be a number``; every problem of a file is reported at once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from core import safe_yaml
from qa.ledger.schemas import Category
from qa.scorecards.checks import card_problems, item_problems, section_problems
from qa.scorecards.schemas import (
    AnswerType,
    CommentRule,
    Critical,
    ItemSpec,
    ScorecardError,
    ScorecardSpec,
    SectionSpec,
)

DEFAULT_SCORECARD_PATH = Path(__file__).with_name("default_scorecard.yaml")
FILE_FORMAT = 1
_CARD_KEYS = {"format", "key", "name", "name_zh", "description", "pass_mark", "sections"}
_SECTION_KEYS = {"key", "title", "title_zh", "weight", "items"}
_ITEM_KEYS = {
    "key", "text", "text_zh", "answer", "scale", "pass_value", "points", "na_allowed",
    "critical", "bonus", "category", "deduction", "comment",
}  # fmt: skip


class _Located(dict[str, Any]):
    """A mapping that remembers the line it starts on."""

    line = 0


class _Loader(safe_yaml.BudgetLoader):
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode) -> _Located:
    loader.flatten_mapping(node)
    result = _Located()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, list | dict):  # unhashable: would raise TypeError below
            raise ScorecardError(f"line {key_node.start_mark.line + 1}: a key must be a name")
        if key in result:
            raise ScorecardError(f"line {key_node.start_mark.line + 1}: {key!r} appears twice")
        result[key] = loader.construct_object(value_node, deep=True)
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


class _Errors:
    """Collects problems, each located as ``origin:line: where: message``."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.problems: list[str] = []

    def add(self, raw: Any, where: str, message: str) -> None:
        line = getattr(raw, "line", 0)
        place = f"{self.origin}:{line}" if line else self.origin
        self.problems.append(f"{place}: {where}{': ' if where else ''}{message}")


def _text(raw: Mapping[str, Any], name: str, default: str = "") -> str:
    value = raw.get(name, default)
    return "" if value is None else str(value)


def _number(
    raw: Mapping[str, Any], name: str, default: float, errors: _Errors, where: str
) -> float:
    value = raw.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        errors.add(raw, where, f"{name} {value!r} must be a number")
        return default
    return float(value)


def _choice(raw: Mapping[str, Any], name: str, default: str, choices: Any, errors: _Errors,
            where: str) -> Any:  # fmt: skip
    value = raw.get(name, default)
    if name == "critical" and isinstance(value, bool):
        value = "fatal" if value else "none"
    if name == "comment" and isinstance(value, bool):
        value = "on_fail" if value else "never"
    try:
        return choices(value)
    except ValueError:
        allowed = ", ".join(c.value for c in choices)
        errors.add(raw, where, f"{name} {value!r} must be one of {allowed}")
        return choices(default)


def _unknown(raw: Mapping[str, Any], allowed: set[str], errors: _Errors, where: str) -> None:
    unknown = sorted(str(k) for k in raw if k not in allowed)
    if unknown:
        errors.add(raw, where, f"unknown field(s) {', '.join(unknown)}")


def _scale(raw: Mapping[str, Any], errors: _Errors, where: str) -> tuple[int, int]:
    scale = raw.get("scale", [0, 1])
    ok = isinstance(scale, list) and len(scale) == 2
    if not ok or not all(isinstance(v, int) and not isinstance(v, bool) for v in scale):
        errors.add(raw, where, f"scale {scale!r} must be [min, max] integers, e.g. [0, 5]")
        return 0, 1
    return int(scale[0]), int(scale[1])


def _deduction(raw: Mapping[str, Any], errors: _Errors, where: str) -> Decimal:
    value = raw.get("deduction", 0)
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        return Decimal(str(value))
    except InvalidOperation:
        errors.add(raw, where, f"deduction {value!r} must be a number")
        return Decimal("0")


def _item(raw: Any, section_key: str, errors: _Errors) -> ItemSpec | None:
    if not isinstance(raw, Mapping):
        errors.add(raw, f"section {section_key}", "each item must be a mapping")
        return None
    where = f"item {section_key}.{_text(raw, 'key')}"
    _unknown(raw, _ITEM_KEYS, errors, where)
    answer = _choice(raw, "answer", "yes_no", AnswerType, errors, where)
    low, high = _scale(raw, errors, where) if answer is AnswerType.SCALE else (0, 1)
    pass_value = raw.get("pass_value")
    if pass_value is not None and (isinstance(pass_value, bool) or not isinstance(pass_value, int)):
        errors.add(raw, where, f"pass_value {pass_value!r} must be an integer")
        pass_value = None
    item = ItemSpec(
        key=_text(raw, "key"),
        text=_text(raw, "text"),
        text_zh=_text(raw, "text_zh"),
        answer_type=answer,
        scale_min=low,
        scale_max=high,
        pass_value=pass_value,
        points=_number(raw, "points", 1.0, errors, where),
        na_allowed=bool(raw.get("na_allowed", False)),
        critical=_choice(raw, "critical", "none", Critical, errors, where),
        bonus=bool(raw.get("bonus", False)),
        category=_choice(raw, "category", "service", Category, errors, where),
        deduction=_deduction(raw, errors, where),
        comment_required=_choice(raw, "comment", "never", CommentRule, errors, where),
    )
    for problem in item_problems(item):
        errors.add(raw, where, problem)
    return item


def _section(raw: Any, errors: _Errors) -> SectionSpec | None:
    if not isinstance(raw, Mapping):
        errors.add(raw, "sections", "each section must be a mapping")
        return None
    where = f"section {_text(raw, 'key')}"
    _unknown(raw, _SECTION_KEYS, errors, where)
    raw_items = raw.get("items") or []
    if not isinstance(raw_items, list):
        errors.add(raw, where, "items must be a list")
        raw_items = []
    items = [_item(r, _text(raw, "key"), errors) for r in raw_items]
    section = SectionSpec(
        key=_text(raw, "key"),
        title=_text(raw, "title"),
        title_zh=_text(raw, "title_zh"),
        weight=_number(raw, "weight", 1.0, errors, where),
        items=tuple(i for i in items if i is not None),
    )
    for problem in section_problems(section):
        errors.add(raw, where, problem)
    return section


def parse_spec(raw: Any, *, origin: str = "scorecard") -> ScorecardSpec:
    """Build a :class:`ScorecardSpec` from loaded YAML/JSON values.

    Args:
        raw: The file's top-level mapping.
        origin: What to call the source in messages (the file name).

    Raises:
        ScorecardError: Every problem found, one per line, each with file and line.
    """
    errors = _Errors(origin)
    if not isinstance(raw, Mapping):
        raise ScorecardError(f"{origin}: a scorecard file must hold a mapping (key, name, ...)")
    _unknown(raw, _CARD_KEYS, errors, "")
    if raw.get("format", FILE_FORMAT) != FILE_FORMAT:
        errors.add(raw, "", f"format {raw.get('format')!r} is not {FILE_FORMAT}")
    raw_sections = raw.get("sections") or []
    if not isinstance(raw_sections, list):
        errors.add(raw, "", "sections must be a list")
        raw_sections = []
    sections = [_section(r, errors) for r in raw_sections]
    pass_mark = raw.get("pass_mark")
    if pass_mark is not None:
        pass_mark = _number(raw, "pass_mark", 0.0, errors, "")
    spec = ScorecardSpec(
        key=_text(raw, "key"),
        name=_text(raw, "name"),
        name_zh=_text(raw, "name_zh"),
        description=_text(raw, "description"),
        pass_mark=pass_mark,
        sections=tuple(s for s in sections if s is not None),
    )
    for problem in card_problems(spec):
        errors.add(raw, "", problem)
    if errors.problems:
        raise ScorecardError("\n".join(errors.problems))
    return spec


def loads_spec(text: str, *, origin: str = "scorecard") -> ScorecardSpec:
    """Parse YAML or JSON text (JSON is read as YAML so that errors carry line numbers).

    Raises:
        ScorecardError: The text is not valid YAML/JSON or not a valid scorecard.
    """
    try:
        raw = safe_yaml.load(text, origin=origin, loader=_Loader)
    except safe_yaml.UserYamlError as exc:
        raise ScorecardError(str(exc)) from None
    except ScorecardError as exc:
        raise ScorecardError(f"{origin}:{str(exc).removeprefix('line ')}") from None
    except yaml.YAMLError as exc:
        raw = _json_fallback(text, origin, exc)
    return parse_spec(raw, origin=origin)


def _json_fallback(text: str, origin: str, exc: yaml.YAMLError) -> Any:
    # JSON that YAML refuses (tab indentation) is still JSON; lines are lost for such files.
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    mark = getattr(exc, "problem_mark", None)
    line = f":{mark.line + 1}" if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc)
    raise ScorecardError(f"{origin}{line}: not valid YAML/JSON: {problem}") from None


def load_spec(path: Path) -> ScorecardSpec:
    """Read a scorecard file (``.yaml``, ``.yml`` or ``.json``).

    Raises:
        ScorecardError: The file cannot be read or is not a valid scorecard.
    """
    try:
        text = safe_yaml.read_text(path)
    except safe_yaml.UserYamlError as exc:
        raise ScorecardError(str(exc)) from exc
    return loads_spec(text, origin=str(path))


def load_default_spec() -> ScorecardSpec:
    """The default scorecard that ships with Floorboard (the seeds' service standards, English
    and Chinese)."""
    return load_spec(DEFAULT_SCORECARD_PATH)


def _item_dict(item: ItemSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"key": item.key, "text": item.text, "text_zh": item.text_zh}
    out["answer"] = item.answer_type.value
    if item.answer_type is AnswerType.SCALE:
        out["scale"] = [item.scale_min, item.scale_max]
        if item.pass_value is not None:
            out["pass_value"] = item.pass_value
    out.update(
        points=item.points, na_allowed=item.na_allowed, critical=item.critical.value,
        bonus=item.bonus, category=item.category.value, deduction=float(item.deduction),
        comment=item.comment_required.value,
    )  # fmt: skip
    return out


def spec_to_dict(spec: ScorecardSpec) -> dict[str, Any]:
    """The definition as plain values in the file layout (every field explicit)."""
    return {
        "format": FILE_FORMAT,
        "key": spec.key,
        "name": spec.name,
        "name_zh": spec.name_zh,
        "description": spec.description,
        "pass_mark": spec.pass_mark,
        "sections": [
            {
                "key": s.key, "title": s.title, "title_zh": s.title_zh, "weight": s.weight,
                "items": [_item_dict(i) for i in s.items],
            }
            for s in spec.sections
        ],
    }  # fmt: skip


def dumps_spec(spec: ScorecardSpec, *, fmt: str = "yaml") -> str:
    """The definition as YAML or JSON text (UTF-8, Chinese kept readable)."""
    data = spec_to_dict(spec)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt != "yaml":
        raise ScorecardError(f"format {fmt!r} must be yaml or json")
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def format_for(path: Path) -> str:
    """``json`` for a ``.json`` file, else ``yaml``."""
    return "json" if path.suffix.lower() == ".json" else "yaml"


def dump_spec(spec: ScorecardSpec, path: Path) -> None:
    """Write the definition to ``path`` (JSON for ``.json``, else YAML)."""
    path.write_text(dumps_spec(spec, fmt=format_for(path)), encoding="utf-8")
