"""The evaluation page's audio player and its comments pinned to a time in the recording.

The player is plain HTML driven by ``assets/qa_player.js`` (play/pause, seek bar, speed 0.75-2x,
current time, jump to a comment's time); the audio comes from ``/recordings/<call_pk>``, which
checks access again on every range request. When the recording cannot be played the page shows
the reason instead of a player.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboard.forms import limited
from dashboard.i18n import fmt_duration, t
from dashboard.pages.qa import ids
from dashboard.pages.qa.common import local
from qa.evaluations.schemas import CommentOut
from qa.limits import Field
from qa.scorecards.schemas import ScorecardSpec

SPEEDS = ("0.75", "1", "1.25", "1.5", "2")


def attrs(values: dict[str, str]) -> dict[str, Any]:
    """``data-*``/``aria-*`` attributes for a component (their names are not Python names)."""
    return dict(values)


def player(call_pk: int, length: float | None, loc: str) -> html.Div:
    """Audio with custom controls (the comments' times are marked on the seek bar by the
    script, which follows the comment list as it changes)."""
    play, seek = t("qa.player.play", loc), t("qa.player.seek", loc)
    speeds = [
        html.Button(f"{s}×", className="qa-speed" + (" is-active" if s == "1" else ""),
                    **attrs({"data-qa": "speed", "data-speed": s}))
        for s in SPEEDS
    ]  # fmt: skip
    total = fmt_duration(length) if length else "–:––"
    clock: list[Any] = [html.Span("0:00", className="qa-time-now"), " / ",
             html.Span(total, className="qa-time-total")]  # fmt: skip
    return html.Div(
        [
            html.Audio(id=ids.QA_E_AUDIO, src=f"/recordings/{call_pk}", preload="metadata"),
            html.Button("▶", className="qa-play", title=play,
                        **attrs({"data-qa": "play", "aria-label": play})),
            html.Div([html.Div(className="qa-seek-fill")], className="qa-seek", tabIndex="0",
                     role="slider", **attrs({"data-qa": "seek", "aria-label": seek})),
            html.Span(clock, className="qa-time"),
            html.Span(speeds, className="qa-speeds", title=t("qa.player.speed", loc)),
            html.Div(className="qa-player-problem", role="alert"),
        ],
        className="qa-player",
        **attrs({"data-broken": t("qa.rec.broken", loc)}),
    )  # fmt: skip


def no_player(text: str) -> html.Div:
    """What shows instead of the player when the recording cannot be played."""
    return html.Div(
        [html.Span("🔇", className="qa-player-icon"), html.Span(text)],
        className="qa-player is-unavailable",
        role="status",
    )


def comments(
    items: tuple[CommentOut, ...], spec: ScorecardSpec, loc: str, *, editable: bool
) -> list[Any]:
    """The comments, earliest time first: the time jumps the player there."""
    labels = {ref: item.label(loc) for ref, _s, item in spec.items()}
    if not items:
        return [html.P(t("qa.comments.none", loc), className="qa-muted")]
    rows = []
    for c in items:
        when: Any = ""
        if c.at_seconds is not None:
            when = html.Button(
                fmt_duration(c.at_seconds),
                className="qa-seek-to",
                title=t("qa.comments.jump", loc),
                **attrs({"data-qa": "seekto", "data-seek": f"{c.at_seconds:g}"}),
            )
        about = html.Span(labels.get(c.item_ref or "", ""), className="qa-muted")
        delete: Any = ""
        if editable:
            delete = html.Button(
                "✕",
                id={"type": ids.QA_E_NOTE_DEL, "index": c.id},
                className="qa-icon-btn",
                title=t("qa.comments.delete", loc),
            )
        rows.append(
            html.Li(
                [
                    when,
                    html.Span(c.text, className="qa-comment-text"),
                    about,
                    html.Span(f"{c.author} · {local(c.created_at)}", className="qa-muted"),
                    delete,
                ],
                className="qa-comment",
            )
        )
    return [html.Ul(rows, className="qa-comments")]


def comment_form(spec: ScorecardSpec, loc: str, *, timed: bool) -> html.Div:
    """Write a comment; with a recording it is pinned to the player's current time."""
    item_options = [{"label": item.label(loc), "value": ref} for ref, _s, item in spec.items()]
    label = t("qa.comments.pin" if timed else "qa.comments.add", loc)
    return html.Div(
        [
            limited(
                dcc.Textarea(
                    id=ids.QA_E_NOTE_TEXT,
                    placeholder=t("qa.comments.placeholder", loc),
                    className="qa-textarea",
                ),
                Field.COMMENT,
                loc,
            ),
            html.Div(
                [
                    dcc.Dropdown(
                        id=ids.QA_E_NOTE_ITEM,
                        options=item_options,
                        placeholder=t("qa.comments.item", loc),
                        className="qa-dropdown",
                    ),
                    html.Button(label, id=ids.QA_E_NOTE_PIN, className="qa-btn"),
                ],
                className="qa-row",
            ),
            html.P(t("qa.comments.kept", loc), className="qa-muted"),
            dcc.Store(id=ids.QA_E_NOTE_AT),
            html.Div(id=ids.QA_E_NOTE_MSG),
        ],
        className="qa-comment-form",
    )
