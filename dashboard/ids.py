"""Every Dash component id, in one place (pages, callbacks and tests import them from here)."""

from __future__ import annotations

# -- board page ---------------------------------------------------------------------------
BOARD_ROOT = "board-root"
BOARD_NAME = "board-name"  # Store: the board's name (the guard's board scope)
BOARD_CONFIG = "board-config"  # Store: version, stale limit, texts for the client
BOARD_STATUS = "board-status"  # Store: freshness of the last refresh
BOARD_RECEIVED = "board-received"  # Store: browser time the last refresh arrived
BOARD_SCREEN = "board-screen"  # Store: the screen's size (chart fonts)
BOARD_REFRESH = "board-refresh"  # Interval: server refresh
BOARD_TICK = "board-tick"  # Interval: client clock and watchdog
BOARD_BANNER = "board-banner"
BOARD_STAMP = "board-stamp"
BOARD_ALERT = "board-alert"  # Store: the worst level (alert sound)
BOARD_ROTATE = "board-rotate"  # Interval: kiosk rotation
BOARD_ROTATE_TARGET = "board-rotate-target"
BOARD_TICKER_REFRESH = "board-ticker-refresh"
BOARD_TICKER_SIG = "board-ticker-sig"
BOARD_CHART_SIG = "board-chart-sig"

# pattern-matching ids of tiles: {"type": TILE, "index": n}
TILE = "tile"
TILE_GRAPH = "tile-graph"
TILE_TICKER = "tile-ticker"
TILE_CLOCK = "tile-clock"

# -- supervisor live view -----------------------------------------------------------------
LIVE_REFRESH = "live-refresh"
LIVE_QUEUES = "live-queues-filter"
LIVE_QUEUE_TABLE = "live-queue-table"
LIVE_AGENT_TABLE = "live-agent-table"
LIVE_STATUS = "live-status"

# -- announcements ------------------------------------------------------------------------
ANN_TEXT = "ann-text"
ANN_BOARDS = "ann-boards"
ANN_LEVEL = "ann-level"
ANN_STARTS = "ann-starts"
ANN_ENDS = "ann-ends"
ANN_POST = "ann-post"
ANN_MESSAGE = "ann-message"
ANN_LIST = "ann-list"
ANN_CANCEL = "ann-cancel"  # pattern: {"type": ANN_CANCEL, "index": id}

# -- displays (admin) -----------------------------------------------------------------------
DISP_NAME = "disp-name"
DISP_BOARDS = "disp-boards"
DISP_CREATE = "disp-create"
DISP_MESSAGE = "disp-message"
DISP_LIST = "disp-list"
DISP_REVOKE = "disp-revoke"  # pattern: {"type": DISP_REVOKE, "index": name}
