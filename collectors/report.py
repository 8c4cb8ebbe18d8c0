"""Offline reports: the real pipeline (collector → Redis stream → aggregator) over files.

A throw-away Redis server is started for the run, so a report exercises exactly the code that
runs live, including de-duplication: giving the same file twice counts it once.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import redis

from collectors.aggregator.consumer import Aggregator
from collectors.aggregator.engine import AggregatorConfig
from collectors.aggregator.report import interval_records, read_days
from collectors.keys import Keys
from collectors.pipeline.producer import EventProducer
from collectors.queue_log.decoder import merge_ignored
from collectors.queue_log.survey import DEFAULT_SURVEY, SurveyMapping
from collectors.redis_server import EmbeddedRedis

if TYPE_CHECKING:
    from collectors.cdr.importer import ImportSummary
    from collectors.cdr.mapping import Mapping


class ReportError(ValueError):
    """Unreadable input: the message names the file."""


@dataclass
class ReportResult:
    """The records plus what was rejected on the way."""

    records: list[dict[str, Any]]
    rejected: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    ingested: int = 0
    duplicates: int = 0
    #: The per-call export's import (``--calls``), whose rejects decide the exit status.
    calls_summary: ImportSummary | None = None
    # site-made queue_log event lines left out, by verb (not rejects: docs/queue_log.md)
    ignored: Counter[str] = field(default_factory=Counter)

    def rejects_summary(self) -> str:
        from collectors.queue_log.decoder import describe_ignored  # noqa: PLC0415

        head = (
            f"{self.ingested} events read, {self.duplicates} duplicates dropped, "
            f"{self.rejected} input lines rejected"
        )
        ignored = describe_ignored(self.ignored)
        lines = [ignored] if ignored else []
        if not self.rejected:
            return "\n".join([head, *lines])
        reasons = ", ".join(f"{reason}: {n}" for reason, n in self.reasons.most_common())
        return "\n".join(["\n  ".join([f"{head} ({reasons})", *self.examples]), *lines])


def ingest_queue_log(
    path: Path,
    producer: EventProducer,
    *,
    chunk_bytes: int = 256 << 10,
    survey: SurveyMapping = DEFAULT_SURVEY,
) -> Counter[str]:
    """Read a whole queue_log file through the collector's decoder into the stream; returns the
    site-made event lines it left out, by verb."""
    from collectors.queue_log.decoder import LineDecoder  # noqa: PLC0415
    from collectors.queue_log.parser import default_source  # noqa: PLC0415

    decoder = LineDecoder(source=default_source(path), path_label=str(path), survey=survey)
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(chunk_bytes):
                events, rejects = decoder.feed(chunk)
                producer.publish(events, rejects=rejects)
    except OSError as exc:
        raise ReportError(f"cannot read {path}: {exc.strerror or exc}") from exc
    events, rejects = decoder.finish()
    producer.publish(events, rejects=rejects)
    return decoder.take_ignored()


def calls_mapping(mapping_path: Path | None, preset: str | None, timezone: str | None) -> Mapping:
    """The mapping of a per-call export: a file or a shipped preset (exactly one)."""
    from collectors.cdr.mapping import MappingError  # noqa: PLC0415
    from collectors.cdr.preset import resolve_mapping  # noqa: PLC0415

    try:
        return resolve_mapping(mapping_path=mapping_path, preset=preset, timezone=timezone)
    except MappingError as exc:
        raise ReportError(str(exc)) from exc


def ingest_calls(path: Path, mapping: Mapping, producer: EventProducer) -> ImportSummary:
    """Read a per-call export through its mapping into the stream."""
    from collectors.cdr.importer import CdrFileError, import_calls  # noqa: PLC0415

    try:
        return import_calls(path=path, mapping=mapping, producer=producer)
    except CdrFileError as exc:
        raise ReportError(str(exc)) from exc


def build_report(
    *,
    queue_logs: list[Path],
    calls: Path | None = None,
    mapping: Path | None = None,
    preset: str | None = None,
    calls_timezone: str | None = None,
    config: AggregatorConfig,
    interval: str = "15m",
    queue: str | None = None,
    max_examples: int = 10,
    survey: SurveyMapping = DEFAULT_SURVEY,
) -> ReportResult:
    """Run the pipeline over the inputs and return interval records.

    Args:
        queue_logs: Asterisk queue_log files, read in order.
        calls: a per-call export (needs ``mapping`` or ``preset``).
        mapping: the export's mapping file.
        preset: a shipped mapping instead (``collectors/cdr/presets``).
        calls_timezone: zone of the export's local times (replaces the mapping's).
        config: counting rules (time zone, T, short-abandon threshold...).
        interval: reporting interval (``15m``, ``30m``, ``1h``, ``day``).
        queue: only this queue.
        max_examples: how many rejected lines to quote.
        survey: which site-made queue_log verbs are survey answers.
    """
    for path in [*queue_logs, *([calls] if calls else [])]:
        if not path.is_file():
            raise ReportError(f"cannot read {path}: no such file")
    call_mapping = calls_mapping(mapping, preset, calls_timezone) if calls else None
    with (
        tempfile.TemporaryDirectory(prefix="floorboard-report-") as tmp,
        EmbeddedRedis(Path(tmp), appendonly=False) as server,
    ):
        client = server.client()
        keys = Keys(prefix="report", center="report")
        producer = EventProducer(client, keys=keys, frame_size=1000)
        ignored: Counter[str] = Counter()
        for path in queue_logs:
            merge_ignored(ignored, ingest_queue_log(path, producer, survey=survey))
        summary = None
        if calls is not None and call_mapping is not None:
            summary = ingest_calls(calls, call_mapping, producer)
        aggregator = Aggregator(client, keys=keys, config=config, clock=lambda: 0.0)
        aggregator.drain()
        records = interval_records(
            read_days(client, keys),
            clock=aggregator.engine.clock,
            interval=interval,
            queue=queue,
        )
        result = _with_rejects(client, keys, records, max_examples)
        result.calls_summary = summary
        result.ignored = ignored
        return result


def _with_rejects(
    client: redis.Redis, keys: Keys, records: list[dict[str, Any]], max_examples: int
) -> ReportResult:
    stats = {str(k): str(v) for k, v in client.hgetall(keys.stats).items()}
    result = ReportResult(
        records=records,
        rejected=int(stats.get("rejected", 0)),
        ingested=int(stats.get("ingested", 0)),
        duplicates=int(stats.get("duplicates", 0)),
    )
    entries: Any = client.xrange(keys.dead_letter)
    for _id, fields in entries or []:
        reason = str(fields.get("reason", ""))
        result.reasons[reason.split(":", 1)[0]] += 1
        if len(result.examples) < max_examples:
            result.examples.append(f"{fields.get('location', '?')!s}: {reason}")
    return result
