"""Any path no page claims."""

from __future__ import annotations

from typing import Any

import dash
from dash import html

from core.roles import USER_ROLES
from dashboard.auth import guard
from dashboard.i18n import t
from dashboard.shell import chrome

dash.register_page(__name__, path="/404", title="Not found", name="Not found")  # type: ignore[no-untyped-call]


@guard.page(*USER_ROLES)
def layout(**_query: Any) -> Any:
    principal = guard.current_principal()
    return chrome(principal, t("notfound.title", principal.locale), html.Div())
