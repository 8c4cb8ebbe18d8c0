"""Erlang C staffing maths: published figures, edge cases, and properties over many inputs."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collectors.staffing import (
    AsaTarget,
    ServiceLevelTarget,
    StaffingLevel,
    Target,
    WaitProbabilityTarget,
    agents_required,
    average_speed_of_answer,
    erlang_b,
    erlang_c,
    evaluate,
    occupancy,
    scheduled_agents,
    service_level,
    staff,
    traffic_erlangs,
)

# The textbook example: 100 calls per 30 minutes, AHT 180 s, 80 % answered within 20 s.
CALLS, INTERVAL, AHT, T = 100, 1800, 180, 20
SL80 = ServiceLevelTarget(level=0.8, time=T)


def closed_form_erlang_c(agents: int, traffic: float) -> float:
    """Erlang C from its textbook definition in log space, independent of the B recursion."""
    log_a = math.log(traffic)
    terms = [k * log_a - math.lgamma(k + 1) for k in range(agents)]
    top = agents * log_a - math.lgamma(agents + 1) + math.log(agents / (agents - traffic))
    peak = max(*terms, top)
    below = sum(math.exp(t - peak) for t in terms)
    waiting = math.exp(top - peak)
    return waiting / (below + waiting)


def test_traffic_is_calls_times_aht_over_interval() -> None:
    assert traffic_erlangs(calls=CALLS, interval_seconds=INTERVAL, aht=AHT) == pytest.approx(10.0)
    assert traffic_erlangs(calls=12.5, interval_seconds=900, aht=240) == pytest.approx(3.3333333)


def test_published_figures_for_13_agents() -> None:
    level = evaluate(agents=13, traffic=10.0, aht=AHT, service_time=T)
    assert level.wait_probability == pytest.approx(0.2853, abs=5e-5)
    assert level.service_level == pytest.approx(0.7956, abs=5e-5)
    assert level.service_level < 0.8


def test_published_figures_for_14_agents() -> None:
    level = evaluate(agents=14, traffic=10.0, aht=AHT, service_time=T)
    assert level.wait_probability == pytest.approx(0.174132, abs=5e-7)
    assert level.service_level == pytest.approx(0.888350, abs=5e-7)
    assert level.asa == pytest.approx(7.836, abs=5e-4)
    assert level.occupancy == pytest.approx(0.714, abs=5e-4)
    assert not level.understaffed


def test_textbook_example_needs_14_and_schedules_20_with_30_percent_shrinkage() -> None:
    result = staff(calls=CALLS, interval_seconds=INTERVAL, aht=AHT, target=SL80, shrinkage=0.3)
    assert result.traffic == pytest.approx(10.0)
    assert result.agents_required == 14
    assert result.scheduled == 20
    assert result.service_level == pytest.approx(0.888350, abs=5e-7)
    assert result.limited_by == "target"


def test_single_metric_functions_agree_with_evaluate() -> None:
    assert erlang_c(agents=14, traffic=10.0) == pytest.approx(0.174132, abs=5e-7)
    assert service_level(agents=13, traffic=10.0, aht=AHT, target_time=T) == pytest.approx(
        0.7956, abs=5e-5
    )
    assert average_speed_of_answer(agents=14, traffic=10.0, aht=AHT) == pytest.approx(7.836, 1e-3)
    assert occupancy(agents=14, traffic=10.0) == pytest.approx(10 / 14)


def test_erlang_b_known_value_and_zero_agents() -> None:
    # B(N=5, A=3) = (3^5/5!) / sum_{k<=5} 3^k/k! = 2.025 / 18.4 ≈ 0.110054
    assert erlang_b(agents=5, traffic=3.0) == pytest.approx(0.1100543, abs=1e-7)
    assert erlang_b(agents=0, traffic=3.0) == 1.0


@pytest.mark.parametrize(("agents", "traffic"), [(3, 0.5), (14, 10.0), (55, 47.3), (2100, 2000.5)])
def test_erlang_c_matches_the_closed_form(agents: int, traffic: float) -> None:
    assert erlang_c(agents=agents, traffic=traffic) == pytest.approx(
        closed_form_erlang_c(agents, traffic), rel=1e-9
    )


def test_thousands_of_agents_and_fractional_traffic() -> None:
    required = agents_required(traffic=4321.7, aht=300, target=SL80)
    level = evaluate(agents=required, traffic=4321.7, aht=300, service_time=T)
    below = evaluate(agents=required - 1, traffic=4321.7, aht=300, service_time=T)
    assert 4321.7 < required < 4321.7 * 1.05
    assert level.service_level >= 0.8 > below.service_level


@pytest.mark.parametrize("agents", [0, 5, 10])
def test_understaffed_queue_is_explicit_not_negative(agents: int) -> None:
    level = evaluate(agents=agents, traffic=10.0, aht=AHT, service_time=T)
    assert level.understaffed
    assert level.wait_probability == 1.0
    assert level.service_level == 0.0
    assert level.asa is None
    assert level.occupancy == 1.0
    assert average_speed_of_answer(agents=agents, traffic=10.0, aht=AHT) is None


def test_zero_traffic_needs_zero_agents() -> None:
    result = staff(
        calls=0, interval_seconds=INTERVAL, aht=AHT, target=SL80, shrinkage=0.3, max_occupancy=0.8
    )
    assert (result.agents_required, result.scheduled) == (0, 0)
    assert (result.wait_probability, result.service_level, result.asa) == (0.0, 1.0, 0.0)
    assert not result.understaffed
    assert result.limited_by == "none"


def test_wait_probability_and_asa_targets() -> None:
    assert (
        agents_required(traffic=10.0, aht=AHT, target=WaitProbabilityTarget(max_probability=0.2))
        == 14
    )
    assert (
        agents_required(traffic=10.0, aht=AHT, target=WaitProbabilityTarget(max_probability=0.3))
        == 13
    )
    assert agents_required(traffic=10.0, aht=AHT, target=AsaTarget(max_asa=10)) == 14
    assert agents_required(traffic=10.0, aht=AHT, target=AsaTarget(max_asa=20)) == 13
    # P(wait) <= 1 only asks for a stable queue: the smallest N above A.
    assert (
        agents_required(traffic=10.0, aht=AHT, target=WaitProbabilityTarget(max_probability=1))
        == 11
    )


def test_max_occupancy_raises_the_requirement() -> None:
    result = staff(calls=CALLS, interval_seconds=INTERVAL, aht=AHT, target=SL80, max_occupancy=0.6)
    assert result.agents_required == 17  # ceil(10 / 0.6); the target alone needs 14
    assert result.limited_by == "occupancy"
    assert result.occupancy <= 0.6


def test_ceilings_ignore_floating_point_noise() -> None:
    # 1 / (1 - 0.8) is 5.000000000000001 and 21 / 0.7 is 30.000000000000004 in binary floats.
    assert scheduled_agents(required=1, shrinkage=0.8) == 5
    assert scheduled_agents(required=14, shrinkage=0.0) == 14
    loose = WaitProbabilityTarget(max_probability=1)
    assert agents_required(traffic=21.0, aht=AHT, target=loose, max_occupancy=0.7) == 30


@pytest.mark.parametrize(
    "make",
    [
        lambda: ServiceLevelTarget(level=1.0),
        lambda: ServiceLevelTarget(level=0.0),
        lambda: ServiceLevelTarget(level=0.8, time=-1),
        lambda: ServiceLevelTarget(level=math.nan),
        lambda: WaitProbabilityTarget(max_probability=0),
        lambda: AsaTarget(max_asa=0),
        lambda: scheduled_agents(required=3, shrinkage=1.0),
        lambda: traffic_erlangs(calls=-1, interval_seconds=INTERVAL, aht=AHT),
        lambda: traffic_erlangs(calls=1, interval_seconds=0, aht=AHT),
        lambda: traffic_erlangs(calls=1, interval_seconds=INTERVAL, aht=0),
        lambda: agents_required(traffic=10.0, aht=AHT, target=SL80, max_occupancy=0),
        lambda: erlang_c(agents=-1, traffic=1.0),
        lambda: erlang_c(agents=3, traffic=math.inf),
    ],
)
def test_bad_inputs_are_refused_with_a_message(make: object) -> None:
    with pytest.raises(ValueError, match=r"must"):
        make()  # type: ignore[operator]


traffics = st.floats(min_value=0.01, max_value=400, allow_nan=False)
ahts = st.floats(min_value=10, max_value=1200)
times = st.floats(min_value=0, max_value=120)


@settings(max_examples=150, deadline=None)
@given(traffic=traffics, aht=ahts, time=times, extra=st.integers(min_value=0, max_value=60))
def test_service_level_grows_and_wait_shrinks_with_agents(
    traffic: float, aht: float, time: float, extra: int
) -> None:
    agents = math.floor(traffic) + 1 + extra
    now = evaluate(agents=agents, traffic=traffic, aht=aht, service_time=time)
    more = evaluate(agents=agents + 1, traffic=traffic, aht=aht, service_time=time)
    assert 0.0 <= now.wait_probability <= 1.0
    assert 0.0 <= now.service_level <= 1.0
    assert more.service_level >= now.service_level
    assert more.wait_probability <= now.wait_probability
    assert now.asa is not None and more.asa is not None and more.asa <= now.asa
    if now.service_level < 0.999:
        assert more.service_level > now.service_level


@settings(max_examples=150, deadline=None)
@given(traffic=traffics, agents=st.integers(min_value=0, max_value=500))
def test_wait_probability_is_a_probability_for_any_staffing(traffic: float, agents: int) -> None:
    wait = erlang_c(agents=agents, traffic=traffic)
    assert 0.0 <= wait <= 1.0
    assert (wait == 1.0) or agents > traffic


target_strategy = st.one_of(
    st.builds(
        ServiceLevelTarget,
        level=st.floats(min_value=0.05, max_value=0.99),
        time=st.floats(min_value=0, max_value=120),
    ),
    st.builds(WaitProbabilityTarget, max_probability=st.floats(min_value=0.01, max_value=1)),
    st.builds(AsaTarget, max_asa=st.floats(min_value=0.5, max_value=300)),
)


def meets(level: StaffingLevel, target: Target) -> bool:
    """The target's plain-language meaning, written independently of the search."""
    if level.understaffed:
        return False
    if isinstance(target, ServiceLevelTarget):
        return level.service_level >= target.level
    if isinstance(target, WaitProbabilityTarget):
        return level.wait_probability <= target.max_probability
    return level.asa is not None and level.asa <= target.max_asa


@settings(max_examples=200, deadline=None)
@given(traffic=traffics, aht=ahts, target=target_strategy)
def test_required_agents_is_the_minimum_that_meets_the_target(
    traffic: float, aht: float, target: Target
) -> None:
    required = agents_required(traffic=traffic, aht=aht, target=target)
    time = target.time if isinstance(target, ServiceLevelTarget) else 20.0
    at = evaluate(agents=required, traffic=traffic, aht=aht, service_time=time)
    below = evaluate(agents=required - 1, traffic=traffic, aht=aht, service_time=time)
    assert required > traffic
    assert meets(at, target)
    assert not meets(below, target)
