"""Records management: retention rules (dokumenthanteringsplan), legal holds, purge runs and records.

Rules are data, one per municipality, record type, kind of organisation (verksamhet) and
starting event; every change is a new RetentionRuleVersion (append-only). The purge job
(backa/records/purge.py) is the only code that deletes rows of a child's file; each batch it
commits writes one PurgeRecord (what rule, which record type, how many rows — never content).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backa.children.models import Child
from backa.organisations.models import Municipality


class Verksamhet(models.TextChoices):
    """The kind of organisation a rule is for. ANY: every kind without a rule of its own."""

    ANY = "any", _("Every kind without a rule of its own")
    SOCIAL_SERVICES = "social_services", _("Social services")
    SCHOOL_HEALTH = "school_health", _("Pupil health")
    HEALTH_CARE = "health_care", _("Health care")
    SCHOOL = "school", _("School and preschool")
    POLICE = "police", _("Police")
    PLATFORM = "platform", _("The platform itself")


class StartEvent(models.TextChoices):
    ENTRY = "entry", _("The entry itself")
    LAST_ENTRY = "last_entry", _("The last entry of this kind in the child's file")
    PLAN_CLOSED = "plan_closed", _("The plan was closed")
    TURNED_18 = "turned_18", _("The child turned 18")
    MOVED_OUT = "moved_out", _("The child moved out of the municipality, emigrated or died")


class Disposal(models.TextChoices):
    GALLRAS = "gallras", _("Delete (gallras)")
    BEVARAS = "bevaras", _("Keep (bevaras) and deliver to the e-archive")


class RetentionRule(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    # A key of backa.records.registry.RECORD_TYPES (not DB choices: a new type needs no migration).
    record_type = models.CharField(_("record type"), max_length=32)
    verksamhet = models.CharField(_("kind of organisation"), max_length=16, choices=Verksamhet.choices)
    start_event = models.CharField(_("counted from"), max_length=12, choices=StartEvent.choices)
    period_months = models.PositiveIntegerField(_("period (months)"))
    disposal = models.CharField(_("disposal"), max_length=8, choices=Disposal.choices, default=Disposal.GALLRAS)
    research_exemption = models.BooleanField(
        _("keep files of children born on the 5th, 15th and 25th"),
        default=False,
        help_text=_("Socialtjänstförordningen 7 kap. 2 §: these files are kept for research."),
    )
    source = models.TextField(_("source"))
    confirmed_by_archivist = models.BooleanField(_("confirmed by the municipality's archivist"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["record_type", "verksamhet", "start_event"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "record_type", "verksamhet", "start_event"], name="retention_rule_unique"
            )
        ]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")

    def __str__(self):
        return f"{self.record_type}/{self.verksamhet}/{self.start_event}/{self.period_months}"


class RetentionRuleVersion(models.Model):
    """One version of a rule as it was saved: never changed, never deleted."""

    rule = models.ForeignKey(RetentionRule, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    start_event = models.CharField(max_length=12, choices=StartEvent.choices)
    period_months = models.PositiveIntegerField()
    disposal = models.CharField(max_length=8, choices=Disposal.choices)
    research_exemption = models.BooleanField()
    source = models.TextField()
    confirmed_by_archivist = models.BooleanField()
    reason = models.TextField(_("reason for the change"))
    # Empty for the seeded default.
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["rule", "-number"]
        constraints = [models.UniqueConstraint(fields=["rule", "number"], name="retention_version_unique")]


class HoldReason(models.TextChoices):
    COMPLAINT = "complaint", _("A complaint")
    JO = "jo", _("A review by the Parliamentary Ombudsmen (JO)")
    IVO = "ivo", _("A supervision case (IVO)")
    COURT = "court", _("A court case")
    RESEARCH = "research", _("A research study")
    OTHER = "other", _("Other")


class LegalHold(models.Model):
    """Stops every purge it covers until it ends or is released. Names a child, a record type, or both."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    # No database constraint: a hold that has ended must not keep the child's file from its rules
    # (like the access log, it names the child by id and outlives it).
    child = models.ForeignKey(
        Child,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("child"),
    )
    # Empty: every record type (of the child, when one is named).
    record_type = models.CharField(_("record type"), max_length=32, blank=True)
    reason = models.CharField(_("reason"), max_length=12, choices=HoldReason.choices)
    reference = models.CharField(_("reference (case or diary number)"), max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    starts_on = models.DateField(_("from"), default=timezone.localdate)
    ends_on = models.DateField(_("until"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    released_at = models.DateTimeField(null=True, blank=True, editable=False)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(child__isnull=False) | ~Q(record_type=""), name="legal_hold_names_child_or_type"
            ),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="legal_hold_dates_in_order"),
        ]
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")

    def is_active_on(self, day) -> bool:
        return self.released_at is None and self.starts_on <= day <= self.ends_on


