"""Writes to role assignments. Each writes its access-log row in the same transaction."""
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backa.accounts.models import Position
from backa.audit.log import Action, log_access
from backa.children.models import Child

from .models import RoleAssignment


def do_assign_role(
    *, acting_user, child: Child, position: Position, kind: str, valid_from: date | None = None,
    valid_to: date | None = None, reason: str = "", request=None,
) -> RoleAssignment:
    """Give a position a time-bounded role for a child; it opens the child's file to its holder."""
    valid_from = valid_from or timezone.localdate()
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError(_("The end date must not be before the start date."))
    with transaction.atomic():
        assignment = RoleAssignment.objects.create(
            child=child, municipality_id=child.municipality_id, position=position, kind=kind,
            valid_from=valid_from, valid_to=valid_to, reason=reason,
        )
        log_access(
            request=request, user=acting_user, child=child, action=Action.CREATE,
            object_type="role_assignment", object_id=assignment.id, purpose=kind,
        )
    return assignment


def do_end_role(*, acting_user, assignment: RoleAssignment, request=None) -> RoleAssignment:
    """End a role now; the holder's access ends on their next request (nothing caches the gate)."""
    with transaction.atomic():
        locked = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.ended_at is not None:
            return locked
        today = timezone.localdate()
        locked.ended_at = timezone.now()
        if locked.valid_to is None or locked.valid_to > today:
            locked.valid_to = max(locked.valid_from, today)
        locked.save(update_fields=["ended_at", "valid_to"])
        log_access(
            request=request, user=acting_user, child_id=locked.child_id, municipality_id=locked.municipality_id,
            action=Action.UPDATE, object_type="role_assignment", object_id=locked.id, purpose="end_role",
        )
    return locked
