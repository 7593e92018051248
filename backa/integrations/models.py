"""A record of each import run: what a status page shows while and after it runs.

Holds counts and per-line error messages only; messages never contain an identity number
or an address (see register.py)."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportRun(models.Model):
    class Kind(models.TextChoices):
        REGISTER = "register", _("Population register")
        SS12000 = "ss12000", _("SS 12000 (school data)")

    class Status(models.TextChoices):
        VALIDATING = "validating", _("Validating")
        INVALID = "invalid", _("Refused: errors in the file")
        WRITING = "writing", _("Writing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed: nothing was changed")
        INTERRUPTED = "interrupted", _("Interrupted before it finished: nothing was changed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # A code, not a foreign key: the row is written on its own connection, outside the
    # import's transaction, and must not wait for or depend on it.
    municipality_code = models.CharField(max_length=4)
    file_name = models.CharField(max_length=200)  # for SS 12000: the source (the API's base URL)
    file_sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.VALIDATING)
    rows = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    changes = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)  # [[line, message], ...]
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.rows) if self.rows else (100 if self.status == self.Status.DONE else 0)
