"""Time-bounded roles around a child. They are what the access gate reads.

A role is held through a position (a professional's post at a unit), so a person who
leaves the unit loses the role's access with the position, and the access log can say
which organisation and unit the access was made in.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backa.accounts.models import Position, PositionKind
from backa.children.lifephase import LifePhase
from backa.children.models import Child
from backa.organisations.models import Municipality, UnitType


class RoleKind(models.TextChoices):
    BARNKONTAKT = "barnkontakt", _("Barnkontakt")
    STODSAMORDNARE = "stodsamordnare", _("Stödsamordnare")
    TEAM_MEMBER = "team_member", _("Member of the child's team")


# Roles that open the child's file. (An Upptäckare sees only their own concern, which the
# concerns app grants separately.)
FILE_ACCESS_ROLES = (RoleKind.BARNKONTAKT, RoleKind.STODSAMORDNARE, RoleKind.TEAM_MEMBER)


class AssignmentSource(models.TextChoices):
    MANUAL = "manual", _("Assigned by hand")
    DERIVED = "derived", _("Derived from enrolment and life phase")
    HANDOVER = "handover", _("Accepted in a handover")
    OVERRIDE = "override", _("Chosen by a manager")


class EndReason(models.TextChoices):
    """Why a role ended, shown in the team's history; never "moved" for a reason it is not."""

    LEFT = "left", _("Left the team")
    REMOVED = "removed", _("Removed from the team")
    REPLACED = "replaced", _("Replaced by a new stödsamordnare")
    PLAN_CLOSED = "plan_closed", _("The plan was closed")
    PLAN_HANDED_OVER = "plan_handed_over", _("The plan was handed over")
    DECEASED = "deceased", _("The child has died")
    OTHER = "other", _("Ended")


class RoleAssignment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="role_assignments")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="role_assignments")
    kind = models.CharField(_("role"), max_length=16, choices=RoleKind.choices)
    valid_from = models.DateField(_("from"), default=timezone.localdate)
    valid_to = models.DateField(_("to"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=AssignmentSource.choices, default=AssignmentSource.MANUAL
    )
    # Set when a role is ended early (someone leaves the team): access stops at once.
    ended_at = models.DateTimeField(null=True, blank=True, editable=False)
    end_reason = models.CharField(_("why it ended"), max_length=16, choices=EndReason.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="role_dates_in_order",
            ),
        ]
        indexes = [
            models.Index(fields=["position", "kind"], name="role_position_kind"),
            models.Index(fields=["child", "kind"], name="role_child_kind"),
        ]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")

    def __str__(self):
        return f"{self.get_kind_display()} ({self.valid_from}–{self.valid_to or ''})"


