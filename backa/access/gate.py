"""The access gate: the only way application code reaches children.

`visible_children(user)` is the one definition of which children a professional can
see. `get_child_for_request()` fetches one child for a request, logs the access in the
request's transaction, and raises ChildNotFound (a 404) when the id is unknown or out
of scope; both cases take the same path and render the same response, and the denial
is logged by DeniedAccessMiddleware.

A relationship is an active role (barnkontakt, stödsamordnare, member of the child's
team) held through an active position, or an unexpired emergency access (nödåtkomst)
granted to the user for that child. Later sources are added here and nowhere else.

Inside a visible child, entries written by other organisations are filtered by
`visible_entry_scope()`, which asks the consent app (consent or legal basis) and
never caches its answer.
"""

import uuid

from django.db.models import CharField, QuerySet, Value
from django.utils import timezone

from backa.access.objects import NotFound
from backa.accounts.positions import current_position
from backa.audit.log import Action, log_access
from backa.audit.vocabulary import ObjectType
from backa.children.models import Child
from backa.consent.access import sharing_scope
from backa.consent.models import EmergencyAccess
from backa.roles.models import FILE_ACCESS_ROLES, RoleAssignment, role_active_on


class ChildNotFound(NotFound):
    """Unknown child id and child out of scope: the same 404, logged as denied."""

    def __init__(self, child_id, *, action=Action.VIEW, object_type=ObjectType.CHILD, object_id=None):
        super().__init__(
            child_id=child_id,
            action=action,
            object_type=object_type,
            object_id=object_id if object_id is not None else child_id,
        )


EMERGENCY = "emergency"


def _relationships(user, on):

    return RoleAssignment.objects.filter(role_active_on(on), position__user=user, kind__in=FILE_ACCESS_ROLES)


def _emergency_grants(user, at=None):

    at = at or timezone.now()
    return EmergencyAccess.objects.filter(user=user, user__is_active=True, granted_at__lte=at, expires_at__gt=at)


def _may_see_children(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def visible_children(user, *, on=None) -> QuerySet[Child]:
    """Children this user may see today. Default deny: no relationship, no child."""
    if not _may_see_children(user):
        return Child.objects.none()
    on = on or timezone.localdate()
    # "id IN (role children UNION granted children)" rather than "EXISTS … OR EXISTS …": an OR
    # of two subplans cannot become a join, so PostgreSQL filtered every child in the
    # municipality (a name search over a million children: seconds); the union starts from
    # the user's few hundred relationships (milliseconds, docs/performance.md, S2).
    child_ids = (
        _relationships(user, on)
        .order_by()
        .values("child_id")
        .union(_emergency_grants(user).order_by().values("child_id"))
    )
    return Child.objects.filter(pk__in=child_ids)


def relationship_kinds(user, child_ids, *, on=None) -> dict:
    """{child_id: sorted kinds} for the given children: role kinds, and "emergency" for nödåtkomst."""
    on = on or timezone.localdate()
    child_ids = list(child_ids)
    roles = _relationships(user, on).filter(child_id__in=child_ids).values_list("child_id", "kind")
    grants = (
        _emergency_grants(user)
        .filter(child_id__in=child_ids)
        .annotate(kind=Value(EMERGENCY, output_field=CharField()))
        .values_list("child_id", "kind")
    )
    result: dict = {}
    for child_id, kind in roles.order_by().union(grants.order_by()):  # SQLite refuses ORDER BY in a UNION part
        result.setdefault(child_id, set()).add(kind)
    return {child_id: sorted(kinds) for child_id, kinds in result.items()}


def visible_entry_scope(request, child, *, lock: bool = True):
    """What the requesting user's organisation may see of this child's other-organisation entries.

    Call it after get_child_for_request, inside the request's transaction; filter entries
    with `scope.activity_q(category)` or test one with `scope.allows_entry(entry.activity_id,
    category)` (backa.casefile.secrecy wraps both). The viewer is the session's position's
    activity (verksamhet): the secrecy unit inside a board too.
    """

    position = current_position(request)
    organisation_id = position.unit.organisation_id if position is not None else None
    activity_id = position.writing_activity_id if position is not None else None
    return sharing_scope(organisation_id, child, lock=lock, viewer_activity=activity_id)


def get_child_for_request(
    request,
    child_id,
    *,
    action: str = Action.VIEW,
    object_type: str = ObjectType.CHILD,
    object_id=None,
    purpose: str = "",
) -> Child:
    """The child, if this user may see it, with the access logged; otherwise ChildNotFound."""
    try:
        child_uuid = uuid.UUID(str(child_id))
    except ValueError:
        raise ChildNotFound(None, action=action, object_type=object_type, object_id=str(child_id)[:64]) from None
    user = request.user
    # The user's relationships to this one child decide, as visible_children would (the same
    # two sources), and give the purpose for the log: one small query instead of the scope's
    # subquery and then the kinds (docs/performance.md, S1).
    kinds = relationship_kinds(user, [child_uuid]).get(child_uuid, []) if _may_see_children(user) else []
    child = (
        Child.objects.select_related("home_district", "municipality").filter(pk=child_uuid).first() if kinds else None
    )
    if child is None:
        raise ChildNotFound(child_uuid, action=action, object_type=object_type, object_id=object_id)
    # Flagged as emergency when nothing but the emergency access opens the child.
    emergency = kinds == [EMERGENCY]
    if not purpose:
        purpose = ",".join(kinds)
    log_access(
        request=request,
        action=action,
        child=child,
        object_type=object_type,
        object_id=object_id,
        purpose=purpose,
        emergency=emergency,
    )
    return child
