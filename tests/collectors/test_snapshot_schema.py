"""The snapshot's contract: what the aggregator writes is what the types say, and a reader
refuses a document of another schema version."""

from __future__ import annotations

import json
from typing import Any, get_type_hints

import pytest

from collectors.aggregator.counters import Mirror
from collectors.aggregator.engine import AggregatorConfig, Engine
from collectors.aggregator.snapshot import _chart_point, build_snapshot
from collectors.aggregator.snapshot_schema import (
    SCHEMA_VERSION,
    AgentRow,
    ChartPoint,
    NowFigures,
    QueueBlock,
    Snapshot,
    SnapshotError,
    SnapshotVersionError,
    parse_snapshot,
)
from collectors.events import Event, Kind
from collectors.keys import Keys

NOW = 1_767_225_600.0 + 9 * 3600


def _written() -> dict[str, Any]:
    """The JSON an aggregator writes after a login, a call answered and one waiting."""
    engine, mirror = Engine(AggregatorConfig()), Mirror(Keys(prefix="t"))
    t = NOW - 120
    for event in (
        Event(Kind.LOGIN, t, "t", "l1", agent="Alice", queue="sales"),
        Event(Kind.ENQUEUE, t + 1, "t", "e1", call_id="c1", queue="sales"),
        Event(Kind.ANSWER, t + 5, "t", "a1", call_id="c1", queue="sales", agent="Alice", wait=4),
        Event(Kind.ENQUEUE, t + 10, "t", "e2", call_id="c2", queue="sales"),
    ):
        engine.apply(event)
    changes = engine.take_changes()
    mirror.apply(changes.qdelta, changes.adelta, changes.mdelta)
    doc = build_snapshot(engine=engine, mirror=mirror, now=NOW, stats={"applied": "4"}, center="c")
    return dict(json.loads(json.dumps(doc)))


def _keys(kind: type) -> tuple[set[str], set[str]]:
    names = set(get_type_hints(kind))
    return names, set(kind.__required_keys__)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("kind", "pick"),
    [
        (Snapshot, lambda d: d),
        (QueueBlock, lambda d: d["queues"]["sales"]),
        (NowFigures, lambda d: d["queues"]["*"]["now"]),
        (AgentRow, lambda d: d["agents"][0]),
        # (a past day's intervals are not held in memory: the chart point straight from its writer)
        (ChartPoint, lambda d: _chart_point({"offered": 1})),
    ],
)
def test_the_written_document_has_the_keys_its_type_names(kind: type, pick: Any) -> None:
    written = set(pick(_written()))
    names, required = _keys(kind)
    assert required <= written, f"{kind.__name__} lacks {sorted(required - written)}"
    assert written <= names, f"{kind.__name__} does not declare {sorted(written - names)}"


def test_what_the_aggregator_writes_reads_back() -> None:
    raw = json.dumps(_written())
    doc = parse_snapshot(raw)
    assert doc["version"] == SCHEMA_VERSION
    assert doc["queues"]["sales"]["now"]["calls_waiting"] == 1
    assert parse_snapshot(raw.encode()) == doc


@pytest.mark.parametrize("version", [SCHEMA_VERSION + 1, 0, None, "1", True])
def test_a_snapshot_of_another_version_is_refused_and_named(version: Any) -> None:
    doc = _written()
    if version is None:
        del doc["version"]
    else:
        doc["version"] = version
    with pytest.raises(SnapshotVersionError, match=f"snapshot version {version!r}") as caught:
        parse_snapshot(json.dumps(doc))
    assert caught.value.found == version


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        (json.dumps({"version": SCHEMA_VERSION}), "generated_at"),
        (json.dumps({"version": SCHEMA_VERSION, "generated_at": "soon"}), "generated_at"),
    ],
)
def test_a_damaged_snapshot_is_an_error_saying_what(raw: str, why: str) -> None:
    with pytest.raises(SnapshotError, match=why):
        parse_snapshot(raw)
