"""A meeting of barnets team is the team's; its agenda and minutes belong to the organisation
that wrote them (category meeting_minutes)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from backa.casefile.meetings import do_record_meeting, do_schedule_meeting
from backa.casefile.models import Meeting
from backa.children.models import Custody
from backa.consent.services import do_record_consent, do_request_consent

pytestmark = pytest.mark.django_db

AGENDA = "Dagordning-rasmus-5521"
MINUTES = "Protokoll-rasmus-8830"
NOTICE = "Some entries from other organisations are not shown"


@pytest.fixture
def held_meeting(world):
    meeting = do_schedule_meeting(
        acting_user=world.rasmus,
        child=world.sigrid,
        starts_at=timezone.now(),
        agenda=AGENDA,
        professionals=[world.sara, world.per],
    )
    return do_record_meeting(acting_user=world.rasmus, meeting=meeting, minutes=MINUTES, child_heard="took_part")


def _page(world, client, meeting):
    return client.get(reverse("casefile:meeting", args=[world.sigrid.id, meeting.id])).content.decode()


def test_the_minutes_belong_to_the_writers_organisation(world, held_meeting):
    assert held_meeting.organisation == world.units["school"].organisation


def test_the_writer_sees_agenda_and_minutes(world, held_meeting, client_for):
    page = _page(world, client_for("rasmus", language="en"), held_meeting)
    assert AGENDA in page and MINUTES in page and NOTICE not in page


def test_minutes_are_hidden_from_the_police_without_consent_while_the_meeting_shows(world, held_meeting, client_for):
    client = client_for("per", language="en")
    page = _page(world, client, held_meeting)
    assert AGENDA not in page and MINUTES not in page
    assert NOTICE in page
    assert "The child took part" in page  # that the child was heard stays visible to the team
    assert "Save the minutes" not in page
    listing = client.get(reverse("casefile:meetings", args=[world.sigrid.id]))
    assert listing.status_code == 200 and str(held_meeting.id) in listing.content.decode()
    api = client.get(f"/api/children/{world.sigrid.id}/meetings").json()
    assert [m["id"] for m in api] == [str(held_meeting.id)] and "minutes" not in api[0]
    # Nor can the hidden minutes be overwritten unseen.
    response = client.post(
        reverse("casefile:meeting", args=[world.sigrid.id, held_meeting.id]),
        {"minutes": "over", "child_heard": "took_part"},
    )
    assert response.status_code == 404
    assert Meeting.objects.get(pk=held_meeting.pk).minutes == MINUTES


def test_a_meeting_minutes_consent_opens_them(world, held_meeting, client_for):
    today = timezone.localdate()
    consent = do_request_consent(
        acting_user=world.rasmus,
        child=world.sigrid,
        disclosing_organisation=world.units["school"].organisation,
        recipients=[world.units["lpo"].organisation],
        categories=["meeting_minutes"],
        purpose="Samordning",
        valid_from=today,
        valid_to=today + timedelta(days=30),
    )
    do_record_consent(
        acting_user=world.rasmus,
        consent=consent,
        form="written",
        guardians=[c.guardian for c in Custody.objects.filter(child=world.sigrid, has_custody=True)],
    )
    page = _page(world, client_for("per", language="en"), held_meeting)
    assert AGENDA in page and MINUTES in page and NOTICE not in page
