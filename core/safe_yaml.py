"""The one door for YAML written by users: scorecards, board layouts, CDR mappings, the
settings file, the awards and sampling policies.

``yaml.safe_load`` builds no objects, but it still expands aliases: a 429-byte file with
aliases nested 8 deep names 9^8 leaves, and whatever walks the result afterwards (validation,
JSON, the database) froze the web process for 13 s. Aliases are useful, though (``<<: *tile``
to share a tile's settings), so they are not refused outright; instead each document has a
budget:

* at most :data:`MAX_ALIASES` aliases, which together may stand for at most
  :data:`MAX_ALIAS_NODES` nodes (an alias costs the size of what it points to, counted as the
  document is composed, so the budget runs out long before anything is expanded);
* no alias inside the node it names (a recursive structure, which never ends);
* at most :data:`MAX_DEPTH` levels of nesting (deeper would exhaust the parser's stack);
* at most :data:`MAX_BYTES` bytes per file, checked before the file is read.

Refusals raise :class:`UserYamlError`, whose message names the file (and the line); YAML
syntax errors are left as ``yaml.YAMLError`` for the caller, which knows how to show them.
This module sits in ``collectors`` (the bottom layer, which ``qa`` and ``dashboard`` already
import) so that every package can use it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, SequenceNode

MAX_BYTES = 1024 * 1024
MAX_ALIASES = 100
MAX_ALIAS_NODES = 10_000
MAX_DEPTH = 64


class UserYamlError(ValueError):
    """A user's YAML file was refused (too big, too many aliases, too deep, unreadable).

    ``str()`` is ``origin[:line]: problem``; the parts are kept for callers that format
    their own messages.
    """

    def __init__(self, origin: str, problem: str, line: int | None = None) -> None:
        super().__init__(f"{origin}{'' if line is None else f':{line}'}: {problem}")
        self.origin, self.problem, self.line = origin, problem, line


class _Refused(Exception):
    """Raised while composing; :func:`load` adds the file name."""

    def __init__(self, problem: str, mark: yaml.Mark | None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.mark = mark


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


class BudgetLoader(yaml.SafeLoader):
    """A ``SafeLoader`` that keeps to the alias and depth budgets while it composes.

    Subclass it (as the scorecard loader does) to add constructors; load with :func:`load`.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._sizes: dict[Node, int] = {}
        self._aliases = 0
        self._alias_nodes = 0
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            target = self.anchors.get(event.anchor)
            if target is not None:
                self._charge(target, event)
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise _Refused(f"nested more than {MAX_DEPTH} levels deep", mark)
        node = super().compose_node(parent, index)
        self._depth -= 1
        if node is not None:
            self._sizes[node] = 1 + sum(self._sizes.get(c, 1) for c in _children(node))
        return node

    def _charge(self, target: Node, event: Any) -> None:
        size = self._sizes.get(target)
        if size is None:
            problem = f"alias *{event.anchor} is inside the node it names (a loop)"
            raise _Refused(problem, event.start_mark)
        self._aliases += 1
        self._alias_nodes += size
        if self._aliases > MAX_ALIASES:
            raise _Refused(f"more than {MAX_ALIASES} aliases (*name)", event.start_mark)
        if self._alias_nodes > MAX_ALIAS_NODES:
            problem = (
                f"aliases (*name) expand to more than {MAX_ALIAS_NODES} values "
                "(an alias bomb?); write the values out or use fewer aliases"
            )
            raise _Refused(problem, event.start_mark)


def _refusal(origin: str, exc: _Refused) -> UserYamlError:
    line = exc.mark.line + 1 if exc.mark is not None else None
    return UserYamlError(origin, exc.problem, line)


def check_size(text: str, *, origin: str, max_bytes: int = MAX_BYTES) -> None:
    """Refuse text longer than ``max_bytes`` bytes (UTF-8)."""
    if len(text) > max_bytes or len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise UserYamlError(origin, f"the file is larger than {max_bytes // 1024} kB")


def read_text(
    path: Path, *, max_bytes: int = MAX_BYTES, encoding: str = "utf-8", what: str = "file"
) -> str:
    """Read a user's text file: refused beyond ``max_bytes`` (before reading it) or when it
    is not valid text in ``encoding``.

    Raises:
        UserYamlError: too big, unreadable, or not ``encoding`` (the message names the file).
    """
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise UserYamlError(str(path), f"cannot read the {what}: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        raise UserYamlError(str(path), f"the file is larger than {max_bytes // 1024} kB")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        name = "UTF-8" if encoding.startswith("utf-8") else encoding
        problem = (
            f"not {name} text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            f"save the file as {name}"
        )
        raise UserYamlError(str(path), problem, line) from None


def load(
    text: str, *, origin: str, loader: type[BudgetLoader] = BudgetLoader, max_bytes: int = MAX_BYTES
) -> Any:
    """Parse one YAML document written by a user (see the module's budgets).

    Args:
        text: the YAML text.
        origin: the file name (or what the user called it) for messages.
        loader: :class:`BudgetLoader` or a subclass with more constructors.
        max_bytes: the size limit.

    Raises:
        UserYamlError: the text is over a budget.
        yaml.YAMLError: the text is not valid YAML.
    """
    check_size(text, origin=origin, max_bytes=max_bytes)
    parser = loader(text)
    try:
        return parser.get_single_data()
    except _Refused as exc:
        raise _refusal(origin, exc) from None
    finally:
        parser.dispose()


def compose(text: str, *, origin: str, max_bytes: int = MAX_BYTES) -> Node | None:
    """The document's node tree (for callers that report problems by line); construct its
    values with :func:`node_values`. Same budgets and errors as :func:`load`."""
    check_size(text, origin=origin, max_bytes=max_bytes)
    parser = BudgetLoader(text)
    try:
        return parser.get_single_node()
    except _Refused as exc:
        raise _refusal(origin, exc) from None
    finally:
        parser.dispose()


def node_values() -> BudgetLoader:
    """A constructor for nodes that :func:`compose` returned (``.construct_object(node,
    deep=True)``): the budgets were kept while composing, so constructing is bounded."""
    return BudgetLoader("")


def load_file(path: Path, *, max_bytes: int = MAX_BYTES, what: str = "file") -> Any:
    """:func:`read_text` then :func:`load`, named after the file."""
    text = read_text(path, max_bytes=max_bytes, what=what)
    return load(text, origin=str(path), max_bytes=max_bytes)
