"""Dash component ids of the wallboards, the live view and announcements."""

from __future__ import annotations

# -- board page ---------------------------------------------------------------------------
BOARD_ROOT = "board-root"
BOARD_NAME = "board-name"  # Store: the board's name (the guard's board scope)
BOARD_CONFIG = "board-config"  # Store: version, stale limit, texts for the client
BOARD_STATUS = "board-status"  # Store: freshness of the last refresh (its board, its read)
BOARD_SCREEN = "board-screen"  # Store: the screen's size (chart fonts)
BOARD_REFRESH = "board-refresh"  # Interval: server refresh
BOARD_TICK = "board-tick"  # Interval: client clock and watchdog
BOARD_BANNER = "board-banner"
BOARD_STAMP = "board-stamp"
BOARD_ALERT = "board-alert"  # Store: the worst level (alert sound)
BOARD_ROTATE = "board-rotate"  # Interval: kiosk rotation
BOARD_GO = "board-go"  # Location: kiosk rotation swaps the board without a reload
BOARD_PRELOAD = "board-preload"  # hidden Graph: the chart library loads before a chart board
BOARD_TICKER_REFRESH = "board-ticker-refresh"
BOARD_TICKER_SIG = "board-ticker-sig"  # Store: the ticker's signature and the refresh answered
BOARD_CHART_SIG = "board-chart-sig"


# -- supervisor live view -----------------------------------------------------------------
LIVE_REFRESH = "live-refresh"
LIVE_QUEUES = "live-queues-filter"
LIVE_QUEUE_TABLE = "live-queue-table"
LIVE_AGENT_TABLE = "live-agent-table"
LIVE_STATUS = "live-status"
LIVE_TEAMS = "live-teams-filter"  # team filter of the agent table (teams from qa.people)

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
