"""The concern report to social services (orosanmälan) and its outcome."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backa.audit.context import as_acting
from backa.audit.log import Action, log_access
from backa.audit.vocabulary import ObjectType, Purpose
from backa.casefile.common import _not_in_future, writing_activity_id
from backa.casefile.intake import reporter_category_of, route_report
from backa.casefile.models import Concern, ConcernReport, IntakeItem, Notification, ReportStatus
from backa.casefile.notify import notify


def do_report_to_social_services(
    *,
    acting_user,
    child,
    information: str,
    concern: Concern | None = None,
    acute: bool = False,
    guardians_informed: bool = False,
    position=None,
) -> ConcernReport:
    """File an orosanmälan. Deliberately independent of consent: the duty to report
    overrides secrecy, so no consent is looked up and none can block it."""
    acting = as_acting(acting_user)
    acting_user = acting.user
    if not (information or "").strip():
        raise ValidationError({"information": _("Say what you pass on to social services.")})
    if concern is not None and concern.child_id != child.pk:
        raise ValidationError({"concern": _("The concern belongs to another child.")})
    with transaction.atomic():
        report = ConcernReport.objects.create(
            child=child,
            municipality_id=child.municipality_id,
            concern=concern,
            reported_by=acting_user,
            reporter_position=position,
            activity_id=writing_activity_id(acting, position),
            information=information.strip(),
            acute=acute,
            guardians_informed=guardians_informed,
            reporter_category=reporter_category_of(position or acting.position),
        )
        # In the same transaction: the report is accepted only with its one open queue item.
        route_report(report)
        log_access(
            acting=acting,
            child=child,
            action=Action.DISCLOSE,
            object_type=ObjectType.CONCERN_REPORT,
            object_id=report.id,
            purpose=Purpose.DUTY_TO_REPORT,
        )
    return report


def do_record_report_outcome(
    *,
    acting_user,
    report: ConcernReport,
    received_on: date,
    pre_assessment_decided_on: date | None = None,
    investigation_opened: bool | None = None,
    investigation_decided_on: date | None = None,
    child_spoken_with: bool | None = None,
    feedback_to_reporter: str = "",
    feedback_given_on: date | None = None,
) -> ConcernReport:
    """Social services records what came of a report: förhandsbedömning, whether an
    investigation was opened (with dates), whether the child was spoken with, feedback."""
    acting = as_acting(acting_user)
    acting_user = acting.user
    errors = {}
    reported_day = timezone.localdate(report.reported_at)
    if not received_on:
        errors["received_on"] = _("Give the date the report was received.")
    elif received_on < reported_day:
        errors["received_on"] = _("A report cannot be received before it was sent.")
    _not_in_future(received_on, "received_on", errors)
    if pre_assessment_decided_on and received_on and pre_assessment_decided_on < received_on:
        errors["pre_assessment_decided_on"] = _(
            "The förhandsbedömning cannot be decided before the report was received."
        )
    if investigation_opened is not None and not investigation_decided_on:
        errors["investigation_decided_on"] = _("Give the date of the decision on investigation.")
    if investigation_decided_on and investigation_opened is None:
        errors["investigation_opened"] = _("Say whether an investigation was opened.")
    if investigation_decided_on and received_on and investigation_decided_on < received_on:
        errors["investigation_decided_on"] = _("The decision cannot be before the report was received.")
    if feedback_given_on and not feedback_to_reporter.strip():
        errors["feedback_to_reporter"] = _("Write the feedback given to the reporter.")
    if feedback_given_on and received_on and feedback_given_on < received_on:
        errors["feedback_given_on"] = _("Feedback cannot be given before the report was received.")
    if errors:
        raise ValidationError(errors)
    if investigation_opened is True:
        status = ReportStatus.INVESTIGATION_OPENED
    elif investigation_opened is False:
        status = ReportStatus.NOT_OPENED
    else:
        status = ReportStatus.PRE_ASSESSMENT
    with transaction.atomic():
        locked = ConcernReport.objects.select_for_update().get(pk=report.pk)
        had_feedback = bool(locked.feedback_given_on)
        for field, value in dict(
            received_on=received_on,
            pre_assessment_decided_on=pre_assessment_decided_on,
            investigation_opened=investigation_opened,
            investigation_decided_on=investigation_decided_on,
            child_spoken_with=child_spoken_with,
            feedback_to_reporter=feedback_to_reporter.strip(),
            feedback_given_on=feedback_given_on,
            status=status,
            outcome_recorded_by=acting_user,
            outcome_activity_id=as_acting(acting_user).activity_id,
        ).items():
            setattr(locked, field, value)
        locked.save()
        if investigation_opened is not None:
            # The outcome is decided: the förhandsbedömning has left the intake's queue.
            IntakeItem.objects.filter(report=locked, closed_at__isnull=True).update(closed_at=timezone.now())
        if feedback_given_on and not had_feedback:
            notify(
                recipients=[locked.reported_by_id],
                child=locked.child,
                kind=Notification.Kind.CONCERN_REPORT_FEEDBACK,
                object_id=locked.id,
            )
        log_access(
            acting=acting,
            child_id=locked.child_id,
            municipality_id=locked.municipality_id,
            action=Action.UPDATE,
            object_type=ObjectType.CONCERN_REPORT,
            object_id=locked.id,
            purpose=Purpose.REPORT_OUTCOME,
        )
    return locked
