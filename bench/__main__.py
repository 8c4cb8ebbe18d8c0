"""``make bench``: every benchmark, results into docs/PERFORMANCE.md."""

from __future__ import annotations

import sys

from bench import month, pipeline, startup, wallboard
from bench.common import write_section


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    section = pipeline.run(lines)
    write_section("Live pipeline", section, command="make bench")
    print(section)
    boards = wallboard.run()
    write_section("Wallboards", boards, command="make bench")
    print(boards)
    static = month.run()
    write_section("Month of a static-member center", static, command="make bench")
    print(static)
    commands = startup.run()
    write_section("Start-up of commands", commands, command="make bench")
    print(commands)


if __name__ == "__main__":
    main()
