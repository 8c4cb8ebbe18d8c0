"""The scorecard builder's form: render a definition (file layout) as fields whose ids name
their place, read the fields back into a definition, and type the values for
:func:`qa.scorecards.files.parse_spec` (which reports every problem)."""

from __future__ import annotations

import copy
import re
from typing import Any

from dash import dcc, html

from dashboard import inputs
from dashboard.i18n import t
from dashboard.pages.qa import ids
from qa.ledger.schemas import Category
from qa.scorecards.schemas import AnswerType, CommentRule, Critical

CARD_FIELDS = ("key", "name", "name_zh", "description", "pass_mark")
SECTION_FIELDS = ("key", "title", "title_zh", "weight")
ITEM_FIELDS = (
    "key",
    "text",
    "text_zh",
    "answer",
    "scale_min",
    "scale_max",
    "pass_value",
    "points",
    "critical",
    "category",
    "deduction",
    "comment",
    "na_allowed",
    "bonus",
)
FLAGS = ("na_allowed", "bonus")
NUMBERS = {"pass_mark", "weight", "points", "deduction"}
INTEGERS = {"scale_min", "scale_max", "pass_value"}


def blank_item(n: int) -> dict[str, Any]:
    return {
        "key": f"item-{n}",
        "text": "",
        "text_zh": "",
        "answer": "yes_no",
        "points": 1,
        "na_allowed": False,
        "critical": "none",
        "bonus": False,
        "category": "service",
        "deduction": 0,
        "comment": "never",
    }


def blank_section(n: int) -> dict[str, Any]:
    return {
        "key": f"section-{n}",
        "title": f"Section {n}",
        "title_zh": "",
        "weight": 1,
        "items": [blank_item(1)],
    }


def blank() -> dict[str, Any]:
    """A new scorecard: one section with one item."""
    return {
        "format": 1,
        "key": "",
        "name": "",
        "name_zh": "",
        "description": "",
        "pass_mark": 80,
        "sections": [blank_section(1)],
    }


def _id(path: str) -> dict[str, str]:
    return {"type": ids.QA_B_FIELD, "index": path}


def _text(path: str, value: Any, label: str, **extra: Any) -> html.Div:
    shown = "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
    return html.Div(
        [html.Label(label), dcc.Input(id=_id(path), value=shown, debounce=True, **extra)],
        className="qa-field",
    )


def _choice(path: str, value: Any, label: str, choices: list[tuple[str, str]]) -> html.Div:
    control = dcc.Dropdown(
        id=_id(path),
        value=value,
        clearable=False,
        className="qa-dropdown",
        options=[{"label": text, "value": v} for v, text in choices],
    )
    return html.Div([html.Label(label), control], className="qa-field")


def _flag(path: str, value: Any, label: str) -> html.Div:
    control = dcc.Checklist(
        id=_id(path),
        options=[{"label": label, "value": "on"}],
        value=["on"] if value else [],
        className="qa-checks",
    )
    return html.Div([html.Label(" "), control], className="qa-field")


def _tool(action: str, text: str, title: str) -> html.Button:
    return html.Button(
        text, id={"type": ids.QA_B_ACTION, "index": action}, title=title, className="qa-btn-quiet"
    )


def _enum(values: Any, prefix: str, loc: str) -> list[tuple[str, str]]:
    return [(v.value, t(f"{prefix}.{v.value}", loc)) for v in values]


def _tools(kind: str, where: str, loc: str) -> html.Div:
    """Move up, move down and remove buttons of a section or an item."""
    return html.Div(
        [_tool(f"up_{kind}:{where}", "↑", t("qa.b.up", loc)),
         _tool(f"down_{kind}:{where}", "↓", t("qa.b.down", loc)),
         _tool(f"del_{kind}:{where}", "✕", t("qa.b.delete", loc))],
        className="qa-b-tools",
    )  # fmt: skip


