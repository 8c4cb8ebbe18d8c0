"""The scorecard builder's form: a definition survives render → read → type → parse, edits in
the fields land in the right place, structure changes move whole items, and bad values are
reported by the same checks as a file import."""

from __future__ import annotations

import pytest

from dashboard.pages.qa import builder_form as form
from qa.scorecards.files import load_default_spec, parse_spec, spec_to_dict
from qa.scorecards.schemas import AnswerType, ScorecardError


def test_the_default_scorecard_round_trips_unchanged() -> None:
    spec = load_default_spec()
    edited = form.read(spec_to_dict(spec), {})
    assert parse_spec(form.typed(edited), origin="builder") == spec
    assert form.render(spec_to_dict(spec), "zh")  # renders in both languages
    assert form.render(spec_to_dict(spec), "en")


def test_field_values_are_read_back_by_their_place() -> None:
    spec = spec_to_dict(load_default_spec())
    fields = {
        "name": "Inbound calls",
        "pass_mark": "85",
        "s.0.title_zh": "开场",
        "s.0.weight": "2",
        "s.0.i.0.points": "3",
        "s.0.i.0.critical": "flag",
        "s.0.i.0.na_allowed": ["on"],
        "s.0.i.1.answer": "scale",
        "s.0.i.1.scale_min": "1",
        "s.0.i.1.scale_max": "4",
        "s.0.i.1.pass_value": "3",
        "s.0.i.1.deduction": "0.25",
    }
    parsed = parse_spec(form.typed(form.read(spec, fields)), origin="builder")
    section = parsed.sections[0]
    assert parsed.name == "Inbound calls" and parsed.pass_mark == 85
    assert section.title_zh == "开场" and section.weight == 2
    first, second = section.items[0], section.items[1]
    assert first.points == 3 and first.critical.value == "flag" and first.na_allowed
    assert second.answer_type is AnswerType.SCALE
    assert (second.scale_min, second.scale_max, second.pass_value) == (1, 4, 3)
    assert str(second.deduction) == "0.25"


def test_structure_changes() -> None:
    spec = spec_to_dict(load_default_spec())
    keys = [i["key"] for i in spec["sections"][0]["items"]]
    moved = form.apply(spec, "down_item:0:0")
    assert [i["key"] for i in moved["sections"][0]["items"]] == [keys[1], keys[0], *keys[2:]]
    assert form.apply(moved, "up_item:0:1")["sections"][0]["items"] == spec["sections"][0]["items"]
    grown = form.apply(form.apply(spec, "add_section"), f"add_item:{len(spec['sections'])}")
    assert len(grown["sections"]) == len(spec["sections"]) + 1
    assert len(grown["sections"][-1]["items"]) == 2
    shrunk = form.apply(spec, "del_section:0")
    assert shrunk["sections"][0]["key"] == spec["sections"][1]["key"]
    assert spec == spec_to_dict(load_default_spec())  # the original is never changed


def test_bad_values_are_named() -> None:
    spec = spec_to_dict(load_default_spec())
    fields = {"s.0.i.0.points": "two", "s.1.key": "Bad Key", "s.0.i.0.text": ""}
    with pytest.raises(ScorecardError) as problem:
        parse_spec(form.typed(form.read(spec, fields)), origin="builder")
    text = str(problem.value)
    assert "points 'two' must be a number" in text
    assert "'Bad Key'" in text
