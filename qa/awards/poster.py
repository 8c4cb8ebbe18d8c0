"""The wall poster (墙报): every agent's name with the stars earned, for one month.

:func:`poster_data` reads a stored revision once into plain values (:class:`PosterData`); the
poster page, its PDF and the wallboard tile all draw from that. The wallboard never queries SQL
on a refresh: :class:`PosterCache` keeps the newest published month in memory and reloads it at
most once per ``ttl_s`` (a publication from this process invalidates it at once); each app holds
one (``AppState.poster``).

The poster's fixed texts come from the caller's catalogue through a :data:`Translate` (the web
app passes its i18n ``t``): the domain holds no user-facing catalogue.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from dash import html
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from core.center_time import center_time
from core.db import session_scope
from core.ttl_cache import Reloading
from qa.awards.engine import number
from qa.awards.models import AwardMonth
from qa.awards.month import STAR_KEYS
from qa.awards.schemas import AwardStatus, Month
from qa.awards.service import get_month, get_published, list_months, stored_policy

log = logging.getLogger(__name__)

#: A message of the caller's catalogue: ``translate(key, locale)`` (e.g. ``hr.poster.title``,
#: ``zh``). The poster is bilingual, so it asks for both ``zh`` and ``en``.
Translate = Callable[[str, str], str]
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
STAR_GLYPH = "★"
# Rolls longer than these get smaller names in more columns (the sheet never grows).
DENSE, CROWDED = 44, 80


@dataclass(frozen=True)
class PosterStar:
    """One star of the month: its names, reward and winner (None: not awarded)."""

    key: str
    zh: str
    en: str
    bonus: str
    winner: str | None
    winner_name: str
    winner_team: str


@dataclass(frozen=True)
class PosterAgent:
    """One name on the poster with the stars earned."""

    agent_id: str
    name: str
    team: str
    stars: tuple[str, ...]


@dataclass(frozen=True)
class PosterData:
    """Everything the poster shows for one revision of one month."""

    month: str
    revision: int
    status: AwardStatus
    published_at: str
    published_by: str
    policy: str
    stars: tuple[PosterStar, ...]
    agents: tuple[PosterAgent, ...]

    @property
    def published(self) -> bool:
        return self.status is AwardStatus.PUBLISHED

    def month_zh(self) -> str:
        m = Month.parse(self.month)
        return f"{m.year}年{m.month}月"

    def month_en(self) -> str:
        m = Month.parse(self.month)
        return f"{MONTHS_EN[m.month - 1]} {m.year}"

    def teams(self) -> list[tuple[str, list[PosterAgent]]]:
        """Agents grouped by team (teams and names in order; no team last)."""
        ordered = sorted(self.agents, key=lambda a: (a.team == "", a.team, a.name))
        return [(team, list(group)) for team, group in groupby(ordered, key=lambda a: a.team)]

    def star(self, key: str) -> PosterStar | None:
        return next((s for s in self.stars if s.key == key), None)


def _split_label(label: str) -> tuple[str, str]:
    """``Service Star (服务之星)`` → (``服务之星``, ``Service Star``)."""
    if label.endswith(")") and "(" in label:
        en, zh = label[:-1].split("(", 1)
        return zh.strip(), en.strip()
    return label, label


def _star_order(keys: list[str]) -> list[str]:
    # The seed's order (etiquette, service, model): the largest reward sits in the middle
    known = [k for k in STAR_KEYS if k in keys]
    return known + [k for k in keys if k not in known]


def data_from_row(row: AwardMonth, *, tz: str) -> PosterData:
    """A stored revision as poster values (``tz``: the center's zone, for the publication day)."""
    result = row.result
    agents = {a["agent_id"]: a for a in result["agents"]}
    rules = {s.key: s for s in stored_policy(row).stars}
    stars = []
    for key in _star_order(list(result["stars"])):
        star = result["stars"][key]
        zh, en = _split_label(star["label"])
        winner = agents.get(star.get("winner") or "")
        bonus = f"+{number(rules[key].bonus)}" if key in rules else ""
        stars.append(
            PosterStar(
                key,
                zh,
                en,
                bonus,
                star.get("winner"),
                winner["name"] if winner else "",
                winner["team"] if winner else "",
            )
        )
    people = tuple(
        PosterAgent(a["agent_id"], a["name"], a["team"], tuple(a["stars"]))
        for a in result["agents"]
    )
    published = row.published_at
    return PosterData(
        month=row.month,
        revision=row.revision,
        status=AwardStatus(row.status),
        published_at=center_time(published, tz, style="date") if published else "",
        published_by=row.published_by or "",
        policy=f"{row.policy_name} v{row.policy_version}",
        stars=tuple(stars),
        agents=people,
    )


def poster_data(
    *, db_session: Session, tz: str, month: Month | None = None, drafts: bool = False
) -> PosterData | None:
    """The poster of ``month`` (the newest published month when None).

    Args:
        db_session: The session.
        tz: The center's time zone (the publication day).
        month: The month; None for the newest month that has a published revision.
        drafts: Fall back to the month's latest revision when it is not published yet (a
            preview for HR; it is marked as a draft).
    """
    if month is None:
        for row in list_months(db_session=db_session):
            published = get_published(db_session=db_session, month=Month.parse(row.month))
            if published is not None:
                return data_from_row(published, tz=tz)
        return None
    found = get_published(db_session=db_session, month=month)
    if found is None and drafts:
        found = get_month(db_session=db_session, month=month)
    return data_from_row(found, tz=tz) if found is not None else None


class PosterCache:
    """The newest published poster, reloaded at most once per ``ttl_s``.

    Args:
        sessions: Session factory.
        tz: The center's time zone.
        ttl_s: Reload period (how soon a publication by another process shows).
        clock: Monotonic clock.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        tz: str = "UTC",
        ttl_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessions = sessions
        self.tz = tz
        self._poster: Reloading[PosterData | None] = Reloading(
            self._read, initial=None, ttl_s=ttl_s, clock=clock, keep_on=(SQLAlchemyError,),
            on_error=lambda: log.exception("poster: reload failed; keeping the last one"),
        )  # fmt: skip

    def get(self) -> PosterData | None:
        """The newest published poster (None when nothing is published yet)."""
        return self._poster.get()

    def invalidate(self) -> None:
        self._poster.invalidate()

    def _read(self) -> PosterData | None:
        with session_scope(self.sessions) as session:
            return poster_data(db_session=session, tz=self.tz)


# --- drawing -------------------------------------------------------------------------------


def _medal(star: PosterStar, t: Translate) -> html.Div:
    winner = star.winner_name or t("hr.poster.vacant", "zh")
    sub = star.winner_team if star.winner else t("hr.poster.vacant", "en")
    return html.Div(
        [
            html.Div(STAR_GLYPH, className="medal-glyph"),
            html.Div(star.zh, className="medal-zh"),
            html.Div(star.en, className="medal-en"),
            html.Div(winner, className="medal-winner" + ("" if star.winner else " is-vacant")),
            html.Div(sub, className="medal-team"),
            html.Div(
                f"{t('hr.poster.coefficient', 'zh')} {star.bonus} · "
                f"{t('hr.poster.coefficient', 'en')} {star.bonus}",
                className="medal-bonus",
            )
            if star.bonus
            else None,
        ],
        className=f"medal medal-{star.key}",
    )


def _badge(data: PosterData, key: str) -> html.Span:
    star = data.star(key)
    label = star.zh if star else key
    return html.Span([html.B(STAR_GLYPH), label], className=f"star-badge badge-{key}")


def _roll(data: PosterData) -> html.Div:
    teams = []
    for team, agents in data.teams():
        names = [
            html.Li(
                [html.Span(a.name, className="roll-name")]
                + [_badge(data, key) for key in _star_order(list(a.stars))],
                className="roll-agent" + (" has-star" if a.stars else ""),
            )
            for a in agents
        ]
        teams.append(html.Div([html.H3(team or "—"), html.Ul(names)], className="roll-team"))
    size = len(data.agents)
    density = "" if size <= DENSE else " is-dense" if size <= CROWDED else " is-crowded"
    return html.Div(teams, className="roll" + density)


def _footer(data: PosterData, t: Translate) -> html.Div:
    legend = [
        html.Span(
            [html.B(STAR_GLYPH), f"{s.zh} {s.en} {s.bonus}"], className=f"star-badge badge-{s.key}"
        )
        for s in data.stars
    ]
    if data.published:
        stamp = (
            f"{t('hr.poster.published', 'zh')} {data.published_at} · "
            f"{t('hr.poster.published', 'en')} {data.published_at} ({data.published_by})"
        )
    else:
        stamp = f"{t('hr.poster.draft', 'zh')} · {t('hr.poster.draft', 'en')}"
    info = f"{stamp} · r{data.revision} · {t('hr.poster.policy', 'en')} {data.policy}"
    return html.Div(
        [html.Div(legend, className="poster-legend"), html.Div(info, className="poster-info")],
        className="poster-foot",
    )


def poster_view(
    data: PosterData | None, *, translate: Translate, variant: str = "page", locale: str = "en"
) -> Any:
    """The poster as Dash components (``variant``: ``page`` for paper, ``tile`` for a board).

    Args:
        data: The poster, or None when nothing is published.
        translate: The catalogue's ``(key, locale) -> text`` for the poster's fixed texts.
        variant: ``page`` (the printable sheet) or ``tile`` (a wallboard tile).
        locale: The viewer's language for the few texts that are not bilingual.
    """
    t = translate
    if data is None:
        return html.Div(t("hr.poster.none", locale), className=f"poster poster-{variant} is-empty")
    head = html.Div(
        [
            html.Div(
                t("hr.poster.kicker", "zh") + " · " + t("hr.poster.kicker", "en"),
                className="poster-kicker",
            ),
            html.Div(
                [
                    html.Span(t("hr.poster.title", "zh"), className="poster-title-zh"),
                    html.Span(t("hr.poster.title", "en"), className="poster-title-en"),
                ],
                className="poster-title",
            ),
            html.Div(f"{data.month_zh()} · {data.month_en()}", className="poster-month"),
        ],
        className="poster-head",
    )
    medals = html.Div([_medal(s, t) for s in data.stars], className="poster-medals")
    roll_title = html.H2(t("hr.poster.everyone", "zh") + " · " + t("hr.poster.everyone", "en"))
    body = [
        head,
        medals,
        html.Div([roll_title, _roll(data)], className="poster-roll"),
        _footer(data, t),
    ]
    if not data.published:
        body.insert(0, html.Div(t("hr.poster.draft_mark", "zh"), className="poster-watermark"))
    return html.Div(
        html.Div(body, className="poster-sheet"),
        className=f"poster poster-{variant}" + ("" if data.published else " is-draft"),
    )