def _item_rules(p: str, item: dict[str, Any], loc: str) -> list[Any]:
    """The second row of an item: how it is answered, scored and used."""
    low, high = (item.get("scale") or [0, 1])[:2] if item.get("answer") == "scale" else ("", "")
    return [
        _choice(p + "answer", item.get("answer", "yes_no"), t("qa.b.answer", loc),
                _enum(AnswerType, "qa.b.answer", loc)),
        _text(p + "scale_min", low, t("qa.b.scale_min", loc)),
        _text(p + "scale_max", high, t("qa.b.scale_max", loc)),
        _text(p + "pass_value", item.get("pass_value"), t("qa.b.pass_value", loc)),
        _text(p + "points", item.get("points"), t("qa.b.points", loc)),
        _choice(p + "critical", item.get("critical", "none"), t("qa.b.critical", loc),
                _enum(Critical, "qa.critical", loc)),
        _choice(p + "category", item.get("category", "service"), t("qa.b.category", loc),
                _enum(Category, "qa.category", loc)),
        _text(p + "deduction", item.get("deduction"), t("qa.b.deduction", loc)),
        _choice(p + "comment", item.get("comment", "never"), t("qa.b.comment", loc),
                _enum(CommentRule, "qa.comment_rule", loc)),
        html.Div([_flag(p + "na_allowed", item.get("na_allowed"), t("qa.b.na_allowed", loc)),
                  _flag(p + "bonus", item.get("bonus"), t("qa.bonus", loc))], className="qa-row"),
    ]  # fmt: skip


def _item(n: int, m: int, item: dict[str, Any], loc: str) -> html.Div:
    p = f"s.{n}.i.{m}."
    texts = [
        _text(p + "key", item.get("key"), t("qa.b.key", loc)),
        _text(p + "text", item.get("text"), t("qa.b.text", loc)),
        _text(p + "text_zh", item.get("text_zh"), t("qa.b.text_zh", loc)),
        _tools("item", f"{n}:{m}", loc),
    ]
    return html.Div(
        [html.Div(texts, className="qa-b-row1"),
         html.Div(_item_rules(p, item, loc), className="qa-b-row2")],
        className="qa-b-item",
    )  # fmt: skip


def _section(n: int, section: dict[str, Any], loc: str) -> html.Div:
    p = f"s.{n}."
    head = html.Div(
        [
            _text(p + "key", section.get("key"), t("qa.b.key", loc)),
            _text(p + "title", section.get("title"), t("qa.b.title_en", loc)),
            _text(p + "title_zh", section.get("title_zh"), t("qa.b.title_zh", loc)),
            _text(p + "weight", section.get("weight"), t("qa.b.weight", loc)),
            _tools("section", str(n), loc),
        ],
        className="qa-b-section-head",
    )
    items = [_item(n, m, item, loc) for m, item in enumerate(section.get("items") or [])]
    add = html.Button(
        t("qa.b.add_item", loc),
        id={"type": ids.QA_B_ACTION, "index": f"add_item:{n}"},
        className="qa-btn-quiet qa-small",
    )
    return html.Div([head, *items, add], className="qa-b-section")


def render(spec: dict[str, Any], loc: str) -> list[Any]:
    """The whole form for a definition in the file layout."""
    card = html.Div(
        [
            _text("key", spec.get("key"), t("qa.b.card_key", loc)),
            _text("name", spec.get("name"), t("qa.b.name", loc)),
            _text("name_zh", spec.get("name_zh"), t("qa.b.name_zh", loc)),
            _text("pass_mark", spec.get("pass_mark"), t("qa.b.pass_mark", loc)),
            _text("description", spec.get("description"), t("qa.b.description", loc)),
        ],
        className="qa-form-grid qa-card",
    )
    sections = [_section(n, s, loc) for n, s in enumerate(spec.get("sections") or [])]
    add = html.Button(
        t("qa.b.add_section", loc),
        id={"type": ids.QA_B_ACTION, "index": "add_section"},
        className="qa-btn-quiet",
    )
    return [card, html.Div([*sections, add], className="qa-card")]


