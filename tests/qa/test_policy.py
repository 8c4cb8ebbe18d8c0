"""The awards policy file: the shipped default is SPEC §6, and bad files are refused with a
message naming the file and the setting."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from yaml_bombs import BOMB

from qa.awards.policy import DEFAULT_POLICY_PATH, PolicyError, load_policy, parse_policy
from qa.ledger.schemas import Category


def raw_default() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
    return data


def test_default_policy_is_spec_section_6() -> None:
    policy = load_policy()
    stars = {s.key: (s.category, s.min_deductions, s.bonus) for s in policy.stars}
    assert stars == {
        "etiquette": (Category.ETIQUETTE, Decimal(-2), Decimal("0.1")),
        "service": (Category.SERVICE, Decimal(-3), Decimal("0.2")),
        "model": (Category.DISCIPLINE, Decimal(-2), Decimal("0.1")),
    }
    assert [s.key for s in policy.stars] == ["service", "etiquette", "model"]
    assert (policy.employment, policy.one_star_per_agent) == (("regular",), True)
    assert (policy.eligibility_basis, policy.ranking_basis) == ("total", "category")
    assert policy.bonuses_offset_deductions is False
    assert [(t.by, t.missing) for t in policy.tie_breaks] == [
        ("qa_average", "skip"), ("answered_calls", "lowest")
    ]  # fmt: skip
    c = policy.coefficient
    assert (c.base, c.per_deduction_point, c.per_bonus_point) == (
        Decimal("1.0"), Decimal("0.01"), Decimal("0.0")
    )  # fmt: skip
    assert c.base_for("anyone") == Decimal("1.0")


def test_stored_form_reads_back_identically() -> None:
    policy = load_policy()
    assert parse_policy(policy.to_dict()) == policy
    assert parse_policy(policy.to_dict()).digest == policy.digest
    changed = raw_default()
    changed["coefficient"]["per_deduction_point"] = 0.02
    assert parse_policy(changed).digest != policy.digest


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r.update(colour="red"), "top level: unknown setting(s) colour"),
        (lambda r: r.pop("version"), "version: is missing"),
        (lambda r: r.update(format=2), "format: 2 is not a supported format"),
        (lambda r: r.update(award_order=["service", "etiquette"]), "award_order: must list"),
        (lambda r: r["stars"]["model"].update(category="floor"), "stars.model.category: 'floor'"),
        (lambda r: r["stars"]["model"].update(min_deductions=1), "must be at most 0"),
        (lambda r: r["stars"]["service"].update(bonus="lots"), "bonus: 'lots' is not a number"),
        (lambda r: r["stars"]["service"].update(bonnus=1), "stars.service: unknown setting(s)"),
        (lambda r: r["deductions"].update(ranking_basis="team"), "ranking_basis: 'team'"),
        (lambda r: r["tie_breaks"].append({"by": "age"}), "tie_breaks[2].by: 'age'"),
        (lambda r: r["participants"].update(employment=["intern"]), "participants.employment"),
        (lambda r: r["coefficient"].update(base=-1), "coefficient.base: -1 must be at least 0"),
        (lambda r: r.update(one_star_per_agent="yes"), "one_star_per_agent: 'yes' must be"),
    ],
)
def test_bad_policy_names_the_setting(change: Any, message: str, tmp_path: Path) -> None:
    raw = raw_default()
    change(raw)
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PolicyError, match=f"^{re.escape(str(path))}: .*{re.escape(message)}"):
        load_policy(path)


def test_unreadable_policy_files(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read the policy file"):
        load_policy(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("stars: [unclosed", encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid YAML"):
        load_policy(broken)
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(PolicyError, match="top level: must be a mapping"):
        load_policy(empty)


def test_a_policy_file_with_an_alias_bomb_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "policy.yaml"
    bomb.write_text(BOMB, encoding="utf-8")
    with pytest.raises(PolicyError, match=r"policy\.yaml:\d+: aliases .* expand to more than"):
        load_policy(bomb)
