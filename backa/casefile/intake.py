"""The intake (mottagning): a concern report reaches social services.

Every report lands, in the transaction that files it, in the queue of the intake of the
child's home district, or of the municipality's central intake when the district has none
(`route_report`). Intake staff (an intake position, `access.lookups.intake_scope`) see the
reports addressed to their intake; opening the child from a report is logged with the
purpose `intake`. The förhandsbedömning: assignment to a handler, the same-day
skyddsbedömning for an acute report, the decision with a coded reason and whether the
child was heard (how, or why not), a second look before a 0–12 report is closed without
investigation with the child unheard (also a database constraint), feedback to the reporter
recorded as a disclosure. Acute reports alert the on-duty list at once and escalate
(`escalate_acute_reports`, the command `escalate_acute_reports`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from backa.access.lookups import IntakeScope, intake_positions
from backa.accounts.models import Position
from backa.audit.context import as_acting
from backa.audit.log import Action, log_access
from backa.audit.vocabulary import ObjectType, Purpose
from backa.casefile.models import (
    DECISION_REASONS,
    ConcernReport,
    IntakeDuty,
    IntakeItem,
    Notification,
    PreAssessmentDecision,
    ReporterCategory,
    ReportOrigin,
    ReportStatus,
)
from backa.casefile.notify import notify
from backa.organisations.models import UnitType, legal_citation

# Socialtjänstlagen: a förhandsbedömning is decided within 14 days of receipt.
PRE_ASSESSMENT_DAYS = 14
EARLIER_REPORTS_MONTHS = 12

DECISION_STATUS = {
    PreAssessmentDecision.INVESTIGATION: ReportStatus.INVESTIGATION_OPENED,
    PreAssessmentDecision.NO_INVESTIGATION: ReportStatus.NOT_OPENED,
    PreAssessmentDecision.TRANSFER: ReportStatus.TRANSFERRED,
    PreAssessmentDecision.JOINED: ReportStatus.JOINED,
}

CATEGORY_OF_UNIT = {
    UnitType.BMM: ReporterCategory.HEALTH_CARE,
    UnitType.BVC: ReporterCategory.HEALTH_CARE,
    UnitType.BUP: ReporterCategory.HEALTH_CARE,
    UnitType.HABILITERING: ReporterCategory.HEALTH_CARE,
    UnitType.ELEVHALSA: ReporterCategory.SCHOOL,
    UnitType.FORSKOLA: ReporterCategory.PRESCHOOL,
    UnitType.GRUNDSKOLA: ReporterCategory.SCHOOL,
    UnitType.GYMNASIUM: ReporterCategory.SCHOOL,
    UnitType.SOCIALTJANST: ReporterCategory.SOCIAL_SERVICES,
    UnitType.LOKALPOLISOMRADE: ReporterCategory.POLICE,
}


def reporter_category_of(position) -> str:
    if position is None:
        return ReporterCategory.OTHER
    return CATEGORY_OF_UNIT.get(position.unit.unit_type, ReporterCategory.OTHER_AUTHORITY)


def age_on(birth_date: date | None, day: date) -> int | None:
    if birth_date is None:
        return None
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def intake_district_id(child):
    """The district whose intake receives reports about this child: the home district if it has
    an intake today, else None (the municipality's central intake)."""
    if child.home_district_id and intake_positions(child.municipality_id, child.home_district_id).exists():
        return child.home_district_id
    return None


def intake_name(item: IntakeItem) -> str:
    if item.district_id is None:
        return _("the central intake of %(municipality)s") % {"municipality": item.municipality.name}
    return _("the intake of %(district)s") % {"district": item.district.name if item.district else ""}


def scope_name(scope: IntakeScope) -> str:
    from backa.organisations.models import District, Municipality

    if scope.district_id is None:
        municipality = Municipality.objects.get(pk=scope.municipality_id)
        return _("the central intake of %(municipality)s") % {"municipality": municipality.name}
    return _("the intake of %(district)s") % {"district": District.objects.get(pk=scope.district_id).name}


def receipt(report: ConcernReport) -> dict | None:
    """For the reporter: which intake received the report, and when."""
    item = report.intake_items.select_related("district", "municipality").order_by("-created_at").first()
    if item is None:
        return None
    return {"name": intake_name(item), "at": item.created_at, "acute": item.acute}


def route_report(report: ConcernReport) -> IntakeItem:
    """Put a just-filed report in its intake's queue, alert the on-duty list if acute. Must run
    in the report's transaction: a report is never accepted without its one open queue item."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("route_report() must run in the transaction that files the report")
    child = report.child
    received_at = report.received_at or timezone.now()
    item = IntakeItem.objects.create(
        report=report,
        municipality_id=report.municipality_id,
        district_id=intake_district_id(child),
        acute=report.acute,
        created_at=received_at,
        deadline=timezone.localdate(received_at) + timedelta(days=PRE_ASSESSMENT_DAYS),
    )
    ConcernReport.objects.filter(pk=report.pk).update(
        status=ReportStatus.RECEIVED,
        received_at=received_at,
        received_on=timezone.localdate(received_at),
        child_age=age_on(child.birth_date, timezone.localdate(report.reported_at)),
        feedback_due_on=timezone.localdate(received_at) + timedelta(days=child.municipality.report_feedback_days),
    )
    report.refresh_from_db()
    if report.acute:
        duty = on_duty_user_ids(item)
        recipients = duty[:1] or list(
            intake_positions(item.municipality_id, item.district_id).values_list("user_id", flat=True)
        )
        notify(recipients=recipients, child=child, kind=Notification.Kind.ACUTE_REPORT, object_id=item.id)
    return item


def on_duty_user_ids(item: IntakeItem) -> list:
    rows = IntakeDuty.objects.filter(municipality_id=item.municipality_id, district_id=item.district_id).order_by(  # type: ignore[misc]
        "rank"
    )
    today = timezone.localdate()
    return [d.position.user_id for d in rows.select_related("position__user") if d.position.is_active_on(today)]


# -- the queue ------------------------------------------------------------------------------------


def queue(scope: IntakeScope, *, include_closed: bool = False) -> QuerySet[IntakeItem]:
    """The intake's items, acute first, then the oldest; child, report and handler in the same query."""
    items = IntakeItem.objects.filter(scope.q()).select_related(
        "report__child", "report__handler", "report__reported_by", "district", "municipality"
    )
    if not include_closed:
        items = items.filter(closed_at__isnull=True)
    return items.annotate(
        acute_first=Case(When(acute=True, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("acute_first", "created_at")


def earlier_reports(report: ConcernReport) -> QuerySet[ConcernReport]:
    """Reports about the same child in the 12 months before this one."""
    since = report.reported_at - timedelta(days=365)
    return (
        ConcernReport.objects.filter(
            child_id=report.child_id, reported_at__gte=since, reported_at__lt=report.reported_at
        )
        .exclude(pk=report.pk)
        .order_by("-reported_at")
    )


def colleagues(item: IntakeItem) -> QuerySet[Position]:
    """Who a report can be assigned to: the intake's staff."""
    return (
        intake_positions(item.municipality_id, item.district_id)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


# -- writes ---------------------------------------------------------------------------------------


def _locked(item: IntakeItem) -> tuple[IntakeItem, ConcernReport]:
    locked = IntakeItem.objects.select_for_update().get(pk=item.pk)
    report = (
        ConcernReport.objects.select_for_update(of=("self",))
        .select_related("child__municipality")
        .get(pk=locked.report_id)
    )
    return locked, report


def _log(acting, report, action, purpose, object_id):
    log_access(
        acting=acting,
        child_id=report.child_id,
        municipality_id=report.municipality_id,
        action=action,
        object_type=ObjectType.INTAKE_ITEM,
        object_id=object_id,
        purpose=purpose,
    )


def _require_open(item):
    if item.closed_at is not None:
        raise ValidationError(_("The förhandsbedömning of this report is already closed."))


def do_open_item(*, acting_user, item: IntakeItem) -> IntakeItem:
    """Intake staff open a report (and its child): logged with the purpose intake; the first
    opening stops the escalation of an acute report."""
    acting = as_acting(acting_user)
    with transaction.atomic():
        if item.first_opened_at is None:
            IntakeItem.objects.filter(pk=item.pk, first_opened_at__isnull=True).update(
                first_opened_at=timezone.now(), first_opened_by=acting.user
            )
            item.refresh_from_db()
        _log(acting, item.report, Action.VIEW, Purpose.INTAKE, item.pk)
    return item


def do_register_external_report(
    *,
    acting_user,
    scope: IntakeScope,
    child,
    reporter_category: str,
    reporter_description: str,
    received_via: str,
    information: str,
    acute: bool = False,
    received_at: datetime | None = None,
) -> ConcernReport:
    """The intake registers a report that arrived outside the platform (police, hospital, a
    school not on the platform, an anonymous phone call, a letter), into the same queue."""
    acting = as_acting(acting_user)
    errors = {}
    if not (information or "").strip():
        errors["information"] = _("Write what the report says.")
    if reporter_category not in ReporterCategory.values:
        errors["reporter_category"] = _("Choose who reported.")
    if reporter_category == ReporterCategory.ANONYMOUS and (reporter_description or "").strip():
        errors["reporter_description"] = _("An anonymous report names no reporter.")
    received_at = received_at or timezone.now()
    if received_at > timezone.now():
        errors["received_at"] = _("The date cannot be in the future.")
    if child.municipality_id != scope.municipality_id:
        errors["number"] = _("The child does not live in this municipality.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        report = ConcernReport.objects.create(
            child=child,
            municipality_id=child.municipality_id,
            reported_by=acting.user,
            reported_at=received_at,
            information=information.strip(),
            acute=acute,
            origin=ReportOrigin.EXTERNAL,
            reporter_category=reporter_category,
            reporter_description=(reporter_description or "").strip(),
            received_via=received_via,
            received_at=received_at,
        )
        item = route_report(report)
        _log(acting, report, Action.CREATE, Purpose.EXTERNAL_REPORT, item.pk)
    return report


def do_assign(*, acting_user, item: IntakeItem, handler) -> IntakeItem:
    acting = as_acting(acting_user)
    with transaction.atomic():
        item, report = _locked(item)
        _require_open(item)
        if not colleagues(item).filter(user=handler).exists():
            raise ValidationError({"handler": _("Choose someone who works at this intake.")})
        report.handler = handler
        report.assigned_at = timezone.now()
        if report.status == ReportStatus.RECEIVED:
            report.status = ReportStatus.PRE_ASSESSMENT
        report.save(update_fields=["handler", "assigned_at", "status"])
        if handler.pk != acting.user.pk:
            notify(recipients=[handler], child=report.child, kind=Notification.Kind.REPORT_ASSIGNED, object_id=item.pk)
        _log(acting, report, Action.UPDATE, Purpose.ASSIGN_REPORT, item.pk)
    return item


def do_record_safety_assessment(*, acting_user, item: IntakeItem, child_safe: bool | None, note: str) -> IntakeItem:
    """The same-day skyddsbedömning: is the child safe tonight? With time and person."""
    acting = as_acting(acting_user)
    errors = {}
    if child_safe is None:
        errors["child_safe"] = _("Say whether the child is safe tonight.")
    if not (note or "").strip():
        errors["note"] = _("Write what the skyddsbedömning rests on.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        item, report = _locked(item)
        _require_open(item)
        report.safety_child_safe = child_safe
        report.safety_note = note.strip()
        report.safety_assessed_at = timezone.now()
        report.safety_assessed_by = acting.user
        report.save(update_fields=["safety_child_safe", "safety_note", "safety_assessed_at", "safety_assessed_by"])
        _log(acting, report, Action.UPDATE, Purpose.SAFETY_ASSESSMENT, item.pk)
    return item


@dataclass
class Decision:
    decision: str
    reason: str
    decided_on: date | None
    child_spoken_with: bool | None
    child_heard_how: str = ""
    child_not_heard_reason: str = ""
    note: str = ""


def _validate_decision(report: ConcernReport, d: Decision, acting_user) -> dict:
    errors = {}
    if report.handler_id is None:
        errors["__all__"] = _("Assign the report to a handler before deciding.")
    elif report.handler_id != acting_user.pk:
        errors["__all__"] = _("Only the report's handler decides the förhandsbedömning.")
    if d.decision not in PreAssessmentDecision.values:
        errors["decision"] = _("Choose a decision.")
    elif d.reason not in DECISION_REASONS[PreAssessmentDecision(d.decision)]:
        errors["reason"] = _("Choose a reason that fits the decision.")
    if not d.decided_on:
        errors["decided_on"] = _("Give the date of the decision.")
    elif d.decided_on < timezone.localdate(report.reported_at):
        errors["decided_on"] = _("The decision cannot be dated before the report was made.")
    elif d.decided_on > timezone.localdate():
        errors["decided_on"] = _("The date cannot be in the future.")
    if d.child_spoken_with is None:
        errors["child_spoken_with"] = _("Say whether the child was spoken with.")
    elif d.child_spoken_with and not d.child_heard_how:
        errors["child_heard_how"] = _("Say how the child was spoken with.")
    elif not d.child_spoken_with and not d.child_not_heard_reason:
        errors["child_not_heard_reason"] = _("Say why the child was not spoken with.")
    return errors


def do_decide(*, acting_user, item: IntakeItem, decision: Decision) -> IntakeItem:
    """The handler's förhandsbedömning. Closing a 0–12 report without investigation when the
    child was not spoken with waits for a second look (`do_approve_closure`)."""
    acting = as_acting(acting_user)
    with transaction.atomic():
        item, report = _locked(item)
        _require_open(item)
        if report.status == ReportStatus.SECOND_LOOK:
            raise ValidationError(_("The decision waits for a second look; it cannot be changed now."))
        errors = _validate_decision(report, decision, acting.user)
        if errors:
            raise ValidationError(errors)
        report.decision = decision.decision
        report.decision_reason = decision.reason
        report.decision_note = (decision.note or "").strip()
        report.decided_by = acting.user
        report.pre_assessment_decided_on = decision.decided_on
        report.child_spoken_with = decision.child_spoken_with
        report.child_heard_how = decision.child_heard_how if decision.child_spoken_with else ""
        report.child_not_heard_reason = "" if decision.child_spoken_with else decision.child_not_heard_reason
        report.investigation_opened = decision.decision == PreAssessmentDecision.INVESTIGATION
        report.investigation_decided_on = decision.decided_on
        report.outcome_recorded_by = acting.user
        report.outcome_activity_id = acting.activity_id
        report.outcome_source = "platform"
        if report.needs_second_look:
            report.status = ReportStatus.SECOND_LOOK
            approvers = colleagues(item).exclude(user=acting.user).filter(kind="intake_lead")
            notify(
                recipients=approvers.values_list("user_id", flat=True),
                child=report.child,
                kind=Notification.Kind.SECOND_LOOK,
                object_id=item.pk,
            )
        else:
            report.status = DECISION_STATUS[PreAssessmentDecision(decision.decision)]
            item.closed_at = timezone.now()
            item.save(update_fields=["closed_at"])
        report.save()
        _log(acting, report, Action.UPDATE, Purpose.PRE_ASSESSMENT, item.pk)
    return item


def do_approve_closure(*, acting_user, item: IntakeItem, reason: str) -> IntakeItem:
    """The second look: a team leader or another social worker of the intake — never the
    handler — approves closing a 0–12 report without investigation, the child unheard."""
    acting = as_acting(acting_user)
    with transaction.atomic():
        item, report = _locked(item)
        _require_open(item)
        if report.status != ReportStatus.SECOND_LOOK:
            raise ValidationError(_("Nothing here waits for a second look."))
        if acting.user.pk in (report.handler_id, report.decided_by_id):
            raise ValidationError(_("The second look must be someone else's than the handler's."))
        if not colleagues(item).filter(user=acting.user).exists():
            raise ValidationError(_("Only the intake's team leader or social workers can give the second look."))
        if not (reason or "").strip():
            raise ValidationError({"reason": _("Write why the report may be closed without investigation.")})
        report.second_look_by = acting.user
        report.second_look_reason = reason.strip()
        report.second_look_at = timezone.now()
        report.status = ReportStatus.NOT_OPENED
        report.save()
        item.closed_at = timezone.now()
        item.save(update_fields=["closed_at"])
        _log(acting, report, Action.UPDATE, Purpose.SECOND_LOOK, item.pk)
    return item


def do_send_back(*, acting_user, item: IntakeItem, reason: str) -> IntakeItem:
    """The second person does not approve: the decision goes back to the handler."""
    acting = as_acting(acting_user)
    with transaction.atomic():
        item, report = _locked(item)
        _require_open(item)
        if report.status != ReportStatus.SECOND_LOOK:
            raise ValidationError(_("Nothing here waits for a second look."))
        if acting.user.pk in (report.handler_id, report.decided_by_id):
            raise ValidationError(_("The second look must be someone else's than the handler's."))
        if not (reason or "").strip():
            raise ValidationError({"reason": _("Write why the decision goes back to the handler.")})
        report.status = ReportStatus.PRE_ASSESSMENT
        report.decision = ""
        report.decision_reason = ""
        report.investigation_opened = None
        report.investigation_decided_on = None
        report.pre_assessment_decided_on = None
        report.decision_note = (report.decision_note + "\n" + _("Sent back: %(reason)s") % {"reason": reason}).strip()
        report.save()
        notify(
            recipients=[report.handler_id], child=report.child, kind=Notification.Kind.SECOND_LOOK, object_id=item.pk
        )
        _log(acting, report, Action.UPDATE, Purpose.SECOND_LOOK, item.pk)
    return item


def do_give_feedback(*, acting_user, item: IntakeItem, text: str, given_on: date | None) -> ConcernReport:
    """Feedback to the reporter (whether an investigation was opened), recorded as a disclosure
    from social services to the reporter's organisation under the law."""
    from backa.consent.models import Category, DisclosureBasis
    from backa.consent.services import do_record_disclosure

    acting = as_acting(acting_user)
    errors = {}
    if not (text or "").strip():
        errors["text"] = _("Write the feedback to the reporter.")
    if not given_on:
        errors["given_on"] = _("Give the date of the feedback.")
    elif given_on > timezone.localdate():
        errors["given_on"] = _("The date cannot be in the future.")
    report = ConcernReport.objects.get(pk=item.report_id)
    if given_on and report.pre_assessment_decided_on and given_on < report.pre_assessment_decided_on:
        errors["given_on"] = _("Feedback cannot be given before the decision.")
    if not report.decision or report.status == ReportStatus.SECOND_LOOK:
        errors["__all__"] = _("Feedback follows the decision; decide the förhandsbedömning first.")
    elif report.reporter_category == ReporterCategory.ANONYMOUS:
        errors["__all__"] = _("An anonymous reporter cannot be given feedback.")
    elif report.feedback_given_on:
        errors["__all__"] = _("Feedback has already been given.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        report = (
            ConcernReport.objects.select_for_update(of=("self",))
            .select_related("reporter_position__unit__organisation", "child")
            .get(pk=report.pk)
        )
        report.feedback_to_reporter = text.strip()
        report.feedback_given_on = given_on
        report.feedback_given_by = acting.user
        report.save(update_fields=["feedback_to_reporter", "feedback_given_on", "feedback_given_by"])
        from_org = acting.organisation_id
        reporter_position = report.reporter_position
        to_org = reporter_position.unit.organisation if reporter_position is not None else None
        if from_org and to_org is not None and to_org.pk != from_org:
            from backa.organisations.models import Organisation

            do_record_disclosure(
                acting_user=acting,
                child=report.child,
                from_organisation=Organisation.objects.get(pk=from_org),
                to_organisation=to_org,
                shared=True,
                basis=DisclosureBasis.REPORT_FEEDBACK,
                provision=legal_citation("report_feedback", "socialtjänstlagen (2025:400)"),
                categories=[Category.NOTES],
                what=_("Feedback on the concern report: whether an investigation was opened"),
            )
        if report.origin == ReportOrigin.PLATFORM:
            notify(
                recipients=[report.reported_by_id],
                child=report.child,
                kind=Notification.Kind.CONCERN_REPORT_FEEDBACK,
                object_id=report.id,
            )
        _log(acting, report, Action.DISCLOSE, Purpose.REPORT_FEEDBACK, item.pk)
    return report


# -- jobs -----------------------------------------------------------------------------------------


def escalate_acute_reports(*, now: datetime | None = None) -> int:
    """Alert the next person on the on-duty list for every acute report still unopened after the
    municipality's escalation minutes (once per step). Idempotent: running it again at the same
    time alerts nobody twice. Returns the number of escalations."""
    now = now or timezone.now()
    done = 0
    candidates = IntakeItem.objects.filter(acute=True, closed_at__isnull=True, first_opened_at__isnull=True)
    for item_id in candidates.values_list("pk", flat=True):
        with transaction.atomic():
            item = (
                IntakeItem.objects.select_for_update(of=("self",))
                .select_related("municipality", "report__child")
                .filter(pk=item_id, first_opened_at__isnull=True, closed_at__isnull=True)
                .first()
            )
            if item is None:
                continue
            minutes = max(1, item.municipality.acute_escalation_minutes)
            due_level = int((now - item.created_at).total_seconds() // (minutes * 60))
            duty = on_duty_user_ids(item)
            if not duty:
                duty = list(intake_positions(item.municipality_id, item.district_id).values_list("user_id", flat=True))
            if not duty:
                continue
            target_level = min(due_level, len(duty) - 1)
            if target_level <= item.escalation_level:
                continue
            for level in range(item.escalation_level + 1, target_level + 1):
                notify(
                    recipients=[duty[level]],
                    child=item.report.child,
                    kind=Notification.Kind.ACUTE_ESCALATED,
                    object_id=item.pk,
                )
                done += 1
            item.escalation_level = target_level
            item.save(update_fields=["escalation_level"])
    return done


def flag_overdue_feedback(*, today: date | None = None) -> int:
    """Tell the handler once when feedback to the reporter is overdue. Idempotent."""
    today = today or timezone.localdate()
    reports = ConcernReport.objects.filter(
        feedback_due_on__lt=today, feedback_given_on__isnull=True, handler__isnull=False
    ).exclude(Q(decision="") | Q(reporter_category=ReporterCategory.ANONYMOUS))
    done = 0
    for report in reports.select_related("child"):
        with transaction.atomic():
            already = Notification.objects.filter(
                kind=Notification.Kind.FEEDBACK_DUE, object_id=report.pk, recipient_id=report.handler_id
            ).exists()
            if already:
                continue
            notify(
                recipients=[report.handler_id],
                child=report.child,
                kind=Notification.Kind.FEEDBACK_DUE,
                object_id=report.pk,
            )
            done += 1
    return done


# -- the quality review sample (the audit's own method) -----------------------------------------------

QUALITY_SAMPLE_SIZE = 5


def draw_quality_sample(*, municipality_id, month: date, size: int = QUALITY_SAMPLE_SIZE) -> int:
    """Each month, per intake: a random sample of the reports closed without investigation in
    `month` goes to a reviewer of that intake who is neither the handler, the decider nor the approver
    (the team leader first). Reproducible (seeded by municipality and month) and idempotent:
    a report is sampled at most once. Returns the number of reviews created."""
    import random

    from backa.casefile.models import QualityReview

    month = month.replace(day=1)
    stop = (month + timedelta(days=32)).replace(day=1)
    closed = (
        IntakeItem.objects.filter(
            municipality_id=municipality_id,
            closed_at__date__gte=month,
            closed_at__date__lt=stop,
            report__status=ReportStatus.NOT_OPENED,
        )
        .exclude(report__quality_reviews__isnull=False)
        .select_related("report")
        .order_by("pk")
    )
    by_intake: dict = {}
    for item in closed:
        by_intake.setdefault(item.district_id, []).append(item)
    rng = random.Random(f"{municipality_id}:{month.isoformat()}")
    created = 0
    with transaction.atomic():
        for district_id, items in sorted(by_intake.items(), key=lambda kv: str(kv[0])):
            staff = list(
                intake_positions(municipality_id, district_id)
                .select_related("user")
                .order_by("-kind", "user__username")
            )
            for item in rng.sample(items, min(size, len(items))):
                report = item.report
                reviewer = next(
                    (
                        p.user
                        for p in staff
                        if p.user_id not in (report.handler_id, report.second_look_by_id, report.decided_by_id)
                    ),
                    None,
                )
                if reviewer is None:
                    continue
                review = QualityReview.objects.create(
                    report=report,
                    municipality_id=municipality_id,
                    month=month,
                    reviewer=reviewer,
                    handler_id=report.handler_id,
                    approver_id=report.second_look_by_id,
                    decider_id=report.decided_by_id,
                )
                notify(
                    recipients=[reviewer],
                    child=report.child,
                    kind=Notification.Kind.QUALITY_REVIEW,
                    object_id=review.pk,
                )
                created += 1
    return created


def do_record_quality_review(*, acting_user, review, should_have_been_investigated: bool | None, reason: str):
    from backa.casefile.models import QualityReview

    acting = as_acting(acting_user)
    errors = {}
    if should_have_been_investigated is None:
        errors["should_have_been_investigated"] = _("Say whether the report should have been investigated.")
    if not (reason or "").strip():
        errors["reason"] = _("Write why.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        review = QualityReview.objects.select_for_update().get(pk=review.pk)
        if review.reviewer_id != acting.user.pk:
            raise ValidationError(_("Only the named reviewer records this review."))
        if review.reviewed_at is not None:
            raise ValidationError(_("This review is already recorded."))
        review.should_have_been_investigated = should_have_been_investigated
        review.reason = reason.strip()
        review.reviewed_at = timezone.now()
        review.save()
        report = ConcernReport.objects.get(pk=review.report_id)
        log_access(
            acting=acting,
            child_id=report.child_id,
            municipality_id=report.municipality_id,
            action=Action.UPDATE,
            object_type=ObjectType.QUALITY_REVIEW,
            object_id=review.pk,
            purpose=Purpose.QUALITY_REVIEW,
        )
    return review


def district_intake_summary(district, today: date | None = None) -> dict:
    """For the district dashboard (numbers only): the district's intake staff, and its children's
    open reports — in its own queue or, for want of an intake, the municipality's central one."""
    today = today or timezone.localdate()
    staff = intake_positions(district.municipality_id, district.pk).count()
    items = IntakeItem.objects.filter(closed_at__isnull=True, report__child__home_district=district)
    return {
        "staff": staff,
        "open": items.count(),
        "central": items.filter(district__isnull=True).count(),
        "overdue": items.filter(deadline__lt=today).count(),
        "second_look": items.filter(report__status=ReportStatus.SECOND_LOOK).count(),
        "unopened_acute": items.filter(acute=True, first_opened_at__isnull=True).count(),
    }
