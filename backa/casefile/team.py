"""Barnets team and the stödsamordnare (the rows are roles.RoleAssignment)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backa.accounts.models import Position
from backa.audit.context import as_acting
from backa.audit.vocabulary import Purpose
from backa.casefile import authority
from backa.casefile.models import Plan, PlanChange, PlanKind, PlanStatus
from backa.casefile.plan import _bump, _lock, _require_active
from backa.roles.models import EndReason, RoleAssignment, RoleKind, role_active_on
from backa.roles.services import do_assign_role, do_end_role

# -- barnets team -------------------------------------------------------------------------------


def active_team(child, on=None):
    on = on or timezone.localdate()
    return list(
        RoleAssignment.objects.filter(role_active_on(on), child=child)
        .select_related("position__user", "position__unit__organisation")
        .order_by("kind", "valid_from")
    )


def do_add_team_member(*, acting_user, child, position: Position, valid_to: date | None = None):
    """Make a professional a member of barnets team: they can see the child from now on."""
    acting = as_acting(acting_user)
    authority.require_lead(acting, child, "add_member")
    if any(a.position_id == position.pk and a.kind == RoleKind.TEAM_MEMBER for a in active_team(child)):
        raise ValidationError({"position": _("This person is already a member of the child's team.")})
    if not position.is_active_on(timezone.localdate()):
        raise ValidationError({"position": _("This position has ended.")})
    return do_assign_role(
        acting_user=acting,
        child=child,
        position=position,
        kind=RoleKind.TEAM_MEMBER,
        valid_to=valid_to,
        reason="barnets team",
    )


def do_leave_team(*, acting_user, assignment: RoleAssignment):
    """End a team role or the coordinator role; the person loses access on their next request."""
    acting = as_acting(acting_user)
    authority.require_end_role(acting, assignment.child, assignment)
    with transaction.atomic():
        own = assignment.position.user_id == acting.user.pk
        ended = do_end_role(
            acting_user=acting, assignment=assignment, reason=EndReason.LEFT if own else EndReason.REMOVED
        )
        if assignment.kind == RoleKind.STODSAMORDNARE:
            for plan in Plan.objects.select_for_update().filter(
                child_id=assignment.child_id, status=PlanStatus.ACTIVE, coordinator=assignment.position
            ):
                plan.coordinator = None
                _bump(plan, acting, PlanChange.COORDINATOR_LEFT, Purpose.COORDINATOR)
    return ended


def do_appoint_coordinator(*, acting_user, plan: Plan, position: Position) -> Plan:
    """Appoint a stödsamordnare (support spans organisations); the plan becomes a team plan.
    A previous coordinator's role ends."""
    acting = as_acting(acting_user)
    if not position.is_active_on(timezone.localdate()):
        raise ValidationError({"position": _("This position has ended.")})
    with transaction.atomic():
        locked = _lock(plan)
        _require_active(locked)
        authority.require_appoint_coordinator(acting, locked.child)
        for assignment in active_team(locked.child):
            if assignment.kind == RoleKind.STODSAMORDNARE and assignment.position_id != position.pk:
                do_end_role(acting_user=acting, assignment=assignment, reason=EndReason.REPLACED)
        if not any(
            a.kind == RoleKind.STODSAMORDNARE and a.position_id == position.pk for a in active_team(locked.child)
        ):
            do_assign_role(
                acting_user=acting,
                child=locked.child,
                position=position,
                kind=RoleKind.STODSAMORDNARE,
                reason="stödsamordnare",
            )
        locked.coordinator, locked.kind = position, PlanKind.TEAM
        _bump(locked, acting, PlanChange.COORDINATOR_APPOINTED, Purpose.COORDINATOR)
    return locked
