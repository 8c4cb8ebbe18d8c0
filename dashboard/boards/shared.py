"""Board refreshes shared by every screen of a process.

Every screen of a process reads the same snapshot (:class:`~dashboard.boards.source.SnapshotSource`
shares one ``GET`` for ``share_ms``), so every TV showing the same board gets the same tiles until
the next read. :class:`SharedRenders` renders a board once per reading and hands the result to
every screen that asks, already in plain JSON form (building Dash components and encoding them
costs far more than the read itself: a 300-agent grid is about 20 ms, a cached answer well
under one).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any

from dash.development.base_component import Component


def plain(value: Any) -> Any:
    """Dash components as the plain lists and dicts the browser receives, so that answering
    a screen from the cache costs no component encoding.

    Dicts are taken as plain already (the agent grid builds its cells that way).
    """
    if isinstance(value, Component):
        doc: dict[str, Any] = value.to_plotly_json()  # type: ignore[no-untyped-call]
        doc["props"] = {k: plain(v) for k, v in doc["props"].items()}
        return doc
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


class SharedRenders:
    """Results of one snapshot reading, by key (board, its version, the screen's state).

    Args:
        max_entries: entries kept for one reading (a bound against unusual keys).
    """

    def __init__(self, *, max_entries: int = 256) -> None:
        self.max_entries = max_entries
        self._stamp: float | None = None
        self._entries: dict[Hashable, Any] = {}
        self._lock = threading.Lock()
        # One render at a time: screens asking for the same board at once wait for the one
        # render instead of doing it again each (the GIL would serialise them anyway).
        self._render_lock = threading.Lock()

    def get(self, stamp: float, key: Hashable, render: Callable[[], Any]) -> Any:
        """The value for ``key`` in the reading ``stamp``, rendered on the first request.

        Args:
            stamp: identifies the reading (its ``read_at``); a newer one drops older entries.
            key: what else the result depends on.
            render: builds the value.
        """
        hit = self.peek(stamp, key)
        if hit is not None:
            return hit
        with self._render_lock:
            hit = self.peek(stamp, key)
            if hit is not None:
                return hit
            value = render()
        self.put(stamp, key, value)
        return value

    def peek(self, stamp: float, key: Hashable) -> Any:
        """The value for ``key`` in the reading ``stamp`` if there is one, else ``None``."""
        with self._lock:
            return self._entries.get(key) if stamp == self._stamp else None

    def put(self, stamp: float, key: Hashable, value: Any) -> None:
        """Keep ``value`` for ``key`` in the reading ``stamp`` (ignored for an older one)."""
        with self._lock:
            if self._stamp is None or stamp > self._stamp:
                self._stamp, self._entries = stamp, {}
            if stamp == self._stamp and len(self._entries) < self.max_entries:
                self._entries[key] = value
