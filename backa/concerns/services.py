"""Writes for concerns, conversations, assessments and concern reports.

Each is atomic and writes its access-log row in the same transaction; invalid input
raises ValidationError (a dict of field -> message) and saves nothing.
"""
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backa.audit.log import Action, actor_fields, log_access
from backa.roles.models import RoleAssignment, RoleKind, role_active_on

from .compass import AREA_CODES, scale_max
from .models import (
    Assessment, AssessmentArea, Concern, ConcernReport, ConcernStatus, ConsentStatus, Conversation, Notification,
    ReportStatus, Urgency,
)


def _log(request, user, child, action, object_type, object_id, purpose=""):
    log_access(request=request, user=user, child=child, action=action, object_type=object_type,
               object_id=object_id, purpose=purpose)


def writing_organisation_id(acting_user, request=None, position=None):
    """The organisation an entry belongs to: that of the position written in when the caller
    names one, else the writer's active position (the session's choice on a request)."""
    if position is not None:
        return position.unit.organisation_id
    return actor_fields(request=request, user=acting_user)["organisation_id"]


def _not_in_future(day, field, errors):
    if day and day > timezone.localdate():
        errors[field] = _("The date cannot be in the future.")


def barnkontakt_users(child, on=None):
    on = on or timezone.localdate()
    return [
        a.position.user
        for a in RoleAssignment.objects.filter(role_active_on(on), child=child, kind=RoleKind.BARNKONTAKT)
        .select_related("position__user")
    ]


def do_register_concern(
    *, acting_user, child, observed_on: date, description: str, areas: list[str], urgency: str = Urgency.MEDIUM,
    position=None, request=None,
) -> Concern:
    """Register what a professional noticed (uppmärksamma). The child's barnkontakt is notified."""
    errors = {}
    if not (description or "").strip():
        errors["description"] = _("Describe what you saw or heard.")
    if not observed_on:
        errors["observed_on"] = _("Give the date you noticed it.")
    _not_in_future(observed_on, "observed_on", errors)
    unknown = [a for a in areas if a not in AREA_CODES]
    if unknown:
        errors["areas"] = _("Unknown compass area: %(codes)s") % {"codes": ", ".join(unknown)}
    if urgency not in Urgency.values:
        errors["urgency"] = _("Choose how urgent it is.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        concern = Concern.objects.create(
            child=child, municipality_id=child.municipality_id, reported_by=acting_user, reporter_position=position,
            observed_on=observed_on, description=description.strip(), areas=[a for a in AREA_CODES if a in areas],
            urgency=urgency,
        )
        _log(request, acting_user, child, Action.CREATE, "concern", concern.id, "upptackare")
        recipients = [u for u in barnkontakt_users(child) if u.pk != acting_user.pk]
        Notification.objects.bulk_create(
            Notification(recipient=u, child=child, municipality_id=child.municipality_id,
                         kind=Notification.Kind.NEW_CONCERN, object_id=concern.id)
            for u in recipients
        )
        if recipients or barnkontakt_users(child):
            concern.barnkontakt_notified_at = timezone.now()
            concern.save(update_fields=["barnkontakt_notified_at"])
    return concern


def do_set_concern_status(*, acting_user, concern: Concern, status: str, note: str = "", request=None) -> Concern:
    """Move a concern on (being looked into, led to a plan, closed); closing needs a note."""
    if status not in ConcernStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status == ConcernStatus.CLOSED and not note.strip():
        raise ValidationError({"note": _("Say why the concern is closed.")})
    with transaction.atomic():
        concern = Concern.objects.select_for_update().get(pk=concern.pk)
        concern.status, concern.status_note = status, note.strip()[:300]
        concern.save(update_fields=["status", "status_note", "updated_at"])
        _log(request, acting_user, concern.child, Action.UPDATE, "concern", concern.id, status)
    return concern


def do_record_conversation(
    *, acting_user, child, held_on: date, concern: Concern | None = None, child_words: str = "",
    guardian_words: str = "", professional_notes: str = "", consent_status: str = ConsentStatus.NOT_ASKED,
    consent_ref=None, child_took_part: bool = True, guardians_took_part: bool = True, request=None, position=None,
) -> Conversation:
    """Record a talk with the child and family, the child's words kept apart."""
    errors = {}
    if not held_on:
        errors["held_on"] = _("Give the date of the conversation.")
    _not_in_future(held_on, "held_on", errors)
    if concern is not None and concern.child_id != child.pk:
        errors["concern"] = _("The concern belongs to another child.")
    if not child_took_part and not guardians_took_part:
        errors["child_took_part"] = _("A conversation needs the child or a guardian taking part.")
    if child_words.strip() and not child_took_part:
        errors["child_words"] = _("The child's own words can only be recorded if the child took part.")
    if consent_status not in ConsentStatus.values:
        errors["consent_status"] = _("Choose whether consent was asked.")
    if concern is not None and held_on and held_on < concern.observed_on:
        errors["held_on"] = _("The conversation cannot be before the concern was noticed.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        conversation = Conversation.objects.create(
            child=child, municipality_id=child.municipality_id, concern=concern, held_on=held_on, held_by=acting_user,
            organisation_id=writing_organisation_id(acting_user, request, position),
            child_words=child_words.strip(), guardian_words=guardian_words.strip(),
            professional_notes=professional_notes.strip(), consent_status=consent_status, consent_ref=consent_ref,
            child_took_part=child_took_part, guardians_took_part=guardians_took_part,
        )
        if concern is not None and concern.status == ConcernStatus.NEW:
            Concern.objects.filter(pk=concern.pk).update(status=ConcernStatus.IN_PROGRESS)
        _log(request, acting_user, child, Action.CREATE, "conversation", conversation.id)
    return conversation


