"""What a route, page or callback declared, and the rule a link follows.

The guard (:mod:`dashboard.auth.guard`) enforces these declarations on every request; the
shell's navigation asks :func:`may_open` before it renders a link, so that it shows no link
the guard would refuse. Kept apart from the guard, which renders the shell's "denied" page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import flask
from dash._pages import _path_to_page
from werkzeug.exceptions import HTTPException

from core.roles import Principal, Role, allowed

ACCESS_ATTR = "__floorboard_access__"
# Dash's own endpoints that carry no data (the shell, scripts, assets).
PUBLIC_ENDPOINTS = frozenset(
    {
        "_dash_assets.static",
        "/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>",
        "/_dash-layout",
        "/_dash-dependencies",
        "/_reload-hash",
        "/_favicon.ico",
        "/healthz",
    }
)
PAGE_ENDPOINTS = frozenset({"/", "/<path:path>"})


@dataclass(frozen=True)
class Access:
    """What a route, page or callback declared.

    Args:
        roles: roles that may reach it; empty = public.
        board_param: pages: the layout keyword that names the board.
        board_state: callbacks: the component id whose ``data`` names the board.
        client: a client-side callback (never runs on the server).
    """

    roles: frozenset[Role]
    board_param: str | None = None
    board_state: str | None = None
    client: bool = False


def page_access(path: str) -> tuple[Access | None, dict[str, Any]]:
    """The access a page declared (``None``: none) and the variables of its path."""
    page_info, variables = _path_to_page(path.strip("/"))  # type: ignore[no-untyped-call]
    layout = page_info.get("layout") if page_info else None
    return getattr(layout, ACCESS_ATTR, None), dict(variables or {})


def may_open(principal: Principal, href: str) -> bool:
    """Whether ``principal`` may follow a link to ``href`` (a page, a route or another site):
    the same rule the guard applies when the link is followed. Render no link it refuses."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return True  # not one of ours
    try:
        endpoint, _ = flask.current_app.url_map.bind("").match(parts.path, method="GET")
    except HTTPException:
        return False  # nothing there to open
    if endpoint in PUBLIC_ENDPOINTS:
        return True
    if endpoint in PAGE_ENDPOINTS:
        access, variables = page_access(parts.path)
        roles = access.roles if access else frozenset(Role)
        board = variables.get(access.board_param) if access and access.board_param else None
        return allowed(principal, roles, board=board)
    access = getattr(flask.current_app.view_functions.get(endpoint), ACCESS_ATTR, None)
    return access is not None and allowed(principal, access.roles)
