"""Lawful sharing between organisations: consent (samtycke), recorded legal bases,
disclosure records and emergency access (nödåtkomst).

Consent here is the OSL secrecy waiver, not a GDPR legal basis: it is given for one
child, for one disclosing organisation, to named recipient organisations, for named
information categories, for a period, and can be withdrawn at any time. What it opens is
decided by `backa.consent.access`, and nothing else.

Information categories are stored as a delimited string (",notes,assessments,") rather
than an array so the same containment filter runs on PostgreSQL and the SQLite demo.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backa.children.models import Child, Guardian
from backa.organisations.models import Activity, Municipality, Organisation


class Category(models.TextChoices):
    NOTES = "notes", _("Notes")
    ASSESSMENTS = "assessments", _("Assessments (Behovskompassen)")
    PLAN_CONTRIBUTIONS = "plan_contributions", _("Plan contributions")
    MEETING_MINUTES = "meeting_minutes", _("Meeting minutes")


def encode_categories(categories) -> str:
    valid = {c.value for c in Category}
    chosen = sorted({str(c) for c in categories})
    unknown = [c for c in chosen if c not in valid]
    if unknown:
        raise ValueError(f"Unknown information categories: {unknown}")
    return "," + ",".join(chosen) + "," if chosen else ""


def category_q(category: str, field: str = "categories") -> Q:
    return Q(**{f"{field}__contains": f",{category},"})


class CategorySet(models.Model):
    categories = models.CharField(_("information categories"), max_length=200)

    class Meta:
        abstract = True

    @property
    def category_list(self) -> list[str]:
        return [c for c in self.categories.split(",") if c]

    def get_category_labels(self) -> list[str]:
        labels = dict(Category.choices)
        return [str(labels.get(c, c)) for c in self.category_list]


class ConsentForm(models.TextChoices):
    WRITTEN = "written", _("Written")
    ORAL = "oral", _("Oral")


class ConsentStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACTIVE = "active", _("Given")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Consent(CategorySet):
    """A secrecy waiver for one child, one disclosing organisation, named recipients and categories."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="consents")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    disclosing_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="consents_disclosing",
        verbose_name=_("disclosing organisation"),
    )
    recipients = models.ManyToManyField(Organisation, related_name="consents_received", verbose_name=_("recipients"))
    purpose = models.CharField(_("purpose"), max_length=300)
    status = models.CharField(
        _("status"), max_length=12, choices=ConsentStatus.choices, default=ConsentStatus.REQUESTED
    )
    form = models.CharField(_("form"), max_length=8, choices=ConsentForm.choices, blank=True)
    form_note = models.TextField(_("note on how consent was given"), blank=True)
    # The child's own consent is enough only when a professional has judged the child
    # mature enough to decide alone; otherwise every guardian with custody must consent.
    child_judged_mature = models.BooleanField(_("the child is judged mature enough to decide alone"), default=False)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    given_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_by_guardian = models.ForeignKey(
        Guardian, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_by_child = models.BooleanField(default=False)
    withdrawal_note = models.TextField(_("note on the withdrawal"), blank=True)
    # Set by the register import when a guardian who gave this consent lost custody: the
    # barnkontakt reviews it with whoever has custody now (it is not withdrawn by itself).
    custody_review_since = models.DateField(_("to review since (custody changed)"), null=True, blank=True)
    renews = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="renewals")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-valid_to", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=F("valid_from")), name="consent_dates_in_order"),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | Q(withdrawn_at__isnull=False), name="consent_withdrawn_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | (Q(given_at__isnull=False) & ~Q(form="")), name="consent_given_has_form"
            ),
        ]
        indexes = [models.Index(fields=["child", "disclosing_organisation", "status"], name="consent_child_org")]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self):
        return f"{self.disclosing_organisation} ({self.valid_from}–{self.valid_to})"

    def is_valid_at(self, when) -> bool:
        day = timezone.localdate(when)
        return (
            self.status in (ConsentStatus.ACTIVE, ConsentStatus.WITHDRAWN)
            and self.given_at is not None
            and self.valid_from <= day <= self.valid_to
            and (self.withdrawn_at is None or self.withdrawn_at > when)
        )

    def state_on(self, when=None) -> str:
        """requested/refused/withdrawn/expired/pending/valid, for display."""
        when = when or timezone.now()
        if self.status in (ConsentStatus.REQUESTED, ConsentStatus.REFUSED):
            return self.status
        if self.withdrawn_at is not None and self.withdrawn_at <= when:
            return "withdrawn"
        day = timezone.localdate(when)
        if day > self.valid_to:
            return "expired"
        if day < self.valid_from:
            return "pending"
        return "valid"


class ConsentGiver(models.Model):
    """One person's consent: a guardian with custody, or the child."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="givers")
    guardian = models.ForeignKey(Guardian, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    is_child = models.BooleanField(default=False)
    given_on = models.DateField(default=timezone.localdate)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(guardian__isnull=False) & Q(is_child=False))
                | (Q(guardian__isnull=True) & Q(is_child=True)),
                name="consent_giver_is_guardian_or_child",
            ),
            models.UniqueConstraint(fields=["consent", "guardian"], name="consent_giver_guardian_once"),
        ]


class LegalBasisKind(models.TextChoices):
    DUTY_TO_REPORT = "duty_to_report", _("Duty to report (anmälningsskyldighet, SoL)")
    OSL_10_28 = "osl_10_28", _("Obligation to provide information (OSL 10 kap. 28 §)")
    OSL_25_13A = "osl_25_13a", _("Pupil health, necessary support (OSL 25 kap. 13 a §)")
    OSL_25_12 = "osl_25_12", _("Expected child, BMM to BVC (OSL 25 kap. 12 §)")
    POLICE_INFORMATION = "police_information", _("Information to the police (crime prevention)")
    OTHER_PROVISION = "other_provision", _("Other named provision")


class LegalBasis(CategorySet):
    """A recorded statutory ground that lets one organisation disclose to another without consent."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="legal_bases")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    disclosing_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("legal basis"), max_length=24, choices=LegalBasisKind.choices)
    provision = models.CharField(_("provision"), max_length=120, help_text=_("E.g. OSL 10 kap. 28 §."))
    reason = models.TextField(_("reason"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    ended_at = models.DateTimeField(null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=F("valid_from")), name="legal_basis_dates_in_order"),
        ]
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")


