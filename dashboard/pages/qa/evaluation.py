"""``/qa/evaluation/<id>``: score a call while listening to it, or read a submitted evaluation.

Who sees what is decided per evaluation by :mod:`qa.evaluations.access`, in the layout and
again in every callback (the evaluation id comes back from the browser, so it is never
trusted): the evaluator edits their draft, staff read, HR reads submitted ones without the
recording, the evaluated agent reads theirs, acknowledges it and disputes items.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import dash
from dash import ALL, Input, Output, State, dcc, html
from sqlalchemy.orm import Session

from collectors.history.service import get_call
from core.roles import EVAL_VIEWERS, QA_AGENTS, QA_DECIDERS, QA_STAFF, Principal, Role
from dashboard.auth import guard
from dashboard.i18n import t
from dashboard.pages.qa import eval_actions as actions
from dashboard.pages.qa import eval_player as player_ui
from dashboard.pages.qa import eval_view as view_ui
from dashboard.pages.qa import ids
from dashboard.pages.qa.common import agent_label, db, dispute_policy, gone, local, qa_page
from dashboard.qa_web import locate, may_view, problem_text, saved_time
from dashboard.shell import denied
from qa.evaluations.access import can_dispute, can_edit_evaluation
from qa.evaluations.disputes import disputable_items
from qa.evaluations.models import Evaluation
from qa.evaluations.schemas import DisputeStatus, EvaluationStatus, EvaluationView, Kind
from qa.evaluations.service import get_evaluation
from qa.evaluations.views import evaluation_history, evaluation_view
from qa.recordings.access import can_access
from qa.recordings.service import RecordingError

dash.register_page(
    __name__,
    path_template="/qa/evaluation/<evaluation_id>",
    title=lambda evaluation_id=None, **_: f"Evaluation {evaluation_id} · Floorboard",
    name="Evaluation",
)  # type: ignore[no-untyped-call]


@guard.page(*EVAL_VIEWERS)
def layout(evaluation_id: str | None = None, done: str | None = None, **_query: Any) -> Any:
    principal = guard.current_principal()
    loc = principal.locale
    try:
        number = int(evaluation_id or "")
    except ValueError:
        return gone(principal, t("qa.evaluation", loc))
    with db() as session:
        evaluation = get_evaluation(db_session=session, evaluation_id=number)
        if evaluation is None:
            return gone(principal, t("qa.evaluation", loc))
        if not may_view(session, evaluation, principal):
            return denied(principal)
        return _page(session, evaluation, principal, done)


def _page(session: Session, evaluation: Evaluation, principal: Principal, done: str | None) -> Any:
    loc = principal.locale
    view = evaluation_view(evaluation, policy=dispute_policy())
    call = get_call(db_session=session, call_pk=view.call_pk)
    editable = can_edit_evaluation(username=principal.name, evaluation=evaluation)
    agent_side = can_dispute(
        user_role=principal.role, user_agent_id=principal.agent_id, evaluation=evaluation
    )
    disputable = frozenset(disputable_items(evaluation, dispute_policy())) if agent_side else None
    entries = evaluation_history(db_session=session, evaluation_id=evaluation.id)
    main = [
        view_ui.call_card(view, call, agent_label(session, view.agent_id), loc),
        _listen(call, principal),
        view_ui.edit_form(view, loc)
        if editable
        else view_ui.read_form(view, loc, disputable=disputable or frozenset()),
        view_ui.history(entries, view.spec, loc),
    ]
    score = html.Div(view_ui.score_panel(view.spec, view.result, loc, draft=editable),
                     id=ids.QA_E_SCORE, className="qa-card qa-score")  # fmt: skip
    side = [
        score,
        _actions(
            view,
            principal,
            editable=editable,
            agent_side=agent_side,
            disputable=disputable,
            saved_at=evaluation.updated_at,
        ),  # fmt: skip
        _comments_card(view, loc, editable=editable, timed=_playable(call, principal)),
    ]
    columns = [html.Div(main, className="qa-eval-main"), html.Aside(side, className="qa-eval-side")]
    body = html.Div([dcc.Store(id=ids.QA_E_ID, data=evaluation.id), _banner(done, loc),
                     html.Div(columns, className="qa-eval")])  # fmt: skip
    title = t("qa.eval.title", loc, id=evaluation.id, agent=agent_label(session, view.agent_id))
    return qa_page(principal, title, "/qa/mine" if principal.role is Role.AGENT else "/qa", body)


def _banner(done: str | None, loc: str) -> Any:
    if done not in ("submitted", "disputed", "acknowledged"):
        return None
    return html.Div(t(f"qa.done.{done}", loc), className="qa-banner", role="status")


def _playable(call: Any, principal: Principal) -> bool:
    if call is None or not can_access(principal.role, principal.agent_id, call):
        return False
    try:
        locate(call)
    except RecordingError:
        return False
    return True


def _listen(call: Any, principal: Principal) -> html.Div:
    loc = principal.locale
    if call is None:
        inner = player_ui.no_player(t("qa.rec.no_call", loc))
    elif not can_access(principal.role, principal.agent_id, call):
        inner = player_ui.no_player(t("qa.rec.not_for_role", loc))
    else:
        try:
            info = locate(call)
        except RecordingError as exc:
            inner = player_ui.no_player(problem_text(exc, principal))
        else:
            inner = player_ui.player(call.id, info.duration, loc)
    return html.Div([html.H2(t("qa.recording", loc)), inner], className="qa-card qa-listen")


def _actions(
    view: EvaluationView,
    principal: Principal,
    *,
    editable: bool,
    agent_side: bool,
    disputable: frozenset[str] | None,
    saved_at: datetime | None = None,
) -> html.Div:
    loc = principal.locale
    if editable:
        parts: list[Any] = [
            dcc.Location(id=ids.QA_E_GO, refresh="callback-nav"),
            html.Div(
                [
                    html.Button(t("qa.save", loc), id=ids.QA_E_SAVE, className="qa-btn-quiet"),
                    html.Button(t("qa.submit", loc), id=ids.QA_E_SUBMIT, className="qa-btn"),
                    _autosave_indicator(view.id, saved_at, loc),
                ],
                className="qa-row",
            ),
            html.P(t("qa.submit_hint", loc), className="qa-muted"),
            html.Div(id=ids.QA_E_MSG),
            dcc.Store(id=ids.QA_E_SAVED),
        ]
    elif agent_side:
        parts = _agent_actions(view, loc, disputable or frozenset())
    else:
        parts = [html.P(_read_only_note(view, principal, loc), className="qa-muted")]
        if (
            any(d.status is DisputeStatus.OPEN for d in view.disputes)
            and principal.role in QA_DECIDERS
        ):
            parts.append(
                dcc.Link(t("qa.decide_disputes", loc), href="/qa/disputes", className="button")
            )
    if view.kind is not Kind.REGULAR:
        parts.append(
            dcc.Link(t("qa.back_calibration", loc), href="/qa/calibration", className="qa-link")
        )
    return html.Div(parts, className="qa-card qa-actions")


def _autosave_indicator(evaluation_id: int, saved_at: datetime | None, loc: str) -> html.Span:
    """ "Saved hh:mm:ss" / "Saving…" / "Not saved — retrying": ``assets/qa_autosave.js`` keeps it
    current (the texts it shows are in the data attributes, in the user's language)."""
    texts = {
        f"data-{state}": t(f"qa.autosave.{state}", loc)
        for state in ("saving", "unsaved", "retrying", "denied")
    }
    return html.Span(
        t("qa.autosave.saved", loc, time=saved_time(saved_at)),
        id=ids.QA_E_AUTOSAVE,
        className="qa-autosave is-saved",
        role="status",
        title=t("qa.autosave.title", loc),
        **player_ui.attrs({"data-url": f"/qa/draft/{evaluation_id}", **texts}),
    )


def _read_only_note(view: EvaluationView, principal: Principal, loc: str) -> str:
    if view.status is EvaluationStatus.DRAFT:
        return t("qa.draft_of", loc, who=view.evaluator)
    return t("qa.read_only", loc, when=local(view.submitted_at))


def _agent_actions(view: EvaluationView, loc: str, disputable: frozenset[str]) -> list[Any]:
    acknowledged = view.acknowledged_at is not None
    ack_text = (
        t("qa.acknowledged_on", loc, when=local(view.acknowledged_at))
        if acknowledged
        else t("qa.acknowledge", loc)
    )
    deadline = view.dispute_deadline
    if disputable:
        window = t("qa.dispute.until", loc, when=local(deadline))
    elif deadline is not None and not any(i.lost for i in view.result.items):
        window = t("qa.dispute.nothing", loc)
    else:
        window = t("qa.dispute.none_left", loc, when=local(deadline))
    return [
        dcc.Location(id=ids.QA_E_GO_AGENT, refresh="callback-nav"),
        html.Button(
            ack_text,
            id=ids.QA_E_ACK,
            disabled=acknowledged,
            className="qa-btn-quiet" if acknowledged else "qa-btn",
        ),
        html.P(window, className="qa-muted"),
        html.Div(id=ids.QA_E_AGENT_MSG),
    ]


def _comments_card(view: EvaluationView, loc: str, *, editable: bool, timed: bool) -> html.Div:
    listing = html.Div(
        player_ui.comments(view.comments, view.spec, loc, editable=editable), id=ids.QA_E_COMMENTS
    )
    parts: list[Any] = [html.H2(t("qa.comments", loc)), listing]
    if editable:
        parts.append(player_ui.comment_form(view.spec, loc, timed=timed))
    return html.Div(parts, className="qa-card qa-comments-card")


def _pattern(kind: str) -> dict[str, Any]:
    return {"type": kind, "index": ALL}


def _register_form(app: dash.Dash) -> None:
    """The evaluator's callbacks: live score, save and submit."""
    guard.callback(
        app,
        QA_STAFF,
        Output(ids.QA_E_SCORE, "children"),
        Output(_pattern(ids.QA_E_ITEM_STATE), "children"),
        Output(_pattern(ids.QA_E_ITEM), "className"),
        Input(_pattern(ids.QA_E_ANSWER), "value"),
        Input(_pattern(ids.QA_E_ITEM_NOTE), "value"),
        State(ids.QA_E_ID, "data"),
        prevent_initial_call=True,
    )(lambda _answers, _notes, evaluation_id: actions.live(evaluation_id))
    # Save draft and Submit: the buttons are disabled while the request runs, and a second
    # request is harmless anyway (see actions.save). The Comments box's text is posted too.
    guard.callback(
        app,
        QA_STAFF,
        Output(ids.QA_E_MSG, "children"),
        Output(ids.QA_E_GO, "href"),
        Output(ids.QA_E_COMMENTS, "children", allow_duplicate=True),
        Output(ids.QA_E_NOTE_TEXT, "value", allow_duplicate=True),
        Output(ids.QA_E_SAVED, "data"),
        Input(ids.QA_E_SAVE, "n_clicks"),
        Input(ids.QA_E_SUBMIT, "n_clicks"),
        State(_pattern(ids.QA_E_ANSWER), "value"),
        State(_pattern(ids.QA_E_ITEM_NOTE), "value"),
        State(ids.QA_E_ID, "data"),
        State(ids.QA_E_NOTE_TEXT, "value"),
        State(ids.QA_E_NOTE_ITEM, "value"),
        prevent_initial_call=True,
        running=[
            (Output(ids.QA_E_SAVE, "disabled"), True, False),
            (Output(ids.QA_E_SUBMIT, "disabled"), True, False),
        ],
    )(lambda _s, _u, _a, _n, evaluation_id, text, item: actions.save(evaluation_id, text, item))
    # Tell the autosave script what Save draft stored (it updates the indicator and the
    # "leave page?" warning).
    guard.clientside(
        app,
        "floorboardDraft.saved",
        Output(ids.QA_E_AUTOSAVE, "children"),
        Input(ids.QA_E_SAVED, "data"),
        prevent_initial_call=True,
    )


def register_callbacks(app: dash.Dash) -> None:
    # The comments callback first: it is the one named by its first output (qa-e-comments).
    _register_comments(app)
    _register_form(app)
    guard.callback(
        app,
        QA_AGENTS,
        Output(ids.QA_E_AGENT_MSG, "children"),
        Output(ids.QA_E_GO_AGENT, "href"),
        Input(ids.QA_E_ACK, "n_clicks"),
        Input(_pattern(ids.QA_E_DISPUTE), "n_clicks"),
        State(_pattern(ids.QA_E_DISPUTE_REASON), "value"),
        State(ids.QA_E_ID, "data"),
        prevent_initial_call=True,
    )(lambda _a, _d, reasons, evaluation_id: actions.agent_act(evaluation_id, reasons))


def _register_comments(app: dash.Dash) -> None:
    # The player's time for a new comment is read in the browser, then the comment is saved.
    guard.clientside(
        app,
        "floorboardQa.pinTime",
        Output(ids.QA_E_NOTE_AT, "data"),
        Input(ids.QA_E_NOTE_PIN, "n_clicks"),
        prevent_initial_call=True,
    )
    guard.callback(
        app,
        QA_STAFF,
        Output(ids.QA_E_COMMENTS, "children"),
        Output(ids.QA_E_NOTE_TEXT, "value"),
        Output(ids.QA_E_NOTE_MSG, "children"),
        Input(ids.QA_E_NOTE_AT, "data"),
        Input(_pattern(ids.QA_E_NOTE_DEL), "n_clicks"),
        State(ids.QA_E_NOTE_TEXT, "value"),
        State(ids.QA_E_NOTE_ITEM, "value"),
        State(ids.QA_E_ID, "data"),
        prevent_initial_call=True,
    )(lambda pin, _d, text, item, evaluation_id: actions.comment(evaluation_id, pin, text, item))
