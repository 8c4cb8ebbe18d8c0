"""``floorboard staffing``: Erlang C agents required for one interval's volume (no Redis needed).

``--target-sl`` takes a fraction (0.8) or a percentage (80): a value above 1 is read as a
percentage. Every other rate (``--max-wait-probability``, ``--shrinkage``, ``--max-occupancy``)
is a fraction only, because e.g. a shrinkage of "1" would be ambiguous.
"""

from __future__ import annotations

import json
import math
from typing import Any

import click

from collectors.staffing import (
    AsaTarget,
    ServiceLevelTarget,
    StaffingResult,
    Target,
    WaitProbabilityTarget,
    staff,
)
from collectors.staffing.erlang import DEFAULT_SERVICE_TIME


class _Finite(click.FloatRange):
    """A float range that also refuses nan and inf (FloatRange lets nan through)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


class _FractionOrPercent(click.types.FloatParamType):
    """A service-level target: 0.8 and 80 both mean 80 %; 1 (100 %) is unreachable."""

    name = "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        fraction = number / 100 if number > 1 else number
        if not (math.isfinite(number) and 0 < fraction < 1):
            self.fail(
                f"{value!r} is out of range: give a fraction above 0 and below 1 (e.g. 0.8) "
                "or a percentage above 0 and below 100 (e.g. 80); Erlang C never reaches 100 %.",
                param,
                ctx,
            )
        return fraction


_POSITIVE = _Finite(min=0, min_open=True)
_TARGET_OPTIONS = ("--target-sl", "--max-wait-probability", "--max-asa")


def _target(
    *, target_sl: float | None, target_time: float, max_wait: float | None, max_asa: float | None
) -> Target:
    given = [
        name
        for name, value in zip(_TARGET_OPTIONS, (target_sl, max_wait, max_asa), strict=True)
        if value is not None
    ]
    if len(given) != 1:
        found = f"got {' and '.join(given)}" if given else "got none"
        raise click.UsageError(
            "Give exactly one target: --target-sl (with --target-time), "
            f"--max-wait-probability or --max-asa ({found})."
        )
    if target_sl is not None:
        return ServiceLevelTarget(level=target_sl, time=target_time)
    if max_wait is not None:
        return WaitProbabilityTarget(max_probability=max_wait)
    if max_asa is not None:
        return AsaTarget(max_asa=max_asa)
    raise AssertionError("unreachable: exactly one target was checked above")


def _payload(result: StaffingResult, inputs: dict[str, Any]) -> dict[str, Any]:
    target = result.target
    kind = {
        ServiceLevelTarget: "service_level",
        WaitProbabilityTarget: "wait_probability",
        AsaTarget: "asa",
    }[type(target)]
    out: dict[str, Any] = {**inputs, "target": kind, "traffic_erlangs": result.traffic}
    out |= {
        "agents_required": result.agents_required,
        "service_level": result.service_level,
        "service_time": result.service_time,
        "wait_probability": result.wait_probability,
        "asa": result.asa,
        "occupancy": result.occupancy,
        "limited_by": result.limited_by,
    }
    if inputs["shrinkage"] is not None:
        out["scheduled"] = result.scheduled
    return out


def _describe_target(target: Target) -> str:
    if isinstance(target, ServiceLevelTarget):
        return f"service level >= {target.level:.1%} within {target.time:g} s"
    if isinstance(target, WaitProbabilityTarget):
        return f"P(wait) <= {target.max_probability:.1%}"
    return f"ASA <= {target.max_asa:g} s"


def _table(result: StaffingResult, inputs: dict[str, Any]) -> str:
    asa = "infinite" if result.asa is None else f"{result.asa:.1f} s"
    rows = [
        (
            "Traffic",
            f"{result.traffic:.2f} Erlangs ({inputs['calls']:g} calls / "
            f"{inputs['interval_minutes']:g} min, AHT {inputs['aht']:g} s)",
        ),
        ("Target", _describe_target(result.target)),
        ("Agents required", str(result.agents_required)),
    ]
    if result.limited_by == "occupancy":
        rows.append(("Limited by", f"max occupancy {inputs['max_occupancy']:.1%}"))
    if inputs["shrinkage"] is not None:
        rows.append(("Scheduled", f"{result.scheduled} ({inputs['shrinkage']:.1%} shrinkage)"))
    rows += [
        ("Service level", f"{result.service_level:.1%} within {result.service_time:g} s"),
        ("P(wait)", f"{result.wait_probability:.1%}"),
        ("ASA", asa),
        ("Occupancy", f"{result.occupancy:.1%}"),
    ]
    return "\n".join(f"{label:<16} {value}" for label, value in rows)


@click.command("staffing")
@click.option("--calls", type=_Finite(min=0), required=True, help="Calls offered in the interval.")
@click.option("--interval-minutes", type=_POSITIVE, required=True, help="Interval length, minutes.")
@click.option("--aht", type=_POSITIVE, required=True, help="Average handling time, seconds.")
@click.option(
    "--target-sl",
    type=_FractionOrPercent(),
    help="Service-level target: a fraction (0.8) or, above 1, a percentage (80).",
)
@click.option(
    "--target-time",
    type=_Finite(min=0),
    default=DEFAULT_SERVICE_TIME,
    show_default=True,
    help="T in seconds for --target-sl, and for the service level reported with other targets.",
)
@click.option(
    "--max-wait-probability",
    type=_Finite(min=0, max=1, min_open=True),
    help="Target: highest share of calls that wait at all, a fraction in (0, 1].",
)
@click.option("--max-asa", type=_POSITIVE, help="Target: highest average speed of answer, seconds.")
@click.option(
    "--shrinkage",
    type=_Finite(min=0, max=1, max_open=True),
    help="Fraction of paid time off the phones, in [0, 1); adds the scheduled head count.",
)
@click.option(
    "--max-occupancy",
    type=_Finite(min=0, max=1, min_open=True),
    help="Occupancy cap, a fraction in (0, 1].",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def staffing(
    *,
    calls: float,
    interval_minutes: float,
    aht: float,
    target_sl: float | None,
    target_time: float,
    max_wait_probability: float | None,
    max_asa: float | None,
    shrinkage: float | None,
    max_occupancy: float | None,
    as_json: bool,
) -> None:
    """Agents required for one interval's volume (Erlang C, no abandonment)."""
    target = _target(
        target_sl=target_sl, target_time=target_time, max_wait=max_wait_probability, max_asa=max_asa
    )
    try:
        result = staff(
            calls=calls,
            interval_seconds=interval_minutes * 60,
            aht=aht,
            target=target,
            shrinkage=shrinkage or 0.0,
            max_occupancy=max_occupancy,
            service_time=target_time,
        )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    inputs = {
        "calls": calls,
        "interval_minutes": interval_minutes,
        "aht": aht,
        "target_sl": target_sl,
        "target_time": target_time,
        "max_wait_probability": max_wait_probability,
        "max_asa": max_asa,
        "shrinkage": shrinkage,
        "max_occupancy": max_occupancy,
    }
    if as_json:
        click.echo(json.dumps(_payload(result, inputs), indent=2, allow_nan=False))
    else:
        click.echo(_table(result, inputs))
