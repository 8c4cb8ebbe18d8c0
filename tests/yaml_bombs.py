"""Hostile YAML for the tests of :mod:`core.safe_yaml` and of every file it reads."""

from __future__ import annotations


def alias_bomb(levels: int = 8, width: int = 9) -> str:
    """The outside review's bomb: each level lists the one before ``width`` times, so 422 bytes
    name 9^8 (43 million) leaves once expanded."""
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    for n in range(1, levels + 1):
        lines.append(f"a{n}: &a{n} [{','.join([f'*a{n - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


BOMB = alias_bomb()
