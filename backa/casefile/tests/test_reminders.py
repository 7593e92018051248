"""Reminders: follow-up due soon and overdue, handover pending, consent expiring, emergency
access unreviewed — each configurable, each sent once per occasion, each on the start page
(Att göra) and through the outbox."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from backa.casefile.models import Notification, Plan, PlanStatus, ReminderSent
from backa.casefile.reminders import send_reminders
from backa.consent.models import Category, EmergencyAccess
from backa.consent.tests.helpers import given_consent, orgs
from backa.outbox.models import Message
from backa.roles.models import Handover, HandoverTrigger, RoleAssignment

pytestmark = pytest.mark.django_db


def plan(world, days):
    return Plan.objects.create(
        child=world.sigrid,
        municipality=world.municipality,
        organisation=world.units["school"].organisation,
        reason="Stöd",
        review_date=timezone.localdate() + timedelta(days=days),
        status=PlanStatus.ACTIVE,
        created_by=world.users["rasmus"],
    )


def kinds_for(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_a_follow_up_due_soon_is_reminded_once_and_again_when_overdue(world, frozen_clock, settings):
    settings.REMINDER_FOLLOWUP_DUE_DAYS = 7
    p = plan(world, 6)
    Plan.objects.create(
        child=world.ivar,
        municipality=world.municipality,
        organisation=world.units["bvc"].organisation,
        reason="Stöd",
        review_date=timezone.localdate() + timedelta(days=9),  # outside the window
        status=PlanStatus.ACTIVE,
        created_by=world.users["britta"],
    )
    assert send_reminders()["followups"] == 1
    assert send_reminders()["followups"] == 0  # idempotent
    assert kinds_for(world.users["rasmus"]) == ["remind_followup_due"]
    frozen_clock.shift(timedelta(days=7))
    send_reminders()
    assert "remind_followup_late" in kinds_for(world.users["rasmus"])
    assert ReminderSent.objects.filter(object_id=p.id).count() == 2
    # Each reminder also became an outbox row for the recipient.
    assert Message.objects.filter(recipient=world.users["rasmus"], kind="remind_followup_late").count() == 1


def test_a_moved_review_date_is_a_new_occasion(world):
    p = plan(world, 3)
    send_reminders()
    Plan.objects.filter(pk=p.pk).update(review_date=p.review_date + timedelta(days=2))
    send_reminders()
    send_reminders()
    assert kinds_for(world.users["rasmus"]) == ["remind_followup_due", "remind_followup_due"]


def test_the_window_is_configurable(world, settings):
    settings.REMINDER_FOLLOWUP_DUE_DAYS = 2
    plan(world, 6)
    assert send_reminders()["followups"] == 0


def test_a_handover_pending_too_long_reminds_the_receiver(world, frozen_clock, settings):
    settings.REMINDER_HANDOVER_PENDING_DAYS = 5
    Handover.objects.create(
        child=world.ivar,
        municipality=world.municipality,
        trigger=HandoverTrigger.PHASE_CHANGE,
        from_assignment=RoleAssignment.objects.get(child=world.ivar, position=world.positions["britta"]),
        from_position=world.positions["britta"],
        to_position=world.positions["rasmus"],
        target_date=timezone.localdate(),
    )
    assert send_reminders()["handovers"] == 0
    frozen_clock.shift(timedelta(days=6))
    assert send_reminders()["handovers"] == 1
    assert send_reminders()["handovers"] == 0
    assert kinds_for(world.users["rasmus"]) == ["remind_handover"]


def test_an_expiring_consent_reminds_the_barnkontakt(world, settings):
    settings.REMINDER_CONSENT_EXPIRING_DAYS = 30
    o = orgs(world)
    with transaction.atomic():
        given_consent(world, disclosing=o["school"], recipients=[o["ifo"]], categories=[Category.NOTES], days=20)
    assert send_reminders()["consents"] == 1
    assert send_reminders()["consents"] == 0
    assert kinds_for(world.users["rasmus"]) == ["remind_consent"]


def test_an_unreviewed_emergency_access_reminds_the_reviewers_not_the_user(world, settings):
    settings.REMINDER_EMERGENCY_UNREVIEWED_HOURS = 24
    now = timezone.now()
    EmergencyAccess.objects.create(
        child=world.nobody,
        municipality=world.municipality,
        user=world.users["per"],
        organisation=world.units["lpo"].organisation,
        reason="Akut",
        granted_at=now - timedelta(days=2),
        expires_at=now - timedelta(days=2) + timedelta(hours=4),
    )
    call_command("send_reminders")
    call_command("send_reminders")
    assert kinds_for(world.users["ada"]) == ["remind_emergency"]
    assert kinds_for(world.users["per"]) == []


def test_reminders_show_on_the_start_page(world, client_for):
    plan(world, 3)
    send_reminders()
    page = client_for("rasmus").get(reverse("front:todo"))
    html = page.content.decode()
    assert "En plans uppföljning närmar sig" in html
    assert reverse("casefile:plan", args=[world.sigrid.id]) in html
