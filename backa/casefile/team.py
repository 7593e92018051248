"""Barnets team and the stödsamordnare (the rows are roles.RoleAssignment)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backa.accounts.models import Position
from backa.audit.context import as_acting
from backa.audit.log import Action as LogAction
from backa.audit.vocabulary import ObjectType, Purpose
from backa.casefile import authority
from backa.casefile.common import _log
from backa.casefile.models import Notification, Plan, PlanChange, PlanKind, PlanStatus, TeamInvitation
from backa.casefile.notify import notify
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
    """A lead makes a professional a member of barnets team at once (the demo, imports, tests).
    Pages and people go through do_invite: the invitee is asked and access starts on yes."""
    acting = as_acting(acting_user)
    authority.require_lead(acting, child, "add_member")
    return _join_team(acting, child, position, valid_to)


def _join_team(acting, child, position: Position, valid_to: date | None):
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
        return _appoint(acting, locked, position)


def _appoint(acting, locked: Plan, position: Position) -> Plan:
    """The appointment itself, on a locked active plan (after the rules or the invitee's yes)."""
    for assignment in active_team(locked.child):
        if assignment.kind == RoleKind.STODSAMORDNARE and assignment.position_id != position.pk:
            do_end_role(acting_user=acting, assignment=assignment, reason=EndReason.REPLACED)
    if not any(a.kind == RoleKind.STODSAMORDNARE and a.position_id == position.pk for a in active_team(locked.child)):
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


# -- invitations: the invitee is asked, access starts on yes -------------------------------------


def do_invite(
    *,
    acting_user,
    child,
    position: Position,
    kind: str = TeamInvitation.Kind.TEAM_MEMBER,
    plan: Plan | None = None,
    valid_to: date | None = None,
) -> TeamInvitation | None:
    """Invite a professional to barnets team, or to be the plan's stödsamordnare. The invitee
    is told (Att göra, e-mail through the outbox) and sees nothing of the child until they
    accept. A barnkontakt naming themself stödsamordnare is appointed at once (returns None)."""
    acting = as_acting(acting_user)
    today = timezone.localdate()
    if kind not in TeamInvitation.Kind.values:
        raise ValidationError({"kind": _("Unknown role.")})
    if kind == TeamInvitation.Kind.TEAM_MEMBER:
        authority.require_lead(acting, child, "add_member")
    else:
        authority.require_appoint_coordinator(acting, child)
        if plan is None or plan.status != PlanStatus.ACTIVE:
            raise ValidationError({"coordinator": _("Start the plan before appointing a stödsamordnare.")})
        if position.user_id == acting.user.pk:
            do_appoint_coordinator(acting_user=acting, plan=plan, position=position)
            return None
    field = "position" if kind == TeamInvitation.Kind.TEAM_MEMBER else "coordinator"
    if not position.is_active_on(today):
        raise ValidationError({field: _("This position has ended.")})
    if position.user_id == acting.user.pk:
        raise ValidationError({field: _("You cannot invite yourself.")})
    if any(a.position_id == position.pk and a.kind == kind for a in active_team(child)):
        raise ValidationError({field: _("This person already has this role for the child.")})
    with transaction.atomic():
        if TeamInvitation.objects.filter(
            child=child, position=position, kind=kind, status=TeamInvitation.Status.PENDING
        ).exists():
            raise ValidationError({field: _("This person is already invited and has not answered yet.")})
        invitation = TeamInvitation.objects.create(
            child=child,
            municipality_id=child.municipality_id,
            plan=plan,
            kind=kind,
            position=position,
            valid_to=valid_to,
            invited_by=acting.user,
        )
        notify(
            recipients=[position.user_id],
            child=child,
            kind=Notification.Kind.TEAM_INVITATION,
            object_id=invitation.id,
        )
        _log(acting, child, LogAction.CREATE, ObjectType.TEAM_INVITATION, invitation.id, Purpose.INVITATION)
    return invitation


def _pending(invitation: TeamInvitation) -> TeamInvitation:
    locked = TeamInvitation.objects.select_for_update().select_related("child", "position").get(pk=invitation.pk)
    if locked.status != TeamInvitation.Status.PENDING:
        raise ValidationError({"__all__": _("This invitation has already been answered or withdrawn.")})
    return locked


def do_answer_invitation(*, acting_user, invitation: TeamInvitation, accept: bool, reason: str = "") -> TeamInvitation:
    """The invitee says yes (the role starts now) or no with a reason; the inviter is told."""
    acting = as_acting(acting_user)
    if invitation.position.user_id != acting.user.pk:
        raise authority.AuthorityRefused("answer_invitation")
    if not accept and not (reason or "").strip():
        raise ValidationError({"reason": _("Say why you decline, so that the inviter can find someone else.")})
    with transaction.atomic():
        locked = _pending(invitation)
        if accept and locked.kind == TeamInvitation.Kind.TEAM_MEMBER:
            _join_team(acting, locked.child, locked.position, locked.valid_to)
        elif accept:
            plan = _lock(locked.plan) if locked.plan is not None else None
            if plan is None or plan.status != PlanStatus.ACTIVE:
                raise ValidationError({"__all__": _("The plan has ended; the invitation no longer applies.")})
            _appoint(acting, plan, locked.position)
        locked.status = TeamInvitation.Status.ACCEPTED if accept else TeamInvitation.Status.DECLINED
        locked.answered_at, locked.decline_reason = timezone.now(), "" if accept else reason.strip()[:500]
        locked.save(update_fields=["status", "answered_at", "decline_reason"])
        notify(
            recipients=[locked.invited_by_id],
            child=locked.child,
            kind=Notification.Kind.TEAM_INVITATION_ANSWERED,
            object_id=locked.id,
        )
        _log(acting, locked.child, LogAction.UPDATE, ObjectType.TEAM_INVITATION, locked.id, Purpose.INVITATION)
    return locked


def do_withdraw_invitation(*, acting_user, invitation: TeamInvitation) -> TeamInvitation:
    """The inviter or a lead takes back an unanswered invitation."""
    acting = as_acting(acting_user)
    if invitation.invited_by_id != acting.user.pk:
        authority.require_lead(acting, invitation.child, "withdraw_invitation")
    with transaction.atomic():
        locked = _pending(invitation)
        locked.status, locked.answered_at = TeamInvitation.Status.WITHDRAWN, timezone.now()
        locked.save(update_fields=["status", "answered_at"])
        _log(acting, locked.child, LogAction.UPDATE, ObjectType.TEAM_INVITATION, locked.id, Purpose.INVITATION)
    return locked


def invitations_for_child(child, limit: int = 20):
    return list(
        TeamInvitation.objects.filter(child=child)
        .select_related("position__user", "position__unit__organisation", "invited_by")
        .order_by("-invited_at")[:limit]
    )
