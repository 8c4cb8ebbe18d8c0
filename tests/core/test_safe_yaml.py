"""The one loader for users' YAML (:mod:`core.safe_yaml`): alias bombs, loops, depth and
size are refused with the file named; ordinary anchors still work; nothing else parses YAML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from yaml_bombs import BOMB, alias_bomb

from core import safe_yaml
from core.safe_yaml import UserYamlError

ROOT = Path(__file__).resolve().parents[2]


def test_the_reviews_alias_bomb_is_refused_naming_file_and_line() -> None:
    with pytest.raises(UserYamlError, match=r"^card\.yaml:\d+: aliases .* expand to more than"):
        safe_yaml.load(BOMB, origin="card.yaml")


def test_a_doubling_bomb_runs_out_of_budget_too() -> None:
    # 2 aliases a level, 40 levels: few aliases, 2^40 leaves
    with pytest.raises(UserYamlError, match="expand to more than"):
        safe_yaml.load(alias_bomb(levels=40, width=2), origin="x.yaml")


def test_anchors_and_merge_keys_within_the_budget_still_load() -> None:
    text = "base: &tile {w: 3, h: 2}\ntiles:\n  - {<<: *tile, kind: number}\n  - *tile\n"
    data = safe_yaml.load(text, origin="board.yaml")
    assert data["tiles"] == [{"w": 3, "h": 2, "kind": "number"}, {"w": 3, "h": 2}]


def test_too_many_aliases_are_refused() -> None:
    text = "a: &a 1\nb: [" + ", ".join(["*a"] * (safe_yaml.MAX_ALIASES + 1)) + "]\n"
    with pytest.raises(UserYamlError, match=f"more than {safe_yaml.MAX_ALIASES} aliases"):
        safe_yaml.load(text, origin="x.yaml")


def test_an_alias_inside_its_own_node_is_refused() -> None:
    with pytest.raises(UserYamlError, match=r"x\.yaml:1: alias \*a is inside the node"):
        safe_yaml.load("a: &a [1, *a]\n", origin="x.yaml")


def test_deep_nesting_is_refused_instead_of_exhausting_the_stack() -> None:
    with pytest.raises(UserYamlError, match="nested more than 64 levels"):
        safe_yaml.load("[" * 5000, origin="x.yaml")


def test_oversized_text_and_files_are_refused(tmp_path: Path) -> None:
    big = "k: " + "x" * safe_yaml.MAX_BYTES + "\n"
    with pytest.raises(UserYamlError, match=r"^up\.yaml: the file is larger than 1024 kB"):
        safe_yaml.load(big, origin="up.yaml")
    path = tmp_path / "big.yaml"
    path.write_text(big, encoding="utf-8")
    with pytest.raises(UserYamlError, match=rf"^{re.escape(str(path))}: the file is larger"):
        safe_yaml.load_file(path)


def test_a_file_that_is_not_utf8_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes("title: ok\nname: 质检\n".encode("gbk"))
    with pytest.raises(UserYamlError, match=r"gbk\.yaml:2: not UTF-8 text \(byte 0x"):
        safe_yaml.load_file(path)


def test_compose_keeps_the_budget_for_line_located_readers() -> None:
    with pytest.raises(UserYamlError, match="expand to more than"):
        safe_yaml.compose(BOMB, origin="board.yaml")
    node = safe_yaml.compose("a: [1, 2]\n", origin="board.yaml")
    assert node is not None
    assert safe_yaml.node_values().construct_object(node, deep=True) == {"a": [1, 2]}


# Every way into PyYAML that builds a document; ``yaml.safe_dump`` and node classes are fine.
_PARSERS = re.compile(
    r"(?<![\w.])yaml\.(safe_load|load|full_load|unsafe_load|load_all|safe_load_all|compose|compose_all"
    r"|parse|SafeLoader|Loader|FullLoader|UnsafeLoader|BaseLoader|CSafeLoader|CLoader)\b"
)


def test_no_yaml_is_parsed_outside_the_one_loader() -> None:
    offenders = []
    for package in ("core", "collectors", "qa", "dashboard", "scripts", "bench"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == ROOT / "core" / "safe_yaml.py":
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if _PARSERS.search(line) and not line.lstrip().startswith("#"):
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == [], "parse users' YAML with core.safe_yaml:\n" + "\n".join(offenders)
