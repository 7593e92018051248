"""Evaluation of the pilot: the nightly indicator rollup, imported baselines, ethics
approvals and the record of every research extraction.

IndicatorValue holds aggregates only (no child id): one row per indicator, month,
district, sex and age band, plus a row per indicator, month and district with sex and
age band "all". The pages read this table, never the child tables.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backa.organisations.models import District, Municipality

ALL = "all"


class ValueSource(models.TextChoices):
    COMPUTED = "computed", _("Computed from the records (nightly rollup)")
    BASELINE = "baseline", _("Imported baseline (before the pilot)")


class IndicatorValue(models.Model):
    id = models.BigAutoField(primary_key=True)
    indicator = models.CharField(max_length=48)
    month = models.DateField(help_text=_("First day of the month (or of the term for term indicators)."))
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    sex = models.CharField(max_length=8, default=ALL)
    age_band = models.CharField(max_length=8, default=ALL)
    numerator = models.FloatField(null=True)
    denominator = models.FloatField(null=True)
    value = models.FloatField(null=True)
    n_children = models.IntegerField(default=0)
    source = models.CharField(max_length=10, choices=ValueSource.choices, default=ValueSource.COMPUTED)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "month", "district", "sex", "age_band", "source"], name="indicator_value_cell_once"
            ),
        ]
        indexes = [models.Index(fields=["indicator", "month"], name="indicator_value_lookup")]
        permissions = [("view_evaluation", "Can open the evaluation dashboard (city analyst)")]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")


class EthicsApproval(models.Model):
    """An approval by the Ethical Review Authority (Etikprövningsmyndigheten) that allows
    named people to take pseudonymised research extracts while it is valid."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(
        _("reference number (Dnr)"), max_length=40, unique=True, help_text=_("E.g. Dnr 2026-01234-01.")
    )
    board = models.CharField(_("approving authority"), max_length=200, default="Etikprövningsmyndigheten")
    study_title = models.CharField(_("study"), max_length=300)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    extractors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="ethics_approvals", verbose_name=_("who may extract")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=models.F("valid_from")), name="ethics_dates_in_order"),
        ]
        verbose_name = _("ethics approval")
        verbose_name_plural = _("ethics approvals")

    def __str__(self):
        return self.reference

    def is_valid_on(self, day) -> bool:
        return self.valid_from <= day <= self.valid_to


class ExtractionRecord(models.Model):
    """Who took which research extract, when, under which approval. Append-only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    approval = models.ForeignKey(EthicsApproval, on_delete=models.PROTECT, related_name="extractions")
    extracted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    extracted_at = models.DateTimeField(default=timezone.now, editable=False)
    period_start = models.DateField()
    period_end = models.DateField()
    file_format = models.CharField(max_length=8)
    date_granularity = models.CharField(max_length=8)
    key_id = models.CharField(max_length=16, help_text=_("Fingerprint of the pseudonymisation key, not the key."))
    n_rows = models.PositiveIntegerField()
    n_children = models.PositiveIntegerField()
    suppression = models.CharField(max_length=300)
    dataset_version = models.CharField(max_length=16)

    class Meta:
        ordering = ["-extracted_at"]
        verbose_name = _("research extraction")
        verbose_name_plural = _("research extractions")
