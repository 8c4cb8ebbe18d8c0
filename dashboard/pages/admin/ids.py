"""Dash component ids of the admin pages (display tokens)."""

from __future__ import annotations

# -- displays (admin) -----------------------------------------------------------------------
DISP_NAME = "disp-name"
DISP_BOARDS = "disp-boards"
DISP_CREATE = "disp-create"
DISP_MESSAGE = "disp-message"
DISP_LIST = "disp-list"
DISP_REVOKE = "disp-revoke"  # pattern: {"type": DISP_REVOKE, "index": name}
