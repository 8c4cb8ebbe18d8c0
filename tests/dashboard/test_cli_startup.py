"""Start-up cost of ``floorboard``: a command imports what it uses (issue 13.11).

Light commands must not import the web app, the database layer or the QA/HR domain; the check
is on ``sys.modules`` in a fresh interpreter, not on the clock (``make bench`` times them).
"""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest

from dashboard.cli import COMMANDS, main
from dashboard.cli.collect import collect
from dashboard.cli.lazy import LazyGroup

HEAVY = ("dash", "flask", "sqlalchemy", "alembic", "openpyxl", "reportlab", "qa")


def imported_by(*argv: str) -> set[str]:
    """The top-level packages (and ``dashboard.cli.*`` modules) loaded by ``floorboard argv``."""
    code = (
        "import json, sys\n"
        "from dashboard.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:], prog_name='floorboard')\n"
        "except SystemExit as exc:\n"
        "    if exc.code:  # the command must run, not stop at a usage error\n"
        "        raise\n"
        "names = {m.split('.')[0] for m in sys.modules}\n"
        "names |= {m for m in sys.modules if m.startswith('dashboard.cli.')}\n"
        "print(json.dumps(sorted(names)), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_help_imports_no_subcommand_and_neither_dash_nor_sqlalchemy() -> None:
    loaded = imported_by("--help")
    assert not loaded & set(HEAVY), loaded & set(HEAVY)
    assert "redis" not in loaded
    assert sorted(m for m in loaded if m.startswith("dashboard.cli.")) == ["dashboard.cli.lazy"]


@pytest.mark.parametrize(
    ("argv", "also_absent"),
    [
        (
            [
                "staffing",
                "--calls",
                "100",
                "--interval-minutes",
                "15",
                "--aht",
                "180",
                "--max-asa",
                "20",
            ],
            ("redis",),
        ),
        (["report", "--help"], ()),
        (["collect", "queue-log", "--help"], ()),
    ],
)
def test_light_commands_import_only_what_they_use(
    argv: list[str], also_absent: tuple[str, ...]
) -> None:
    loaded = imported_by(*argv)
    unwanted = set(HEAVY) | set(also_absent)
    assert not loaded & unwanted, loaded & unwanted


def test_a_subcommand_is_imported_when_it_runs() -> None:
    loaded = imported_by("users", "--help")
    assert "dashboard.cli.users" in loaded
    assert "dashboard.cli.hr" not in loaded and "dashboard.cli.demo" not in loaded


def lazy_groups() -> list[tuple[str, LazyGroup]]:
    return [("floorboard", main), ("floorboard collect", collect)]  # type: ignore[list-item]


@pytest.mark.parametrize("limit", [45, 60, 200])
def test_the_listed_help_is_each_commands_own(limit: int) -> None:
    for where, group in lazy_groups():
        for name, (_target, listed) in group.lazy.items():
            command = group.load(name)
            own = command.get_short_help_str(limit)
            shown = click.Command(name, help=listed).get_short_help_str(limit)
            if limit >= 200:  # the whole first sentence: the map may word it more briefly
                assert shown.split()[:6] == own.split()[:6], f"{where} {name}"
            else:
                assert shown == own, f"{where} {name}: the map's help differs from the command's"


def test_every_command_is_listed_and_loads() -> None:
    assert set(COMMANDS) == set(main.list_commands(click.Context(main)))
    for where, group in lazy_groups():
        for name in group.lazy:
            found = group.get_command(click.Context(group), name)
            assert isinstance(found, click.Command), f"{where} {name}"
            assert found.name == name, f"{where} {name} is registered as {found.name!r}"


def test_a_lazy_target_that_is_not_a_command_is_refused() -> None:
    group = LazyGroup(name="g", lazy={"x": ("dashboard.cli.lazy:LazyGroup", "Not a command.")})
    with pytest.raises(TypeError, match="not a click command"):
        group.get_command(click.Context(group), "x")
