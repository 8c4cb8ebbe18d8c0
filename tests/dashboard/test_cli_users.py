"""``floorboard users`` and ``floorboard displays`` against a real SQLite file."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner

from dashboard.cli import main


def run(runner: CliRunner, env: dict[str, str], *args: str, stdin: str = "") -> Any:
    return runner.invoke(main, list(args), env=env, input=stdin)


def test_users_add_list_disable(runner: CliRunner, cli_env: dict[str, str]) -> None:
    out = run(
        runner,
        cli_env,
        "users",
        "add",
        "wang",
        "--role",
        "supervisor",
        "--name",
        "Wang Fang",
        "--password-stdin",
        stdin="amber-harbour-lantern-7\n",
    )
    assert out.exit_code == 0, out.output
    assert "created wang (supervisor)" in out.output
    prompted = run(
        runner,
        cli_env,
        "users",
        "add",
        "li",
        "--role",
        "agent",
        "--agent-id",
        "Li Wei",
        "--locale",
        "zh",
        stdin="green-tea-route-9\ngreen-tea-route-9\n",
    )
    assert prompted.exit_code == 0, prompted.output
    listed = json.loads(run(runner, cli_env, "users", "list", "--json").output)
    assert [(u["username"], u["role"], u["active"]) for u in listed] == [
        ("li", "agent", True),
        ("wang", "supervisor", True),
    ]
    assert listed[0]["agent_id"] == "Li Wei" and listed[0]["locale"] == "zh"
    assert run(runner, cli_env, "users", "disable", "wang").exit_code == 0
    text = run(runner, cli_env, "users", "list").output
    assert "wang" in text and "disabled" in text


def test_users_bad_input_exits_non_zero_with_a_message(
    runner: CliRunner, cli_env: dict[str, str]
) -> None:
    short = run(
        runner, cli_env, "users", "add", "zhao", "--role", "qa", "--password-stdin", stdin="short\n"
    )
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    role = run(
        runner,
        cli_env,
        "users",
        "add",
        "zhao",
        "--role",
        "boss",
        "--password-stdin",
        stdin="amber-harbour-lantern-7\n",
    )
    assert role.exit_code == 2 and "boss" in role.output
    missing = run(runner, cli_env, "users", "disable", "nobody")
    assert missing.exit_code == 1 and "no user named 'nobody'" in missing.output


def test_displays_add_list_revoke(runner: CliRunner, cli_env: dict[str, str]) -> None:
    added = run(
        runner,
        cli_env,
        "displays",
        "add",
        "floor-tv",
        "--board",
        "center",
        "--board",
        "agents",
        "--base-url",
        "http://wall:8050",
    )
    assert added.exit_code == 0, added.output
    assert "http://wall:8050/board/agents?token=" in added.output
    assert "http://wall:8050/board/center?token=" in added.output
    listed = run(runner, cli_env, "displays", "list").output
    assert "floor-tv" in listed and "agents,center" in listed and "active" in listed
    assert run(runner, cli_env, "displays", "revoke", "floor-tv").exit_code == 0
    assert "revoked" in run(runner, cli_env, "displays", "list").output
    bad = run(runner, cli_env, "displays", "add", "tv2", "--board", "nope")
    assert bad.exit_code == 2 and "unknown board(s) nope" in bad.output and "center" in bad.output
    again = run(runner, cli_env, "displays", "revoke", "ghost")
    assert again.exit_code == 1 and "no display named 'ghost'" in again.output
