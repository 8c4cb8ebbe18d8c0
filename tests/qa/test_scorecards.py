"""Scorecards on SQLite and PostgreSQL: the default card, versioning, files in and out."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from qa_factories import card, evaluate, make_call, worked_example, yes_no
from sqlalchemy.orm import Session

from qa.audit.service import list_entries
from qa.evaluations.service import result_of
from qa.ledger.schemas import Category
from qa.scorecards.files import load_default_spec, load_spec, loads_spec
from qa.scorecards.schemas import Critical, ScorecardError
from qa.scorecards.service import (
    export_scorecard,
    get_current,
    install_default,
    list_scorecards,
    save_scorecard,
    scorecard_out,
    set_archived,
    spec_of,
)


def test_default_scorecard_follows_spec_in_english_and_chinese(db_session: Session) -> None:
    result = install_default(db_session=db_session, actor="admin")
    assert result.change == "created"
    spec = spec_of(result.scorecard)
    assert spec == load_default_spec()
    titles = [s.title for s in spec.sections]
    assert titles == [
        "Opening",
        "Answer speed",
        "Silent call",
        "Cannot hear / dialect",
        "Hold",
        "Agent ID",
        "Listening",
        "Answer quality",
        "Complaint handling",
        "Forbidden phrases",
        "Closing",
    ]
    for _ref, section, item in spec.items():
        assert section.title_zh and item.text and item.text_zh, item.key
    forbidden = spec.item("forbidden_phrases.none_used")
    assert forbidden.critical is Critical.FATAL
    assert "这不关我的事" in forbidden.text_zh
    assert spec.item("opening.greeting").category is Category.ETIQUETTE
    assert spec.item("agent_id.gives_agent_id").category is Category.DISCIPLINE
    assert spec.item("complaint.handles_complaint").category is Category.SERVICE
    assert all(item.deduction > 0 for _r, _s, item in spec.items())
    assert spec.label("zh") == "默认通话质检评分表"
    assert install_default(db_session=db_session, actor="admin").change == "unchanged"


def test_edit_without_evaluations_changes_the_version_in_place(db_session: Session) -> None:
    first = card(db_session)
    changed = dataclasses.replace(worked_example(), name="Renamed")
    result = save_scorecard(db_session=db_session, spec=changed, actor="admin")
    assert (result.change, result.scorecard.id, result.scorecard.version) == (
        "updated",
        first.id,
        1,
    )
    assert spec_of(result.scorecard).name == "Renamed"


def test_edit_with_evaluations_makes_a_new_version_and_old_ones_keep_theirs(
    db_session: Session,
) -> None:
    v1 = card(db_session)
    old = evaluate(db_session, make_call(db_session), {"g1.a": "yes", "g1.b": "no", "g2.c": "yes"})
    spec = worked_example()
    g2 = dataclasses.replace(spec.sections[1], items=(yes_no("c"), yes_no("d")))
    result = save_scorecard(
        db_session=db_session,
        spec=dataclasses.replace(spec, sections=(spec.sections[0], g2)),
        actor="admin",
    )
    assert (result.change, result.scorecard.version) == ("new_version", 2)
    assert v1.status == "superseded"
    assert get_current(db_session=db_session, key="example").id == result.scorecard.id
    assert old.scorecard_id == v1.id
    assert result_of(old).score == 60.0  # still scored on version 1
    new = evaluate(
        db_session,
        make_call(db_session),
        {"g1.a": "yes", "g1.b": "no", "g2.c": "yes", "g2.d": "yes"},
    )
    assert new.scorecard_id == result.scorecard.id and new.score == 66.67
    outs = [
        scorecard_out(db_session=db_session, scorecard=s)
        for s in list_scorecards(db_session=db_session, all_versions=True)
    ]
    assert [(o.version, o.status, o.evaluations) for o in outs] == [
        (2, "current", 1),
        (1, "superseded", 1),
    ]
    actions = [e.action for e in list_entries(db_session=db_session, entity="scorecard")]
    assert actions == ["scorecard.created", "scorecard.new_version"]


def test_archived_scorecard_cannot_be_used(db_session: Session) -> None:
    card(db_session)
    set_archived(db_session=db_session, key="example", archived=True, actor="admin")
    with pytest.raises(ScorecardError, match="archived"):
        get_current(db_session=db_session, key="example")
    set_archived(db_session=db_session, key="example", archived=False, actor="admin")
    assert get_current(db_session=db_session, key="example").status == "current"


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_export_then_import_round_trips(db_session: Session, tmp_path: Path, suffix: str) -> None:
    install_default(db_session=db_session, actor="admin")
    path = tmp_path / f"card{suffix}"
    export_scorecard(db_session=db_session, key="default", path=path)
    if suffix == ".json":
        assert json.loads(path.read_text(encoding="utf-8"))["key"] == "default"
    assert "请问有什么可以帮您" in path.read_text(encoding="utf-8")
    assert load_spec(path) == load_default_spec()


def test_invalid_file_names_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "key: k\nname: K\nsections:\n"
        "  - key: s\n    title: S\n    items:\n"
        "      - key: q\n        text: Q\n        points: 0\n"
        "      - key: r\n        text: R\n        answer: scale\n        scale: [5, 1]\n"
        "        category: manners\n",
        encoding="utf-8",
    )
    with pytest.raises(ScorecardError) as info:
        load_spec(path)
    assert str(info.value).splitlines() == [
        f"{path}:7: item s.q: points may be 0 only for a critical item",
        f"{path}:10: item s.r: category 'manners' must be one of etiquette, service, discipline",
        f"{path}:10: item s.r: scale [5, 1] must go up",
    ]


def test_invalid_yaml_and_repeated_keys_name_the_line() -> None:
    with pytest.raises(ScorecardError, match=r"^c.yaml:2: not valid YAML/JSON"):
        loads_spec("key: k\nname: a: b\n", origin="c.yaml")
    with pytest.raises(ScorecardError, match=r"^c.yaml:2: 'key' appears twice"):
        loads_spec("key: k\nkey: j\n", origin="c.yaml")


def test_builder_spec_is_checked(db_session: Session) -> None:
    spec = dataclasses.replace(worked_example(), key="Bad Key", sections=())
    with pytest.raises(ScorecardError, match="key 'Bad Key' must be.*has no sections"):
        save_scorecard(db_session=db_session, spec=spec, actor="admin")
