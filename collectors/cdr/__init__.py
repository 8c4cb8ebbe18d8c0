"""Import per-call records (CDR / CSV exports of any ACD) as canonical events.

``load_mapping`` reads the YAML file that describes one ACD's export (``docs/cdr-mapping.md``);
``import_calls`` turns a file into events and publishes them with an ``EventProducer``.
"""

from __future__ import annotations

from collectors.cdr.importer import CdrFileError, ImportSummary, import_calls
from collectors.cdr.mapping import Mapping, MappingError, load_mapping, parse_mapping
from collectors.cdr.schemas import Outcome, parse_duration

__all__ = [
    "CdrFileError",
    "ImportSummary",
    "Mapping",
    "MappingError",
    "Outcome",
    "import_calls",
    "load_mapping",
    "parse_duration",
    "parse_mapping",
]
