"""Meetings in any forum on the child's page, through the access gate."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from backa.audit.models import AccessLog
from backa.forums.models import ForumMeeting
from backa.forums.tests.helpers import make_forum, meet

pytestmark = pytest.mark.django_db


def post_data(forum, **overrides):
    data = {
        "forum": forum.id,
        "held_on": timezone.localdate().isoformat(),
        "sectors": ["school", "social_services"],
        "professionals": 4,
        "duration_minutes": 45,
        "child_took_part": "on",
        "guardians_invited": "on",
        "guardians_took_part": "on",
        "external_reference": "SIP-2026-17",
    }
    data.update(overrides)
    return data


def test_a_professional_records_a_meeting_and_it_is_logged(world, client_for):
    forum = make_forum(world, "SIP Järva", kind="sip")
    url = reverse("forums:child_meetings", args=[world.sigrid.id])
    response = client_for("rasmus").post(url, post_data(forum))
    assert response.status_code == 302
    meeting = ForumMeeting.objects.get()
    assert (meeting.child, meeting.forum, meeting.recorded_by, meeting.professionals) == (
        world.sigrid,
        forum,
        world.rasmus,
        4,
    )
    assert AccessLog.objects.filter(
        user_id=world.rasmus.id,
        child_id=world.sigrid.id,
        object_type="forum_meeting",
        object_id=str(meeting.id),
        action="create",
    ).exists()


def test_guardians_who_took_part_must_have_been_invited(world, client_for):
    forum = make_forum(world, "SIP Järva", kind="sip")
    data = post_data(forum)
    del data["guardians_invited"]
    response = client_for("rasmus", language="en").post(reverse("forums:child_meetings", args=[world.sigrid.id]), data)
    assert response.status_code == 200
    assert "tick this too" in response.content.decode()
    assert not ForumMeeting.objects.exists()


def test_a_future_date_is_refused(world, client_for):
    forum = make_forum(world, "SIP Järva", kind="sip")
    data = post_data(forum, held_on=(timezone.localdate() + timedelta(days=3)).isoformat())
    response = client_for("rasmus", language="en").post(reverse("forums:child_meetings", args=[world.sigrid.id]), data)
    assert "cannot be in the future" in response.content.decode()
    assert not ForumMeeting.objects.exists()


@pytest.mark.parametrize("persona", ["olle", "ada", "former", "britta"])
def test_someone_without_a_role_can_neither_see_nor_record(world, client_for, persona):
    forum = make_forum(world, "SIP Järva", kind="sip")
    meet(world, world.sigrid, forum, date(2026, 3, 3))
    url = reverse("forums:child_meetings", args=[world.sigrid.id])
    client = client_for(persona)
    assert client.get(url).status_code == 404
    assert client.post(url, post_data(forum)).status_code == 404
    assert ForumMeeting.objects.count() == 1
    assert (
        AccessLog.objects.filter(user_id=world.users[persona].id, child_id=world.sigrid.id, outcome="denied").count()
        == 2
    )


def test_the_page_shows_every_forum_the_counter_and_the_same_month_flag(
    world, client_for, django_assert_max_num_queries
):
    today = timezone.localdate()
    sspf = make_forum(world, "SSPF Järva")
    eht = make_forum(world, "EHT Ängsskolan", kind="elevhalsoteam")
    farsta = make_forum(world, "BUS Farsta", kind="bus", district=world.farsta)
    meet(world, world.sigrid, sspf, today, professionals=5)
    meet(world, world.sigrid, eht, today, professionals=3)
    meet(world, world.sigrid, farsta, today.replace(day=1), professionals=2)
    meet(world, world.ivar, sspf, today)  # another child: not on Sigrid's page
    client = client_for("sara", language="en")
    with django_assert_max_num_queries(20):
        response = client.get(reverse("forums:child_meetings", args=[world.sigrid.id]))
    body = response.content.decode()
    assert "BUS Farsta (Farsta)" in body and "EHT Ängsskolan" in body
    assert "Discussed in several forums in" in body
    assert "<td>3</td><td>3</td><td>10</td>" in body  # meetings, forums, professionals this term


def test_the_page_opens_on_a_leap_day(world, client_for):
    """Two years back from 29 February is 28 February (the page once failed with a 500 that day)."""
    from zoneinfo import ZoneInfo

    import time_machine

    with time_machine.travel(datetime(2028, 2, 29, 10, tzinfo=ZoneInfo("Europe/Stockholm")), tick=True):
        meet(world, world.sigrid, make_forum(world, "SSPF Järva"), date(2026, 2, 28))
        response = client_for("sara").get(reverse("forums:child_meetings", args=[world.sigrid.id]))
    assert response.status_code == 200
