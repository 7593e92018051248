"""Mina meddelanden: what was sent to me, when and by which channel; my e-mail choice. And
the start page (Att göra) with meeting invitations, at a query count that does not grow."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backa.casefile.meetings import do_schedule_meeting
from backa.casefile.models import Notification
from backa.outbox import worker
from backa.outbox.models import EmailPreference, Message
from backa.outbox.tests.helpers import give_addresses, register_concern

pytestmark = pytest.mark.django_db


def invite(world, count):
    with transaction.atomic():
        for i in range(count):
            do_schedule_meeting(
                acting_user=world.users["rasmus"],
                child=world.sigrid,
                starts_at=timezone.now() + timedelta(days=3, hours=i),
                professionals=[world.users["olle"], world.users["sara"]],
            )


def test_the_page_shows_each_notification_with_its_email_state(world, client_for, smtp):
    give_addresses(world)
    register_concern(world)
    while worker.run_once():
        pass
    page = client_for("rasmus").get(reverse("front:notifications"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Mina meddelanden" in html and "Ny oro registrerad" in html and "Skickat" in html
    assert "Sigrid" not in html  # the page lists kinds and channels, not children


def test_a_user_chooses_the_daily_digest_and_mutes_a_kind(world, client_for):
    client = client_for("rasmus")
    response = client.post(reverse("front:notifications"), {"mode": "daily", "muted_kinds": ["report_feedback"]})
    assert response.status_code == 302
    pref = EmailPreference.objects.get(user=world.users["rasmus"])
    assert (pref.mode, pref.muted_kinds) == ("daily", ["report_feedback"])
    register_concern(world)
    assert Message.objects.get().state == Message.State.HELD


def test_urgent_kinds_are_not_offered_and_a_bad_choice_changes_nothing(world, client_for):
    client = client_for("rasmus")
    response = client.post(reverse("front:notifications"), {"mode": "daily", "muted_kinds": ["meeting_invitation"]})
    assert response.status_code == 200 and b'aria-invalid="true"' in response.content
    assert not EmailPreference.objects.exists()


def test_the_notifications_page_has_a_fixed_query_count(world, client_for):
    client = client_for("olle")
    counts = []
    for n in (5, 50):
        invite(world, n - len(counts) * 5)
        assert Notification.objects.filter(recipient=world.users["olle"]).count() == n
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("front:notifications")).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts


def test_invitations_show_on_the_start_page_at_a_fixed_query_count(world, client_for):
    client = client_for("olle")
    counts = []
    for n in (5, 50):
        invite(world, n - len(counts) * 5)
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(reverse("front:todo"))
        counts.append(len(ctx))
        assert page.content.decode().count("Inbjudan till ett möte") == n
    assert counts[0] == counts[1], counts
    meeting = Notification.objects.filter(recipient=world.users["olle"]).first()
    assert reverse("casefile:meeting", args=[meeting.child_id, meeting.object_id]) in page.content.decode()
