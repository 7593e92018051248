"""The synthetic pilot comes with a forum inventory for every district and meetings for the demo rektor's pupils."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from backa.forums import burden
from backa.forums.models import Forum, ForumMeeting
from backa.impact.models import ImpactAssessment
from backa.organisations.models import District
from backa.synthetic.generator import Generator
from backa.testing import force_verified_login

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def on_today():
    """The pilot is generated for TODAY and the pages read the clock: the test runs on TODAY."""
    with time_machine.travel(datetime.combine(TODAY, time(10), tzinfo=ZoneInfo("Europe/Stockholm")), tick=True):
        yield


def test_every_district_gets_an_inventory_and_the_rektors_pupils_get_meetings(client):
    Generator(children=1500, seed=7, today=TODAY).run()
    districts = list(District.objects.all())
    assert len(districts) == 11
    assert all(Forum.objects.filter(district=d).count() >= 7 for d in districts)
    assert set(Forum.objects.filter(kind="barnets_team").values_list("district__evaluation_arm", flat=True)) == {
        "pilot"
    }
    meetings = ForumMeeting.objects.all()
    assert meetings.exists() and {m.recorded_by.username for m in meetings} == {"rektor"}
    signals = burden.district_signals(District.objects.get(code="JARVA"), burden.Term.of(TODAY))
    assert signals["children_in_several_forums"] >= 5  # visible, not suppressed, on the demo's burden page
    assert ImpactAssessment.objects.filter(district__code="JARVA").count() == 1
    force_verified_login(client, meetings.first().recorded_by)
    child_id = meetings.first().child_id
    assert client.get(reverse("forums:child_meetings", args=[child_id])).status_code == 200
