"""Operational records: idempotency keys for creates, and seals over the access log.

Neither holds personal data: an idempotency key row points at what the request created
(type and id); a seal holds counts, ids and digests.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdempotencyKey(models.Model):
    """One create request, identified by (user, scope, key). A replay of the same key finds
    this row and answers with what the first request created; the unique constraint makes
    a concurrent double submit wait for the first and then replay it."""

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=40)  # e.g. "concern.create"
    key = models.CharField(max_length=80)
    fingerprint = models.CharField(max_length=64)  # sha256 of the request payload
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "scope", "key"], name="idempotency_key_once")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_key_created")]
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")


class AccessLogSeal(models.Model):
    """A digest over every access-log row of one period [starts_at, ends_at), chained to the
    previous seal. Written by `manage.py seal_access_log` after the period has closed, so
    request-time log inserts never wait for it. Any row added, changed or removed in a
    sealed period afterwards (or lost in a restore) changes the recomputed digest."""

    id = models.BigAutoField(primary_key=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    row_count = models.BigIntegerField()
    first_id = models.CharField(max_length=64, blank=True)
    last_id = models.CharField(max_length=64, blank=True)
    rows_digest = models.CharField(max_length=64)  # sha256 over the period's rows, canonical order
    previous_digest = models.CharField(max_length=64)  # the previous seal's digest ("0"*64 for the first)
    digest = models.CharField(max_length=64)  # sha256(previous_digest | period | row_count | rows_digest)
    sealed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["starts_at"], name="access_log_seal_period_once"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="access_log_seal_period_valid"
            ),
        ]
        verbose_name = _("access-log seal")
        verbose_name_plural = _("access-log seals")


class RestoreDrillRun(models.Model):
    """One run of the nightly restore drill (R10, `manage.py restore_drill`); /readyz reads the newest."""

    id = models.BigAutoField(primary_key=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True)
    ok = models.BooleanField(default=False)
    rto_seconds = models.FloatField(null=True)  # backup restored, promoted and verified
    failure = models.CharField(max_length=200, blank=True)  # the step and the error's type, no data

    class Meta:
        ordering = ["-started_at"]
