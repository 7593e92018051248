"""The family's languages and interpreter needs: recorded per person, shown with the warning
never to let the child or a relative interpret, and booked for meetings and conversations."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from backa.audit.models import AccessLog
from backa.casefile.conversations import do_record_conversation
from backa.casefile.interpreters import do_set_language_need, interpreter_need
from backa.casefile.meetings import do_schedule_meeting
from backa.casefile.models import LanguageNeed, Meeting

pytestmark = pytest.mark.django_db

WARNING = "Låt aldrig barnet eller en släkting tolka"


def anna(world):
    return world.sigrid.custodies.get().guardian


def test_languages_per_person_and_the_interpreter_need(world):
    assert interpreter_need(world.sigrid) == (False, "")
    do_set_language_need(acting_user=world.rasmus, child=world.sigrid, languages=["sv", "ar"])
    do_set_language_need(
        acting_user=world.rasmus,
        child=world.sigrid,
        guardian=anna(world),
        languages=["ar"],
        interpreter_needed=True,
        interpreter_language="ar",
    )
    assert interpreter_need(world.sigrid) == (True, "ar")
    # Saving again changes the one row per person.
    do_set_language_need(acting_user=world.rasmus, child=world.sigrid, guardian=anna(world), languages=["ar"])
    assert LanguageNeed.objects.filter(child=world.sigrid).count() == 2
    assert interpreter_need(world.sigrid) == (False, "")


def test_bad_input_changes_nothing(world):
    with pytest.raises(ValidationError) as error:
        do_set_language_need(acting_user=world.rasmus, child=world.sigrid, languages=["xx"], interpreter_needed=True)
    assert set(error.value.message_dict) == {"languages", "interpreter_language"}
    with pytest.raises(ValidationError):
        do_set_language_need(
            acting_user=world.rasmus, child=world.sigrid, interpreter_needed=True, interpreter_language="sv"
        )
    assert not LanguageNeed.objects.exists()


def test_a_meeting_knows_the_need_and_records_the_booking(world):
    do_set_language_need(
        acting_user=world.rasmus,
        child=world.sigrid,
        guardian=anna(world),
        interpreter_needed=True,
        interpreter_language="so",
    )
    starts = timezone.now() + timedelta(days=3)
    meeting = do_schedule_meeting(
        acting_user=world.rasmus,
        child=world.sigrid,
        starts_at=starts,
        professionals=[world.rasmus],
        interpreter_booked=True,
        interpreter_language="so",
    )
    assert (meeting.interpreter_needed, meeting.interpreter_booked, meeting.interpreter_language) == (True, True, "so")
    with pytest.raises(ValidationError):
        do_schedule_meeting(
            acting_user=world.rasmus,
            child=world.sigrid,
            starts_at=starts,
            professionals=[world.rasmus],
            interpreter_booked=True,
        )
    assert Meeting.objects.count() == 1
    conversation = do_record_conversation(
        acting_user=world.rasmus,
        child=world.sigrid,
        held_on=timezone.localdate(),
        interpreter_booked=True,
        interpreter_language="so",
    )
    assert conversation.interpreter_language == "so"


def test_the_pages_show_the_need_and_the_warning(world, client_for):
    client = client_for("rasmus")
    url = reverse("casefile:languages", args=[world.sigrid.id])
    page = client.get(url).content.decode()
    assert WARNING in page
    key = f"p-{anna(world).pk}"
    response = client.post(
        url, {f"{key}-languages": ["so"], f"{key}-interpreter_needed": "on", f"{key}-interpreter_language": "so"}
    )
    assert response.status_code == 302
    assert interpreter_need(world.sigrid) == (True, "so")
    assert AccessLog.objects.filter(child_id=world.sigrid.id, object_type="language_need", action="update").exists()
    for name in ("new_meeting", "new_conversation"):
        html = client.get(reverse(f"casefile:{name}", args=[world.sigrid.id])).content.decode()
        assert "Familjen behöver tolk på somaliska." in html and WARNING in html
    # Someone outside the child's file gets the child's 404.
    assert client_for("olle").get(url).status_code == 404
