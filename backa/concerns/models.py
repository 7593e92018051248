"""Concerns (oro), conversations with child and family, Behovskompassen assessments and
concern reports to social services (orosanmälan).

Every row is child-owned: it carries child_id and municipality_id and is only fetched
after the child has passed the access gate (except a concern for its own Upptäckare).
"""
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backa.accounts.models import Position
from backa.children.models import Child
from backa.organisations.models import Municipality, Organisation

from .compass import CompassArea


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

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="backa_notifications")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    object_id = models.UUIDField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_inbox")]


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
            models.CheckConstraint(condition=Q(rating__isnull=True) | Q(rating__gte=1), name="assessment_rating_positive"),
        ]
        ordering = ["assessment", "area"]


class ReportStatus(models.TextChoices):
    SENT = "sent", _("Sent to social services")
    PRE_ASSESSMENT = "pre_assessment", _("Förhandsbedömning under way")
    INVESTIGATION_OPENED = "investigation_opened", _("Investigation opened")
    NOT_OPENED = "not_opened", _("No investigation opened")


class ConcernReport(models.Model):
    """An orosanmälan under the duty to report (SoL 14 kap. 1 §). Never blocked by missing
    consent: nothing in this model or its service looks at consent."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="concern_reports")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, null=True, blank=True, related_name="reports")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reporter_position = models.ForeignKey(Position, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
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

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(pre_assessment_decided_on__isnull=True) | Q(received_on__isnull=False)
                & Q(pre_assessment_decided_on__gte=F("received_on")),
                name="report_pre_assessment_after_receipt",
            ),
            models.CheckConstraint(
                condition=Q(investigation_decided_on__isnull=True) | Q(received_on__isnull=False)
                & Q(investigation_decided_on__gte=F("received_on")),
                name="report_decision_after_receipt",
            ),
        ]
        indexes = [models.Index(fields=["child", "reported_at"], name="report_child_time")]
        verbose_name = _("concern report (orosanmälan)")
        verbose_name_plural = _("concern reports (orosanmälningar)")