def active_holds_q(day) -> Q:
    return Q(released_at__isnull=True, starts_on__lte=day, ends_on__gte=day)


class PurgeRun(models.Model):
    """One run of the purge job (its id is the job id every purge record names)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    started_at = models.DateTimeField(default=timezone.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)
    dry_run = models.BooleanField(default=False)
    batch_size = models.PositiveIntegerField()
    started_by = models.CharField(max_length=150, help_text="cron, or the username of who started it")
    # The dry run's listing, or the finished run's totals: counts per rule, never content.
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]

    @property
    def interrupted(self) -> bool:
        """Never finished; the next run picks up where it stopped (every committed batch stays done)."""
        return self.finished_at is None


class PurgeRecord(models.Model):
    """One committed batch: which rule (and its version) removed how many rows of which record type.

    Append-only (a trigger refuses UPDATE and DELETE on PostgreSQL). For the access log, one
    record per dropped monthly partition, with the partition's row count and digest.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    run = models.ForeignKey(PurgeRun, on_delete=models.PROTECT, related_name="records")
    batch = models.PositiveIntegerField()
    rule = models.ForeignKey(RetentionRule, on_delete=models.PROTECT, null=True, related_name="+")
    rule_version = models.PositiveIntegerField()
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, null=True, related_name="+")
    record_type = models.CharField(max_length=32)
    verksamhet = models.CharField(max_length=16, choices=Verksamhet.choices)
    start_event = models.CharField(max_length=12, choices=StartEvent.choices)
    period_months = models.PositiveIntegerField()
    cutoff = models.DateTimeField(help_text="Rows whose starting event was on or before this went.")
    count = models.PositiveIntegerField(help_text="Rows of the record type itself.")
    # Every row that went, per model label, the record type's own rows and their parts (cascade).
    counts = models.JSONField(default=dict)
    partition = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "batch"]
        constraints = [models.UniqueConstraint(fields=["run", "batch"], name="purge_record_batch_unique")]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class ArchiveDelivery(models.Model):
    """An information package delivered to the e-archive (backa/records/earchive.py): what, for whom, its digest."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    package_id = models.CharField(max_length=64, unique=True)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    # A plain id: the delivery record outlives the child's rows in the platform.
    child_id = models.UUIDField()
    record_types = models.JSONField(default=list)
    mets_sha256 = models.CharField(max_length=64)
    files = models.PositiveIntegerField()
    bytes = models.PositiveBigIntegerField()
    delivered_at = models.DateTimeField(default=timezone.now, editable=False)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    location = models.CharField(max_length=500, help_text="Where the package was written for the e-archive to take.")

    class Meta:
        ordering = ["-delivered_at"]


class FeedbackStatus(models.TextChoices):
    NEW = "new", _("Not handled")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Handled, no answer asked for")


class AccessibilityFeedback(models.Model):
    """Feedback on the accessibility statement (lag 2018:1937 12 §): a barrier someone met.

    The municipality must handle it and answer when asked; the archive and district
    administrators see the inbox (records/feedback.py), and are e-mailed when one arrives."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    page = models.CharField(_("page or function"), max_length=200, blank=True)
    message = models.TextField(_("what did not work"))
    contact = models.CharField(_("e-mail or telephone, if you want an answer"), max_length=200, blank=True)
    received_at = models.DateTimeField(default=timezone.now, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=FeedbackStatus.choices, default=FeedbackStatus.NEW, db_default="new"
    )
    answer = models.TextField(_("what we did or answered"), blank=True, default="", db_default="")
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="new", handled_at__isnull=True)
                | (~models.Q(status="new") & models.Q(handled_at__isnull=False)),
                name="feedback_handled_when_not_new",
            )
        ]
