"""A click group whose subcommands are imported when they run, not when the group is built.

Each subcommand module pulls in what it needs (SQLAlchemy and Alembic, Redis, the QA and HR
domain, Dash for the web app...): importing them all made ``floorboard --help`` take over a
second. :class:`LazyGroup` maps a name to ``"module:attribute"`` plus the one-line help that
``--help`` lists, so listing the commands imports none of them
(``tests/dashboard/test_cli_startup.py`` checks that the listed help is the command's own).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import click


class LazyGroup(click.Group):
    """A group with subcommands imported on first use.

    Args:
        lazy: subcommand name -> ("package.module:attribute", one-line help for ``--help``).
    """

    def __init__(self, *args: Any, lazy: Mapping[str, tuple[str, str]] | None = None,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.lazy: dict[str, tuple[str, str]] = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            self.commands[cmd_name] = self.load(cmd_name)
        return super().get_command(ctx, cmd_name)

    def load(self, name: str) -> click.Command:
        """Import the subcommand ``name`` (the module attaches nothing to this group)."""
        target = self.lazy[name][0]
        module, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} (subcommand {name!r}) is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands and their one-line help, as click lists them, without importing."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            if name in self.lazy and name not in self.commands:
                # A stand-in carrying the help: click shortens it as it would the command's.
                command: click.Command | None = click.Command(name, help=self.lazy[name][1])
            else:
                command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)
