"""The pure scoring engine: the published worked example, N/A, scales, critical kinds, bonus,
pass mark, and what blocks a submission."""

from __future__ import annotations

from decimal import Decimal

import pytest
from qa_factories import ledger_card, scale, worked_example, yes_no

from qa.scorecards.schemas import (
    CommentRule,
    Critical,
    ScorecardError,
    ScorecardSpec,
    SectionSpec,
)
from qa.scoring import answer_problems, score


def test_worked_example_sixty_percent() -> None:
    # (40·1 + 40·0 + 20·1) / (40·2 + 20·1) = 60 / 100
    result = score(worked_example(), {"g1.a": "yes", "g1.b": "no", "g2.c": "yes"})
    assert result.score == 60.0
    assert result.raw_score == 60.0
    assert (result.earned, result.possible) == (60.0, 100.0)
    assert [s.score for s in result.sections] == [50.0, 100.0]


def test_worked_example_with_na_is_one_hundred_percent() -> None:
    # N/A leaves numerator and denominator: (40 + 20) / (40 + 20)
    result = score(worked_example(), {"g1.a": "yes", "g1.b": "na", "g2.c": "yes"})
    assert result.score == 100.0
    assert result.possible == 60.0
    assert not result.item("g1.b").applicable


def test_na_not_allowed_is_refused() -> None:
    with pytest.raises(ScorecardError, match="g1.a: N/A is not allowed"):
        score(worked_example(), {"g1.a": "na"})


def test_unanswered_items_count_as_na_while_drafting() -> None:
    result = score(worked_example(), {"g1.a": "no"})
    assert result.score == 0.0
    assert result.missing == ("g1.b", "g2.c")
    assert not result.complete


def test_scale_earns_in_proportion_and_fails_below_pass_value() -> None:
    spec = ScorecardSpec(
        "s", "S", sections=(SectionSpec("x", "X", items=(scale("q", 4, 0, 4, pass_value=3),)),)
    )
    assert score(spec, {"x.q": "3"}).score == 75.0
    assert not score(spec, {"x.q": "3"}).item("x.q").failed
    assert score(spec, {"x.q": "2"}).item("x.q").failed
    with pytest.raises(ScorecardError, match="must be one of 4, 3, 2, 1, 0"):
        score(spec, {"x.q": "5"})


def _critical(kind: Critical, pass_mark: float | None = None) -> ScorecardSpec:
    return ScorecardSpec(
        "c",
        "C",
        pass_mark=pass_mark,
        sections=(
            SectionSpec("one", "One", items=(yes_no("ok", 3), yes_no("crit", 1, critical=kind))),
            SectionSpec("two", "Two", items=(yes_no("fine", 4),)),
        ),
    )


def test_fatal_critical_sets_score_zero_and_keeps_raw_score() -> None:
    result = score(
        _critical(Critical.FATAL), {"one.ok": "yes", "one.crit": "no", "two.fine": "yes"}
    )
    assert result.score == 0.0
    assert result.raw_score == 87.5  # 7 of 8 points
    assert not result.passed
    assert result.critical_failures == ("one.crit",)


def test_section_critical_zeroes_its_section_only() -> None:
    answers = {"one.ok": "yes", "one.crit": "no", "two.fine": "yes"}
    result = score(_critical(Critical.SECTION), answers)
    assert result.score == 50.0  # section one counts 0 of 4, section two 4 of 4
    assert result.raw_score == 87.5
    assert result.passed  # no pass mark: only fatal and flag items fail an evaluation
    assert not score(_critical(Critical.SECTION, pass_mark=80), answers).passed


def test_flag_critical_fails_without_touching_the_score() -> None:
    result = score(_critical(Critical.FLAG), {"one.ok": "yes", "one.crit": "no", "two.fine": "yes"})
    assert (result.score, result.passed) == (87.5, False)


def test_passed_critical_and_pass_mark() -> None:
    answers = {"one.ok": "yes", "one.crit": "yes", "two.fine": "no"}
    assert score(_critical(Critical.FATAL, pass_mark=50), answers).passed  # 4 of 8 = 50 %
    assert not score(_critical(Critical.FATAL, pass_mark=50.01), answers).passed


def test_bonus_goes_above_one_hundred_and_never_fails() -> None:
    spec = ledger_card()
    full = {"s.greet": "yes", "s.answer": "4", "s.rude": "yes"}
    assert score(spec, {**full, "s.wow": "yes"}).score == 112.5  # (2 + 4 + 2 + 1) / 8
    no_bonus = score(spec, {**full, "s.wow": "no"})
    assert no_bonus.score == 100.0
    assert not no_bonus.item("s.wow").failed
    assert not no_bonus.item("s.wow").lost


def test_answer_problems_lists_everything_that_blocks_submission() -> None:
    spec = ledger_card()
    problems = answer_problems(spec, {"s.greet": "maybe", "s.rude": "no", "x.y": "yes"})
    assert [str(p) for p in problems] == [
        "x.y: no such item",
        "s.greet: answer 'maybe' must be one of yes, no",
        "s.answer: not answered",
        "s.rude: a comment is required",
        "s.wow: not answered",
    ]
    ok = {"s.greet": "yes", "s.answer": "4", "s.rude": "no", "s.wow": "na"}
    assert answer_problems(spec, ok, {"s.rude": "said 这不关我的事"}) == []


def test_comment_always_required() -> None:
    spec = ScorecardSpec(
        "k",
        "K",
        sections=(
            SectionSpec("a", "A", items=(yes_no("q", comment_required=CommentRule.ALWAYS),)),
        ),
    )
    assert [str(p) for p in answer_problems(spec, {"a.q": "yes"})] == ["a.q: a comment is required"]
    assert answer_problems(spec, {"a.q": "yes"}, {"a.q": "fine"}) == []


def test_deduction_is_carried_by_the_item() -> None:
    assert ledger_card().item("s.rude").deduction == Decimal("2")
