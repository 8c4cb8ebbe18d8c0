"""Where a queue_log reader stands: the file it reads (path, inode, device and a fingerprint of
its head) and the byte and line after the last complete line it published; and what it published.

The offset travels in the same MULTI/EXEC as the events it follows (see :mod:`.follower`).
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from hashlib import blake2b
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Offset:
    """Where a reader stopped in which file (stored as JSON in the center's offsets hash)."""

    path: str
    inode: int
    device: int
    position: int
    lineno: int
    fingerprint: str
    fingerprint_bytes: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any] | None) -> Offset | None:
        """The offset in ``raw``, or ``None`` when it is missing or not an offset of this kind."""
        if raw is None:
            return None
        try:
            offset = cls(
                path=str(raw["path"]),
                inode=int(raw["inode"]),
                device=int(raw["device"]),
                position=int(raw["position"]),
                lineno=int(raw["lineno"]),
                fingerprint=str(raw["fingerprint"]),
                fingerprint_bytes=int(raw["fingerprint_bytes"]),
            )
        except (KeyError, TypeError, ValueError):
            log.warning("ignoring a stored queue_log offset of the wrong shape: %.200r", raw)
            return None
        return offset if offset.position >= 0 and offset.lineno >= 0 else None


@dataclass
class ReadSummary:
    """What a reader published (only what reached Redis counts)."""

    path: str
    source: str
    lines: int = 0
    events: int = 0
    rejects: int = 0
    batches: int = 0
    rejects_by_reason: Counter[str] = field(default_factory=Counter)
    # site-made event lines (QueueLog() verbs) left out, by verb: neither events nor rejects
    ignored: Counter[str] = field(default_factory=Counter)
    rotations: int = 0
    truncations: int = 0
    resumed_at: int = 0
    position: int = 0
    pending_bytes: int = 0


def head_hash(fd: int, size: int) -> str | None:
    """Hash of the first ``size`` bytes of an open file; ``None`` when it is shorter."""
    head = os.pread(fd, size, 0)
    if len(head) < size:
        return None
    return blake2b(head, digest_size=10).hexdigest()
