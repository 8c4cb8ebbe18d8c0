"""What the incidents page draws (kept apart from the page module): the common cases a
supervisor records, the agent choices and the ledger table with each entry's current value."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dash import html

from dashboard.i18n import t
from dashboard.pages.hr import ids
from qa.ledger.models import LedgerEntry
from qa.people.models import Agent


@dataclass(frozen=True)
class Preset:
    """A common case: what it is about and what it usually costs (the supervisor may change
    the points before recording)."""

    key: str
    kind: str
    category: str
    points: str


#: docs/METRICS.md#deductions-and-bonuses: floor-management and civilised-office rules →
#: discipline (Model Star); etiquette; service and business handling → service. Bonuses
#: (customer praise) count the same way.
PRESETS = (
    Preset("late", "incident", "discipline", "0.5"),
    Preset("seat", "incident", "discipline", "0.5"),
    Preset("phone", "incident", "discipline", "1"),
    Preset("dress", "incident", "etiquette", "0.5"),
    Preset("greeting", "incident", "etiquette", "0.5"),
    Preset("business", "incident", "service", "1"),
    Preset("complaint", "incident", "service", "2"),
    Preset("praise", "bonus", "service", "1"),
)


NUMERIC = ("points", "counts")


def agent_options(agents: Iterable[Agent]) -> list[dict[str, str]]:
    """``Name (id) · team`` choices, by name."""
    out = []
    for a in sorted(agents, key=lambda a: (a.name, a.agent_id)):
        label = a.name if a.name == a.agent_id else f"{a.name} ({a.agent_id})"
        out.append({"label": f"{label} · {a.team_name}" if a.team_name else label,
                    "value": a.agent_id})  # fmt: skip
    return out


def counts_now(entries: Sequence[LedgerEntry]) -> dict[int, Decimal]:
    """What each original entry counts for once the listed corrections are applied."""
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for e in entries:
        totals[e.corrects_id or e.id] += e.points
    return dict(totals)


def _points(value: Decimal) -> html.Td:
    sign = "neg" if value < 0 else "pos" if value > 0 else "zero"
    return html.Td(f"{value:+.2f}", className=f"num pts-{sign}")


def _row(e: LedgerEntry, names: dict[str, str], now: dict[int, Decimal], loc: str) -> html.Tr:
    original = e.corrects_id is None
    counts = _points(now[e.id]) if original and e.id in now else html.Td("")
    button = (
        html.Button(
            t("hr.inc.correct", loc),
            id={"type": ids.HR_INC_PICK, "index": e.id},
            className="secondary small",
        )  # fmt: skip
        if original
        else ""
    )
    return html.Tr(
        [
            html.Td(f"#{e.id}"),
            html.Td(e.date.isoformat()),
            html.Td(names.get(e.agent_id, e.agent_id)),
            html.Td(t(f"hr.cat.{e.category}.short", loc)),
            html.Td(t(f"hr.inc.kind.{e.kind}", loc)),
            _points(e.points),
            counts,
            html.Td(e.note + (f" → #{e.corrects_id}" if e.corrects_id else "")),
            html.Td(e.reporter),
            html.Td(button),
        ],
        className="is-correction" if not original else "",
    )


def ledger_table(entries: Sequence[LedgerEntry], names: dict[str, str], loc: str) -> Any:
    """The entries, oldest first; corrections are their own rows, pointing at the original."""
    if not entries:
        return html.P(t("hr.inc.none", loc), className="hr-hint")
    keys = ("id", "date", "agent", "category", "kind", "points", "counts", "note", "reporter")
    head = html.Tr(
        [html.Th(t(f"hr.inc.col.{k}", loc), className="num" if k in NUMERIC else "") for k in keys]
        + [html.Th("")]
    )
    now = counts_now(entries)
    rows = [_row(e, names, now, loc) for e in entries]
    return html.Table([html.Thead(head), html.Tbody(rows)], className="table hr-ledger")
