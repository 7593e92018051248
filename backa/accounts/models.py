"""Professionals (users) and their positions at units."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backa.organisations.models import Activity, ActivityKind, Unit, activity_for


class User(AbstractUser):
    """A professional. Identity-provider claims match users on e-ID login (accounts/oidc.py):
    the personal identity number (held only as a keyed hash), the HSA-id, or the employee id
    (the Swedish profile's orgAffiliation, "id@organisationsnummer").

    home_address_hash is the keyed hash of the professional's normalised home address,
    provisioned from the employer, used only by the log-review rule "same address as the child".
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    hsa_id = models.CharField(_("HSA-id"), max_length=64, blank=True, db_index=True)
    employee_id = models.CharField(_("employee id"), max_length=64, blank=True)
    # eduPersonPrincipalName from a SAML federation (Skolfederation), matched last (accounts/staff_matching.py).
    eppn = models.CharField(
        _("eduPersonPrincipalName"), max_length=128, blank=True, default="", db_default="", db_index=True
    )
    pnr_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    home_address_hash = models.CharField(max_length=64, blank=True, default="", editable=False, db_index=True)
    is_synthetic = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("professional")
        verbose_name_plural = _("professionals")

    def __str__(self):
        return self.get_full_name() or self.username

    def set_identity_number(self, number):
        """Keep only the keyed hash of the professional's number (children.identity.lookup_hash)."""
        from backa.lib import identity

        self.pnr_hash = identity.lookup_hash(number) if number is not None else None

    def set_home_address(self, text: str):
        from backa.lib import identity

        self.home_address_hash = identity.address_hash(text)


class PositionKind(models.TextChoices):
    MIDWIFE = "midwife", _("Midwife")
    BVC_NURSE = "bvc_nurse", _("Child health nurse")
    PRESCHOOL_TEACHER = "preschool_teacher", _("Preschool teacher")
    REKTOR = "rektor", _("Head of school/preschool (rektor)")
    TEACHER = "teacher", _("Teacher")
    SCHOOL_NURSE = "school_nurse", _("School nurse")
    COUNSELLOR = "counsellor", _("School counsellor (kurator)")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    PHYSICIAN = "physician", _("Physician")
    POLICE_OFFICER = "police_officer", _("Police officer")
    YOUTH_LEADER = "youth_leader", _("Youth leader")
    MANAGER = "manager", _("Manager")
    DISTRICT_ADMIN = "district_admin", _("District administrator")
    ARCHIVE_ADMIN = "archive_admin", _("Archive administrator (arkivansvarig)")
    # Social services' intake (mottagning): scope is the reports addressed to the district.
    INTAKE = "intake", _("Social worker at the intake (mottagning)")
    INTAKE_LEAD = "intake_lead", _("Team leader at the intake (mottagning)")


class Position(models.Model):
    """A professional's post at a unit. A person can hold several; one is active per session."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="positions")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="positions")
    kind = models.CharField(_("position"), max_length=24, choices=PositionKind.choices)
    role_title = models.CharField(_("role title"), max_length=100)
    valid_from = models.DateField(default=timezone.localdate)
    valid_to = models.DateField(null=True, blank=True)
    # The activity (verksamhet) this post writes for, when it differs from its unit's: the
    # school nurse at a school writes for pupil health's medical part, not for the school.
    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("activity")
    )

    class Meta:
        ordering = ["valid_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="position_dates_in_order",
            )
        ]
        verbose_name = _("position")
        verbose_name_plural = _("positions")

    def __str__(self):
        return f"{self.role_title}, {self.unit}"

    def save(self, *args, **kwargs):
        if self.activity_id is None and self.unit_id is not None:
            kind = POSITION_KIND_ACTIVITY.get(self.kind)
            if kind is not None and self.unit.unit_type in SCHOOL_UNIT_TYPES:
                self.activity = activity_for(self.unit.organisation_id, kind)
        super().save(*args, **kwargs)

    def is_active_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)

    @property
    def writing_activity_id(self):
        """The activity the post's entries belong to: its own if set, else its unit's."""
        return self.activity_id or self.unit.activity_id


# Posts at a school whose entries belong to pupil health, not to the school (OSL 25 kap. for
# the medical and psychological part, 23 kap. 2 § for the psychosocial part).
POSITION_KIND_ACTIVITY = {
    "school_nurse": ActivityKind.PUPIL_HEALTH_MEDICAL,
    "physician": ActivityKind.PUPIL_HEALTH_MEDICAL,
    "psychologist": ActivityKind.PUPIL_HEALTH_MEDICAL,
    "counsellor": ActivityKind.PUPIL_HEALTH_PSYCHOSOCIAL,
}
SCHOOL_UNIT_TYPES = {"forskola", "grundskola", "gymnasium", "elevhalsa"}


class SecurityEventKind(models.TextChoices):
    LOGIN_REFUSED = "login_refused", _("Login refused")
    TOTP_ENROLLED = "totp_enrolled", _("Second factor enrolled")
    TOTP_FAILED = "totp_failed", _("Second-factor code refused")
    TOTP_RESET = "totp_reset", _("Second factor reset")
    STAFF_IDENTITY_PROVISIONED = "staff_identity_provisioned", _("Staff identity provisioned")
    POSITION_SWITCHED = "position_switched", _("Position switched")
    EMERGENCY_ACCESS_GRANTED = "emergency_access_granted", _("Emergency access granted")
    USER_DISABLED = "user_disabled", _("User disabled")


class SecurityEvent(models.Model):
    """An account or security event (issue 15.10): append-only, enforced by the database.

    Ids and codes only: who acted, whom it concerned, a reason code and a few named ids in
    `detail` (never a personnummer, a name, a typed login name or a note).
    """

    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    kind = models.CharField(max_length=32, choices=SecurityEventKind.choices)
    actor_id = models.UUIDField(null=True)  # plain ids: the trail outlives the accounts
    subject_user_id = models.UUIDField(null=True, db_index=True)
    request_id = models.UUIDField(null=True)
    reason = models.CharField(max_length=40, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        indexes = [models.Index(fields=["kind", "occurred_at"], name="securityevent_kind_time")]


class ConsumedAssertion(models.Model):
    """A SAML assertion that has logged someone in (accounts/saml.py): the same one is refused
    as a replay until it has expired. Only the IdP's random assertion id and its expiry."""

    assertion_id = models.CharField(max_length=128, primary_key=True)
    issuer = models.CharField(max_length=255)
    not_on_or_after = models.DateTimeField(db_index=True)
    consumed_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("consumed SAML assertion")
        verbose_name_plural = _("consumed SAML assertions")