RATING_FIELDS = ("rating", "child_rating", "guardian_rating")
TEXT_FIELDS = ("strengths", "needs", "child_view", "guardian_view")


def do_record_assessment(
    *, acting_user, child, assessed_on: date, areas: dict, concern: Concern | None = None, summary: str = "",
    request=None, position=None,
) -> Assessment:
    """Record a Behovskompassen assessment. `areas` maps an area code to a dict with
    strengths, needs, rating, child_rating, child_view, guardian_rating, guardian_view.
    All eight areas are stored (empty where nothing was said) so assessments compare."""
    top = scale_max()
    errors = {}
    if not assessed_on:
        errors["assessed_on"] = _("Give the date of the assessment.")
    _not_in_future(assessed_on, "assessed_on", errors)
    unknown = [code for code in areas if code not in AREA_CODES]
    if unknown:
        errors["areas"] = _("Unknown compass area: %(codes)s") % {"codes": ", ".join(unknown)}
    for code, values in areas.items():
        for field in RATING_FIELDS:
            value = values.get(field)
            if value in (None, ""):
                continue
            if not isinstance(value, int) or not 1 <= value <= top:
                errors[f"{code}-{field}"] = _("A rating must be a whole number from 1 to %(max)s.") % {"max": top}
    if not any(values.get(f) not in (None, "") for values in areas.values() for f in RATING_FIELDS + TEXT_FIELDS):
        errors["areas"] = _("Fill in at least one area.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        assessment = Assessment.objects.create(
            child=child, municipality_id=child.municipality_id, concern=concern, assessed_on=assessed_on,
            assessed_by=acting_user, scale_max=top, summary=summary.strip(),
            organisation_id=writing_organisation_id(acting_user, request, position),
        )
        AssessmentArea.objects.bulk_create(
            AssessmentArea(
                assessment=assessment, area=code,
                **{f: (areas.get(code, {}).get(f) or None) for f in RATING_FIELDS},
                **{f: (areas.get(code, {}).get(f) or "").strip() for f in TEXT_FIELDS},
            )
            for code in AREA_CODES
        )
        if concern is not None and concern.status == ConcernStatus.NEW:
            Concern.objects.filter(pk=concern.pk).update(status=ConcernStatus.IN_PROGRESS)
        _log(request, acting_user, child, Action.CREATE, "assessment", assessment.id)
    return assessment


def do_report_to_social_services(
    *, acting_user, child, information: str, concern: Concern | None = None, acute: bool = False,
    guardians_informed: bool = False, position=None, request=None,
) -> ConcernReport:
    """File an orosanmälan. Deliberately independent of consent: the duty to report
    overrides secrecy, so no consent is looked up and none can block it."""
    if not (information or "").strip():
        raise ValidationError({"information": _("Say what you pass on to social services.")})
    if concern is not None and concern.child_id != child.pk:
        raise ValidationError({"concern": _("The concern belongs to another child.")})
    with transaction.atomic():
        report = ConcernReport.objects.create(
            child=child, municipality_id=child.municipality_id, concern=concern, reported_by=acting_user,
            reporter_position=position, information=information.strip(), acute=acute,
            guardians_informed=guardians_informed,
        )
        log_access(request=request, user=acting_user, child=child, action=Action.DISCLOSE, object_type="concern_report",
                   object_id=report.id, purpose="duty_to_report")
    return report


def do_record_report_outcome(
    *, acting_user, report: ConcernReport, received_on: date, pre_assessment_decided_on: date | None = None,
    investigation_opened: bool | None = None, investigation_decided_on: date | None = None,
    child_spoken_with: bool | None = None, feedback_to_reporter: str = "", feedback_given_on: date | None = None,
    request=None,
) -> ConcernReport:
    """Social services records what came of a report: förhandsbedömning, whether an
    investigation was opened (with dates), whether the child was spoken with, feedback."""
    errors = {}
    reported_day = timezone.localdate(report.reported_at)
    if not received_on:
        errors["received_on"] = _("Give the date the report was received.")
    elif received_on < reported_day:
        errors["received_on"] = _("A report cannot be received before it was sent.")
    _not_in_future(received_on, "received_on", errors)
    if pre_assessment_decided_on and received_on and pre_assessment_decided_on < received_on:
        errors["pre_assessment_decided_on"] = _("The förhandsbedömning cannot be decided before the report was received.")
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
            received_on=received_on, pre_assessment_decided_on=pre_assessment_decided_on,
            investigation_opened=investigation_opened, investigation_decided_on=investigation_decided_on,
            child_spoken_with=child_spoken_with, feedback_to_reporter=feedback_to_reporter.strip(),
            feedback_given_on=feedback_given_on, status=status, outcome_recorded_by=acting_user,
        ).items():
            setattr(locked, field, value)
        locked.save()
        if feedback_given_on and not had_feedback:
            Notification.objects.create(
                recipient_id=locked.reported_by_id, child_id=locked.child_id, municipality_id=locked.municipality_id,
                kind=Notification.Kind.CONCERN_REPORT_FEEDBACK, object_id=locked.id,
            )
        log_access(request=request, user=acting_user, child_id=locked.child_id, municipality_id=locked.municipality_id,
                   action=Action.UPDATE, object_type="concern_report", object_id=locked.id, purpose="report_outcome")
    return locked


def do_mark_notifications_read(*, acting_user, ids=None) -> int:
    """Mark the user's own notifications read (all, or the given ids). Holds no child data."""
    queryset = Notification.objects.filter(recipient=acting_user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(read_at=timezone.now())
