"""The intake's indicators (förhandsbedömning, the child heard, the 0–12 band, feedback, new
reports after no investigation, the quality review), worked out by hand on six reports."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from backa.casefile.models import ConcernReport, QualityReview
from backa.evaluation.models import ALL, IndicatorValue, ValueSource
from backa.evaluation.rollup import run_rollup
from backa.testing import make_child

pytestmark = pytest.mark.django_db
OCT = date(2026, 10, 1)


def at(m, d):
    return datetime.combine(date(2026, m, d), time(12), tzinfo=ZoneInfo("Europe/Stockholm"))


def report(world, child, reported, age, **fields):
    return ConcernReport.objects.create(
        child=child,
        municipality=world.municipality,
        reported_by=world.rasmus,
        reported_at=at(*reported),
        received_on=at(*reported).date(),
        information="x",
        child_age=age,
        **fields,
    )


def value(world, key):
    return IndicatorValue.objects.get(
        indicator=key, month=OCT, district=world.jarva, sex=ALL, age_band=ALL, source=ValueSource.COMPUTED
    ).value


def test_the_intake_indicators(on_dataset_day, world):
    w = world
    teen = make_child(w.municipality, w.jarva, "Tea", "Tonår", date(2011, 1, 5), serial=990)
    # r1: 10 years old, closed without investigation unheard (second look given), feedback after 18 days.
    r1 = report(
        w,
        w.sigrid,
        (10, 2),
        10,
        status="not_opened",
        child_spoken_with=False,
        pre_assessment_decided_on=date(2026, 10, 10),
        feedback_given_on=date(2026, 10, 20),
        handler=w.ines,
        decided_by=w.ines,
        second_look_by=w.tove,
        second_look_reason="ok",
    )
    # r2: an infant, investigation opened, not spoken with (too young).
    report(
        w,
        w.ivar,
        (10, 3),
        0,
        status="investigation_opened",
        child_spoken_with=False,
        pre_assessment_decided_on=date(2026, 10, 7),
    )
    # r3: sigrid again after r1's decision: the new report r1 is counted for.
    report(w, w.sigrid, (10, 25), 10, status="received")
    # r5: 15 years old, heard, closed.
    report(
        w, teen, (10, 5), 15, status="not_opened", child_spoken_with=True, pre_assessment_decided_on=date(2026, 10, 15)
    )
    QualityReview.objects.create(
        report=r1,
        municipality=w.municipality,
        month=OCT,
        reviewer=w.users["sara"],
        handler=w.ines,
        approver=w.tove,
        should_have_been_investigated=True,
        reason="Barnet borde ha hörts",
        reviewed_at=at(11, 2),
    )
    run_rollup(start=date(2026, 7, 1), stop=date(2026, 12, 1), today=date(2026, 11, 23))
    assert value(w, "young_closed_unheard") == 50  # r1 of r1, r2
    assert value(w, "pre_assessment_child_heard") == pytest.approx(100 / 3)  # r5 of r1, r2, r5
    assert value(w, "pre_assessment_child_heard_0_12") == 0
    assert value(w, "days_to_pre_assessment") == 8  # median of 8, 4, 10
    assert value(w, "days_to_feedback") == 18
    assert value(w, "new_report_after_no_investigation") == 50  # r1 (r3 followed), not r5
    assert value(w, "quality_should_have_investigated") == 100
