"""The navigation chrome of the desktop pages (boards have none) and the "not allowed" page."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboard.auth.roles import ADMINS, ANNOUNCERS, FLOOR_LEADS, Principal, Role, allowed
from dashboard.i18n import t

# (path, label key, roles): the links a principal sees are the pages it may open.
NAV = (
    ("/", "nav.home", frozenset(Role) - {Role.DISPLAY}),
    ("/live", "nav.live", FLOOR_LEADS),
    ("/announcements", "nav.announcements", ANNOUNCERS),
    ("/admin/displays", "nav.displays", ADMINS),
)


def chrome(principal: Principal, title: str, children: Any) -> html.Div:
    """A desktop page: top bar with the links this principal may open, then the content."""
    loc = principal.locale
    links = [
        dcc.Link(t(key, loc), href=path, className="nav-link")
        for path, key, roles in NAV
        if allowed(principal, roles)
    ]
    user = html.Span(
        [
            html.Span(principal.display_name or principal.name, className="nav-user"),
            html.A(t("nav.logout", loc), href="/logout", className="nav-link"),
        ],
        className="nav-right",
    )
    bar = html.Nav(
        [html.Span(t("app.name", loc), className="brand"), *links, user], className="nav"
    )
    return html.Div(
        [bar, html.Main([html.H1(title), children], className="page")],
        className=f"desk lang-{loc}",
    )


def denied(principal: Principal) -> html.Div:
    """What a guarded layout shows to someone who may not see it."""
    loc = principal.locale
    body = [html.H1(t("denied.title", loc)), html.P(t("denied.text", loc))]
    if not principal.authenticated:
        body.append(html.A(t("denied.login", loc), href="/login", className="button"))
    return html.Div(html.Main(body, className="page"), className="desk denied")
