"""The indicator "meetings with an interpreter when one was needed", computed by hand."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from backa.casefile.interpreters import do_set_language_need
from backa.casefile.meetings import do_record_meeting, do_schedule_meeting
from backa.evaluation.models import IndicatorValue, ValueSource
from backa.evaluation.rollup import run_rollup

from .dataset import WRITTEN_FOR

OCT = date(2026, 10, 1)
STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.mark.django_db
def test_held_meetings_where_an_interpreter_was_needed_and_booked(on_dataset_day, world):
    guardian = world.sigrid.custodies.get().guardian
    do_set_language_need(
        acting_user=world.rasmus,
        child=world.sigrid,
        guardian=guardian,
        languages=["so"],
        interpreter_needed=True,
        interpreter_language="so",
    )

    def meeting(day, *, booked, held=True, child=None):
        m = do_schedule_meeting(
            acting_user=world.rasmus if child is None else world.britta,
            child=child or world.sigrid,
            starts_at=datetime(2026, 10, day, 9, 0, tzinfo=STOCKHOLM),
            professionals=[world.rasmus if child is None else world.britta],
            interpreter_booked=booked,
            interpreter_language="so" if booked else "",
        )
        if held:
            do_record_meeting(acting_user=m.created_by, meeting=m, minutes="", child_heard="took_part")
        return m

    assert meeting(5, booked=True).interpreter_needed  # needed: the guardian needs Somali
    meeting(12, booked=False)  # needed, not booked
    meeting(19, booked=True, held=False)  # not held: not counted
    assert not meeting(6, booked=False, child=world.ivar).interpreter_needed  # nobody needs one: not counted
    run_rollup(start=OCT, stop=date(2026, 11, 1), today=WRITTEN_FOR.date())
    row = IndicatorValue.objects.get(
        indicator="meetings_interpreter_when_needed",
        month=OCT,
        district=world.jarva,
        sex="all",
        age_band="all",
        source=ValueSource.COMPUTED,
    )
    assert (row.numerator, row.denominator, row.value) == (1, 2, 50.0)
