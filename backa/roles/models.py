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

from backa.accounts.models import Position
from backa.children.models import Child
from backa.organisations.models import Municipality


class RoleKind(models.TextChoices):
    BARNKONTAKT = "barnkontakt", _("Barnkontakt")
    STODSAMORDNARE = "stodsamordnare", _("Stödsamordnare")
    TEAM_MEMBER = "team_member", _("Member of the child's team")


# Roles that open the child's file. (An Upptäckare sees only their own concern, which the
# concerns app grants separately.)
FILE_ACCESS_ROLES = (RoleKind.BARNKONTAKT, RoleKind.STODSAMORDNARE, RoleKind.TEAM_MEMBER)


class RoleAssignment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="role_assignments")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="role_assignments")
    kind = models.CharField(_("role"), max_length=16, choices=RoleKind.choices)
    valid_from = models.DateField(_("from"), default=timezone.localdate)
    valid_to = models.DateField(_("to"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # Set when a role is ended early (someone leaves the team): access stops at once.
    ended_at = models.DateTimeField(null=True, blank=True, editable=False)
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
