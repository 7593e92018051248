"""The inventory of cooperation forums per district, and meetings in any forum per child.

A ForumMeeting records only that a child was discussed or met in a forum, who took part
(as organisations and sectors, not names) and for how long. The content stays in the
forum's own system (a SIP in the region's record, a BBIC investigation in social
services'), so nothing here duplicates it.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backa.children.models import Child
from backa.organisations.models import District, Municipality


class ForumKind(models.TextChoices):
    SSPF = "sspf", _("SSPF (school, social services, police, leisure)")
    SIP = "sip", _("SIP meeting (coordinated individual plan)")
    ELEVHALSOTEAM = "elevhalsoteam", _("Pupil health team (elevhälsoteam)")
    BUS = "bus", _("BUS group (children in need of special support)")
    FAMILJECENTRAL = "familjecentral", _("Family centre (familjecentral)")
    BARNAHUS = "barnahus", _("Barnahus consultation")
    BARNETS_TEAM = "barnets_team", _("Barnets team (Backa barnet)")
    HOME_VISITS = "home_visits", _("Extended home visits")
    OTHER = "other", _("Other forum")


class Sector(models.TextChoices):
    """The kinds of participants a forum brings together; overlap is measured on these."""

    BMM_BVC = "bmm_bvc", _("Antenatal and child health care (BMM/BVC)")
    PRESCHOOL = "preschool", _("Preschool")
    SCHOOL = "school", _("School")
    ELEVHALSA = "elevhalsa", _("Pupil health")
    SOCIAL_SERVICES = "social_services", _("Social services")
    BUP = "bup", _("Child psychiatry (BUP)")
    HABILITATION = "habilitation", _("Habilitation")
    PRIMARY_CARE = "primary_care", _("Primary care")
    POLICE = "police", _("Police")
    LEISURE = "leisure", _("Leisure (fritid)")
    PROSECUTOR = "prosecutor", _("Prosecutor")
    CIVIL_SOCIETY = "civil_society", _("Civil society")


class Purpose(models.TextChoices):
    """What a forum is for; two forums with the same purposes and sectors likely overlap."""

    EARLY_DETECTION = "early_detection", _("Early detection of concerns")
    INDIVIDUAL_PLANNING = "individual_planning", _("Planning support for an individual child")
    COORDINATION = "coordination", _("Coordination between organisations")
    CRIME_PREVENTION = "crime_prevention", _("Crime prevention")
    PARENTING_SUPPORT = "parenting_support", _("Parenting support")
    HEALTH = "health", _("Health and development")
    SCHOOL_ATTENDANCE = "school_attendance", _("School attendance and learning")
    ABUSE_INVESTIGATION = "abuse_investigation", _("Suspected abuse or crime against a child")
    STRATEGIC = "strategic", _("Strategic planning (no individual children)")


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    BIWEEKLY = "biweekly", _("Every other week")
    MONTHLY = "monthly", _("Monthly")
    TERMLY = "termly", _("A few times per term")
    AD_HOC = "ad_hoc", _("When needed")


class Participation(models.TextChoices):
    ALWAYS = "always", _("Always")
    SOMETIMES = "sometimes", _("Sometimes")
    NEVER = "never", _("Never")


class Forum(models.Model):
    """One cooperation forum in a district's inventory."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="forums")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind of forum"), max_length=20, choices=ForumKind.choices)
    purpose = models.TextField(_("purpose"), max_length=2000)
    purposes = models.JSONField(_("purpose areas"), default=list, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    target_group = models.CharField(_("target group"), max_length=300)
    sectors = models.JSONField(_("participating sectors"), default=list, blank=True)
    participants = models.TextField(
        _("participating organisations and roles"),
        max_length=2000,
        blank=True,
        help_text=_("For example: Rektor and kurator (Ängsskolan), socialsekreterare (IFO), kommunpolis (LPO)."),
    )
    frequency = models.CharField(_("meeting frequency"), max_length=10, choices=Frequency.choices)
    convener = models.CharField(_("who convenes"), max_length=200)
    children_take_part = models.CharField(_("children take part"), max_length=10, choices=Participation.choices)
    guardians_take_part = models.CharField(_("guardians take part"), max_length=10, choices=Participation.choices)
    discusses_individual_children = models.BooleanField(_("discusses individual children"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    is_synthetic = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="forum_name_unique_in_district")]
        verbose_name = _("forum")
        verbose_name_plural = _("forums")

    def __str__(self):
        return self.name

    def get_sectors_display(self):
        labels = dict(Sector.choices)
        return [str(labels.get(s, s)) for s in self.sectors]

    def get_purposes_display(self):
        labels = dict(Purpose.choices)
        return [str(labels.get(p, p)) for p in self.purposes]


class ForumMeeting(models.Model):
    """That a child was discussed in, or met, a forum on a day. No content: that stays in the forum's own system."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="forum_meetings")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField(_("date"))
    sectors = models.JSONField(_("participating sectors"), default=list)
    professionals = models.PositiveSmallIntegerField(
        _("number of professionals"), validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    child_took_part = models.BooleanField(_("the child took part"), default=False)
    guardians_invited = models.BooleanField(_("guardians were invited"), default=False)
    guardians_took_part = models.BooleanField(_("guardians took part"), default=False)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(5), MaxValueValidator(600)]
    )
    external_reference = models.CharField(
        _("reference in the forum's own system"),
        max_length=100,
        blank=True,
        help_text=_("A case or document number, not content."),
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    is_synthetic = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-held_on", "-recorded_at"]
        indexes = [
            models.Index(fields=["child", "held_on"], name="forummeeting_child_day"),
            models.Index(fields=["forum", "held_on"], name="forummeeting_forum_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(guardians_took_part=False) | models.Q(guardians_invited=True),
                name="forummeeting_guardians_present_were_invited",
            ),
        ]
        verbose_name = _("forum meeting")
        verbose_name_plural = _("forum meetings")

    def get_sectors_display(self):
        labels = dict(Sector.choices)
        return [str(labels.get(s, s)) for s in self.sectors]


class BurdenSettings(models.Model):
    """Per-district thresholds for the burden signals, set by the district's administrators."""

    district = models.OneToOneField(
        District, on_delete=models.CASCADE, related_name="burden_settings", primary_key=True
    )
    family_meetings_per_term = models.PositiveSmallIntegerField(
        _("meetings per term before a family is flagged"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    shared_children_per_forum_pair = models.PositiveSmallIntegerField(
        _("shared children per term before two forums are flagged"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
    )

    class Meta:
        verbose_name = _("burden thresholds")
        verbose_name_plural = _("burden thresholds")
