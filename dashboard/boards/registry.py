"""The boards of a layouts folder, reloaded when a file changes (checked by mtime and size).

A broken file never takes the app down: :meth:`BoardRegistry.get` returns the
:class:`~dashboard.boards.layout.LayoutError` and the board page shows it.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

from dashboard.boards.layout import Board, LayoutError, load_board

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


class BoardRegistry:
    """Loads ``<directory>/<name>.yaml`` on demand and keeps it until the file changes.

    Args:
        directory: the layouts folder.
        check_every_s: how often a file's mtime is looked at again (a stat, no read).
        clock: monotonic clock.
    """

    def __init__(
        self,
        directory: Path,
        *,
        check_every_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.directory = Path(directory)
        self.check_every_s = check_every_s
        self.clock = clock
        self._cache: dict[str, tuple[float, str, Board | LayoutError]] = {}
        self._lock = threading.Lock()

    def path(self, name: str) -> Path | None:
        """The file of board ``name`` (``None`` for a name that cannot be a board)."""
        if not NAME.match(name or ""):
            return None
        return self.directory / f"{name}.yaml"

    def names(self) -> list[str]:
        """Every board in the folder, sorted."""
        return sorted(p.stem for p in self.directory.glob("*.yaml") if NAME.match(p.stem))

    def get(self, name: str) -> Board | LayoutError | None:
        """The board, its errors, or ``None`` when there is no such file."""
        path = self.path(name)
        if path is None:
            return None
        now = self.clock()
        with self._lock:
            hit = self._cache.get(name)
        if hit is not None and now - hit[0] < self.check_every_s:
            return hit[2]
        try:
            stat = path.stat()
        except FileNotFoundError:
            with self._lock:
                self._cache.pop(name, None)
            return None
        version = f"{stat.st_mtime_ns}-{stat.st_size}"
        if hit is not None and hit[1] == version:
            result = hit[2]
        else:
            try:
                result = load_board(path)
            except LayoutError as exc:
                result = exc
        with self._lock:
            self._cache[name] = (now, version, result)
        return result

    def version(self, name: str) -> str:
        """A token that changes when the board's file changes (``""`` when missing)."""
        self.get(name)
        with self._lock:
            hit = self._cache.get(name)
        return hit[1] if hit else ""
