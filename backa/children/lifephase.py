"""Life phase derived from birth date: the Swedish school calendar decides the boundaries.

Förskoleklass starts in August of the calendar year a child turns six; grade 9 ends in
June of the year the child turns sixteen; gymnasium runs from that August to the 18th
birthday. Which unit and role holds the barnkontakt in each phase is configuration
(see the roles app), not code.
"""

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

SCHOOL_YEAR_START_MONTH = 8


class LifePhase(models.TextChoices):
    EXPECTED = "expected", _("Expected (before birth)")
    INFANT = "infant", _("0–1 years")
    PRESCHOOL = "preschool", _("1–5 years, preschool")
    SCHOOL = "school", _("Förskoleklass to grade 9")
    GYMNASIUM = "gymnasium", _("Upper secondary")
    ADULT = "adult", _("18 or older")


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def school_start(birth_date: date) -> date:
    """First day of the month förskoleklass starts for a child born on birth_date."""
    return date(birth_date.year + 6, SCHOOL_YEAR_START_MONTH, 1)


def gymnasium_start(birth_date: date) -> date:
    return date(birth_date.year + 16, SCHOOL_YEAR_START_MONTH, 1)


def life_phase(birth_date: date | None, on: date) -> str:
    if birth_date is None or birth_date > on:
        return LifePhase.EXPECTED
    if on >= add_years(birth_date, 18):
        return LifePhase.ADULT
    if on >= gymnasium_start(birth_date):
        return LifePhase.GYMNASIUM
    if on >= school_start(birth_date):
        return LifePhase.SCHOOL
    if on >= add_years(birth_date, 1):
        return LifePhase.PRESCHOOL
    return LifePhase.INFANT


def age_in_years(birth_date: date | None, on: date) -> int | None:
    if birth_date is None or birth_date > on:
        return None
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
