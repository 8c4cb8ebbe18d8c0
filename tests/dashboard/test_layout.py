"""Board layouts: the shipped ones are valid, and every mistake is named with file and line."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from yaml_bombs import BOMB

from dashboard.boards.layout import Board, LayoutError, load_board, parse_board
from dashboard.boards.metrics import CATALOGUE
from dashboard.boards.registry import BoardRegistry

LAYOUTS = Path(__file__).resolve().parents[2] / "layouts"
SHIPPED = ("center", "sales-team", "agents", "center-zh")


def parse(text: str) -> Board:
    return parse_board(text, name="test", path=Path("layouts/test.yaml"))


def problems(text: str) -> list[str]:
    with pytest.raises(LayoutError) as info:
        parse(text)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_boards_are_valid_and_fill_their_grid(name: str) -> None:
    board = load_board(LAYOUTS / f"{name}.yaml")
    assert board.tiles
    assert sum(t.w * t.h for t in board.tiles) == board.columns * board.rows


def test_shipped_boards_cover_the_required_kinds() -> None:
    kinds = {t.kind for name in SHIPPED for t in load_board(LAYOUTS / f"{name}.yaml").tiles}
    assert kinds == {"number", "agents", "queues", "chart", "staffing", "ticker", "clock"}
    assert load_board(LAYOUTS / "center-zh.yaml").locale == "zh"
    assert load_board(LAYOUTS / "sales-team.yaml").queues == ("sales", "vip")


def test_a_number_tile_gets_the_catalogue_defaults() -> None:
    board = parse("title: T\ntiles:\n  - {kind: number, metric: service_level, window: today}\n")
    fig = board.tiles[0].figure
    assert fig is not None
    assert (fig.metric, fig.window, fig.fmt) == ("service_level", "today", "percent")
    assert fig.thresholds == CATALOGUE["service_level"].thresholds
    assert board.tiles[0].queues is None


def test_unknown_metric_names_file_line_and_lists_the_valid_ones() -> None:
    found = problems("title: T\ntiles:\n  - kind: number\n    metric: calls_wating\n")
    assert len(found) == 1
    assert found[0].startswith("layouts/test.yaml:4: unknown metric 'calls_wating'")
    assert "calls_waiting" in found[0] and "service_level" in found[0]


def test_every_problem_is_reported_at_once_with_its_line() -> None:
    text = (
        "title: T\n"
        "colums: 12\n"  # line 2: unknown key
        "tiles:\n"
        "  - {kind: number, metric: offered, window: now}\n"  # line 4: offered has no 'now'
        "  - {kind: gauge}\n"  # line 5: unknown kind
        "  - {kind: number, metric: lines_in_use, queues: [sales]}\n"  # line 6: center only
        "  - {kind: number, metric: calls_waiting, thresholds: {warn: 9, alert: 3}}\n"  # 7
        "  - {kind: agents, sort: mood, w: 40}\n"  # line 8: bad sort, w > columns
    )
    found = problems(text)
    lines = sorted(int(p.split(":")[1]) for p in found)
    assert lines == [2, 4, 5, 6, 7, 8, 8], found
    joined = "\n".join(found)
    assert "unknown key 'colums'" in joined
    assert "metric 'offered' has no window 'now'" in joined
    assert "unknown tile kind 'gauge'" in joined
    assert "only for the whole center" in joined
    assert "alert (3.0) must be at or above warn (9.0)" in joined
    assert "unknown sort 'mood'" in joined


def test_yaml_syntax_error_gives_its_line() -> None:
    found = problems("title: T\ntiles:\n  - {kind: number, metric: offered\n  - x\n")
    assert len(found) == 1 and found[0].startswith("layouts/test.yaml:4: invalid YAML")
    assert "started on line 3" in found[0]


def test_duplicate_keys_and_missing_parts_are_errors() -> None:
    assert problems("title: A\ntitle: B\ntiles: [{kind: clock}]\n") == [
        "layouts/test.yaml:2: 'title' is given twice"
    ]
    assert problems("tiles: []\n") == [
        "layouts/test.yaml:1: missing 'title'",
        "layouts/test.yaml:1: 'tiles' is empty: a board needs at least one tile",
    ]
    assert problems("") == ["layouts/test.yaml:1: the file is empty"]
    assert "a board file must be a mapping" in problems("- 1\n")[0]


def test_percent_thresholds_accept_percent_strings_and_whole_numbers() -> None:
    board = parse(
        "title: T\ntiles:\n"
        "  - {kind: number, metric: answer_rate, thresholds: {warn: 90%, alert: 85}}\n"
        "  - {kind: number, metric: calls_waiting, thresholds: none}\n"
    )
    first, second = (t.figure for t in board.tiles)
    assert first is not None and second is not None
    assert (first.thresholds.warn, first.thresholds.alert) == (0.9, 0.85)
    assert first.thresholds.direction == "below"
    assert second.thresholds.level(1000) == "none" or second.thresholds.warn is None


def test_queue_table_columns_default_and_custom() -> None:
    board = parse(
        "title: T\ntiles:\n  - kind: queues\n  - kind: queues\n    columns:\n"
        "      - calls_waiting\n      - {metric: asa, window: 15m, label: ASA 15}\n"
    )
    default, custom = board.tiles
    assert len(default.columns) >= 8
    assert [(c.metric, c.window, c.label) for c in custom.columns] == [
        ("calls_waiting", "now", None),
        ("asa", "15m", "ASA 15"),
    ]


def test_registry_reloads_a_changed_file_and_returns_errors_instead_of_raising(
    tmp_path: Path,
) -> None:
    path = tmp_path / "floor.yaml"
    path.write_text("title: One\ntiles: [{kind: clock}]\n")
    registry = BoardRegistry(tmp_path, check_every_s=0)
    first = registry.get("floor")
    assert isinstance(first, Board) and first.title == "One"
    version = registry.version("floor")
    path.write_text("title: Two\ntiles: [{kind: number, metric: nope}]\n")
    os.utime(path, ns=(1, 1))  # a different mtime even on coarse file systems
    broken = registry.get("floor")
    assert isinstance(broken, LayoutError)
    assert "floor.yaml:2: unknown metric 'nope'" in str(broken)
    assert registry.version("floor") != version
    path.write_text("title: Three\ntiles: [{kind: clock}]\n")
    assert isinstance(fixed := registry.get("floor"), Board) and fixed.title == "Three"
    assert registry.names() == ["floor"]
    assert registry.get("missing") is None
    assert registry.get("../etc/passwd") is None


def test_a_board_with_an_alias_bomb_is_refused_with_its_line() -> None:
    found = problems(BOMB)
    assert len(found) == 1
    assert re.match(r"layouts/test\.yaml:\d+: aliases .* expand to more than", found[0])
