"""Tiles of figures a source cannot know (issue 12.10): an Asterisk CDR import has no queue wait
and no talk time, so ASA, service level and AHT say "not available from this source" instead
of 0 (or a "—" that reads like "no calls yet"), in English and Chinese; the counts still show.

The snapshot is the real aggregator's, after importing the multi-leg Asterisk fixture.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import redis
from support.render import rendered_texts

from collectors.aggregator.consumer import Aggregator
from collectors.cdr import import_calls, load_mapping
from collectors.keys import Keys
from collectors.pipeline.producer import EventProducer
from dashboard.boards.chart import points
from dashboard.boards.frame import Frame
from dashboard.boards.layout import parse_board
from dashboard.boards.render import render_body
from dashboard.boards.source import Reading
from dashboard.settings import Settings

DAY = 1709539200.0  # the fixture's first call, 2024-03-04 08:00 UTC

BOARD = """
title: CDR history
locale: en
columns: 12
rows: 4
tiles:
  - {kind: number, metric: asa, window: today, w: 3, h: 2}
  - {kind: number, metric: service_level, window: today, w: 3, h: 2}
  - {kind: number, metric: aht, window: today, w: 3, h: 2}
  - {kind: number, metric: offered, window: today, w: 3, h: 2}
  - kind: queues
    w: 12
    h: 2
    columns:
      - {metric: offered, window: today}
      - {metric: asa, window: today}
      - {metric: abandoned, window: today}
"""


def _snapshot(client: redis.Redis, keys: Keys, data_dir: Path, mapping: str) -> dict[str, Any]:
    folder = data_dir / "cdr"
    import_calls(
        path=folder / "asterisk16_legs.csv",
        mapping=load_mapping(folder / mapping),
        producer=EventProducer(client, keys=keys),
    )
    aggregator = Aggregator(client, keys=keys, clock=lambda: DAY + 6 * 3600)
    aggregator.drain()
    return aggregator.write_snapshot()


def _render(snapshot: dict[str, Any], settings: Settings, locale: str) -> list[list[str]]:
    board = parse_board(BOARD, name="cdr", path=Path("cdr.yaml"))
    frame = Frame(
        reading=Reading(status="ok", snapshot=snapshot, age=1.0, read_at=DAY),
        locale=locale,
        now=DAY,
        settings=settings,
    )
    return [rendered_texts(render_body(tile, frame)) for tile in board.tiles]


def test_asa_sl_and_aht_tiles_say_not_available(
    redis_client: redis.Redis, keys: Keys, data_dir: Path, settings: Settings
) -> None:
    snapshot = _snapshot(redis_client, keys, data_dir, "asterisk16_legs.yaml")
    asa, sl, aht, offered, table = _render(snapshot, settings, "en")
    assert asa[-2:] == ["n/a", "ASA not available from this source"]
    assert sl[-2:] == ["n/a", "Service level not available from this source"]
    assert aht[-2:] == ["n/a", "AHT not available from this source"]
    assert "30" in offered
    # Queue table: offered and abandoned are exact, ASA is n/a with the reason as its tooltip.
    row = table[table.index("400") :][:5]
    assert row == ["400", "30", "ASA not available from this source", "n/a", "5"]
    zh = _render(snapshot, settings, "zh")
    assert zh[0][-2:] == ["不可用", "此数据源无法提供平均应答时间"]
    assert zh[2][-2:] == ["不可用", "此数据源无法提供平均处理时长"]
    assert "0:00" not in json.dumps(asa + sl + aht)


def test_without_unknown_the_same_file_shows_a_false_zero(
    redis_client: redis.Redis, keys: Keys, data_dir: Path, settings: Settings
) -> None:
    """The issue as reported: read without ``unknown:``, ASA comes out 0 s and SL 100 %."""
    snapshot = _snapshot(redis_client, keys, data_dir, "asterisk_rows_as_calls.yaml")
    asa, sl, *_ = _render(snapshot, settings, "en")
    assert "n/a" not in asa and "n/a" not in sl
    assert any(text.startswith("100") for text in sl)


@pytest.mark.parametrize("metric", ["asa", "service_level", "aht"])
def test_no_calls_is_not_unavailable(settings: Settings, metric: str) -> None:
    """Nothing happened yet: the usual "—", not "not available"."""
    empty = {"queues": {}, "config": {}}
    asa, sl, aht, *_ = _render(empty, settings, "en")
    tiles = {"asa": asa, "service_level": sl, "aht": aht}
    assert "n/a" not in tiles[metric]
    assert "—" in tiles[metric]


def test_chart_of_a_queue_group_has_no_service_level_without_waits(
    redis_client: redis.Redis, keys: Keys, data_dir: Path
) -> None:
    """The interval chart of several queues sums their counts: answered calls with unknown
    waits must not turn into a 0 % (or 100 %) service-level point."""
    snapshot = _snapshot(redis_client, keys, data_dir, "asterisk16_legs.yaml")
    merged = points(snapshot, ("400", "elsewhere"))
    answered = [p for p in merged.values() if p["answered"]]
    assert answered
    assert all(p["service_level"] is None for p in answered)
