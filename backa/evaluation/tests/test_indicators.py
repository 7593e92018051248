"""Each indicator on the hand-built dataset (dataset.py); the right answers are worked out by hand."""

from datetime import date

import pytest

from backa.evaluation.indicators import BY_KEY, CATALOGUE
from backa.evaluation.models import ALL, IndicatorValue, ValueSource
from backa.evaluation.rollup import run_rollup

from .dataset import WRITTEN_FOR, build

SEP, OCT, NOV, HT = date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1), date(2026, 7, 1)


@pytest.fixture
def rolled(on_dataset_day, world):
    """The world built, and the rollup run, on the day the dataset was written for (2026-11-23)."""
    build(world)
    run_rollup(start=date(2026, 7, 1), stop=date(2026, 12, 1), today=WRITTEN_FOR.date())
    return world


def cell(world, key, month, district=None, sex=ALL, age_band=ALL):
    return IndicatorValue.objects.get(
        indicator=key,
        month=month,
        district=district or world.jarva,
        sex=sex,
        age_band=age_band,
        source=ValueSource.COMPUTED,
    )


def value(world, key, month, **kwargs):
    return cell(world, key, month, **kwargs).value


@pytest.mark.django_db
def test_population_by_sex_and_age_band(rolled):
    w = rolled
    assert value(w, "children", SEP) == 3  # ivar, sigrid, hemlig
    assert value(w, "children", SEP, sex="female", age_band="0-5") == 1  # hemlig
    assert value(w, "children", SEP, sex="female", age_band="6-12") == 1  # sigrid
    assert value(w, "children", SEP, sex="male", age_band="0-5") == 1  # ivar
    assert value(w, "children", SEP, district=w.farsta) == 1


@pytest.mark.django_db
def test_barnkontakt_coverage(rolled):
    w = rolled
    # The world's roles start 30 days before today (2026-11-23): none at the end of September.
    assert value(w, "barnkontakt_coverage", SEP) == 0
    assert value(w, "barnkontakt_coverage", OCT) == pytest.approx(100.0)  # 3 of 3
    assert value(w, "barnkontakt_coverage", OCT, district=w.farsta) == 0  # nobody has none


@pytest.mark.django_db
def test_handovers_on_time(rolled):
    # sigrid on time, ivar five days late, hemlig pending past its target: 1 of 3.
    assert value(rolled, "handovers_on_time", SEP) == pytest.approx(100 / 3)
    assert cell(rolled, "handovers_on_time", SEP).denominator == 3


@pytest.mark.django_db
def test_days_from_concern(rolled):
    w = rolled
    assert value(w, "days_to_contact", SEP) == 3  # 3, 10, 1 days
    assert value(w, "days_to_assessment", SEP) == 7.5  # 10 and 5 days
    assert value(w, "days_to_plan", SEP) == 11  # 20 and 2 days
    assert value(w, "days_to_first_action", SEP) == 22  # 24 and 20 days


@pytest.mark.django_db
def test_resolved_in_one_organisation(rolled):
    assert value(rolled, "resolved_single_org", SEP) == 50  # sigrid single, ivar team


@pytest.mark.django_db
def test_childs_view(rolled):
    w = rolled
    assert value(w, "assessments_child_view", SEP) == 50  # sigrid's yes, ivar's no
    assert value(w, "assessments_child_view", OCT) == 0  # sigrid's second has no view
    assert value(w, "plans_child_view", SEP) == 50


@pytest.mark.django_db
def test_meetings(rolled):
    w = rolled
    # September: team meeting (took part) and SSPF (did not); the planned meeting does not count.
    assert value(w, "meetings_child_heard", SEP) == 50
    assert value(w, "meetings_child_heard", OCT) == 100
    assert value(w, "meetings_child_heard", SEP, sex="female", age_band="6-12") == 50
    # Autumn term: sigrid 2 meetings, ivar 1 -> 1.5 per child; professionals 2 + 4 + 3 = 9 -> 4.5.
    assert value(w, "meetings_per_child_term", HT) == 1.5
    assert value(w, "professionals_per_child_term", HT) == 4.5


@pytest.mark.django_db
def test_reviews_on_time(rolled):
    w = rolled
    # Due 1 October (first review date), held 28 September: on time; due 20 October, held 25 October: late.
    assert value(w, "reviews_on_time", OCT) == 50
    # Due 15 November, not held by 23 November: overdue.
    assert value(w, "reviews_on_time", NOV) == 0


