"""The family's kallelse as a printable letter (PDF/UA-1), the child's own invitation in plain
Swedish, and moving or cancelling a meeting from its page (the invited are told)."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from backa.audit.models import AccessLog
from backa.casefile.meetings import do_schedule_meeting
from backa.casefile.models import Meeting, Notification
from backa.children.models import Guardian
from backa.impact.tests.test_pdf import inflate

pytestmark = pytest.mark.django_db

STRUCTURE = (b"/StructTreeRoot", b"/MarkInfo", b"/Lang", b"/DisplayDocTitle", b"pdfuaid:part", b"/H1")


@pytest.fixture
def meeting(world):
    with transaction.atomic():
        return do_schedule_meeting(
            acting_user=world.users["rasmus"],
            child=world.sigrid,
            starts_at=timezone.now() + timedelta(days=4),
            place="Ängsskolan, rum 3",
            professionals=[world.users["rasmus"], world.users["olle"]],
            guardians=list(Guardian.objects.filter(custodies__child=world.sigrid)),
        )


@pytest.mark.parametrize(("suffix", "filename"), [("", "kallelse-"), ("?for=barn", "din-inbjudan-")])
def test_the_letters_are_tagged_pdfs_and_the_print_is_logged(world, client_for, meeting, suffix, filename):
    url = reverse("casefile:meeting_letter", args=[world.sigrid.id, meeting.id]) + suffix
    response = client_for("rasmus").get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f'filename="{filename}' in response["Content-Disposition"]
    text = inflate(response.content)
    for marker in STRUCTURE:
        assert marker in text, marker
    assert AccessLog.objects.filter(
        user_id=world.rasmus.id, child_id=world.sigrid.id, action="print", object_type="meeting"
    ).exists()


def test_no_letter_without_a_role_for_the_child(world, client_for, meeting):
    response = client_for("britta").get(reverse("casefile:meeting_letter", args=[world.sigrid.id, meeting.id]))
    assert response.status_code == 404


def test_moving_and_cancelling_from_the_page_tells_the_invited(world, client_for, meeting):
    client = client_for("rasmus")
    new_time = (timezone.localtime() + timedelta(days=6)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("casefile:move_meeting", args=[world.sigrid.id, meeting.id]), {"starts_at": new_time}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.sequence == 1 and timezone.localtime(meeting.starts_at).strftime("%Y-%m-%dT%H:%M") == new_time
    # Without the tick nothing happens.
    client.post(reverse("casefile:cancel_meeting", args=[world.sigrid.id, meeting.id]), {})
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.PLANNED
    client.post(reverse("casefile:cancel_meeting", args=[world.sigrid.id, meeting.id]), {"confirm": "on"})
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.CANCELLED
    assert list(
        Notification.objects.filter(recipient=world.users["olle"]).order_by("created_at").values_list("kind", flat=True)
    ) == ["meeting_invitation", "meeting_updated", "meeting_cancelled"]
