"""Difference-in-differences and the spread between districts, from the rollup.

Method (docs/evaluation.md): a 2×2 difference-in-differences on district-month values.
For each district, the mean of its monthly values before and after the pilot start
(a pilot district's own start; comparison districts use the earliest pilot start), and
the district's difference d = after − before. The estimate is
    DiD = mean(d over pilot districts) − mean(d over comparison districts)
with the standard error of a difference of two means from the district-level variation
(Welch): SE = sqrt(s²_pilot / n_pilot + s²_comparison / n_comparison), and a 95 %
confidence interval with Student's t at the Welch–Satterthwaite degrees of freedom
(rounded down). With fewer than two districts in an arm there is no variation to
estimate from, and the interval is not given. The district is the unit of inference,
so the few districts, not the many children, decide the width of the interval.
"""

import math
from dataclasses import dataclass
from datetime import date
from statistics import mean, stdev

from backa.forums.burden import suppress_small
from backa.organisations.models import EvaluationArm

# Two-sided 95 % quantiles of Student's t for 1..30 degrees of freedom.
T_975 = [
    12.706,
    4.303,
    3.182,
    2.776,
    2.571,
    2.447,
    2.365,
    2.306,
    2.262,
    2.228,
    2.201,
    2.179,
    2.160,
    2.145,
    2.131,
    2.120,
    2.110,
    2.101,
    2.093,
    2.086,
    2.080,
    2.074,
    2.069,
    2.064,
    2.060,
    2.056,
    2.052,
    2.048,
    2.045,
    2.042,
]


def t_quantile(df: float) -> float:
    if df < 1:
        return T_975[0]
    return T_975[int(df) - 1] if df < 31 else 1.96


@dataclass
class DidResult:
    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    df: float | None
    pilot_change: float | None
    comparison_change: float | None
    n_pilot_districts: int
    n_comparison_districts: int
    n_children: int  # child-months behind the estimate (a child counts once per month)
    suppressed: bool = False


def did(series: dict, districts, common_start: date | None) -> DidResult:
    """series: {district_id: [(month, value, n_children), ...]}; districts: District objects."""
    diffs = {EvaluationArm.PILOT: [], EvaluationArm.COMPARISON: []}
    n_children = {EvaluationArm.PILOT: 0, EvaluationArm.COMPARISON: 0}
    for district in districts:
        arm = district.evaluation_arm
        if arm not in diffs:
            continue
        start = district.pilot_start if arm == EvaluationArm.PILOT else common_start
        if start is None:
            continue
        rows = [r for r in series.get(district.id, []) if r[1] is not None]
        before = [value for month, value, _n in rows if month < start]
        after = [value for month, value, _n in rows if month >= start]
        if before and after:
            diffs[arm].append(mean(after) - mean(before))
            n_children[arm] += sum(n for _m, _v, n in rows)
    pilot, comparison = diffs[EvaluationArm.PILOT], diffs[EvaluationArm.COMPARISON]
    total = n_children[EvaluationArm.PILOT] + n_children[EvaluationArm.COMPARISON]
    if not pilot or not comparison:
        return DidResult(
            None,
            None,
            None,
            None,
            None,
            mean(pilot) if pilot else None,
            mean(comparison) if comparison else None,
            len(pilot),
            len(comparison),
            total,
        )
    estimate = mean(pilot) - mean(comparison)
    result = DidResult(
        estimate, None, None, None, None, mean(pilot), mean(comparison), len(pilot), len(comparison), total
    )
    if len(pilot) >= 2 and len(comparison) >= 2:
        vp, vc = stdev(pilot) ** 2 / len(pilot), stdev(comparison) ** 2 / len(comparison)
        se = math.sqrt(vp + vc)
        if se > 0:
            df = (vp + vc) ** 2 / (vp**2 / (len(pilot) - 1) + vc**2 / (len(comparison) - 1))
        else:
            df = len(pilot) + len(comparison) - 2
        t = t_quantile(df)
        result.se, result.df, result.ci_low, result.ci_high = se, df, estimate - t * se, estimate + t * se
    if (
        suppress_small(n_children[EvaluationArm.PILOT]) is None
        or suppress_small(n_children[EvaluationArm.COMPARISON]) is None
    ):
        result = DidResult(
            None, None, None, None, None, None, None, len(pilot), len(comparison), total, suppressed=True
        )
    return result


@dataclass
class Spread:
    n_districts: int
    minimum: float | None
    maximum: float | None
    range: float | None
    cv: float | None  # coefficient of variation, percent (sample SD / mean)


def spread(values: list) -> Spread:
    """The spread between districts of their values (already suppressed ones left out)."""
    values = [v for v in values if v is not None]
    if not values:
        return Spread(0, None, None, None, None)
    low, high = min(values), max(values)
    avg = mean(values)
    cv = 100 * stdev(values) / abs(avg) if len(values) >= 2 and avg else None
    return Spread(len(values), low, high, high - low, cv)
