"""The child, guardians (vårdnadshavare) with custody, and enrolments at units.

Personal identity numbers are stored encrypted (AES-GCM) with a keyed hash for lookup;
they never appear in a URL, a log line or the admin. Every child-owned row carries
child_id and municipality_id so it can be partitioned and kept per tenant.
"""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backa.children.lifephase import age_in_years, life_phase
from backa.lib import identity
from backa.organisations.models import District, Municipality, Unit


class IdType(models.TextChoices):
    PERSONNUMMER = identity.PERSONNUMMER, _("Personnummer")
    SAMORDNINGSNUMMER = identity.SAMORDNINGSNUMMER, _("Samordningsnummer")
    NONE = "none", _("No number yet")


class Sex(models.TextChoices):
    FEMALE = "female", _("Girl")
    MALE = "male", _("Boy")
    UNKNOWN = "unknown", _("Not recorded")


class PersonIdentityFields(models.Model):
    """Encrypted identity number with a lookup hash, shared by children and guardians."""

    id_type = models.CharField(_("identity number type"), max_length=20, choices=IdType.choices, default=IdType.NONE)
    pnr_encrypted = models.BinaryField(null=True, editable=False)
    # The id of the key pnr_encrypted was written under (PNR_ENCRYPTION_KEY_ID), so a key can
    # rotate: `manage.py reencrypt_identity_numbers` moves rows to the current key.
    pnr_key_id = models.CharField(max_length=16, blank=True, default="", db_default="", editable=False)
    # NULL, not "", for a child without a number: unique applies only to the numbers there are.
    pnr_hash = models.CharField(max_length=64, null=True, unique=True, editable=False)  # noqa: DJ001
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    protected_identity = models.BooleanField(
        _("protected personal data"),
        default=False,
        help_text=_("Skyddade personuppgifter: address-related data is never shown, exported or logged."),
    )
    is_synthetic = models.BooleanField(default=False, editable=False)

    class Meta:
        abstract = True

    def set_identity_number(self, number: identity.IdentityNumber | None):
        if number is None:
            self.id_type, self.pnr_encrypted, self.pnr_hash, self.pnr_key_id = IdType.NONE, None, None, ""
            return
        self.id_type = number.kind
        self.pnr_encrypted = identity.encrypt(number)
        self.pnr_key_id = identity.current_key_id()
        self.pnr_hash = identity.lookup_hash(number)

    @property
    def identity_number(self) -> identity.IdentityNumber | None:
        if not self.pnr_encrypted:
            return None
        return identity.decrypt(bytes(self.pnr_encrypted), key_id=self.pnr_key_id)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class Child(PersonIdentityFields):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    expected_birth_date = models.DateField(_("expected birth date"), null=True, blank=True)
    home_district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("home district")
    )
    # Set by a full population-register extract that no longer lists the child (moved out of
    # the municipality); cleared when a later full extract lists them again. Never a deletion.
    moved_out_on = models.DateField(_("moved out of the municipality on"), null=True, blank=True, editable=False)
    # Why the register stopped listing the child here (with moved_out_on): an explicit move or
    # emigration event, or only missing from a full extract (the register did not say why).
    moved_out_reason = models.CharField(
        _("why the child is no longer registered here"),
        max_length=12,
        choices=[
            ("moved", _("Moved to another municipality")),
            ("emigrated", _("Emigrated")),
            ("not_listed", _("No longer in the register here (no reason given)")),
        ],
        blank=True,
        default="",
        db_default="",
        editable=False,
    )
    # The register's death event (avliden): roles ended, nobody is asked to act, retention starts.
    deceased_on = models.DateField(_("died on"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(birth_date__isnull=False) | models.Q(expected_birth_date__isnull=False),
                name="child_has_birth_or_expected_date",
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "home_district"], name="child_muni_district"),
            models.Index(fields=["family_name", "given_name"], name="child_name"),
            models.Index(fields=["birth_date"], name="child_birth_date"),
        ]
        verbose_name = _("child")
        verbose_name_plural = _("children")

    def __str__(self):
        return self.full_name

    def life_phase(self, on=None):
        return life_phase(self.birth_date, on or timezone.localdate())

    def get_life_phase_display(self):
        from backa.children.lifephase import LifePhase

        return LifePhase(self.life_phase()).label

    @property
    def age(self):
        return age_in_years(self.birth_date, timezone.localdate())


class Guardian(PersonIdentityFields):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")

    def __str__(self):
        return self.full_name


