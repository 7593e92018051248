"""DiD and spread on hand-built examples with answers worked out by hand."""

import math
from datetime import date
from types import SimpleNamespace

import pytest

from backa.evaluation.stats import did, spread

START = date(2026, 3, 1)


def district(name, arm, start=None):
    return SimpleNamespace(id=name, evaluation_arm=arm, pilot_start=start)


def series(before, after):
    return [
        (date(2026, 1, 1), before, 100),
        (date(2026, 2, 1), before, 100),
        (date(2026, 3, 1), after, 100),
        (date(2026, 4, 1), after, 100),
    ]


def test_two_by_two_did_with_welch_interval():
    districts = [
        district("P1", "pilot", START),
        district("P2", "pilot", START),
        district("C1", "comparison"),
        district("C2", "comparison"),
    ]
    data = {"P1": series(10, 20), "P2": series(10, 24), "C1": series(10, 12), "C2": series(10, 14)}
    result = did(data, districts, START)
    # Pilot changes 10 and 14 (mean 12), comparison 2 and 4 (mean 3): DiD 9.
    assert result.estimate == pytest.approx(9)
    assert result.pilot_change == 12 and result.comparison_change == 3
    # SE = sqrt(var(10,14)/2 + var(2,4)/2) = sqrt(8/2 + 2/2) = sqrt(5).
    assert result.se == pytest.approx(math.sqrt(5))
    # Welch df = 25 / (16/1 + 1/1) = 1.47 -> t(1) = 12.706.
    assert result.df == pytest.approx(25 / 17)
    assert result.ci_low == pytest.approx(9 - 12.706 * math.sqrt(5))
    assert result.ci_high == pytest.approx(9 + 12.706 * math.sqrt(5))
    assert result.n_children == 1600  # 4 districts x 4 months x 100 child-months
    assert (result.n_pilot_districts, result.n_comparison_districts) == (2, 2)


def test_one_district_per_arm_gives_an_estimate_without_interval():
    districts = [district("P", "pilot", START), district("C", "comparison")]
    result = did({"P": series(50, 70), "C": series(50, 55)}, districts, START)
    assert result.estimate == pytest.approx(15)
    assert result.se is None and result.ci_low is None


def test_months_without_a_value_are_left_out_and_missing_periods_give_no_estimate():
    districts = [district("P", "pilot", START), district("C", "comparison")]
    data = {"P": series(50, 70) + [(date(2026, 5, 1), None, 0)], "C": [(date(2026, 4, 1), 5.0, 10)]}
    result = did(data, districts, START)
    assert result.estimate is None  # the comparison district has no months before the start


def test_small_numbers_suppress_the_estimate():
    districts = [district("P", "pilot", START), district("C", "comparison")]
    tiny = [(date(2026, 1, 1), 1.0, 1), (date(2026, 4, 1), 2.0, 1)]
    result = did({"P": tiny, "C": series(1, 1)}, districts, START)
    assert result.suppressed and result.estimate is None


def test_spread():
    s = spread([10.0, 20.0, 30.0, None])
    assert (s.n_districts, s.minimum, s.maximum, s.range) == (3, 10.0, 30.0, 20.0)
    assert s.cv == pytest.approx(50.0)  # sample SD 10 / mean 20
    assert spread([None]).minimum is None
