"""``/qa/scorecards``: every scorecard and version (how many evaluations use each), YAML/JSON
download and upload, archive/restore, and the way into the builder. Saving a scorecard that
has evaluations makes a new version; old evaluations keep theirs."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import dash
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from core.roles import QA_STAFF
from dashboard import inputs
from dashboard.auth import guard
from dashboard.i18n import t
from dashboard.pages.qa import ids
from dashboard.pages.qa.common import (
    badge,
    change_text,
    clicked,
    db,
    local,
    message,
    qa_page,
    table,
)
from qa.limits import MAX_SCORECARD_BYTES
from qa.scorecards.files import loads_spec
from qa.scorecards.schemas import ScorecardError, ScorecardStatus
from qa.scorecards.service import (
    get_latest,
    install_default,
    list_scorecards,
    save_scorecard,
    scorecard_out,
    set_archived,
)

dash.register_page(
    __name__, path="/qa/scorecards", title="Scorecards · Floorboard", name="Scorecards"
)  # type: ignore[no-untyped-call]

MAX_UPLOAD = MAX_SCORECARD_BYTES


def _actions(key: str, version: int, latest: bool, status: str, loc: str) -> html.Span:
    links: list[Any] = [
        html.A(
            "YAML", href=f"/qa/export/scorecard/{key}.yaml?version={version}", className="qa-link"
        ),
        html.A(
            "JSON", href=f"/qa/export/scorecard/{key}.json?version={version}", className="qa-link"
        ),
    ]
    if latest:
        links.insert(
            0,
            dcc.Link(
                t("qa.sc.edit", loc),
                href=f"/qa/scorecards/edit?key={key}",
                className="qa-btn qa-small",
            ),
        )
        archive = "qa.sc.restore" if status == ScorecardStatus.ARCHIVED else "qa.sc.archive"
        links.append(
            html.Button(
                t(archive, loc),
                id={"type": ids.QA_SC_ARCHIVE, "index": key},
                className="qa-btn-quiet qa-small",
            )
        )
    return html.Span(links, className="qa-row")


def _row(session: Any, card: Any, latest: bool, loc: str) -> html.Tr:
    out = scorecard_out(db_session=session, scorecard=card)
    kind = {
        ScorecardStatus.CURRENT: "ok",
        ScorecardStatus.SUPERSEDED: "neutral",
        ScorecardStatus.ARCHIVED: "warn",
    }[out.status]
    name = out.name_zh or out.name if loc == "zh" else out.name or out.name_zh
    return html.Tr([
        html.Td(html.Strong(out.key)), html.Td(f"v{out.version}", className="num"),
        html.Td(name), html.Td(badge(t(f"qa.sc.status.{out.status}", loc), kind)),
        html.Td(str(out.items), className="num"), html.Td(str(out.evaluations), className="num"),
        html.Td(f"{local(card.created_at)} · {out.created_by}", className="qa-muted"),
        html.Td(_actions(out.key, out.version, latest, out.status, loc)),
    ])  # fmt: skip


def listing(loc: str) -> Any:
    """Every version, newest first within each scorecard."""
    with db() as session:
        rows, seen = [], set()
        for card in list_scorecards(db_session=session, all_versions=True):
            rows.append(_row(session, card, card.key not in seen, loc))
            seen.add(card.key)
    if not rows:
        return html.P(t("qa.sc.none", loc), className="qa-empty")
    keys = ("qa.sc.key", "qa.sc.version", "qa.sc.name", "qa.state", "qa.sc.items",
            "qa.sc.evaluations", "qa.sc.created")  # fmt: skip
    return table([*(t(k, loc) for k in keys), ""], rows, numeric=(1, 4, 5))


def _upload(loc: str) -> Any:
    hint = [html.Strong(t("qa.sc.upload", loc)), html.Br(),
            html.Span(t("qa.sc.upload_hint", loc), className="qa-muted")]  # fmt: skip
    return dcc.Upload(
        id=ids.QA_SC_UPLOAD,
        multiple=False,
        max_size=MAX_UPLOAD,
        accept=".yaml,.yml,.json",
        children=html.Div(hint),
        className="qa-upload",
    )


@guard.page(*QA_STAFF)
def layout(**_query: Any) -> Any:
    principal = guard.current_principal()
    loc = principal.locale
    buttons = [
        dcc.Link(t("qa.sc.new", loc), href="/qa/scorecards/edit?key=new", className="qa-btn"),
        html.Button(t("qa.sc.default", loc), id=ids.QA_SC_DEFAULT, className="qa-btn-quiet"),
    ]
    cards = html.Div(
        [
            html.H2(t("qa.sc.list", loc)),
            html.Div(listing(loc), id=ids.QA_SC_LIST),
            html.Div(buttons, className="qa-row qa-actions-row"),
        ],
        className="qa-card",
    )
    files = html.Div([html.H2(t("qa.sc.import", loc)),
                      html.P(t("qa.sc.import_help", loc), className="qa-muted"),
                      _upload(loc), html.Div(id=ids.QA_SC_MSG)], className="qa-card")  # fmt: skip
    return qa_page(principal, t("qa.sc.title", loc), "/qa/scorecards", html.Div([cards, files]))


def _decode(contents: str, filename: str) -> str:
    """The uploaded file's text; its size is checked on the server too (``max_size`` above is
    only the browser's check, and a crafted request skips it)."""
    _kind, _, data = contents.partition(",")
    if len(data) > (MAX_UPLOAD + 2) // 3 * 4:  # base64 of MAX_UPLOAD bytes, checked undecoded
        raise ScorecardError(f"{filename} is larger than {MAX_UPLOAD // 1024} KB")
    try:
        return base64.b64decode(data, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ScorecardError(f"the file is not UTF-8 text: {exc}") from exc


def act(contents: str | None, filename: str | None) -> tuple[Any, Any]:
    """Import an uploaded file, install the default scorecard, or archive/restore one."""
    principal = guard.current_principal()
    loc = principal.locale
    trigger = ctx.triggered_id
    if trigger != ids.QA_SC_UPLOAD and not clicked(ctx):
        return "", no_update
    try:
        with db() as session:
            if trigger == ids.QA_SC_UPLOAD:
                contents = inputs.text(contents, "contents")
                name = inputs.text(filename, "filename") or "upload"
                if not contents:
                    return "", no_update
                spec = loads_spec(_decode(contents, name), origin=name)
                result = save_scorecard(db_session=session, spec=spec, actor=principal.name)
            elif trigger == ids.QA_SC_DEFAULT:
                result = install_default(db_session=session, actor=principal.name)
            else:
                key = str(trigger["index"])
                latest = get_latest(db_session=session, key=key)
                archived = latest is not None and latest.status != ScorecardStatus.ARCHIVED
                set_archived(db_session=session, key=key, archived=archived, actor=principal.name)
                return message(
                    t("qa.sc.archived" if archived else "qa.sc.restored", loc, card=key)
                ), listing(loc)
            text = change_text(result.change, result.scorecard.key, result.scorecard.version, loc)
    except ScorecardError as exc:
        return html.Div(
            [
                message(t("qa.sc.invalid", loc), error=True),
                html.Pre(str(exc), className="qa-problems"),
            ]
        ), no_update
    return message(text), listing(loc)


def register_callbacks(app: dash.Dash) -> None:
    guard.callback(
        app,
        QA_STAFF,
        Output(ids.QA_SC_MSG, "children"),
        Output(ids.QA_SC_LIST, "children"),
        Input(ids.QA_SC_UPLOAD, "contents"),
        Input(ids.QA_SC_DEFAULT, "n_clicks"),
        Input({"type": ids.QA_SC_ARCHIVE, "index": ALL}, "n_clicks"),
        State(ids.QA_SC_UPLOAD, "filename"),
        prevent_initial_call=True,
    )(lambda contents, _d, _a, filename: act(contents, filename))