class Custody(models.Model):
    """A guardian's relation to a child. Each guardian with custody consents separately."""

    class Relation(models.TextChoices):
        PARENT = "parent", _("Parent")
        APPOINTED = "appointed", _("Appointed guardian (särskilt förordnad)")
        OTHER = "other", _("Other")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="custodies")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    guardian = models.ForeignKey(Guardian, on_delete=models.PROTECT, related_name="custodies")
    relation = models.CharField(_("relation"), max_length=12, choices=Relation.choices, default=Relation.PARENT)
    has_custody = models.BooleanField(_("has custody (vårdnad)"), default=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["child", "guardian"], name="custody_unique")]
        verbose_name = _("custody")
        verbose_name_plural = _("custodies")


class Enrolment(models.Model):
    """A child at a unit for a period: listed at a BVC, placed in a preschool, a pupil at a school."""

    class Kind(models.TextChoices):
        LISTING = "listing", _("Listed")
        PLACEMENT = "placement", _("Placed")
        PUPIL = "pupil", _("Pupil")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="enrolments")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="enrolments")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("to"), null=True, blank=True)

    class Meta:
        ordering = ["valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="enrolment_dates_in_order",
            )
        ]
        indexes = [models.Index(fields=["unit", "valid_to"], name="enrolment_unit_open")]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")


class FormerIdentity(models.Model):
    """A number the child was registered under before (a samordningsnummer replaced by a
    personnummer, a corrected personnummer). Kept as the keyed hash only, so a lookup by the
    old number still finds the child; never decrypted, never shown."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="former_identities")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    id_type = models.CharField(max_length=20, choices=IdType.choices)
    pnr_hash = models.CharField(max_length=64, unique=True, editable=False)
    replaced_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("former identity number")
        verbose_name_plural = _("former identity numbers")


class RegisterEvent(models.Model):
    """What the population register said happened to the child, in the child's history.
    Codes and dates only: never a number, an address or a name."""

    class Kind(models.TextChoices):
        IDENTITY_CHANGED = "identity_changed", _("New identity number from the register")
        DECEASED = "deceased", _("Died (population register)")
        EMIGRATED = "emigrated", _("Emigrated (population register)")
        MOVED_OUT = "moved_out", _("Moved to another municipality (population register)")
        NOT_LISTED = "not_listed", _("No longer in the population register here (no reason given)")
        MOVED_BACK = "moved_back", _("Registered here again")
        CUSTODY_CHANGED = "custody_changed", _("Custody changed (population register)")
        PROTECTION_ADDED = "protection_added", _("Protected personal data added")
        PROTECTION_LIFTED = "protection_lifted", _("Protected personal data lifted")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="register_events")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    occurred_on = models.DateField()
    # Codes only, e.g. {"from": "samordningsnummer", "to": "personnummer"} or custody counts.
    details = models.JSONField(default=dict, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["occurred_on", "recorded_at"]
        indexes = [models.Index(fields=["child", "kind"], name="register_event_child_kind")]
        verbose_name = _("register event")
        verbose_name_plural = _("register events")


def number_match_q(pnr_hash: str, prefix: str = "") -> models.Q:
    """Q for the child whose current number, or any former one, has this keyed hash. Every
    lookup of a child by number uses it, so the old samordningsnummer still finds the child."""
    return models.Q(**{f"{prefix}pnr_hash": pnr_hash}) | models.Q(
        **{f"{prefix}pk__in": FormerIdentity.objects.filter(pnr_hash=pnr_hash).values("child_id")}
    )


def child_ids_by_former_hash(hashes) -> dict:
    """{former hash: child id} for the hashes that are someone's former number."""
    return dict(FormerIdentity.objects.filter(pnr_hash__in=list(hashes)).values_list("pnr_hash", "child_id"))


class PotentialDuplicate(models.Model):
    """Two files that may be one child, flagged by the register import; people decide (nothing is
    merged automatically). Twins — the same birth date and family name, different given names —
    are never flagged."""

    class Reason(models.TextChoices):
        SAME_NAMES = "same_names", _("The same birth date and names")
        COORDINATION = "coordination", _("A samordningsnummer and another number with the same birth date and names")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="potential_duplicates")
    other = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    flagged_at = models.DateTimeField(default=timezone.now, editable=False)
    resolved_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["child", "other"], name="potential_duplicate_once")]
        verbose_name = _("potential duplicate")
        verbose_name_plural = _("potential duplicates")
