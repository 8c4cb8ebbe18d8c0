"""Board layouts: ``layouts/<name>.yaml`` parsed and validated into a :class:`Board`.

Every problem is reported with the file and the line it is on (from YAML node marks), all of
them at once, and an unknown metric lists the valid ones. See ``layouts/README.md`` for the
format.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from core import safe_yaml
from dashboard.boards import tiles_schema as schema
from dashboard.boards.metrics import FORMATS
from dashboard.boards.tiles_schema import Ctx, Problem
from dashboard.i18n import LOCALES

BOARD_KEYS = (
    "title",
    "locale",
    "columns",
    "rows",
    "refresh_s",
    "queues",
    "sound",
    "rotate_s",
    "tiles",
)


class LayoutError(ValueError):
    """A layout file is invalid; ``problems`` holds each one with its line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Board:
    """A validated board.

    Args:
        name: file name without ``.yaml``; the URL is ``/board/<name>``.
        path: the file.
        version: changes whenever the file changes (open boards reload on it).
        title: shown in the header.
        locale: ``en`` or ``zh``.
        columns: grid columns.
        rows: grid rows (the board always fills the screen).
        refresh_s: refresh period of the browser.
        queues: default queues of the tiles (``None`` = whole center).
        sound: beep when a tile enters the alert level (kiosk mode).
        rotate_s: default rotation period between boards in kiosk mode.
        tiles: the tiles, in order.
    """

    name: str
    path: Path
    version: str
    title: str
    locale: str = "en"
    columns: int = 12
    rows: int = 8
    refresh_s: float = 1.0
    queues: tuple[str, ...] | None = None
    sound: bool = False
    rotate_s: int | None = None
    tiles: tuple[schema.Tile, ...] = field(default_factory=tuple)


def _check_top(ctx: Ctx, root: Node) -> dict[str, Node] | None:
    if not isinstance(root, MappingNode):
        ctx.err(root, "a board file must be a mapping with 'title' and 'tiles'")
        return None
    top = ctx.mapping(root, BOARD_KEYS, what="board")
    for required in ("title", "tiles"):
        if required not in top:
            ctx.err(root, f"missing '{required}'")
    return top


def _opt(
    ctx: Ctx, top: dict[str, Node], key: str, check: Callable[[Node], Any], default: Any
) -> Any:
    return check(top[key]) if key in top else default


def _board(ctx: Ctx, name: str, path: Path, version: str, root: Node) -> Board | None:
    top = _check_top(ctx, root)
    if top is None:
        return None
    title = ctx.text(top["title"]) if "title" in top else name
    locale = _opt(ctx, top, "locale", lambda n: ctx.choice(n, LOCALES, "locale"), "en")
    columns = _opt(ctx, top, "columns", lambda n: ctx.integer(n, 1, 48), 12)
    rows = _opt(ctx, top, "rows", lambda n: ctx.integer(n, 1, 48), 8)
    refresh = _opt(ctx, top, "refresh_s", lambda n: ctx.number(n, 0.5, 60), 1.0)
    queues = _opt(ctx, top, "queues", ctx.queues, None)
    sound = _opt(ctx, top, "sound", ctx.boolean, False)
    rotate = _opt(ctx, top, "rotate_s", lambda n: ctx.integer(n, 5, 3600), None)
    tiles: list[schema.Tile] = []
    node = top.get("tiles")
    if isinstance(node, SequenceNode):
        if not node.value:
            ctx.err(node, "'tiles' is empty: a board needs at least one tile")
        for i, tile_node in enumerate(node.value):
            tile = schema.tile(ctx, tile_node, i, board_queues=queues, columns=columns)
            if tile is not None:
                tiles.append(tile)
    elif node is not None:
        ctx.err(node, "'tiles' must be a list of tiles")
    return Board(
        name=name,
        path=path,
        version=version,
        title=title,
        locale=locale,
        columns=columns,
        rows=rows,
        refresh_s=refresh,
        queues=queues,
        sound=sound,
        rotate_s=rotate,
        tiles=tuple(tiles),
    )


def _syntax_problem(path: Path, text: str, exc: yaml.MarkedYAMLError) -> Problem:
    """Where the YAML broke: the problem's line (at most the last line), and where the
    construct it was parsing started (an unclosed bracket is reported at its end)."""
    last = max(1, len(text.splitlines()))
    mark = exc.problem_mark or exc.context_mark
    line = min(mark.line + 1, last) if mark else 1
    message = f"invalid YAML: {exc.problem or exc}"
    if exc.context and exc.context_mark is not None:
        message += f" ({exc.context} started on line {exc.context_mark.line + 1})"
    return Problem(path, line, message)


def parse_board(text: str, *, name: str, path: Path, version: str = "") -> Board:
    """Parse and validate one board.

    Args:
        text: the YAML text.
        name: the board's name (its file name without ``.yaml``).
        path: the file, for messages.
        version: a token that changes when the file changes.

    Raises:
        LayoutError: every problem found, each with file and line.
    """
    ctx = Ctx(path=path, loader=None)
    try:
        root = safe_yaml.compose(text, origin=str(path))
    except safe_yaml.UserYamlError as exc:
        raise LayoutError([Problem(path, exc.line or 1, exc.problem)]) from exc
    except yaml.MarkedYAMLError as exc:
        raise LayoutError([_syntax_problem(path, text, exc)]) from exc
    except yaml.YAMLError as exc:
        raise LayoutError([Problem(path, 1, f"invalid YAML: {exc}")]) from exc
    if root is None:
        raise LayoutError([Problem(path, 1, "the file is empty")])
    ctx.loader = safe_yaml.node_values()
    board = _board(ctx, name, path, version, root)
    if ctx.problems or board is None:
        raise LayoutError(ctx.problems)
    return board


def load_board(path: Path) -> Board:
    """Read and validate ``path`` (see :func:`parse_board`)."""
    try:
        stat = path.stat()
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LayoutError([Problem(path, 1, f"cannot read: {exc.strerror}")]) from exc
    except UnicodeDecodeError as exc:
        raise LayoutError([Problem(path, 1, "not UTF-8 text")]) from exc
    return parse_board(
        text, name=path.stem, path=path, version=f"{stat.st_mtime_ns}-{stat.st_size}"
    )


__all__ = ["FORMATS", "Board", "LayoutError", "Problem", "ScalarNode", "load_board", "parse_board"]