def read(spec: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """The definition with the values the form holds now (raw, as typed)."""
    out = copy.deepcopy(spec)
    for name in CARD_FIELDS:
        out[name] = fields.get(name, out.get(name))
    for n, section in enumerate(out.get("sections") or []):
        for name in SECTION_FIELDS:
            section[name] = fields.get(f"s.{n}.{name}", section.get(name))
        for m, item in enumerate(section.get("items") or []):
            p = f"s.{n}.i.{m}."
            scale = item.get("scale") or [0, 1]
            for name in ITEM_FIELDS:
                default = (
                    scale[0]
                    if name == "scale_min"
                    else scale[1]
                    if name == "scale_max"
                    else item.get(name)
                )
                value = fields.get(p + name, default)
                item[name] = bool(value) if name in FLAGS else value
            item["scale"] = [item.pop("scale_min"), item.pop("scale_max")]
    return out


def _number(value: Any, integer: bool) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return value  # parse_spec names the field and the bad value
    return int(number) if integer and number.is_integer() else number


def typed(spec: dict[str, Any]) -> dict[str, Any]:
    """Numbers as numbers, blanks as absent: the layout :func:`parse_spec` reads."""
    out = copy.deepcopy(spec)
    out["pass_mark"] = _number(out.get("pass_mark"), False)
    for section in out.get("sections") or []:
        section["weight"] = _number(section.get("weight"), False)
        for item in section.get("items") or []:
            for name in ("points", "deduction"):
                item[name] = _number(item.get(name), False)
            item["pass_value"] = _number(item.get("pass_value"), True)
            low, high = item.pop("scale", [0, 1])
            if item.get("answer") == AnswerType.SCALE.value:
                item["scale"] = [_number(low, True), _number(high, True)]
            elif item.get("pass_value") is None:
                item.pop("pass_value", None)
            for name in [k for k, v in item.items() if v is None and k != "pass_value"]:
                item.pop(name)
        for name in [k for k, v in section.items() if v is None]:
            section.pop(name)
    return out


def check_shape(spec: Any) -> dict[str, Any]:
    """The definition the builder keeps in the browser, as sent back: sections and items must
    be lists of objects and a scale a pair (the values themselves are for :func:`parse_spec`).

    Raises:
        BadInput: Any other shape.
    """
    checked = inputs.mapping(spec, "scorecard definition")
    sections = checked.get("sections") or []
    if not isinstance(sections, list) or not all(isinstance(s, dict) for s in sections):
        raise inputs.BadInput("sections must be a list of objects")
    for section in sections:
        items = section.get("items") or []
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise inputs.BadInput("items must be a list of objects")
        for item in items:
            scale = item.get("scale")
            if scale is not None and not (isinstance(scale, list) and len(scale) == 2):
                raise inputs.BadInput("a scale must be a pair of numbers")
    return checked


_ACTION = re.compile(
    r"add_section|(del|up|down)_section:\d{1,4}|add_item:\d{1,4}|(del|up|down)_item:\d{1,4}:\d{1,4}"
)


def _where(spec: dict[str, Any], action: str) -> tuple[str, list[int]]:
    if not _ACTION.fullmatch(action):
        raise inputs.BadInput(f"unknown builder action {action[:40]!r}")
    verb, *where = action.split(":")
    numbers = [int(w) for w in where]
    sections = spec.get("sections") or []
    if numbers and numbers[0] >= len(sections):
        raise inputs.BadInput(f"there is no section {numbers[0] + 1}")
    if len(numbers) > 1 and numbers[1] >= len(sections[numbers[0]].get("items") or []):
        raise inputs.BadInput(f"there is no item {numbers[1] + 1}")
    return verb, numbers


def apply(spec: dict[str, Any], action: str) -> dict[str, Any]:
    """A structural change: ``add_section``, ``del_section:n``, ``up_section:n``,
    ``down_section:n``, ``add_item:n``, ``del_item:n:m``, ``up_item:n:m``, ``down_item:n:m``."""
    out = copy.deepcopy(spec)
    verb, numbers = _where(out, action)
    sections = out.setdefault("sections", [])
    if verb == "add_section":
        sections.append(blank_section(len(sections) + 1))
    elif verb.endswith("_section"):
        _move(sections, numbers[0], verb)
    elif verb == "add_item":
        items = sections[numbers[0]].setdefault("items", [])
        items.append(blank_item(len(items) + 1))
    else:
        _move(sections[numbers[0]]["items"], numbers[1], verb)
    return out


def _move(rows: list[Any], n: int, verb: str) -> None:
    if verb.startswith("del"):
        del rows[n]
    elif verb.startswith("up") and n > 0:
        rows[n - 1], rows[n] = rows[n], rows[n - 1]
    elif verb.startswith("down") and n + 1 < len(rows):
        rows[n + 1], rows[n] = rows[n], rows[n + 1]
