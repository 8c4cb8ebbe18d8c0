"""The navigation chrome of the desktop pages (boards have none) and the "not allowed" page."""

from __future__ import annotations

from typing import Any

import dash
import flask
from dash import dcc, html
from dash.exceptions import MissingCallbackContextException
from markupsafe import escape

from core.roles import (
    ADMINS,
    ANNOUNCERS,
    FLOOR_LEADS,
    HR_VIEWERS,
    INCIDENT_RECORDERS,
    Principal,
    Role,
    allowed,
)
from dashboard.auth.access import may_open
from dashboard.i18n import t
from dashboard.security import csrf

# (path, label key, roles): the links a principal sees are the pages it may open.
NAV = (
    ("/", "nav.home", frozenset(Role) - {Role.DISPLAY}),
    ("/live", "nav.live", FLOOR_LEADS),
    ("/announcements", "nav.announcements", ANNOUNCERS),
    ("/admin/displays", "nav.displays", ADMINS),
    ("/hr", "nav.hr", HR_VIEWERS),
    ("/hr/incidents", "nav.hr_incidents", INCIDENT_RECORDERS),
    ("/hr/agent/me", "nav.my_awards", frozenset({Role.AGENT})),
    # QA console (issue 4): the other QA pages are tabs inside it
    ("/qa", "nav.qa", frozenset({Role.SUPERVISOR, Role.QA, Role.ADMIN})),
    ("/qa/mine", "nav.qa_mine", frozenset({Role.AGENT})),
    ("/qa/reports", "nav.qa_reports", frozenset({Role.HR})),
)


def chrome(principal: Principal, title: str, children: Any, *, variant: str = "") -> html.Div:
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
            language_form(loc),
            logout_form(loc),
        ],
        className="nav-right",
    )
    bar = html.Nav(
        [html.Span(t("app.name", loc), className="brand"), *links, user], className="nav"
    )
    return html.Div(
        [bar, html.Main([html.H1(title), children], className="page")],
        className=f"desk lang-{loc} {variant}".strip(),
    )


def followable(principal: Principal, nodes: list[Any]) -> list[Any]:
    """``nodes`` without the links ``principal`` may not follow (a page must offer no door that
    then says "not allowed")."""
    return [
        n for n in nodes if (href := getattr(n, "href", None)) is None or may_open(principal, href)
    ]


def logout_form(loc: str) -> html.Form:
    """Log out is a POST with the CSRF token (a link or an image elsewhere cannot log out)."""
    token = csrf.token() if flask.has_request_context() else ""
    return html.Form(
        [
            dcc.Input(type="hidden", name=csrf.FORM_FIELD, value=token),
            html.Button(t("nav.logout", loc), type="submit", className="nav-link nav-logout"),
        ],
        method="post",
        action="/logout",
        className="nav-logout-form",
    )


#: The languages a user may switch to, each named in itself (issue 11.19).
LANGUAGES = (("en", "English"), ("zh", "中文"))


def _current_page() -> str:
    """The page being rendered: Dash's router passes its location to the layout's callback
    (the browser sends no Referer: ``Referrer-Policy: no-referrer``)."""
    try:
        where = dash.callback_context.inputs
    except MissingCallbackContextException:
        return "/"
    path, search = where.get("_pages_location.pathname"), where.get("_pages_location.search")
    if not isinstance(path, str):
        return "/"
    return path + (search if isinstance(search, str) else "")


def language_form(loc: str) -> html.Form:
    """The language switch: a POST with the CSRF token to ``/language``, returning to this page;
    the current language is shown pressed and cannot be sent again."""
    token = csrf.token() if flask.has_request_context() else ""
    buttons = [
        html.Button(
            name, type="submit", name="locale", value=code, lang="zh-CN" if code == "zh" else code,
            disabled=code == loc, className="nav-lang is-current" if code == loc else "nav-lang",
        )
        for code, name in LANGUAGES
    ]  # fmt: skip
    return html.Form(
        [
            dcc.Input(type="hidden", name=csrf.FORM_FIELD, value=token),
            dcc.Input(type="hidden", name="next", value=_current_page()),
            *buttons,
        ],
        method="post",
        action="/language",
        className="nav-lang-form",
        title=t("nav.language", loc),
    )


def denied(principal: Principal, key: str = "denied.text") -> html.Div:
    """What a guarded layout (and every 403 a person gets) shows to someone who may not see it:
    a person logged in keeps the navigation of the pages they may open."""
    loc = principal.locale
    text = html.P(t(key, loc), id="denied-text")
    if principal.authenticated and principal.role is not Role.DISPLAY:
        return chrome(principal, t("denied.title", loc), text, variant="denied")
    body = [html.H1(t("denied.title", loc)), text]
    if not principal.authenticated:
        body.append(html.A(t("denied.login", loc), href="/login", className="button"))
    return html.Div(html.Main(body, className="page"), className="desk denied")


def denied_page(principal: Principal, key: str = "denied.text") -> str:
    """:func:`denied` as a whole HTML document, for the 403 of a Flask request."""
    lang = "zh-CN" if principal.locale == "zh" else "en"
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(t('denied.title', principal.locale))} · Floorboard</title>"
        '<link rel="stylesheet" href="/assets/floorboard.css">'
        '<link rel="stylesheet" href="/assets/security.css"></head>'
        f"<body>{to_html(denied(principal, key))}</body></html>"
    )


# Dash component → HTML element; props → attributes (what the shell's components use).
_TAGS = {"Link": "a", "Input": "input"}
_ATTRS = {"className": "class", "id": "id", "href": "href", "type": "type", "name": "name"}
_ATTRS |= {"value": "value", "method": "method", "action": "action", "target": "target"}
_VOID = frozenset({"input", "br", "hr", "img"})


def to_html(node: Any) -> str:
    """Server-side HTML of a tree of ``dash.html``/``dcc.Link``/``dcc.Input`` components, every
    text and attribute escaped (pages rendered by Flask look like the Dash ones)."""
    if node is None:
        return ""
    if isinstance(node, str | int | float):
        return str(escape(str(node)))
    if isinstance(node, list | tuple):
        return "".join(to_html(child) for child in node)
    props = node.to_plotly_json()["props"]
    tag = _TAGS.get(type(node).__name__, type(node).__name__.lower())
    attrs = "".join(
        f' {name}="{escape(str(props[prop]))}"' for prop, name in _ATTRS.items() if prop in props
    )
    if tag in _VOID:
        return f"<{tag}{attrs}>"
    return f"<{tag}{attrs}>{to_html(props.get('children'))}</{tag}>"