class DisclosureBasis(models.TextChoices):
    CONSENT = "consent", _("Consent")
    DUTY_TO_REPORT = "duty_to_report", _("Duty to report")
    OSL_PROVISION = "osl_provision", _("Named OSL provision")
    EMERGENCY = "emergency", _("Emergency")
    REPORT_FEEDBACK = "report_feedback", _("Feedback to the reporter of a concern report")
    NONE = "none", _("No basis: not shared")


class DisclosureRecord(CategorySet):
    """One crossing of an organisation boundary, or one decision not to cross it. Never edited."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="disclosures")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    from_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    to_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("to"))
    shared = models.BooleanField(_("shared"), help_text=_("False records a decision not to share."))
    basis = models.CharField(_("basis"), max_length=16, choices=DisclosureBasis.choices)
    provision = models.CharField(_("provision"), max_length=120, blank=True)
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosures")
    what = models.CharField(_("what"), max_length=300)
    justification = models.TextField(_("justification"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-decided_at"]
        constraints = [
            models.CheckConstraint(condition=Q(shared=False) | ~Q(basis="none"), name="disclosure_shared_has_basis"),
            models.CheckConstraint(condition=Q(shared=True) | Q(basis="none"), name="disclosure_refusal_has_no_basis"),
            models.CheckConstraint(
                condition=~Q(basis="consent") | Q(consent__isnull=False), name="disclosure_consent_named"
            ),
        ]
        indexes = [models.Index(fields=["child", "decided_at"], name="disclosure_child_time")]
        verbose_name = _("disclosure record")
        verbose_name_plural = _("disclosure records")


class ReviewOutcome(models.TextChoices):
    JUSTIFIED = "justified", _("Justified")
    NOT_JUSTIFIED = "not_justified", _("Not justified: to be followed up")
    UNCLEAR = "unclear", _("Unclear: asked the user")


class EmergencyAccess(models.Model):
    """Nödåtkomst: a time-limited opening of one child outside the user's scope, reviewed afterwards."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="emergency_accesses")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="emergency_accesses")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, related_name="+")
    reason = models.TextField(_("reason"))
    granted_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_outcome = models.CharField(_("outcome"), max_length=16, choices=ReviewOutcome.choices, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        ordering = ["granted_at"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=F("granted_at")), name="emergency_expires_after_grant"),
            # Nobody reviews their own emergency access, enforced by the database too.
            models.CheckConstraint(condition=~Q(reviewed_by=F("user")), name="emergency_not_self_reviewed"),
            models.CheckConstraint(
                condition=Q(reviewed_by__isnull=True) | (Q(reviewed_at__isnull=False) & ~Q(review_outcome="")),
                name="emergency_review_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "child", "expires_at"], name="emergency_user_child"),
            models.Index(fields=["reviewed_at", "granted_at"], name="emergency_review_queue"),
        ]
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")


class ConsentReminder(models.Model):
    """A reminder that a consent expires soon; one per consent and kind, so the job is idempotent."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="reminders")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, default="expiry_30")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["consent", "kind"], name="consent_reminder_once")]


class ActivitySharingRule(CategorySet):
    """Which activity of a board may see which categories of another activity of the same
    board without consent, as the municipality has decided it (Django admin: Activity sharing
    rules). No rule, no crossing: the default is that activities see none of each other's
    entries. A rule runs one way (from_activity discloses to to_activity) and names the
    provision that allows it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    from_activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="+", verbose_name=_("disclosing activity")
    )
    to_activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="+", verbose_name=_("recipient"))
    basis = models.CharField(_("legal basis"), max_length=300, help_text=_("The provision that allows the crossing."))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(from_activity=F("to_activity")), name="sharing_rule_two_activities"),
            models.UniqueConstraint(fields=["from_activity", "to_activity"], name="sharing_rule_once"),
        ]
        verbose_name = _("activity sharing rule")
        verbose_name_plural = _("activity sharing rules")

    def __str__(self):
        return f"{self.from_activity} → {self.to_activity}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if (
            self.from_activity_id
            and self.to_activity_id
            and self.from_activity.organisation_id != self.to_activity.organisation_id
        ):
            raise ValidationError(_("A sharing rule joins two activities of the same board; others need consent."))


class SecrecyTowardsGuardians(models.Model):
    """A mature child's secrecy towards the guardians (OSL 12 kap. 3 §): while in force, the
    family view shows a guardian nothing of the child's plan, meetings or log, only who the
    barnkontakt is. Decided by a professional in the child's file; ended the same way."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="secrecy_towards_guardians")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField(_("decided on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("secrecy towards the guardians")
        verbose_name_plural = _("secrecy towards the guardians")
