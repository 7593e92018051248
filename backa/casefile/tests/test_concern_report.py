"""Orosanmälan: never blocked by missing consent; social services records the outcome."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from backa.audit.models import AccessLog
from backa.casefile.concerns import do_register_concern
from backa.casefile.conversations import do_record_conversation
from backa.casefile.models import ConcernReport, Notification, ReportStatus
from backa.casefile.reports import do_record_report_outcome, do_report_to_social_services

pytestmark = pytest.mark.django_db


def test_the_report_goes_through_although_consent_was_refused(world):
    concern = do_register_concern(
        acting_user=world.rasmus,
        child=world.sigrid,
        observed_on=timezone.localdate(),
        description="Bruises",
        areas=["trygghet"],
        urgency="high",
    )
    do_record_conversation(
        acting_user=world.rasmus,
        child=world.sigrid,
        concern=concern,
        held_on=timezone.localdate(),
        guardian_words="No",
        consent_status="refused",
    )
    report = do_report_to_social_services(
        acting_user=world.rasmus, child=world.sigrid, concern=concern, information="Bruises on both arms", acute=True
    )
    assert report.status == ReportStatus.RECEIVED
    log = AccessLog.objects.get(object_type="concern_report", object_id=str(report.id))
    assert (log.action, log.purpose) == ("disclose", "duty_to_report")


def test_a_report_needs_what_is_passed_on(world):
    with pytest.raises(ValidationError):
        do_report_to_social_services(acting_user=world.rasmus, child=world.sigrid, information=" ")
    assert not ConcernReport.objects.exists()


def test_social_services_records_the_outcome_and_the_reporter_gets_feedback(world):
    report = do_report_to_social_services(acting_user=world.rasmus, child=world.sigrid, information="Worried")
    today = timezone.localdate()
    report = do_record_report_outcome(
        acting_user=world.sara,
        report=report,
        received_on=today,
        pre_assessment_decided_on=today,
        investigation_opened=True,
        investigation_decided_on=today,
        child_spoken_with=True,
        feedback_to_reporter="An investigation is opened",
        feedback_given_on=today,
    )
    assert report.status == ReportStatus.INVESTIGATION_OPENED
    assert report.child_spoken_with is True
    assert Notification.objects.filter(recipient=world.rasmus, kind="report_feedback").count() == 1


def test_outcome_dates_must_be_in_order(world):
    report = do_report_to_social_services(acting_user=world.rasmus, child=world.sigrid, information="Worried")
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        do_record_report_outcome(
            acting_user=world.sara,
            report=report,
            received_on=today,
            investigation_opened=False,
            investigation_decided_on=today - timedelta(days=2),
        )
    assert "investigation_decided_on" in exc.value.message_dict
    report.refresh_from_db()
    assert report.status == ReportStatus.RECEIVED and report.received_on == today  # received by the intake at once
