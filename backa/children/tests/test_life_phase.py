from datetime import date

import pytest

from backa.children.lifephase import LifePhase, age_in_years, life_phase


@pytest.mark.parametrize(
    "born, on, phase",
    [
        (None, date(2026, 1, 1), LifePhase.EXPECTED),
        (date(2026, 5, 1), date(2026, 4, 30), LifePhase.EXPECTED),
        (date(2026, 5, 1), date(2026, 5, 1), LifePhase.INFANT),
        (date(2025, 5, 1), date(2026, 4, 30), LifePhase.INFANT),
        (date(2025, 5, 1), date(2026, 5, 1), LifePhase.PRESCHOOL),
        # Born in 2020: förskoleklass starts in August 2026, the year the child turns six.
        (date(2020, 12, 31), date(2026, 7, 31), LifePhase.PRESCHOOL),
        (date(2020, 12, 31), date(2026, 8, 1), LifePhase.SCHOOL),
        (date(2020, 1, 1), date(2026, 8, 1), LifePhase.SCHOOL),
        # Grade 9 ends the summer the child turns sixteen.
        (date(2010, 3, 1), date(2026, 7, 31), LifePhase.SCHOOL),
        (date(2010, 3, 1), date(2026, 8, 1), LifePhase.GYMNASIUM),
        (date(2008, 3, 1), date(2026, 2, 28), LifePhase.GYMNASIUM),
        (date(2008, 3, 1), date(2026, 3, 1), LifePhase.ADULT),
    ],
)
def test_life_phase_follows_the_school_calendar(born, on, phase):
    assert life_phase(born, on) == phase


def test_age_counts_whole_years_and_handles_leap_days():
    assert age_in_years(date(2016, 2, 29), date(2026, 2, 28)) == 9
    assert age_in_years(date(2016, 2, 29), date(2026, 3, 1)) == 10
    assert age_in_years(None, date(2026, 1, 1)) is None
