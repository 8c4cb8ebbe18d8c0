"""A batch of stream entries as the aggregator reads, checks and applies it."""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from collectors.aggregator.seen import SeenCheck
from collectors.events import Event

Entry = tuple[str, dict[str, str]]

EVENT_ID = itemgetter(Event._fields.index("event_id"))


@dataclass
class Batch:
    """Stream entries read together and the events in them not applied before."""

    entries: list[Entry]
    fresh: list[Event]
    duplicates: int
    damaged: list[tuple[str, str]]
    fresh_ids: list[str] = field(default_factory=list)
    seen: SeenCheck | None = None  # until answered, ``fresh`` holds every decoded event


def entries_of(reply: Any) -> list[Entry]:
    """Flatten an XREADGROUP reply; entries whose payload was trimmed come back empty."""
    out: list[Entry] = []
    for _stream, items in reply or []:
        out.extend((eid, fields) for eid, fields in items if fields)
    return out