def active_on(day, prefix: str = "") -> Q:
    """Q for rows whose [valid_from, valid_to] period includes day (valid_to inclusive)."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


def role_active_on(day, prefix: str = "") -> Q:
    """An assignment in force on day, through a position in force on day, not ended early."""
    return (
        active_on(day, prefix)
        & Q(**{f"{prefix}ended_at__isnull": True})
        & active_on(day, f"{prefix}position__")
        & Q(**{f"{prefix}position__user__is_active": True})
    )


class LifePhaseConfig(models.Model):
    """Which unit type and position hold the barnkontakt role in a life phase.

    Rows for one phase are tried in priority order (lowest first): the first rule for
    which the child has a current enrolment at a unit of `unit_type`, with a position
    of `position_kind` at that unit, gives the barnkontakt. A row without municipality
    is the default for all; a municipality's own rows for a phase replace the default.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the default for every municipality."),
    )
    phase = models.CharField(_("life phase"), max_length=12, choices=LifePhase.choices)
    priority = models.PositiveSmallIntegerField(_("priority"), default=1, help_text=_("Lower is tried first."))
    unit_type = models.CharField(_("unit type"), max_length=16, choices=UnitType.choices)
    position_kind = models.CharField(_("position"), max_length=24, choices=PositionKind.choices)
    handover_days = models.PositiveSmallIntegerField(
        _("days to complete a handover"),
        default=30,
        help_text=_("Target time for a handover into this phase, counted from the day it is created."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["phase", "priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "phase", "priority"],
                name="lifephase_rule_unique",
                nulls_distinct=False,
            ),
        ]
        verbose_name = _("life-phase rule for the barnkontakt")
        verbose_name_plural = _("life-phase rules for the barnkontakt")

    def __str__(self):
        return f"{self.get_phase_display()} {self.priority}: {self.get_position_kind_display()}, {self.get_unit_type_display()}"


class HandoverTrigger(models.TextChoices):
    PHASE_CHANGE = "phase_change", _("New life phase")
    ENROLMENT_CHANGE = "enrolment_change", _("New unit")
    MOVE_DISTRICT = "move_district", _("Moved to another district")
    MOVE_MUNICIPALITY = "move_municipality", _("Moved to another municipality")
    AGE_18 = "age_18", _("Turns 18")
    EMIGRATED = "emigrated", _("Emigrated")
    NOT_LISTED = "not_listed", _("No longer in the population register here (no reason given)")


# Handovers that close the child's roles here without a receiver in the municipality, by the
# register's reason (Child.moved_out_reason).
CLOSING_TRIGGER = {
    "moved": HandoverTrigger.MOVE_MUNICIPALITY,
    "emigrated": HandoverTrigger.EMIGRATED,
    "not_listed": HandoverTrigger.NOT_LISTED,
}


class HandoverStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the receiver")
    ACCEPTED = "accepted", _("Accepted")
    CLOSED = "closed", _("Closed without a receiver")
    CANCELLED = "cancelled", _("Cancelled")


class SharingBasis(models.TextChoices):
    CONTACT_ONLY = "contact_only", _("Nothing but the change of contact is passed on")
    CONSENT = "consent", _("Consent")
    LEGAL_BASIS = "legal_basis", _("Legal basis")


class LegalBasis(models.TextChoices):
    OSL_10_28 = "osl_10_28", _("Duty to provide information (OSL 10:28)")
    OSL_25_13A = "osl_25_13a", _("OSL 25:13 a")
    OSL_25_12 = "osl_25_12", _("OSL 25:12")
    OSL_23_9 = "osl_23_9", _("School secrecy exemption on transfer (OSL 23)")
    SKOLLAG_10_11 = "skollag_10_11", _("School-to-school transfer of necessary information (Skollagen)")


class HandoverItem(models.TextChoices):
    CONTACT = "contact", _("Contact details of the family")
    CONCERNS = "concerns", _("Open concerns")
    PLAN = "plan", _("The child's plan")
    ASSESSMENT = "assessment", _("Behovskompassen")
    NETWORK = "network", _("The child's network")


class Handover(models.Model):
    """Barnkontakt responsibility moving from one position to another (överlämning).

    Never zero: the sender's role assignment stays in force until the receiver accepts,
    and only then is it ended, in the same transaction as the receiver's new role.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="handovers")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    trigger = models.CharField(_("reason"), max_length=20, choices=HandoverTrigger.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=HandoverStatus.choices, default=HandoverStatus.PENDING
    )
    from_assignment = models.ForeignKey(
        RoleAssignment, on_delete=models.PROTECT, related_name="handovers_out", verbose_name=_("from")
    )
    from_position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="handovers_out")
    to_position = models.ForeignKey(
        Position,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handovers_in",
        help_text=_("Empty when there is no receiver in the system (18 years, moved away)."),
    )
    to_assignment = models.ForeignKey(
        RoleAssignment, on_delete=models.PROTECT, null=True, blank=True, related_name="handovers_in", editable=False
    )
    target_date = models.DateField(_("target date"))
    # Set when the handover was started ahead of a life-phase change (or a known move): the
    # day the change takes effect. Until then the sender stays barnkontakt even after the
    # receiver accepts (the receiver's role starts that day), and derivation leaves it be.
    transition_on = models.DateField(_("takes effect on"), null=True, blank=True)
    basis = models.CharField(
        _("basis for passing information on"), max_length=16, choices=SharingBasis.choices, blank=True
    )
    consent_reference = models.CharField(_("consent reference"), max_length=100, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=16, choices=LegalBasis.choices, blank=True)
    items = models.JSONField(_("what is passed on"), default=list, blank=True)
    prepared_at = models.DateTimeField(null=True, blank=True, editable=False)
    family_informed_how = models.CharField(_("how the family was told"), max_length=100, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["target_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=Q(status="pending"), name="handover_one_pending_per_child"
            ),
            models.CheckConstraint(
                condition=~Q(basis="consent") | ~Q(consent_reference=""), name="handover_consent_has_reference"
            ),
            models.CheckConstraint(
                condition=~Q(basis="legal_basis") | ~Q(legal_basis=""), name="handover_legal_basis_named"
            ),
        ]
        indexes = [
            models.Index(fields=["to_position", "status"], name="handover_to_status"),
            models.Index(fields=["from_position", "status"], name="handover_from_status"),
        ]
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")

    def __str__(self):
        return f"{self.get_trigger_display()} ({self.get_status_display()})"

    @property
    def item_labels(self) -> list[str]:
        return [HandoverItem(item).label for item in self.items if item in HandoverItem.values]

    @property
    def is_overdue(self) -> bool:
        return self.status == HandoverStatus.PENDING and self.target_date < timezone.localdate()
