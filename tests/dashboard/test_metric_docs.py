"""docs/METRICS.md is where the figures are defined (issue 13.9): every metric a tile may show
has a section there, every anchor the code and the docs cite exists, no comment cites the old
"SPEC §" any more, and every tile's tooltip names the section of its figure, in both languages.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.render import rendered_texts

from dashboard.boards.frame import Frame
from dashboard.boards.layout import parse_board
from dashboard.boards.metrics import ANCHORS, CATALOGUE, METRICS_DOC, help_text
from dashboard.boards.render import render_body
from dashboard.boards.source import Reading
from dashboard.i18n import EN, ZH, t
from dashboard.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
CITED = re.compile(r"METRICS\.md#([A-Za-z0-9_-]+)")
CODE = ("core", "collectors", "qa", "dashboard", "bench")


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces → ``-``."""
    text = re.sub(r"[^\w\- ]", "", heading.lstrip("#").strip().lower())
    return text.replace(" ", "-")


def anchors() -> set[str]:
    text = (ROOT / METRICS_DOC).read_text(encoding="utf-8")
    return {slug(line) for line in text.splitlines() if line.startswith("#")}


def test_the_slug_is_githubs() -> None:
    assert slug("### Max wait (answered)") == "max-wait-answered"
    assert slug("## `floorboard report`") == "floorboard-report"


def test_every_metric_of_the_catalogue_has_a_section() -> None:
    assert set(ANCHORS) == set(CATALOGUE)
    missing = {m: a for m, a in ANCHORS.items() if a not in anchors()}
    assert not missing, f"no such section in {METRICS_DOC}: {missing}"


def _cited() -> dict[str, set[str]]:
    """Anchor → files citing it, over the code and the docs."""
    files = [p for top in CODE for p in (ROOT / top).rglob("*") if p.suffix in (".py", ".yaml")]
    files += [*(ROOT / "docs").glob("*.md"), *ROOT.glob("*.md"), *ROOT.glob("*/README.md")]
    found: dict[str, set[str]] = {}
    for path in files:
        for anchor in CITED.findall(path.read_text(encoding="utf-8")):
            found.setdefault(anchor, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_cited_anchor_exists() -> None:
    cited = _cited()
    assert len(cited) > 10  # the code and the docs do cite it
    wrong = {a: sorted(where) for a, where in cited.items() if a not in anchors()}
    assert not wrong, f"anchors missing from {METRICS_DOC}: {wrong}"


def test_no_comment_cites_the_spec() -> None:
    pattern = re.compile(r"SPEC( §|\))")
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for top in CODE
        for path in (ROOT / top).rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not found, found


@pytest.mark.parametrize("locale", ["en", "zh"])
@pytest.mark.parametrize("metric", sorted(CATALOGUE))
def test_each_metric_tooltip_defines_it_and_names_its_section(locale: str, metric: str) -> None:
    assert f"def.{metric}" in EN and f"def.{metric}" in ZH
    definition, see = help_text(metric, locale).split("\n")
    assert definition == t(f"def.{metric}", locale)
    assert see == t("def.see", locale, ref=f"docs/METRICS.md#{ANCHORS[metric]}")


def test_an_unknown_name_has_no_tooltip() -> None:
    assert help_text("no_such_metric", "en") == ""


BOARD = """
title: Tooltips
columns: 12
rows: 6
tiles:
  - {kind: number, metric: service_level, window: today}
  - {kind: queues, columns: [{metric: asa, window: today}, {metric: calls_waiting}]}
  - {kind: staffing}
  - {kind: chart}
  - {kind: agents}
"""


@pytest.mark.parametrize("locale", ["en", "zh"])
def test_every_tile_names_its_section_in_its_tooltip(locale: str) -> None:
    board = parse_board(BOARD, name="tips", path=Path("tips.yaml"))
    frame = Frame(
        reading=Reading(status="ok", snapshot={"queues": {}, "config": {}}, age=1.0, read_at=0),
        locale=locale,
        now=0.0,
        settings=Settings(),
    )
    texts = [rendered_texts(render_body(tile, frame)) for tile in board.tiles]
    wanted = (
        ["service-level"],
        ["asa", "calls-waiting"],
        ["staffing-tile"],
        ["intraday-chart"],
        ["agents-by-state"],
    )
    for tile, anchors_of_tile in zip(texts, wanted, strict=True):
        for anchor in anchors_of_tile:
            see = t("def.see", locale, ref=f"docs/METRICS.md#{anchor}")
            assert any(text.endswith(see) for text in tile), (anchor, tile)
