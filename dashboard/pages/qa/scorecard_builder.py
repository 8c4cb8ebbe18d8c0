"""``/qa/scorecards/edit?key=...``: the scorecard builder. Sections (title en/zh, weight) and
items (text en/zh, answer type and scale, points, N/A, critical kind, bonus, award category and
deduction, comment rule), added, removed and reordered; saved through
:func:`qa.scorecards.service.save_scorecard` (a new version when evaluations exist).

The definition being edited lives in a ``dcc.Store`` in the file layout of
``default_scorecard.yaml``; every field's id names its place (``s.0.i.2.points``), so the
form can be read back whatever was added or moved.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from core.roles import QA_STAFF
from dashboard.auth import guard
from dashboard.i18n import t
from dashboard.pages.qa import builder_form as form
from dashboard.pages.qa import ids
from dashboard.pages.qa.common import change_text, clicked, db, gone, message, qa_page
from qa.scorecards.files import parse_spec, spec_to_dict
from qa.scorecards.schemas import ScorecardError
from qa.scorecards.service import evaluation_count, get_latest, save_scorecard, spec_of

dash.register_page(
    __name__,
    path="/qa/scorecards/edit",
    title="Scorecard builder · Floorboard",
    name="Scorecard builder",
)  # type: ignore[no-untyped-call]


def _loaded(key: str | None) -> tuple[dict[str, Any] | None, str]:
    """The definition to edit and a note on versioning (None: no such scorecard)."""
    if not key or key == "new":
        return form.blank(), ""
    with db() as session:
        row = get_latest(db_session=session, key=key)
        if row is None:
            return None, ""
        used = evaluation_count(db_session=session, scorecard_id=row.id)
        return spec_to_dict(spec_of(row)), (f"{row.version}:{used}")


@guard.page(*QA_STAFF)
def layout(key: str | None = None, **_query: Any) -> Any:
    principal = guard.current_principal()
    loc = principal.locale
    spec, usage = _loaded(key)
    if spec is None:
        return gone(principal, t("qa.scorecard", loc))
    note = ""
    if usage:
        version, used = usage.split(":")
        note = t("qa.b.versioning" if int(used) else "qa.b.in_place", loc, version=version, n=used)
    body = html.Div(
        [
            dcc.Store(id=ids.QA_B_SPEC, data=spec),
            html.P(note, className="qa-muted"),
            html.Div(form.render(spec, loc), id=ids.QA_B_FORM),
            html.Div(
                [
                    html.Button(t("qa.b.save", loc), id=ids.QA_B_SAVE, className="qa-btn"),
                    dcc.Link(t("qa.back", loc), href="/qa/scorecards", className="qa-link"),
                ],
                className="qa-row qa-b-savebar",
            ),
            html.Div(id=ids.QA_B_MSG),
        ]
    )
    title = t("qa.b.title", loc, name=spec.get("name") or t("qa.b.new", loc))
    return qa_page(principal, title, "/qa/scorecards", body)


def _save(spec: dict[str, Any], actor: str, loc: str) -> tuple[Any, Any]:
    try:
        parsed = parse_spec(form.typed(spec), origin=t("qa.b.origin", loc))
        with db() as session:
            result = save_scorecard(db_session=session, spec=parsed, actor=actor)
            text = change_text(result.change, result.scorecard.key, result.scorecard.version, loc)
    except ScorecardError as exc:
        return html.Div(
            [
                message(t("qa.sc.invalid", loc), error=True),
                html.Pre(str(exc), className="qa-problems"),
            ]
        ), spec
    return message(text), spec_to_dict(parsed)


def act(spec: dict[str, Any] | None) -> tuple[Any, Any, Any]:
    """Read the form back, then add/remove/move or save."""
    principal = guard.current_principal()
    loc = principal.locale
    if not spec or not clicked(ctx):
        return no_update, no_update, ""
    spec = form.check_shape(spec)
    current = form.read(spec, {str(e["id"]["index"]): e.get("value") for e in ctx.states_list[0]})
    if ctx.triggered_id == ids.QA_B_SAVE:
        note, stored = _save(current, principal.name, loc)
        return form.render(stored, loc), stored, note
    changed = form.apply(current, str(ctx.triggered_id["index"]))
    return form.render(changed, loc), changed, ""


def register_callbacks(app: dash.Dash) -> None:
    guard.callback(
        app,
        QA_STAFF,
        Output(ids.QA_B_FORM, "children"),
        Output(ids.QA_B_SPEC, "data"),
        Output(ids.QA_B_MSG, "children"),
        Input({"type": ids.QA_B_ACTION, "index": ALL}, "n_clicks"),
        Input(ids.QA_B_SAVE, "n_clicks"),
        State({"type": ids.QA_B_FIELD, "index": ALL}, "value"),
        State(ids.QA_B_SPEC, "data"),
        prevent_initial_call=True,
    )(lambda _a, _s, _f, spec: act(spec))
