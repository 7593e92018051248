"""The child's file: concerns, conversations, assessments, reports, the plan, meetings, follow-ups, chronology.

Every row carries child_id and municipality_id; every entry belongs to the organisation that wrote it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backa.accounts.models import Position
from backa.casefile.compass import CompassArea
from backa.casefile.languages import Language
from backa.children.models import Child
from backa.organisations.models import Activity, Municipality, Organisation


class Urgency(models.TextChoices):
    LOW = "low", _("Can wait (weeks)")
    MEDIUM = "medium", _("Soon (days)")
    HIGH = "high", _("Urgent (today)")


class ConcernStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("Being looked into")
    PLAN = "plan", _("Led to a plan")
    CLOSED = "closed", _("Closed")


class Concern(models.Model):
    """Something a professional noticed about a child (uppmärksamma)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="concerns")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="concerns_noticed")
    reporter_position = models.ForeignKey(Position, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The activity (verksamhet) that wrote it, from the writer's active position: the unit
    # secrecy runs between (casefile.secrecy). NULL: unknown writer, shown to no one.
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    observed_on = models.DateField(_("noticed on"))
    description = models.TextField(_("what you saw or heard"))
    areas = models.JSONField(_("compass areas"), default=list)
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.MEDIUM)
    status = models.CharField(_("status"), max_length=12, choices=ConcernStatus.choices, default=ConcernStatus.NEW)
    status_note = models.CharField(_("status note"), max_length=300, blank=True)
    barnkontakt_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["child", "created_at"], name="concern_child_time"),
            models.Index(fields=["reported_by", "created_at"], name="concern_reporter_time"),
        ]
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")

    def area_labels(self):
        return [CompassArea(code).label for code in self.areas if code in CompassArea.values]


class Notification(models.Model):
    """A message to one professional about a child (e.g. a new concern for the barnkontakt).
    It holds ids and a kind, never the concern's text."""

    class Kind(models.TextChoices):
        NEW_CONCERN = "new_concern", _("New concern registered")
        CONCERN_REPORT_FEEDBACK = "report_feedback", _("Feedback on your concern report")
        ACUTE_REPORT = "acute_report", _("Acute concern report to the intake")
        ACUTE_ESCALATED = "acute_escalated", _("Acute concern report not yet opened")
        REPORT_ASSIGNED = "report_assigned", _("Concern report assigned to you")
        SECOND_LOOK = "second_look", _("A closure waits for your second look")
        FEEDBACK_DUE = "feedback_due", _("Feedback to a reporter is overdue")
        QUALITY_REVIEW = "quality_review", _("Closed reports to review")
        MEETING_INVITATION = "meeting_invitation", _("Invitation to a meeting")
        MEETING_UPDATED = "meeting_updated", _("A meeting you are invited to has changed")
        MEETING_CANCELLED = "meeting_cancelled", _("A meeting you were invited to is cancelled")
        REMIND_FOLLOWUP_DUE = "remind_followup_due", _("A plan's follow-up is due soon")
        REMIND_FOLLOWUP_LATE = "remind_followup_late", _("A plan's follow-up is overdue")
        REMIND_HANDOVER = "remind_handover", _("A handover has waited for an answer")
        REMIND_CONSENT = "remind_consent", _("A consent expires soon")
        REMIND_EMERGENCY = "remind_emergency", _("An emergency access waits for review")
        TEAM_INVITATION = "team_invitation", _("Invitation to a child's team")
        TEAM_INVITATION_ANSWERED = "team_answer", _("An answer to your invitation to a child's team")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="backa_notifications"
    )
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    object_id = models.UUIDField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_inbox")]


