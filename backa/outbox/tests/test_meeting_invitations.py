"""Meeting invitations: each invited professional gets a notification on the start page and
an e-mail with an RFC 5545 invitation (parsed with the icalendar library); a change of time
and a cancellation carry the same UID and a higher SEQUENCE. The event names no child."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar

from backa.casefile.meetings import do_cancel_meeting, do_reschedule_meeting, do_schedule_meeting
from backa.casefile.models import Notification
from backa.outbox import worker
from backa.outbox.tests.helpers import give_addresses

pytestmark = pytest.mark.django_db


def drain():
    while worker.run_once():
        pass


def calendar_of(mail):
    [part] = [p for p in mail.walk() if p.get_content_type() == "text/calendar"]
    return part, Calendar.from_ical(part.get_payload(decode=True))


def test_invitation_update_and_cancellation_carry_one_uid_and_a_rising_sequence(world, smtp):
    give_addresses(world)
    starts = (timezone.now() + timedelta(days=5)).replace(second=0, microsecond=0)
    with transaction.atomic():
        meeting = do_schedule_meeting(
            acting_user=world.users["rasmus"],
            child=world.sigrid,
            starts_at=starts,
            place="Ängsskolan, rum 3",
            agenda="Sigrids skolgång",
            professionals=[world.users["rasmus"], world.users["olle"], world.users["sara"]],
        )
    # The organiser is not notified of their own meeting; the two others are, on the start page too.
    assert set(Notification.objects.values_list("recipient__username", "kind")) == {
        ("olle", "meeting_invitation"),
        ("sara", "meeting_invitation"),
    }
    drain()
    with transaction.atomic():
        do_reschedule_meeting(acting_user=world.users["rasmus"], meeting=meeting, starts_at=starts + timedelta(hours=2))
    drain()
    meeting.refresh_from_db()
    with transaction.atomic():
        do_cancel_meeting(acting_user=world.users["rasmus"], meeting=meeting)
    drain()

    to_olle = [m for m in smtp.recorder.messages if m["To"] == world.users["olle"].email]
    assert len(to_olle) == 3
    seen = []
    for mail in to_olle:
        part, cal = calendar_of(mail)
        [event] = cal.walk("VEVENT")
        seen.append((str(cal["METHOD"]), str(event["UID"]), int(event["SEQUENCE"]), event.decoded("DTSTART")))
        assert part.get_param("method") == str(cal["METHOD"])
        assert str(event["SUMMARY"]) == "Möte i Backa barnet"
        assert "LOCATION" not in event
        ics = part.get_payload(decode=True).decode()
        assert "Sigrid" not in ics and "Ängsskolan" not in ics
        assert str(event["ATTENDEE"]) == f"mailto:{world.users['olle'].email}"
    assert [s[0] for s in seen] == ["REQUEST", "REQUEST", "CANCEL"]
    assert len({s[1] for s in seen}) == 1 and seen[0][1] == f"meeting-{meeting.id}"
    assert [s[2] for s in seen] == [0, 1, 2]
    assert seen[0][3] == starts and seen[1][3] == starts + timedelta(hours=2)


def test_a_held_or_cancelled_meeting_cannot_be_moved(world):
    from django.core.exceptions import ValidationError

    with transaction.atomic():
        meeting = do_schedule_meeting(
            acting_user=world.users["rasmus"],
            child=world.sigrid,
            starts_at=timezone.now() + timedelta(days=1),
            professionals=[world.users["olle"]],
        )
        do_cancel_meeting(acting_user=world.users["rasmus"], meeting=meeting)
    before = Notification.objects.count()
    with pytest.raises(ValidationError), transaction.atomic():
        do_reschedule_meeting(acting_user=world.users["rasmus"], meeting=meeting, starts_at=timezone.now())
    with pytest.raises(ValidationError), transaction.atomic():
        do_cancel_meeting(acting_user=world.users["rasmus"], meeting=meeting)
    assert Notification.objects.count() == before
