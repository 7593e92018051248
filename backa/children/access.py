"""The access gate: the only way application code reaches children.

`visible_children(user)` is the one definition of which children a professional can
see. `get_child_for_request()` fetches one child for a request, logs the access in the
request's transaction, and raises ChildNotFound (a 404) when the id is unknown or out
of scope; both cases take the same path and render the same response, and the denial
is logged by DeniedAccessMiddleware.

A relationship is an active role (barnkontakt, stödsamordnare, member of the child's
team) held through an active position. Later sources (own organisation's records,
emergency access) are added here and nowhere else.
"""
import uuid

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone

from backa.audit.log import Action, log_access

from .models import Child


class ChildNotFound(Http404):
    def __init__(self, child_id, *, action=Action.VIEW, object_type="child", object_id=None):
        super().__init__("Not found")
        self.child_id = child_id
        self.action = action
        self.object_type = object_type
        self.object_id = object_id if object_id is not None else child_id


def _relationships(user, on):
    from backa.roles.models import FILE_ACCESS_ROLES, RoleAssignment, role_active_on

    return RoleAssignment.objects.filter(role_active_on(on), position__user=user, kind__in=FILE_ACCESS_ROLES)


def visible_children(user, *, on=None) -> QuerySet[Child]:
    """Children this user may see today. Default deny: no relationship, no child."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Child.objects.none()
    on = on or timezone.localdate()
    return Child.objects.filter(Exists(_relationships(user, on).filter(child_id=OuterRef("pk"))))


def relationship_kinds(user, child_ids, *, on=None) -> dict:
    """{child_id: sorted role kinds} for the given children, in one query."""
    on = on or timezone.localdate()
    result: dict = {}
    for child_id, kind in _relationships(user, on).filter(child_id__in=list(child_ids)).values_list("child_id", "kind"):
        result.setdefault(child_id, set()).add(kind)
    return {child_id: sorted(kinds) for child_id, kinds in result.items()}


def get_child_for_request(
    request, child_id, *, action: str = Action.VIEW, object_type: str = "child", object_id=None, purpose: str = ""
) -> Child:
    """The child, if this user may see it, with the access logged; otherwise ChildNotFound."""
    try:
        child_uuid = uuid.UUID(str(child_id))
    except ValueError:
        raise ChildNotFound(None, action=action, object_type=object_type, object_id=str(child_id)[:64]) from None
    child = (
        visible_children(request.user).select_related("home_district", "municipality").filter(pk=child_uuid).first()
    )
    if child is None:
        raise ChildNotFound(child_uuid, action=action, object_type=object_type, object_id=object_id)
    if not purpose:
        purpose = ",".join(relationship_kinds(request.user, [child.pk]).get(child.pk, []))
    log_access(request=request, action=action, child=child, object_type=object_type, object_id=object_id, purpose=purpose)
    return child
