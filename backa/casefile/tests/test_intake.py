"""The intake (mottagning): every report lands in one open queue item; the förhandsbedömning,
the child heard, the second look before a 0–12 closure, acute escalation, feedback."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from backa.access.lookups import intake_scope
from backa.audit.models import AccessLog
from backa.casefile import intake
from backa.casefile.intake import Decision
from backa.casefile.models import (
    ConcernReport,
    IntakeDuty,
    IntakeItem,
    Notification,
    ReporterCategory,
    ReportStatus,
)
from backa.casefile.reports import do_report_to_social_services
from backa.consent.models import DisclosureRecord

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def file_report(world, child=None, **kwargs):
    return do_report_to_social_services(
        acting_user=world.rasmus,
        child=child or world.sigrid,
        information="Barnet berättar om bråk hemma",
        position=world.positions["rasmus"],
        **kwargs,
    )


def heard(decision="investigation", reason="risk_of_harm", **kwargs):
    values = dict(
        decision=decision,
        reason=reason,
        decided_on=TODAY,
        child_spoken_with=True,
        child_heard_how="at_school",
    )
    values.update(kwargs)
    return Decision(**values)


def unheard(**kwargs):
    values = dict(
        decision="no_investigation",
        reason="no_grounds",
        child_spoken_with=False,
        child_heard_how="",
        child_not_heard_reason="not_reached",
    )
    values.update(kwargs)
    return heard(**values)


def test_a_report_lands_in_exactly_one_open_item_of_the_home_districts_intake(world):
    report = file_report(world)
    item = IntakeItem.objects.get(report=report)
    assert item.district_id == world.jarva.pk and item.closed_at is None
    assert item.deadline == TODAY + timedelta(days=14)
    assert report.status == ReportStatus.RECEIVED and report.received_on == TODAY
    assert report.reporter_category == ReporterCategory.SCHOOL and report.child_age == 10
    scope = intake_scope(world.positions["ines"])
    assert list(intake.queue(scope)) == [item]


def test_a_second_open_item_for_the_same_report_is_refused_by_the_database(world):
    report = file_report(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        IntakeItem.objects.create(report=report, municipality=world.municipality, district=world.jarva, deadline=TODAY)
    assert IntakeItem.objects.filter(report=report).count() == 1


def test_a_report_that_cannot_be_queued_is_not_accepted(world, monkeypatch):
    def broken(report):
        raise IntegrityError("queue unavailable")

    monkeypatch.setattr("backa.casefile.reports.route_report", broken)
    with pytest.raises(IntegrityError):
        file_report(world)
    assert not ConcernReport.objects.exists()


def test_a_district_without_intake_sends_its_reports_to_the_central_intake(world):
    report = file_report(world, child=world.nobody)  # Farsta has no intake
    item = IntakeItem.objects.get(report=report)
    assert item.district_id is None
    assert item not in intake.queue(intake_scope(world.positions["ines"]))


def test_the_intake_registers_a_report_from_outside_the_platform(world):
    scope = intake_scope(world.positions["ines"])
    report = intake.do_register_external_report(
        acting_user=world.ines,
        scope=scope,
        child=world.ivar,
        reporter_category=ReporterCategory.POLICE,
        reporter_description="LPO Järva",
        received_via="phone",
        information="Polisen ringde efter ett larm",
    )
    assert report.origin == "external" and IntakeItem.objects.filter(report=report, closed_at=None).count() == 1
    assert AccessLog.objects.filter(purpose="external_report", child_id=world.ivar.pk).exists()


def test_anonymous_reports_name_nobody(world):
    with pytest.raises(ValidationError) as error:
        intake.do_register_external_report(
            acting_user=world.ines,
            scope=intake_scope(world.positions["ines"]),
            child=world.ivar,
            reporter_category=ReporterCategory.ANONYMOUS,
            reporter_description="Granne",
            received_via="phone",
            information="x",
        )
    assert "reporter_description" in error.value.message_dict
    assert not ConcernReport.objects.exists()


def test_a_decision_before_assignment_is_refused_and_changes_nothing(world):
    item = IntakeItem.objects.get(report=file_report(world))
    with pytest.raises(ValidationError) as error:
        intake.do_decide(acting_user=world.ines, item=item, decision=heard())
    assert error.value.message_dict["__all__"] == ["Fördela anmälan till en handläggare innan ni beslutar."]
    report = ConcernReport.objects.get(pk=item.report_id)
    assert report.decision == "" and report.status == ReportStatus.RECEIVED


def test_a_decision_dated_before_the_report_is_refused(world):
    item = IntakeItem.objects.get(report=file_report(world))
    intake.do_assign(acting_user=world.tove, item=item, handler=world.ines)
    with pytest.raises(ValidationError) as error:
        intake.do_decide(acting_user=world.ines, item=item, decision=heard(decided_on=TODAY - timedelta(days=1)))
    assert "decided_on" in error.value.message_dict
    assert ConcernReport.objects.get(pk=item.report_id).decision == ""


def test_the_decision_must_say_how_or_why_not_the_child_was_heard(world):
    item = IntakeItem.objects.get(report=file_report(world))
    intake.do_assign(acting_user=world.tove, item=item, handler=world.ines)
    with pytest.raises(ValidationError) as error:
        intake.do_decide(acting_user=world.ines, item=item, decision=unheard(child_not_heard_reason=""))
    assert "child_not_heard_reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        intake.do_decide(acting_user=world.ines, item=item, decision=heard(reason="no_grounds"))
    assert "reason" in error.value.message_dict


def test_earlier_reports_in_the_last_twelve_months_are_shown(world):
    first = file_report(world)
    ConcernReport.objects.filter(pk=first.pk).update(reported_at=timezone.now() - timedelta(days=100))
    old = file_report(world)
    ConcernReport.objects.filter(pk=old.pk).update(reported_at=timezone.now() - timedelta(days=400))
    current = file_report(world)
    assert list(intake.earlier_reports(current)) == [ConcernReport.objects.get(pk=first.pk)]


def test_a_young_childs_closure_without_the_child_heard_waits_for_a_second_person(world):
    item = IntakeItem.objects.get(report=file_report(world))
    intake.do_assign(acting_user=world.tove, item=item, handler=world.ines)
    intake.do_decide(acting_user=world.ines, item=item, decision=unheard())
    report = ConcernReport.objects.get(pk=item.report_id)
    item.refresh_from_db()
    assert report.status == ReportStatus.SECOND_LOOK and item.closed_at is None
    assert Notification.objects.filter(kind="second_look", recipient=world.tove).exists()
    # the handler cannot approve their own closure
    with pytest.raises(ValidationError) as error:
        intake.do_approve_closure(acting_user=world.ines, item=item, reason="Ok")
    assert "någon annan än handläggaren" in str(error.value)
    assert ConcernReport.objects.get(pk=item.report_id).status == ReportStatus.SECOND_LOOK
    with pytest.raises(ValidationError):
        intake.do_approve_closure(acting_user=world.tove, item=item, reason=" ")
    intake.do_approve_closure(acting_user=world.tove, item=item, reason="Inga nya uppgifter; skolan följer upp")
    report.refresh_from_db()
    item.refresh_from_db()
    assert report.status == ReportStatus.NOT_OPENED and report.second_look_by == world.tove
    assert item.closed_at is not None


def test_the_database_refuses_a_young_childs_closure_without_second_look(world):
    item = IntakeItem.objects.get(report=file_report(world))
    intake.do_assign(acting_user=world.tove, item=item, handler=world.ines)
    intake.do_decide(acting_user=world.ines, item=item, decision=unheard())
    for second in (None, world.ines):
        with pytest.raises(IntegrityError), transaction.atomic():
            ConcernReport.objects.filter(pk=item.report_id).update(
                status=ReportStatus.NOT_OPENED, second_look_by=second, second_look_reason="x"
            )
    # an older child (13+) needs no second look
    ConcernReport.objects.filter(pk=item.report_id).update(child_age=13, status=ReportStatus.NOT_OPENED)


def test_a_second_person_can_send_the_decision_back(world):
    item = IntakeItem.objects.get(report=file_report(world))
    intake.do_assign(acting_user=world.tove, item=item, handler=world.ines)
    intake.do_decide(acting_user=world.ines, item=item, decision=unheard())
    intake.do_send_back(acting_user=world.tove, item=item, reason="Tala med barnet först")
    report = ConcernReport.objects.get(pk=item.report_id)
    assert report.status == ReportStatus.PRE_ASSESSMENT and report.decision == ""
    intake.do_decide(
        acting_user=world.ines, item=item, decision=heard(decision="no_investigation", reason="no_grounds")
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.NOT_OPENED


def test_feedback_is_a_disclosure_and_reaches_the_reporter(world):
    report = file_report(world)
    item = IntakeItem.objects.get(report=report)
    intake.do_assign(acting_user=world.ines, item=item, handler=world.ines)
    intake.do_decide(acting_user=world.ines, item=item, decision=heard())
    intake.do_give_feedback(acting_user=world.ines, item=item, text="En utredning är inledd.", given_on=TODAY)
    report.refresh_from_db()
    assert report.feedback_given_on == TODAY and report.feedback_given_by == world.ines
    record = DisclosureRecord.objects.get(child=world.sigrid)
    assert record.basis == "report_feedback" and record.to_organisation == world.units["school"].organisation
    assert Notification.objects.filter(kind="report_feedback", recipient=world.rasmus, object_id=report.pk).exists()
    with pytest.raises(ValidationError):
        intake.do_give_feedback(acting_user=world.ines, item=item, text="Igen", given_on=TODAY)


def test_overdue_feedback_is_flagged_once(world, frozen_clock):
    report = file_report(world)
    item = IntakeItem.objects.get(report=report)
    intake.do_assign(acting_user=world.ines, item=item, handler=world.ines)
    intake.do_decide(acting_user=world.ines, item=item, decision=heard())
    assert intake.flag_overdue_feedback() == 0
    frozen_clock.shift(timedelta(days=world.municipality.report_feedback_days + 1))
    assert intake.flag_overdue_feedback() == 1
    assert intake.flag_overdue_feedback() == 0
    assert Notification.objects.filter(kind="feedback_due", recipient=world.ines).count() == 1


def test_an_acute_report_alerts_the_on_duty_list_and_escalates_when_unopened(world, frozen_clock):
    for rank, key in enumerate(["ines", "tove"]):
        IntakeDuty.objects.create(
            municipality=world.municipality, district=world.jarva, position=world.positions[key], rank=rank
        )
    report = file_report(world, acute=True)
    item = IntakeItem.objects.get(report=report)
    assert list(Notification.objects.filter(kind="acute_report").values_list("recipient", flat=True)) == [world.ines.pk]
    assert intake.escalate_acute_reports() == 0
    frozen_clock.shift(timedelta(minutes=world.municipality.acute_escalation_minutes + 1))
    assert intake.escalate_acute_reports() == 1
    assert intake.escalate_acute_reports() == 0  # idempotent
    assert Notification.objects.filter(kind="acute_escalated", recipient=world.tove, object_id=item.pk).count() == 1
    frozen_clock.shift(timedelta(hours=3))
    assert intake.escalate_acute_reports() == 0  # the list is exhausted


def test_an_acute_report_opened_in_time_does_not_escalate(world, frozen_clock):
    for rank, key in enumerate(["ines", "tove"]):
        IntakeDuty.objects.create(
            municipality=world.municipality, district=world.jarva, position=world.positions[key], rank=rank
        )
    item = IntakeItem.objects.get(report=file_report(world, acute=True))
    intake.do_open_item(acting_user=world.ines, item=item)
    frozen_clock.shift(timedelta(hours=1))
    assert intake.escalate_acute_reports() == 0


def test_the_skyddsbedomning_is_recorded_with_time_and_person(world):
    item = IntakeItem.objects.get(report=file_report(world, acute=True))
    with pytest.raises(ValidationError):
        intake.do_record_safety_assessment(acting_user=world.ines, item=item, child_safe=None, note="")
    intake.do_record_safety_assessment(acting_user=world.ines, item=item, child_safe=True, note="Mormor hämtar")
    report = ConcernReport.objects.get(pk=item.report_id)
    assert report.safety_assessed_by == world.ines and report.safety_assessed_at is not None


def test_the_escalation_command_is_idempotent(world, frozen_clock):
    from io import StringIO

    from django.core.management import call_command

    for rank, key in enumerate(["ines", "tove"]):
        IntakeDuty.objects.create(
            municipality=world.municipality, district=world.jarva, position=world.positions[key], rank=rank
        )
    file_report(world, acute=True)
    frozen_clock.shift(timedelta(minutes=45))
    out = StringIO()
    call_command("escalate_acute_reports", stdout=out)
    call_command("escalate_acute_reports", stdout=out)
    assert out.getvalue().split("\n")[:2] == ["1 escalations", "0 escalations"]


def _closed_unheard(world, child=None):
    report = file_report(world, child=child)
    item = IntakeItem.objects.get(report=report)
    intake.do_assign(acting_user=world.tove, item=item, handler=world.ines)
    intake.do_decide(acting_user=world.ines, item=item, decision=unheard())
    intake.do_approve_closure(acting_user=world.tove, item=item, reason="Skolan följer upp")
    return report


def test_the_quality_sample_goes_to_someone_who_neither_handled_nor_approved(world):
    from backa.accounts.models import PositionKind
    from backa.casefile.models import QualityReview
    from backa.testing import make_user

    _closed_unheard(world)
    # ines handled and tove approved: nobody is left to review
    assert intake.draw_quality_sample(municipality_id=world.municipality.pk, month=TODAY) == 0
    make_user("rut", "Rut", "Granskare", world.units["ifo"], PositionKind.INTAKE, "Socialsekreterare")
    assert intake.draw_quality_sample(municipality_id=world.municipality.pk, month=TODAY) == 1
    assert intake.draw_quality_sample(municipality_id=world.municipality.pk, month=TODAY) == 0  # idempotent
    review = QualityReview.objects.get()
    assert review.reviewer.username == "rut"
    with pytest.raises(ValidationError):
        intake.do_record_quality_review(
            acting_user=world.tove, review=review, should_have_been_investigated=True, reason="x"
        )
    intake.do_record_quality_review(
        acting_user=review.reviewer, review=review, should_have_been_investigated=True, reason="Barnet borde hörts"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        QualityReview.objects.filter(pk=review.pk).update(reviewer=world.ines)
