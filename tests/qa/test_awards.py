"""The monthly rules on the worked cases of issue 5, by hand, on SQLite and PostgreSQL.

Every agent is created here with its deductions, QA average and answered calls, and the
expected winners and coefficients are worked out in the comments.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from collectors.history.models import Call
from qa.awards.inputs import history_calls
from qa.awards.policy import Policy, load_policy, parse_policy
from qa.awards.report import month_view
from qa.awards.schemas import Month
from qa.awards.service import compute_month
from qa.ledger.schemas import Category, EntryIn, EntryKind
from qa.ledger.service import add_entry
from qa.people.models import Agent

JAN = Month(2026, 1)
MakeAgent = Callable[..., Agent]


def ded(db: Session, agent: str, points: str, category: str = "etiquette", *,
        kind: str = "incident", day: date = date(2026, 1, 10)) -> None:  # fmt: skip
    entry = EntryIn(agent, day, Category(category), Decimal(points), EntryKind(kind), "sup")
    add_entry(db_session=db, entry=entry, actor="sup")


def qa_scores(scores: Mapping[str, str]) -> Any:
    def provider(
        *, db_session: Session, start: date, end: date, agent_ids: Sequence[str]
    ) -> Mapping[str, Decimal]:
        return {a: Decimal(v) for a, v in scores.items() if a in agent_ids}

    return provider


def calls(db: Session, agent: str, n: int, *, outcome: str = "answered",
          ended: datetime = datetime(2026, 1, 15, 10)) -> None:  # fmt: skip
    for i in range(n):
        db.add(
            Call(
                call_id=f"{agent}-{outcome}-{ended:%Y%m%d%H%M}-{i}", queue="sales", agent=agent,
                enqueued_at=ended, ended_at=ended, outcome=outcome,
            )
        )  # fmt: skip
    db.flush()


def policy(**changes: Any) -> Policy:
    """The default policy with some settings changed (dotted keys: ``coefficient.base``)."""
    raw = load_policy().to_dict()
    for dotted, value in changes.items():
        *path, last = dotted.split("__")
        target = raw
        for key in path:
            target = target[key]
        target[last] = value
    return parse_policy(raw)


def compute(db: Session, *, qa: Mapping[str, str] | None = None, **kw: Any) -> dict[str, Any]:
    row = compute_month(
        db_session=db, month=kw.pop("month", JAN), actor="hr", qa_averages=qa_scores(qa or {}),
        **kw,
    )  # fmt: skip
    return month_view(row)


def winners(view: Mapping[str, Any]) -> dict[str, str | None]:
    return {k: s["winner"] for k, s in view["stars"].items()}


def agent(view: Mapping[str, Any], agent_id: str) -> dict[str, Any]:
    return next(a for a in view["agents"] if a["agent_id"] == agent_id)


def test_eligibility_at_exactly_the_threshold_and_just_below(
    db_session: Session, make_agent: MakeAgent
) -> None:
    for a in ("E2", "E201", "S3", "S301"):
        make_agent(a)
    ded(db_session, "E2", "-1")
    ded(db_session, "E2", "-1", "discipline")  # total -2.00: still in for etiquette and model
    ded(db_session, "E201", "-1.01")
    ded(db_session, "E201", "-1", "discipline")  # total -2.01: out of etiquette and model
    ded(db_session, "S3", "-3", "service")  # -3.00: still in for service
    ded(db_session, "S301", "-3.01", "service")  # -3.01: out of everything
    view = compute(db_session)
    eligible = {a["agent_id"]: {k: e["eligible"] for k, e in a["eligibility"].items()}
                for a in view["agents"]}  # fmt: skip
    assert eligible == {
        "E2": {"service": True, "etiquette": True, "model": True},
        "E201": {"service": True, "etiquette": False, "model": False},
        "S3": {"service": True, "etiquette": False, "model": False},
        "S301": {"service": False, "etiquette": False, "model": False},
    }
    reasons = agent(view, "E201")["eligibility"]
    assert reasons["etiquette"]["reason"] == "total deductions -2.01 below -2.00"
    assert reasons["service"]["reason"] == "total deductions -2.01 >= -3.00"
    assert agent(view, "E201")["deductions"] == {
        "etiquette": -1.01, "service": 0.0, "discipline": -1.0, "total": -2.01
    }  # fmt: skip
    # Service ranks by service deductions: E2 and E201 both have 0 there; E2 wins on... nothing:
    # they tie (no QA, no calls), so the service star needs a decision.
    assert view["stars"]["service"]["status"] == "needs_decision"
    assert view["stars"]["service"]["tied"] == ["E2", "E201"]
    # Eligibility on the star's own category instead (configurable): E201 has -1.01 etiquette.
    by_category = compute(db_session, policy=policy(deductions__eligibility_basis="category"))
    assert agent(by_category, "E201")["eligibility"]["etiquette"]["eligible"] is True
    assert agent(by_category, "S301")["eligibility"]["service"]["eligible"] is False


def test_one_agent_leading_two_stars_award_order_decides(
    db_session: Session, make_agent: MakeAgent
) -> None:
    for a in ("A", "B", "C"):
        make_agent(a)
    # A has no deductions and leads every star. B: etiquette -0.1, service -1, discipline -0.2.
    # C: etiquette -0.3, service -0.5, discipline -0.1.
    for who, e, s, d in (("B", "-0.1", "-1", "-0.2"), ("C", "-0.3", "-0.5", "-0.1")):
        ded(db_session, who, e)
        ded(db_session, who, s, "service")
        ded(db_session, who, d, "discipline")
    view = compute(db_session)
    # Service first -> A; etiquette among B, C -> B (-0.1); model: only C left.
    assert winners(view) == {"service": "A", "etiquette": "B", "model": "C"}
    # A: 1.0 + 0.2; B: 1.0 + 0.1 - 1.3 x 0.01; C: 1.0 + 0.1 - 0.9 x 0.01.
    assert [agent(view, a)["coefficient"] for a in "ABC"] == [1.2, 1.087, 1.091]
    assert agent(view, "B")["explanation"][-1] == (
        "coefficient = base 1.0 + Etiquette Star (礼仪之星) 0.1 - 1.30 deduction points x 0.01 "
        "= 1.087"
    )
    # Etiquette first instead: A takes etiquette, service goes to C (-0.5), model to B.
    swapped = compute(db_session, policy=policy(award_order=["etiquette", "service", "model"]))
    assert winners(swapped) == {"etiquette": "A", "service": "C", "model": "B"}
    assert list(swapped["stars"]) == ["etiquette", "service", "model"]


def test_three_way_tie_resolved_by_qa_average_then_answered_calls(
    db_session: Session, make_agent: MakeAgent
) -> None:
    for a in ("P", "Q", "R", "Z"):
        make_agent(a)
    ded(db_session, "Z", "-0.5", "service")
    ded(db_session, "Z", "-0.5")
    ded(db_session, "Z", "-0.5", "discipline")
    calls(db_session, "Q", 100)
    calls(db_session, "R", 120)
    calls(db_session, "P", 130)
    calls(db_session, "R", 7, outcome="abandoned")  # not answered: does not count
    calls(db_session, "Q", 50, ended=datetime(2026, 2, 1, 0, 0))  # February: does not count
    view = compute(db_session, qa={"P": "90", "Q": "92.5", "R": "92.5", "Z": "99"})
    # Service: P, Q, R tie at 0 -> QA keeps Q and R (92.5) -> calls: R 120 beats Q 100.
    # Etiquette: P and Q (R awarded) -> QA: Q. Model: P, the only one left with 0.
    assert winners(view) == {"service": "R", "etiquette": "Q", "model": "P"}
    assert view["stars"]["service"]["explanation"] == [
        "4 eligible; fewest service deductions: 0.00 (P, Q, R)",
        "tie-break qa_average (higher wins): P 90, Q 92.5, R 92.5 -> Q, R",
        "tie-break answered_calls (higher wins): Q 100, R 120 -> R",
    ]
    assert [agent(view, a)["answered_calls"] for a in "PQRZ"] == [130, 100, 120, 0]
    assert view["needs_decision"] == []


def test_unresolvable_tie_needs_a_manager_and_blocks_later_stars(
    db_session: Session, make_agent: MakeAgent
) -> None:
    make_agent("X")
    make_agent("Y")
    calls(db_session, "X", 50)
    calls(db_session, "Y", 50)
    view = compute(db_session, qa={"X": "88", "Y": "88"})
    service = view["stars"]["service"]
    assert (service["winner"], service["status"], service["tied"]) == (
        None, "needs_decision", ["X", "Y"]
    )  # fmt: skip
    assert view["stars"]["etiquette"]["status"] == "blocked"
    assert view["needs_decision"] == ["service", "etiquette", "model"]
    assert agent(view, "X")["coefficient"] == 1.0  # no star is given silently


def test_agents_with_no_evaluations_skip_the_qa_tie_break(
    db_session: Session, make_agent: MakeAgent
) -> None:
    make_agent("M")
    make_agent("N")
    calls(db_session, "M", 30)
    calls(db_session, "N", 20)
    view = compute(db_session, qa={"N": "99"})
    # M has no evaluation: the QA step is skipped, answered calls decide (M 30 > N 20).
    assert view["stars"]["service"]["winner"] == "M"
    assert view["stars"]["service"]["explanation"][1] == (
        "tie-break qa_average not applied: no value for M"
    )
    assert agent(view, "M")["qa_average"] is None and agent(view, "N")["qa_average"] == 99.0
    assert (
        "QA average: none (no evaluations); answered calls: 30" in agent(view, "M")["explanation"]
    )
    # With "missing: lowest" the agent without evaluations loses the QA step instead.
    lowest = policy(tie_breaks=[{"by": "qa_average", "missing": "lowest"}])
    assert compute(db_session, qa={"N": "99"}, policy=lowest)["stars"]["service"]["winner"] == "N"


def test_probation_agents_get_a_coefficient_but_no_star(
    db_session: Session, make_agent: MakeAgent
) -> None:
    make_agent("PROB", employment="probation")
    make_agent("REG")
    ded(db_session, "REG", "-1.5", "service")
    ded(db_session, "PROB", "-0.5", "discipline")
    view = compute(db_session)
    assert winners(view) == {"service": "REG", "etiquette": None, "model": None}
    assert view["stars"]["etiquette"]["status"] == "no_candidate"
    prob = agent(view, "PROB")
    assert prob["eligibility"]["service"] == {
        "eligible": False, "reason": "probation agents do not take part in stars"
    }  # fmt: skip
    assert prob["coefficient"] == 0.995  # 1.0 - 0.5 x 0.01
    assert agent(view, "REG")["coefficient"] == 1.185  # 1.0 + 0.2 - 1.5 x 0.01


def test_bonuses_do_not_offset_deductions_or_add_unless_the_policy_says(
    db_session: Session, make_agent: MakeAgent
) -> None:
    make_agent("B1")
    make_agent("B2")
    ded(db_session, "B1", "-2.5")
    ded(db_session, "B1", "1", kind="bonus")
    ded(db_session, "B2", "-1.5", "service")
    view = compute(db_session)
    b1 = agent(view, "B1")
    assert b1["bonuses"]["etiquette"] == 1.0 and b1["deductions"]["total"] == -2.5
    assert b1["eligibility"]["etiquette"]["eligible"] is False
    assert winners(view) == {"service": "B1", "etiquette": "B2", "model": None}
    assert b1["coefficient"] == 1.175  # 1.0 + 0.2 - 2.5 x 0.01; the bonus adds nothing
    generous = policy(
        deductions__bonuses_offset_deductions=True, coefficient__per_bonus_point="0.01"
    )
    view = compute(db_session, policy=generous)
    b1 = agent(view, "B1")
    assert b1["eligibility"]["etiquette"]["eligible"] is True  # -2.5 + 1 = -1.5
    assert b1["eligibility"]["model"]["eligible"] is True
    assert b1["coefficient"] == 1.185  # 1.0 + 0.2 - 2.5 x 0.01 + 1 x 0.01


def test_per_agent_base_coefficient(db_session: Session, make_agent: MakeAgent) -> None:
    make_agent("K1")
    make_agent("K2")
    ded(db_session, "K2", "-4", "discipline")
    view = compute(db_session, policy=policy(coefficient__agent_base={"K2": "1.1"}))
    assert agent(view, "K2")["coefficient"] == 1.06  # 1.1 - 4 x 0.01, no star (total -4)
    assert agent(view, "K1")["coefficient"] == 1.2


def test_answered_calls_use_local_month_boundaries() -> None:
    provider = history_calls("Asia/Shanghai")
    assert provider is not history_calls("UTC")  # one provider per time zone


def test_answered_calls_in_the_center_time_zone(db_session: Session, make_agent: MakeAgent) -> None:
    make_agent("T1")
    calls(db_session, "T1", 2, ended=datetime(2026, 1, 31, 15, 59))  # 23:59 in Shanghai: Jan
    calls(db_session, "T1", 3, ended=datetime(2026, 1, 31, 16, 0))  # 00:00 Feb 1 in Shanghai
    calls(db_session, "T1", 1, outcome="transferred", ended=datetime(2025, 12, 31, 16, 0))
    count = history_calls("Asia/Shanghai")
    jan = count(db_session=db_session, start=JAN.start, end=JAN.end, agent_ids=["T1"])
    utc = history_calls()(db_session=db_session, start=JAN.start, end=JAN.end, agent_ids=["T1"])
    assert (jan, utc) == ({"T1": 3}, {"T1": 5})


@pytest.mark.parametrize("text", ["2026-1", "2026-13", "26-01", "January"])
def test_month_parsing(text: str) -> None:
    with pytest.raises(ValueError, match="must look like 2026-01"):
        Month.parse(text)
    assert Month.parse("2026-12").end == date(2027, 1, 1)


def test_one_person_may_win_several_stars_when_the_policy_allows(
    db_session: Session, make_agent: MakeAgent
) -> None:
    make_agent("A")
    make_agent("B")
    ded(db_session, "B", "-0.5")
    ded(db_session, "B", "-0.5", "service")
    ded(db_session, "B", "-0.5", "discipline")
    view = compute(db_session, policy=policy(one_star_per_agent=False))
    assert winners(view) == {"service": "A", "etiquette": "A", "model": "A"}
    a = agent(view, "A")
    assert (a["stars"], a["coefficient"]) == (["service", "etiquette", "model"], 1.4)
    # The month keeps the policy it was computed with unless another one is given.
    assert agent(compute(db_session), "A")["stars"] == ["service", "etiquette", "model"]
    assert agent(compute(db_session, policy=load_policy()), "A")["stars"] == ["service"]