class ReminderSent(models.Model):
    """One reminder occasion (kind, object, occasion key) that has been sent: the reminder job
    writes this row and the notifications in one transaction, so a second run, or two runs at
    once, send nothing twice (the unique constraint decides)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20)
    object_id = models.UUIDField()
    # e.g. the review date the reminder was about: a moved date is a new occasion.
    occasion = models.CharField(max_length=40)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id", "occasion"], name="reminder_once_per_occasion")
        ]


class ConsentStatus(models.TextChoices):
    NOT_ASKED = "not_asked", _("Not asked")
    ASKED = "asked", _("Asked, no answer yet")
    GIVEN = "given", _("Given")
    REFUSED = "refused", _("Refused")


class Conversation(models.Model):
    """A talk with the child and/or the family. The child's own words are kept apart from the
    guardians' and from the professional's notes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="conversations")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, null=True, blank=True, related_name="conversations")
    held_on = models.DateField(_("held on"))
    held_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The organisation that wrote it (OSL secrecy runs between organisations). NULL means
    # the writer is unknown: default deny, shown to no organisation.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The activity (verksamhet) that wrote it, from the writer's active position: the unit
    # secrecy runs between (casefile.secrecy). NULL: unknown writer, shown to no one.
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    child_took_part = models.BooleanField(_("the child took part"), default=True)
    guardians_took_part = models.BooleanField(_("guardians took part"), default=True)
    child_words = models.TextField(_("the child's own words"), blank=True)
    guardian_words = models.TextField(_("the guardians' words"), blank=True)
    professional_notes = models.TextField(_("professional's notes"), blank=True)
    consent_status = models.CharField(
        _("consent to involve others"), max_length=10, choices=ConsentStatus.choices, default=ConsentStatus.NOT_ASKED
    )
    # The consent object comes with the sharing feature; until then a reference to it.
    consent_ref = models.UUIDField(_("consent reference"), null=True, blank=True)
    interpreter_language = models.CharField(
        _("interpreter language"), max_length=8, choices=Language.choices, blank=True, default="", db_default=""
    )
    interpreter_booked = models.BooleanField(_("an interpreter took part"), default=False, db_default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        indexes = [models.Index(fields=["child", "held_on"], name="conversation_child_day")]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")


class Assessment(models.Model):
    """One Behovskompassen assessment: eight areas, each with the professionals' view, the
    child's own view and the guardians' view kept apart."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="assessments")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, null=True, blank=True, related_name="assessments")
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The organisation that wrote it (OSL secrecy runs between organisations). NULL means
    # the writer is unknown: default deny, shown to no organisation.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The activity (verksamhet) that wrote it, from the writer's active position: the unit
    # secrecy runs between (casefile.secrecy). NULL: unknown writer, shown to no one.
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    scale_max = models.PositiveSmallIntegerField(default=5)
    summary = models.TextField(_("summary"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        indexes = [models.Index(fields=["child", "assessed_on"], name="assessment_child_day")]
        constraints = [models.CheckConstraint(condition=Q(scale_max__gte=2), name="assessment_scale_at_least_2")]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")


class AssessmentArea(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="areas")
    area = models.CharField(max_length=16, choices=CompassArea.choices)
    strengths = models.TextField(_("strengths"), blank=True)
    needs = models.TextField(_("needs"), blank=True)
    rating = models.PositiveSmallIntegerField(_("professionals' rating"), null=True, blank=True)
    child_rating = models.PositiveSmallIntegerField(_("the child's own rating"), null=True, blank=True)
    child_view = models.TextField(_("the child's view"), blank=True)
    guardian_rating = models.PositiveSmallIntegerField(_("the guardians' rating"), null=True, blank=True)
    guardian_view = models.TextField(_("the guardians' view"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "area"], name="assessment_area_once"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1), name="assessment_rating_positive"
            ),
        ]
        ordering = ["assessment", "area"]


class ReportStatus(models.TextChoices):
    SENT = "sent", _("Sent to social services")
    RECEIVED = "received", _("Received by the intake")
    PRE_ASSESSMENT = "pre_assessment", _("Förhandsbedömning under way")
    SECOND_LOOK = "second_look", _("Awaiting a second look")
    INVESTIGATION_OPENED = "investigation_opened", _("Investigation opened")
    NOT_OPENED = "not_opened", _("No investigation opened")
    TRANSFERRED = "transferred", _("Transferred to another municipality")
    JOINED = "joined", _("Joined to an ongoing investigation")


class ReportOrigin(models.TextChoices):
    PLATFORM = "platform", _("Filed in Backa barnet")
    EXTERNAL = "external", _("Registered by the intake")


class ReporterCategory(models.TextChoices):
    """Who reported, in the categories social services count reports by."""

    PRESCHOOL = "preschool", _("Preschool")
    SCHOOL = "school", _("School")
    HEALTH_CARE = "health_care", _("Health care (BVC, hospital, BUP)")
    POLICE = "police", _("Police")
    SOCIAL_SERVICES = "social_services", _("Social services")
    OTHER_AUTHORITY = "other_authority", _("Other authority")
    PRIVATE_PERSON = "private_person", _("Private person or relative")
    ANONYMOUS = "anonymous", _("Anonymous")
    OTHER = "other", _("Other")


class ReceivedVia(models.TextChoices):
    PLATFORM = "platform", _("Backa barnet")
    PHONE = "phone", _("Phone")
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("E-mail")
    IN_PERSON = "in_person", _("In person")
    E_SERVICE = "e_service", _("The municipality's e-service")


class PreAssessmentDecision(models.TextChoices):
    INVESTIGATION = "investigation", _("Open an investigation")
    NO_INVESTIGATION = "no_investigation", _("No investigation")
    TRANSFER = "transfer", _("Transfer to another municipality")
    JOINED = "joined", _("Join to an ongoing investigation")


class DecisionReason(models.TextChoices):
    """The coded reason for a förhandsbedömning decision (one list; the form offers those that fit)."""

    RISK_OF_HARM = "risk_of_harm", _("Information suggests the child may be at risk of harm")
    NEED_OF_SUPPORT = "need_of_support", _("The child may need support or protection")
    NO_GROUNDS = "no_grounds", _("No grounds for concern that need social services")
    NEEDS_MET = "needs_met", _("The needs are met by existing support")
    FAMILY_ACCEPTS_SUPPORT = "family_support", _("The family accepts other support")
    MOVED_AWAY = "moved_away", _("The child lives in another municipality")
    ONGOING = "ongoing", _("An investigation of the child is already ongoing")


DECISION_REASONS = {
    PreAssessmentDecision.INVESTIGATION: (DecisionReason.RISK_OF_HARM, DecisionReason.NEED_OF_SUPPORT),
    PreAssessmentDecision.NO_INVESTIGATION: (
        DecisionReason.NO_GROUNDS,
        DecisionReason.NEEDS_MET,
        DecisionReason.FAMILY_ACCEPTS_SUPPORT,
    ),
    PreAssessmentDecision.TRANSFER: (DecisionReason.MOVED_AWAY,),
    PreAssessmentDecision.JOINED: (DecisionReason.ONGOING,),
}


class ChildHeardHow(models.TextChoices):
    IN_PERSON_ALONE = "alone", _("In person, on their own")
    WITH_GUARDIAN = "with_guardian", _("In person, with a guardian present")
    AT_SCHOOL = "at_school", _("At school or preschool")
    HOME_VISIT = "home_visit", _("At a home visit")
    PHONE_OR_VIDEO = "phone", _("By phone or video")


class ChildNotHeardReason(models.TextChoices):
    TOO_YOUNG = "too_young", _("Too young to be spoken with (observed instead)")
    NOT_REACHED = "not_reached", _("Could not be reached")
    GUARDIAN_REFUSED = "guardian_refused", _("The guardians did not allow it")
    NOT_IN_INTEREST = "not_in_interest", _("Not in the child's best interest")
    CHILD_DECLINED = "child_declined", _("The child did not want to")
    HEARD_ELSEWHERE = "heard_elsewhere", _("Heard recently in an ongoing investigation")


YOUNG_CHILD_MAX_AGE = 12


class ConcernReport(models.Model):
    """An orosanmälan under the duty to report (socialtjänstlagen 2025:400; the citation is the
    legal reference `duty_to_report`, organisations.LegalReference). Never blocked by missing
    consent: nothing in this model or its service looks at consent."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="concern_reports")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, null=True, blank=True, related_name="reports")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reporter_position = models.ForeignKey(Position, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The activity (verksamhet) that wrote it, from the writer's active position: the unit
    # secrecy runs between (casefile.secrecy). NULL: unknown writer, shown to no one.
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Social services' activity, which records the outcome (status, decisions, feedback).
    outcome_activity = models.ForeignKey(Activity, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reported_at = models.DateTimeField(default=timezone.now)
    information = models.TextField(_("what is passed on to social services"))
    acute = models.BooleanField(_("the child may be in acute danger"), default=False)
    guardians_informed = models.BooleanField(_("the guardians have been told about the report"), default=False)
    # Recorded by social services.
    status = models.CharField(max_length=24, choices=ReportStatus.choices, default=ReportStatus.SENT)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    pre_assessment_decided_on = models.DateField(_("förhandsbedömning decided on"), null=True, blank=True)
    investigation_opened = models.BooleanField(_("investigation opened"), null=True, blank=True)
    investigation_decided_on = models.DateField(_("investigation decision on"), null=True, blank=True)
    child_spoken_with = models.BooleanField(_("the child was spoken with"), null=True, blank=True)
    feedback_to_reporter = models.TextField(_("feedback to the reporter"), blank=True)
    feedback_given_on = models.DateField(_("feedback given on"), null=True, blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Where the report came from (casefile.intake). A report filed in the platform is the
    # reporter's; one the intake registers (police, hospital, a phone call) names its category.
    origin = models.CharField(max_length=10, choices=ReportOrigin.choices, default=ReportOrigin.PLATFORM)
    reporter_category = models.CharField(_("who reported"), max_length=16, choices=ReporterCategory.choices, blank=True)
    reporter_description = models.CharField(_("reporter (organisation or role)"), max_length=200, blank=True)
    received_via = models.CharField(
        _("received by"), max_length=10, choices=ReceivedVia.choices, default=ReceivedVia.PLATFORM
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    child_age = models.PositiveSmallIntegerField(_("the child's age when reported"), null=True, blank=True)
    # The förhandsbedömning (the intake).
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    safety_assessed_at = models.DateTimeField(_("skyddsbedömning made at"), null=True, blank=True)
    safety_assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    safety_child_safe = models.BooleanField(_("the child is safe tonight"), null=True, blank=True)
    safety_note = models.TextField(_("skyddsbedömning"), blank=True)
    decision = models.CharField(_("decision"), max_length=20, choices=PreAssessmentDecision.choices, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=20, choices=DecisionReason.choices, blank=True)
    decision_note = models.TextField(_("motivation"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    child_heard_how = models.CharField(_("how"), max_length=16, choices=ChildHeardHow.choices, blank=True)
    child_not_heard_reason = models.CharField(
        _("why not"), max_length=16, choices=ChildNotHeardReason.choices, blank=True
    )
    second_look_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    second_look_reason = models.TextField(_("the second person's reason"), blank=True)
    second_look_at = models.DateTimeField(null=True, blank=True)
    feedback_given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    feedback_due_on = models.DateField(_("feedback due"), null=True, blank=True)
    investigation_closed_on = models.DateField(_("investigation closed on"), null=True, blank=True)
    # Where the outcome was recorded: in the platform (the intake), or imported from social
    # services' own journal system (integrations.outcomes), which keeps the legal record.
    outcome_source = models.CharField(
        max_length=8, blank=True, choices=[("platform", "platform"), ("import", "import")]
    )

    class Meta:
        constraints = [
            # A young child's report is never closed without investigation, the child unheard,
            # unless a second person — not the handler, not the decider — approved it with a reason.
            models.CheckConstraint(
                condition=~Q(status="not_opened")
                | Q(outcome_source="import")
                | Q(child_age__isnull=True)
                | Q(child_age__gt=YOUNG_CHILD_MAX_AGE)
                | Q(child_spoken_with=True)
                | (
                    Q(second_look_by__isnull=False)
                    & Q(handler__isnull=False)
                    & Q(decided_by__isnull=False)
                    & ~Q(second_look_by=F("handler"))
                    & ~Q(second_look_by=F("decided_by"))
                    & ~Q(second_look_reason="")
                ),
                name="report_young_child_closure_second_look",
            ),
            models.CheckConstraint(
                condition=Q(decision="") | Q(handler__isnull=False) & Q(pre_assessment_decided_on__isnull=False),
                name="report_decision_by_a_handler",
            ),
            models.CheckConstraint(
                condition=Q(decision="")
                | Q(child_spoken_with=True) & ~Q(child_heard_how="")
                | Q(child_spoken_with=False) & ~Q(child_not_heard_reason=""),
                name="report_decision_says_child_heard",
            ),
            models.CheckConstraint(
                condition=Q(pre_assessment_decided_on__isnull=True)
                | Q(received_on__isnull=False) & Q(pre_assessment_decided_on__gte=F("received_on")),
                name="report_pre_assessment_after_receipt",
            ),
            models.CheckConstraint(
                condition=Q(investigation_decided_on__isnull=True)
                | Q(received_on__isnull=False) & Q(investigation_decided_on__gte=F("received_on")),
                name="report_decision_after_receipt",
            ),
        ]
        indexes = [models.Index(fields=["child", "reported_at"], name="report_child_time")]
        verbose_name = _("concern report (orosanmälan)")
        verbose_name_plural = _("concern reports (orosanmälningar)")

    @property
    def young_child(self) -> bool:
        return self.child_age is not None and self.child_age <= YOUNG_CHILD_MAX_AGE

    @property
    def needs_second_look(self) -> bool:
        """Closing without investigation a 0–12 report whose child was not spoken with."""
        return (
            self.decision == PreAssessmentDecision.NO_INVESTIGATION and self.young_child and not self.child_spoken_with
        )


class PlanKind(models.TextChoices):
    SINGLE = "single", _("Help within one organisation")
    TEAM = "team", _("Barnets team (several organisations)")


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")
    HANDED_OVER = "handed_over", _("Handed over")


class ExternalRef(models.TextChoices):
    NONE = "", _("None")
    SIP = "sip", _("SIP (samordnad individuell plan)")
    BBIC = "bbic", _("BBIC case in social services")


class Plan(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="plans")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    concern = models.ForeignKey(Concern, on_delete=models.SET_NULL, null=True, blank=True, related_name="plans")
    kind = models.CharField(_("kind of plan"), max_length=8, choices=PlanKind.choices, default=PlanKind.SINGLE)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible organisation")
    )
    # The activity that wrote the plan's shared parts (reason, needs, the child's and the
    # guardians' views); category plan_contributions.
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.TextField(_("why the plan exists"))
    needs = models.JSONField(_("needs per compass area"), default=dict)
    child_view = models.TextField(_("the child's view of the plan"), blank=True)
    guardian_view = models.TextField(_("the guardians' view of the plan"), blank=True)
    review_date = models.DateField(_("review date"))
    coordinator = models.ForeignKey(
        Position, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("stödsamordnare")
    )
    external_kind = models.CharField(_("external plan or case"), max_length=4, choices=ExternalRef.choices, blank=True)
    external_ref = models.CharField(_("reference"), max_length=64, blank=True)
    status = models.CharField(max_length=12, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    end_reason = models.TextField(_("reason"), blank=True)
    handed_over_to = models.CharField(_("handed over to"), max_length=200, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child"], condition=Q(status="active"), name="one_active_plan_per_child"),
            models.CheckConstraint(
                condition=Q(status="active") | Q(ended_on__isnull=False), name="plan_ended_has_date"
            ),
            models.CheckConstraint(condition=Q(external_kind="") | ~Q(external_ref=""), name="plan_external_ref_given"),
        ]
        indexes = [models.Index(fields=["status", "review_date"], name="plan_status_review")]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    @property
    def is_active(self):
        return self.status == PlanStatus.ACTIVE

    def needs_list(self):
        return [
            (CompassArea(code).label, text) for code, text in self.needs.items() if code in CompassArea.values and text
        ]


class PlanChange(models.TextChoices):
    """What a plan version changed: stored as a code and translated when shown, so a version
    saved in Swedish reads English to an English reader."""

    CREATED = "created", _("created")
    EDITED = "edited", _("edited")
    GOAL_ADDED = "goal_added", _("goal added")
    ACTION_ADDED = "action_added", _("action added")
    ACTION_STATUS = "action_status", _("action status changed")
    COORDINATOR_APPOINTED = "coordinator_appointed", _("stödsamordnare appointed")
    COORDINATOR_LEFT = "coordinator_left", _("stödsamordnare left")
    FOLLOWED_UP = "followed_up", _("followed up")
    FOLLOWED_UP_CLOSED = "followed_up_closed", _("followed up and closed")
    CLOSED = "closed", _("Closed")
    HANDED_OVER = "handed_over", _("Handed over")


class PlanVersion(models.Model):
    """An immutable snapshot of the plan after each save.

    `change_code` and `change_args` say what changed (for an edit {"fields": [field names],
    "areas": [compass area codes whose needs changed]}); `change_text` renders them in the
    active language. `legacy_change` is the text a version saved before codes existed stored,
    in its writer's language (migration 0003 kept it and mapped what it could to a code); it is
    shown as it is only when there is no code, and new code never writes it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    change_code = models.CharField(max_length=24, choices=PlanChange.choices, blank=True)
    change_args = models.JSONField(default=dict, blank=True)
    legacy_change = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique")]
        ordering = ["plan", "-number"]

    @property
    def change_text(self) -> str:
        """What this version changed, in the active language."""
        from backa.casefile.plan import describe_change

        return describe_change(self.change_code, self.change_args, self.legacy_change)


class GoalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACHIEVED = "achieved", _("Achieved")
    DROPPED = "dropped", _("No longer relevant")


class Goal(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    area = models.CharField(_("compass area"), max_length=16, choices=CompassArea.choices, blank=True)
    description = models.TextField(_("goal"))
    # The activity (verksamhet) that wrote it, from the writer's active position: the unit
    # secrecy runs between (casefile.secrecy). NULL: unknown writer, shown to no one.
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    target_date = models.DateField(_("by when"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=GoalStatus.choices, default=GoalStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at"]


class Action(models.Model):
    """What someone will do: owned by an organisation and a named person."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ONGOING = "ongoing", _("Ongoing")
        DONE = "done", _("Done")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    goal = models.ForeignKey(Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions")
    description = models.TextField(_("what will be done"))
    how = models.TextField(_("how"), blank=True)
    owner_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # The activity (verksamhet) that wrote it, from the writer's active position: the unit
    # secrecy runs between (casefile.secrecy). NULL: unknown writer, shown to no one.
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("from"), null=True, blank=True)
    due_on = models.DateField(_("until"), null=True, blank=True)
    expected_improvement = models.TextField(_("expected improvement"), blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PLANNED)
    from_decision = models.OneToOneField(
        "Decision", on_delete=models.SET_NULL, null=True, blank=True, related_name="action"
    )
    # A non-professional from the child's network who carries the action out ("Morfar hämtar
    # på fredagar"); the owner stays the professional who answers for it in the plan.
    network_member = models.ForeignKey(
        "NetworkMember",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("done by, from the child's network"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(due_on__isnull=True) | Q(due_on__gte=F("starts_on")),
                name="action_dates_in_order",
            )
        ]


class ChildHeard(models.TextChoices):
    TOOK_PART = "took_part", _("The child took part")
    OTHER_WAY = "other_way", _("The child was heard another way")
    NOT_HEARD = "not_heard", _("The child was not heard")


class Meeting(models.Model):
    """A meeting of barnets team."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="team_meetings")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(Plan, on_delete=models.SET_NULL, null=True, blank=True, related_name="meetings")
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    # Whose agenda and minutes these are (category meeting_minutes); the meeting itself is
    # the team's. NULL means the writer is unknown: default deny, shown to no organisation.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The activity (verksamhet) that wrote it, from the writer's active position: the unit
    # secrecy runs between (casefile.secrecy). NULL: unknown writer, shown to no one.
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    # RFC 5545 SEQUENCE of the calendar invitation: raised by every change of time and by a
    # cancellation, so calendars replace the earlier invitation (same UID: the meeting's id).
    sequence = models.PositiveIntegerField(default=0)
    duration_minutes = models.PositiveIntegerField(default=60)
    child_heard = models.CharField(_("the child's voice"), max_length=10, choices=ChildHeard.choices, blank=True)
    child_heard_how = models.TextField(_("how the child was heard, or why not"), blank=True)
    # Interpreter (casefile.languages): needed when the meeting was planned (from the family's
    # languages, or said by the planner), and booked in which language. The indicator
    # "meetings with an interpreter when one was needed" counts held meetings from these.
    interpreter_needed = models.BooleanField(_("an interpreter is needed"), default=False, db_default=False)
    interpreter_language = models.CharField(
        _("interpreter language"), max_length=8, choices=Language.choices, blank=True, default="", db_default=""
    )
    interpreter_booked = models.BooleanField(_("interpreter booked"), default=False, db_default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            # A held meeting always says whether and how the child was heard.
            models.CheckConstraint(
                condition=~Q(status="held")
                | (~Q(child_heard="") & (Q(child_heard="took_part") | ~Q(child_heard_how=""))),
                name="meeting_held_records_child_voice",
            )
        ]
        indexes = [models.Index(fields=["child", "starts_at"], name="meeting_child_time")]


class Participant(models.Model):
    class Kind(models.TextChoices):
        PROFESSIONAL = "professional", _("Professional")
        CHILD = "child", _("The child")
        GUARDIAN = "guardian", _("Guardian")
        NETWORK = "network", _("From the child's network")
        OTHER = "other", _("Other")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    # A trusted adult from the child's network invited as a participant (kind "network").
    network_member = models.ForeignKey(
        "NetworkMember", on_delete=models.SET_NULL, null=True, blank=True, related_name="meeting_participations"
    )
    attended = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "name"]


class Decision(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"))
    # Who does it, for which organisation, and when: carried into the plan action made from it.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    owner_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    starts_on = models.DateField(_("from"), null=True, blank=True)
    due_on = models.DateField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at"]


class FollowUpOutcome(models.TextChoices):
    CONTINUE = "continue", _("Continue the plan")
    REVISE = "revise", _("Revise the plan")
    CLOSE = "close", _("Close the plan")


class FollowUp(models.Model):
    """Uppföljning on the review date: progress per goal, a new assessment, and a decision."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="follow_ups")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("held on"))
    assessment = models.ForeignKey(Assessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    summary = models.TextField(_("summary"), blank=True)
    child_view = models.TextField(_("the child's view of how it went"), blank=True)
    outcome = models.CharField(_("decision"), max_length=10, choices=FollowUpOutcome.choices)
    # The activity (verksamhet) that wrote it, from the writer's active position: the unit
    # secrecy runs between (casefile.secrecy). NULL: unknown writer, shown to no one.
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    next_review_date = models.DateField(_("next review date"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-held_on"]


class Progress(models.TextChoices):
    ACHIEVED = "achieved", _("Achieved")
    PROGRESS = "progress", _("Some progress")
    NO_CHANGE = "no_change", _("No change")
    WORSE = "worse", _("Worse")


class GoalProgress(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="progress")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="progress")
    progress = models.CharField(max_length=10, choices=Progress.choices)
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["follow_up", "goal"], name="goal_progress_once")]


class ChronologyEntry(models.Model):
    """A significant event entered by hand (the rest of the chronology comes from records)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="chronology_entries")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    occurred_on = models.DateField(_("date"))
    title = models.CharField(_("event"), max_length=200)
    # The activity (verksamhet) that wrote it, from the writer's active position: the unit
    # secrecy runs between (casefile.secrecy). NULL: unknown writer, shown to no one.
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-occurred_on"]


class IntakeItem(models.Model):
    """A report's place in an intake's queue: the child's home district's intake, or the
    municipality's central intake (district empty) when the district has none.

    Written in the transaction that files or registers the report; a report has exactly
    one open item (a unique index on the report among open items), closed when the
    förhandsbedömning ends or the report moves to another intake."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The report's place in the queue goes with the report (gallring: records.registry parts).
    report = models.ForeignKey(ConcernReport, on_delete=models.CASCADE, related_name="intake_items")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(
        "organisations.District", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acute = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    deadline = models.DateField(_("förhandsbedömning due"))
    first_opened_at = models.DateTimeField(null=True, blank=True)
    first_opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    escalation_level = models.PositiveSmallIntegerField(default=0)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report"], condition=Q(closed_at__isnull=True), name="intake_one_open_item_per_report"
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "district", "closed_at"], name="intake_queue"),
        ]

    @property
    def overdue(self) -> bool:
        return self.closed_at is None and self.deadline < timezone.localdate()


class IntakeDuty(models.Model):
    """The intake's on-duty list for acute reports, in order: the first is alerted at once,
    the next when the report is still unopened after the municipality's escalation minutes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(
        "organisations.District", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "district", "rank"], name="intake_duty_rank_once"),
        ]


class QualityReview(models.Model):
    """The audit's own method, every month: a random sample of reports closed without
    investigation goes to a reviewer, who says whether it should have been investigated.
    The reviewer is neither the handler, the decider nor the approver (copied here so the
    database can check it)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.ForeignKey(ConcernReport, on_delete=models.CASCADE, related_name="quality_reviews")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decider = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    should_have_been_investigated = models.BooleanField(_("should have been investigated"), null=True, blank=True)
    reason = models.TextField(_("why"), blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report"], name="quality_review_once_per_report"),
            models.CheckConstraint(
                condition=(Q(handler__isnull=True) | ~Q(reviewer=F("handler")))
                & (Q(approver__isnull=True) | ~Q(reviewer=F("approver")))
                & (Q(decider__isnull=True) | ~Q(reviewer=F("decider"))),
                name="quality_reviewer_independent",
            ),
            models.CheckConstraint(
                condition=Q(reviewed_at__isnull=True) | Q(should_have_been_investigated__isnull=False) & ~Q(reason=""),
                name="quality_review_answered_with_reason",
            ),
        ]


class TeamInvitation(models.Model):
    """An invitation to join barnets team, or to be the plan's stödsamordnare. Access starts
    only when the invitee accepts; a decline carries a reason the inviter sees."""

    class Kind(models.TextChoices):
        TEAM_MEMBER = "team_member", _("Member of the child's team")
        STODSAMORDNARE = "stodsamordnare", _("Stödsamordnare")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey("Plan", on_delete=models.PROTECT, null=True, blank=True, related_name="invitations")
    kind = models.CharField(_("role"), max_length=16, choices=Kind.choices)
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="+", verbose_name=_("invited"))
    valid_to = models.DateField(_("member until"), null=True, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(default=timezone.now, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    answered_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["child", "position", "kind"],
                condition=models.Q(status="pending"),
                name="one_pending_invitation_per_role",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(decline_reason=""),
                name="a_decline_has_a_reason",
            ),
        ]
        indexes = [models.Index(fields=["position", "status"], name="invitation_inbox")]


# -- the child's own network (Mitt nätverk) -------------------------------------------------------


class NetworkRelation(models.TextChoices):
    GRANDPARENT = "grandparent", _("Grandparent")
    RELATIVE = "relative", _("Other relative")
    SIBLING = "sibling", _("Older sibling")
    NEIGHBOUR = "neighbour", _("Neighbour")
    COACH = "coach", _("Coach")
    LEISURE_LEADER = "leisure_leader", _("Leisure leader")
    FRIENDS_PARENT = "friends_parent", _("A friend's parent")
    FAMILY_FRIEND = "family_friend", _("Family friend")
    OTHER = "other", _("Someone else")


class NetworkMember(models.Model):
    """A trusted adult around the child who is not a professional (a grandmother, a coach…).

    The child names them, in the child's own words, and ranks them ("who do you go to when…").
    How to reach them is kept only when that adult agreed to it (contact_consent_on, how): the
    database refuses contact details without it. The network belongs to the child's file, not
    to a plan: it stays when a plan closes and goes with every handover that passes it on.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="network")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    # Who wrote it down (the organisation is the controller of what it records).
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    relation = models.CharField(_("who they are to the child"), max_length=16, choices=NetworkRelation.choices)
    relation_detail = models.CharField(_("in the child's words"), max_length=200, blank=True)
    child_words = models.TextField(_("what the child says about them"), blank=True)
    go_to_when = models.CharField(_("the child goes to them when…"), max_length=300, blank=True)
    # The child's own order: 1 is the first person the child goes to. NULL: not ranked yet.
    rank = models.PositiveSmallIntegerField(_("the child's ranking"), null=True, blank=True)
    contact = models.CharField(_("how to reach them"), max_length=200, blank=True)
    contact_consent_on = models.DateField(_("agreed to being contacted on"), null=True, blank=True)
    contact_consent_how = models.CharField(_("how they agreed"), max_length=200, blank=True)
    ended_on = models.DateField(_("no longer in the network from"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = [F("rank").asc(nulls_last=True), "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contact="") | (Q(contact_consent_on__isnull=False) & ~Q(contact_consent_how="")),
                name="network_contact_needs_consent",
            ),
        ]
        indexes = [models.Index(fields=["child", "ended_on"], name="network_child_active")]
        verbose_name = _("person in the child's network")
        verbose_name_plural = _("the child's network")

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


# -- the family's languages and interpreter needs -------------------------------------------------


class LanguageNeed(models.Model):
    """The languages of the child (guardian NULL) or of one guardian, and whether they need an
    interpreter, in which language. One row per person and child."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Goes with the child row, like its custodies (records.registry: a part of the child).
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="language_needs")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    guardian = models.ForeignKey(
        "children.Guardian", on_delete=models.PROTECT, null=True, blank=True, related_name="language_needs"
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    other_language = models.CharField(_("other language"), max_length=100, blank=True)
    interpreter_needed = models.BooleanField(_("needs an interpreter"), default=False)
    interpreter_language = models.CharField(
        _("interpreter language"), max_length=8, choices=Language.choices, blank=True
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=Q(guardian__isnull=True), name="language_need_one_for_the_child"
            ),
            models.UniqueConstraint(fields=["child", "guardian"], name="language_need_one_per_guardian"),
            models.CheckConstraint(
                condition=Q(interpreter_needed=False) | ~Q(interpreter_language=""),
                name="language_need_interpreter_has_language",
            ),
        ]
        verbose_name = _("language and interpreter need")
        verbose_name_plural = _("languages and interpreter needs")


# -- the family's own words before a meeting (the family view, backa.family) ----------------------


class FamilyView(models.Model):
    """What a guardian or the child wrote themselves before a meeting, through the family view
    with e-ID: kept apart as their own words, shown to the professionals on the meeting page."""

    class Author(models.TextChoices):
        GUARDIAN = "guardian", _("Guardian")
        CHILD = "child", _("The child")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="family_views")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    author = models.CharField(_("written by"), max_length=8, choices=Author.choices)
    guardian = models.ForeignKey("children.Guardian", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    text = models.TextField(_("in their own words"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(author="guardian") & Q(guardian__isnull=False))
                | (Q(author="child") & Q(guardian__isnull=True)),
                name="family_view_author_matches",
            )
        ]
