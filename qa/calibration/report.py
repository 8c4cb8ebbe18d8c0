"""Calibration maths (pure): evaluators against the benchmark, item by item and overall.

Per item, with ``e`` and ``b`` the points the evaluator and the benchmark gave (a scale item's
points in proportion) and ``max`` the item's points::

    deviation = (e − b) / max            alignment = 1 − |e − b| / max

An evaluator's alignment is the mean of item alignments weighted by each item's share of the
points (section weight × item points), over items that are not N/A on both sides; an item that
is N/A on exactly one side aligns 0. Disagreeing with the benchmark on whether a fatal
critical item failed makes the evaluator's alignment 0 (as Playvox does).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence

from qa.calibration.schemas import EvaluatorComparison, ItemComparison
from qa.scorecards.schemas import Critical, ScorecardSpec
from qa.scoring import ItemScore, ScoreResult, score


def _alignment(mine: ItemScore, bench: ItemScore, maximum: float) -> float | None:
    if not mine.applicable and not bench.applicable:
        return None
    if mine.applicable != bench.applicable:
        return 0.0
    if maximum <= 0:
        return 1.0 if mine.failed == bench.failed else 0.0
    return round(1.0 - abs(mine.earned - bench.earned) / maximum, 4)


def _deviation(mine: ItemScore, bench: ItemScore, maximum: float) -> float | None:
    if not (mine.applicable and bench.applicable) or maximum <= 0:
        return None
    return round((mine.earned - bench.earned) / maximum, 4)


def _spread(values: Sequence[float]) -> float | None:
    return round(statistics.pstdev(values), 4) if len(values) >= 2 else None


def compare_items(
    spec: ScorecardSpec, benchmark: ScoreResult, results: Mapping[str, ScoreResult]
) -> tuple[ItemComparison, ...]:
    """Every item of ``spec`` compared across evaluators (``results``: evaluator → result)."""
    comparisons = []
    for ref, section, item in spec.items():
        bench = benchmark.item(ref)
        mine = {name: result.item(ref) for name, result in results.items()}
        normalised = [
            s.earned / item.points for s in mine.values() if s.applicable and item.points > 0
        ]
        agreeing = [s.value == bench.value for s in mine.values()]
        comparisons.append(
            ItemComparison(
                ref=ref, text=item.text, text_zh=item.text_zh, maximum=item.points,
                weight=section.weight * item.points, benchmark=bench.value,
                values={n: s.value for n, s in mine.items()},
                deviations={n: _deviation(s, bench, item.points) for n, s in mine.items()},
                alignments={n: _alignment(s, bench, item.points) for n, s in mine.items()},
                agreement=round(sum(agreeing) / len(agreeing), 4) if agreeing else None,
                spread=_spread(normalised),
            )
        )  # fmt: skip
    return tuple(comparisons)


def evaluator_alignment(
    spec: ScorecardSpec, benchmark: ScoreResult, result: ScoreResult
) -> tuple[float | None, tuple[str, ...]]:
    """One evaluator's overall alignment and the fatal items they disagree on."""
    total = weighted = 0.0
    fatal: list[str] = []
    for ref, section, item in spec.items():
        mine, bench = result.item(ref), benchmark.item(ref)
        if item.critical is Critical.FATAL and mine.failed != bench.failed:
            fatal.append(ref)
        alignment = _alignment(mine, bench, item.points)
        weight = section.weight * item.points
        if alignment is not None and weight > 0:
            total += weight
            weighted += weight * alignment
    if fatal:
        return 0.0, tuple(fatal)
    return (round(weighted / total, 4) if total > 0 else None), ()


def compare(
    spec: ScorecardSpec,
    benchmark_answers: Mapping[str, str | None],
    evaluator_answers: Mapping[str, tuple[int, Mapping[str, str | None]]],
) -> tuple[float | None, tuple[EvaluatorComparison, ...], tuple[ItemComparison, ...]]:
    """Compare evaluators with the benchmark.

    Args:
        spec: The scorecard version of the session.
        benchmark_answers: The expert's answers.
        evaluator_answers: Evaluator → (evaluation id, answers).

    Returns:
        The benchmark's score, one comparison per evaluator (by name) and one per item.
    """
    benchmark = score(spec, benchmark_answers)
    results = {name: score(spec, answers) for name, (_id, answers) in evaluator_answers.items()}
    evaluators = []
    for name in sorted(results):
        result = results[name]
        alignment, fatal = evaluator_alignment(spec, benchmark, result)
        deviation = None
        if result.score is not None and benchmark.score is not None:
            deviation = round(result.score - benchmark.score, 2)
        evaluators.append(
            EvaluatorComparison(
                name, evaluator_answers[name][0], result.score, deviation, alignment, fatal
            )
        )
    return benchmark.score, tuple(evaluators), compare_items(spec, benchmark, results)