@pytest.mark.django_db
def test_closures(rolled):
    w = rolled
    assert value(w, "plans_handed_over", SEP) == 100  # ivar's plan
    assert value(w, "plans_handed_over", SEP, district=w.farsta) == 0  # nobody's plan closed


@pytest.mark.django_db
def test_consent(rolled):
    w = rolled
    assert value(w, "consent_asked", SEP) == pytest.approx(4 / 3 * 1000)  # 4 asked, 3 children
    assert value(w, "consent_given", SEP) == 50
    assert value(w, "consent_refused", SEP) == 25
    assert value(w, "consent_withdrawn", SEP) == 25


@pytest.mark.django_db
def test_concern_reports(rolled):
    w = rolled
    assert value(w, "reports_per_1000", SEP) == pytest.approx(2 / 3 * 1000)
    assert value(w, "reports_per_1000", OCT) == 0
    assert value(w, "repeat_reports_12m", SEP) == 50  # sigrid reported in December 2025 too
    assert value(w, "reports_to_investigation", SEP) == 50
    assert value(w, "investigations_child_spoken_with", SEP) == 100


@pytest.mark.django_db
def test_compass_change(rolled):
    # sigrid: hälsa 2 -> 4, utveckling 3 -> 2 (fritid only in the latest): mean of +2 and -1.
    assert value(rolled, "compass_change", OCT) == 0.5
    assert cell(rolled, "compass_change", OCT).n_children == 1


@pytest.mark.django_db
def test_rollup_is_idempotent_and_keeps_baselines(rolled):
    w = rolled
    IndicatorValue.objects.create(
        indicator="consent_given",
        month=date(2025, 1, 1),
        district=w.jarva,
        value=10,
        numerator=1,
        denominator=10,
        n_children=10,
        source=ValueSource.BASELINE,
    )
    before = sorted(
        IndicatorValue.objects.filter(source="computed").values_list(
            "indicator", "month", "district", "sex", "age_band", "value"
        )
    )
    run_rollup(start=date(2026, 7, 1), stop=date(2026, 12, 1), today=WRITTEN_FOR.date())
    after = sorted(
        IndicatorValue.objects.filter(source="computed").values_list(
            "indicator", "month", "district", "sex", "age_band", "value"
        )
    )
    assert before == after
    assert IndicatorValue.objects.filter(source="baseline").count() == 1


@pytest.mark.django_db
def test_every_indicator_has_a_hand_computed_test():
    tested = {
        "children",
        "barnkontakt_coverage",
        "handovers_on_time",
        "days_to_contact",
        "days_to_assessment",
        "days_to_plan",
        "days_to_first_action",
        "resolved_single_org",
        "assessments_child_view",
        "plans_child_view",
        "meetings_child_heard",
        "meetings_interpreter_when_needed",  # test_interpreter_indicator.py
        "meetings_per_child_term",
        "professionals_per_child_term",
        "reviews_on_time",
        "plans_handed_over",
        "consent_asked",
        "consent_given",
        "consent_refused",
        "consent_withdrawn",
        "reports_per_1000",
        "repeat_reports_12m",
        "reports_to_investigation",
        "investigations_child_spoken_with",
        "compass_change",
        # test_intake_indicators.py
        "young_closed_unheard",
        "pre_assessment_child_heard",
        "pre_assessment_child_heard_0_12",
        "days_to_pre_assessment",
        "days_to_feedback",
        "new_report_after_no_investigation",
        "quality_should_have_investigated",
    }
    assert {i.key for i in CATALOGUE} == tested
    assert set(BY_KEY) == tested


def test_catalogue_is_documented():
    import pathlib

    doc = (pathlib.Path(__file__).resolve().parents[3] / "docs" / "evaluation.md").read_text(encoding="utf-8")
    for indicator in CATALOGUE:
        assert f"`{indicator.key}`" in doc, indicator.key


@pytest.mark.django_db
def test_meeting_indicators_agree_with_the_forums_burden_numbers(rolled):
    """The catalogue's meetings per child per term count the same meetings as forums.burden
    (here the forum is in the district where the children live)."""
    from backa.forums.burden import Term, district_signals

    signals = district_signals(rolled.jarva, Term(2026, "ht"))
    row = cell(rolled, "meetings_per_child_term", HT)
    assert (row.numerator, row.denominator) == (signals["meetings"], signals["children"]) == (3, 2)
