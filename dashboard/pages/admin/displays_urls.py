"""The address a TV opens for a board with its display token."""

from __future__ import annotations

from urllib.parse import urlencode


def board_url(base: str, board: str, token: str) -> str:
    """``<base>/board/<board>?token=<token>``."""
    return f"{base.rstrip('/')}/board/{board}?{urlencode({'token': token})}"
