"""The access log: business data, append-only, ids never content.

On PostgreSQL the table is range-partitioned by month on occurred_at (see the initial
migration), so five years of rows stay manageable and retention drops whole partitions.
A database trigger refuses UPDATE and DELETE; the application never needs either.
"""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    VIEW = "view", _("View")
    LIST = "list", _("List")
    SEARCH = "search", _("Search")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    EXPORT = "export", _("Export")
    PRINT = "print", _("Print")
    DISCLOSE = "disclose", _("Disclose")
    EMERGENCY_ACCESS = "emergency_access", _("Emergency access")


class Outcome(models.TextChoices):
    ALLOWED = "allowed", _("Allowed")
    DENIED = "denied", _("Denied")


class AccessLog(models.Model):
    # Composite key with the partition key, as PostgreSQL requires on partitioned tables.
    pk = models.CompositePrimaryKey("occurred_at", "id")
    id = models.UUIDField(default=uuid.uuid4, editable=False)
    occurred_at = models.DateTimeField(default=timezone.now, editable=False)
    # Plain ids, not foreign keys: the log outlives what it points at (retention) and
    # must never cascade or block.
    user_id = models.UUIDField(null=True)
    organisation_id = models.UUIDField(null=True)
    unit_id = models.UUIDField(null=True)
    role = models.CharField(max_length=32, blank=True)
    municipality_id = models.UUIDField(null=True)
    child_id = models.UUIDField(null=True)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    purpose = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    request_id = models.UUIDField(null=True)
    emergency = models.BooleanField(default=False)
    protected_identity = models.BooleanField(default=False)

    class Meta:
        managed = True
        indexes = [
            models.Index(fields=["child_id", "occurred_at"], name="accesslog_child_time"),
            models.Index(fields=["user_id", "occurred_at"], name="accesslog_user_time"),
        ]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")


class ReviewReason(models.TextChoices):
    SAMPLE = "sample", _("Random sample")
    EMERGENCY = "emergency", _("Emergency access")
    NO_RELATIONSHIP = "no_relationship", _("No relationship to the child")
    SAME_SURNAME = "same_surname", _("Same surname as the child")
    SAME_ADDRESS = "same_address", _("Same address as the child")
    OUT_OF_HOURS = "out_of_hours", _("Out of hours")
    MANY_CHILDREN = "many_children", _("Unusually many children opened")
    MANY_DENIALS = "many_denials", _("Refused many times in one day")
    DENIED_PROTECTED = "denied_protected", _("Refused on a child with protected personal data")


class LogReviewItem(models.Model):
    """One access-log row picked for review (by sample or by rule), and what the reviewer found.

    It points at the log row by its key; the log itself is never changed.
    """

    class Outcome(models.TextChoices):
        JUSTIFIED = "justified", _("Justified")
        NOT_JUSTIFIED = "not_justified", _("Not justified: to be followed up")
        UNCLEAR = "unclear", _("Unclear: asked the user")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sampled_on = models.DateField(_("day reviewed"))
    log_occurred_at = models.DateTimeField()
    log_id = models.UUIDField()
    user_id = models.UUIDField(null=True)
    child_id = models.UUIDField(null=True)
    municipality_id = models.UUIDField(null=True)
    reasons = models.CharField(_("why picked"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    reviewer_id = models.UUIDField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["sampled_on", "log_occurred_at"]
        constraints = [
            models.UniqueConstraint(fields=["log_occurred_at", "log_id"], name="log_review_item_once"),
            models.CheckConstraint(condition=~models.Q(reviewer_id=models.F("user_id")), name="log_review_not_own"),
        ]
        verbose_name = _("log review item")
        verbose_name_plural = _("log review items")

    @property
    def reason_labels(self):
        labels = dict(ReviewReason.choices)
        return [labels.get(r, r) for r in self.reasons.split(",") if r]


class DroppedPartition(models.Model):
    """A monthly partition of the access log the purge dropped past its retention period.

    The seals over its days stay; `operations.seal.verify_chain` counts a seal whose period lies
    inside a dropped partition as purged (no rows expected) instead of broken, and checks that
    the partition's recorded row count equals the sum of those seals' counts.
    """

    name = models.CharField(max_length=64, unique=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    row_count = models.PositiveIntegerField()
    rows_digest = models.CharField(max_length=64)
    dropped_at = models.DateTimeField(default=timezone.now, editable=False)
    # The purge run (backa.records) that dropped it: a plain id, the audit app sits below records.
    purge_run_id = models.UUIDField()

    class Meta:
        ordering = ["starts_at"]
