"""Reference data: municipalities, districts, organisations (huvudmän) and their units."""

import uuid

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Municipality(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # SCB kommunkod: two digits county + two digits municipality, e.g. 0180 Stockholm.
    code = models.CharField(_("municipality code"), max_length=4, unique=True, validators=[RegexValidator(r"^\d{4}$")])
    name = models.CharField(_("name"), max_length=100)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    # The intake of concern reports (casefile.intake): what the reporter of an acute report is
    # told to call, how long an acute report may stay unopened, when feedback is due.
    socialjour_phone = models.CharField(_("socialjouren's phone number"), max_length=32, blank=True)
    acute_escalation_minutes = models.PositiveSmallIntegerField(
        _("minutes before an unopened acute report escalates"), default=30
    )
    report_feedback_days = models.PositiveSmallIntegerField(
        _("days within which the reporter gets feedback"), default=21
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self):
        return f"{self.code} {self.name}"


class EvaluationArm(models.TextChoices):
    PILOT = "pilot", _("Pilot")
    COMPARISON = "comparison", _("Comparison")
    NONE = "none", _("Not in the evaluation")


class District(models.Model):
    """A stadsdelsområde: city-internal, time-varying, with its arm in the pilot evaluation."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="districts")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    evaluation_arm = models.CharField(
        _("evaluation arm"), max_length=12, choices=EvaluationArm.choices, default=EvaluationArm.NONE
    )
    pilot_start = models.DateField(_("pilot start date"), null=True, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="district_code_unique"),
            models.CheckConstraint(
                condition=~models.Q(evaluation_arm="pilot") | models.Q(pilot_start__isnull=False),
                name="district_pilot_has_start",
            ),
        ]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self):
        return self.name


class OrganisationKind(models.TextChoices):
    MUNICIPAL_BOARD = "municipal_board", _("Municipal board")
    REGION = "region", _("Region")
    PRIVATE_CARE = "private_care", _("Private care provider")
    INDEPENDENT_SCHOOL = "independent_school", _("Independent school (huvudman)")
    POLICE = "police", _("Polismyndigheten")
    ASSOCIATION = "association", _("Association")


class Organisation(models.Model):
    """A huvudman: its own data controller and, if an authority, its own secrecy domain under OSL."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="organisations")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=24, choices=OrganisationKind.choices)
    is_osl_authority = models.BooleanField(
        _("authority under OSL"),
        help_text=_("Secrecy under offentlighets- och sekretesslagen applies between authorities."),
    )
    org_number = models.CharField(_("organisation number"), max_length=11, blank=True)
    is_synthetic = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name


class UnitType(models.TextChoices):
    BMM = "bmm", _("Antenatal clinic (BMM)")
    BVC = "bvc", _("Child health centre (BVC)")
    FORSKOLA = "forskola", _("Preschool")
    GRUNDSKOLA = "grundskola", _("Compulsory school (incl. förskoleklass)")
    GYMNASIUM = "gymnasium", _("Upper secondary school")
    ELEVHALSA = "elevhalsa", _("Pupil health (elevhälsa)")
    SOCIALTJANST = "socialtjanst", _("Social services (IFO)")
    BUP = "bup", _("Child and adolescent psychiatry (BUP)")
    HABILITERING = "habilitering", _("Habilitation")
    LOKALPOLISOMRADE = "lpo", _("Local police area")
    FRITIDSGARD = "fritidsgard", _("Youth centre (fritidsgård)")
    ADMINISTRATION = "administration", _("District administration")


class ActivityKind(models.TextChoices):
    """Kinds of verksamhet: the secrecy unit inside an authority (OSL 8 kap. 2 §)."""

    MATERNITY_CARE = "maternity_care", _("Antenatal care (BMM)")
    BVC = "bvc", _("Child health care (BVC)")
    PRESCHOOL = "preschool", _("Preschool")
    SCHOOL = "school", _("School")
    PUPIL_HEALTH_MEDICAL = "pupil_health_medical", _("Pupil health, medical and psychological part")
    PUPIL_HEALTH_PSYCHOSOCIAL = "pupil_health_psychosocial", _("Pupil health, psychosocial part")
    SOCIAL_SERVICES_IFO = "social_services_ifo", _("Social services, individual and family care")
    DISTRICT_ADMINISTRATION = "district_administration", _("District administration")
    BUP = "bup", _("Child and adolescent psychiatry (BUP)")
    HABILITATION = "habilitation", _("Habilitation")
    POLICE = "police", _("Police")
    LEISURE = "leisure", _("Youth centre (fritidsgård)")
    OTHER = "other", _("Other activity")


# The activity a unit of a type belongs to unless the municipality says otherwise.
UNIT_TYPE_ACTIVITY = {
    "bmm": ActivityKind.MATERNITY_CARE,
    "bvc": ActivityKind.BVC,
    "forskola": ActivityKind.PRESCHOOL,
    "grundskola": ActivityKind.SCHOOL,
    "gymnasium": ActivityKind.SCHOOL,
    "elevhalsa": ActivityKind.PUPIL_HEALTH_MEDICAL,
    "socialtjanst": ActivityKind.SOCIAL_SERVICES_IFO,
    "bup": ActivityKind.BUP,
    "habilitering": ActivityKind.HABILITATION,
    "lpo": ActivityKind.POLICE,
    "fritidsgard": ActivityKind.LEISURE,
    "administration": ActivityKind.DISTRICT_ADMINISTRATION,
}


class Activity(models.Model):
    """A verksamhet of an organisation: the unit secrecy runs between, inside one board too.

    Every entry in a child's file records the activity that wrote it; another activity (of
    the same board or not) sees it only under consent, a legal basis or the board's own
    ActivitySharingRule (backa.consent)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="activities")
    kind = models.CharField(_("kind"), max_length=32, choices=ActivityKind.choices)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "kind"], name="activity_kind_once_per_org")]
        verbose_name = _("activity (verksamhet)")
        verbose_name_plural = _("activities (verksamheter)")

    def __str__(self):
        return self.name


def activity_for(organisation_id, kind) -> "Activity":
    """The organisation's activity of this kind, created on first use."""
    kind = ActivityKind(kind)
    activity = Activity.objects.filter(organisation_id=organisation_id, kind=kind).first()
    if activity is None:
        org = Organisation.objects.get(pk=organisation_id)
        activity, _created = Activity.objects.get_or_create(
            organisation=org, kind=kind, defaults={"name": f"{org.name}: {kind.label}"}
        )
    return activity


class Unit(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="units")
    # The activity the unit's positions write for; a unit saved without one gets its
    # organisation's activity for the unit type (UNIT_TYPE_ACTIVITY).
    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, null=True, blank=True, related_name="units", verbose_name=_("activity")
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="units",
        null=True,
        blank=True,
        help_text=_("Usually one district; city-wide units leave it empty."),
    )
    unit_type = models.CharField(_("unit type"), max_length=16, choices=UnitType.choices)
    name = models.CharField(_("name"), max_length=200)
    # Skolenhetskod (SS 12000 / Skolverket) or HSA-id, for matching imports.
    external_id = models.CharField(_("external id"), max_length=64, blank=True, db_index=True)
    is_synthetic = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.activity_id is None and self.organisation_id is not None:
            kind = UNIT_TYPE_ACTIVITY.get(self.unit_type, ActivityKind.OTHER)
            self.activity = activity_for(self.organisation_id, kind)
        super().save(*args, **kwargs)


class LegalReference(models.Model):
    """A reference to the law, kept as data so that a lawyer corrects it without a code change
    (Django admin: Legal references). Reports, consent bases and handovers name a reference by
    its key; pages show `citation`. `confirmed` is false until a lawyer has checked the chapter
    and section against the statute in force."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    statute = models.CharField(_("statute"), max_length=120, help_text=_("E.g. socialtjänstlagen (2025:400)."))
    provision = models.CharField(_("chapter and section"), max_length=60, blank=True)
    summary = models.CharField(_("what it says"), max_length=300, blank=True)
    url = models.URLField(_("link to the text"), blank=True)
    confirmed = models.BooleanField(_("checked by a lawyer"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("legal reference")
        verbose_name_plural = _("legal references")

    def __str__(self):
        return self.citation

    @property
    def citation(self) -> str:
        return f"{self.provision} {self.statute}".strip() if self.provision else self.statute


def legal_citation(key: str, default: str = "") -> str:
    """The citation for a key ("socialtjänstlagen (2025:400)"), or `default` if there is no such row."""
    ref = LegalReference.objects.filter(key=key).first()
    return ref.citation if ref is not None else default
