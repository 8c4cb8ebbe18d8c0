"""Dash component ids of the tiles a board renders (the board page's callbacks fill them)."""

from __future__ import annotations

# pattern-matching ids of tiles: {"type": TILE, "board": name, "index": n}. The board is part of
# the id so that a refresh of the board shown before a switch, answered after it, lands nowhere.
TILE = "tile"
TILE_GRAPH = "tile-graph"
TILE_TICKER = "tile-ticker"
TILE_CLOCK = "tile-clock"
