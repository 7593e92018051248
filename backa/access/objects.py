"""One convention for everything a page or API route fetches besides the child itself.

- A row of a child's file, after the gate: `child_object(queryset, gated_child, object_id, object_type)`.
  A missing row, a row of another child and an unknown id give the child's 404.
- Any other object a person may or may not reach (a handover, a review item, a district, a
  forum, an impact assessment): `reachable_object(queryset, object_id, object_type)`, with the
  queryset already narrowed to what this person may reach. Not reachable looks exactly like
  an unknown id: 404.
- A tool that only some positions have (district administration, log review, evaluation,
  imports): `@tool_required(rule, tool=...)` on the view. Without it: 403, the same page
  for every tool.

Every refusal is an exception (`NotFound`, `ToolRefused`), and `access.middleware` writes
one denied row in the access log for each, after the request's transaction rolled back.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from backa.accounts.models import PositionKind
from backa.accounts.positions import administered_district_ids, current_position, may_use_emergency_access
from backa.audit.log import Action


class NotFound(Http404):
    """A refusal that answers as an unknown id would (404) and is logged as denied."""

    def __init__(self, *, object_type: str, object_id=None, child_id=None, action: str = Action.VIEW):
        super().__init__("Not found")
        self.child_id = child_id
        self.action = action
        self.object_type = object_type
        self.object_id = object_id


class ToolRefused(PermissionDenied):
    """The person's active position does not include this tool (403), logged as denied."""

    def __init__(self, tool: str, action: str = Action.VIEW):
        super().__init__(tool)
        self.tool = tool
        self.action = action


def child_object(queryset, gated_child, object_id, object_type: str, **within):
    """The row `object_id` of this (gated) child's file, or the child's 404.

    The row must belong to the child (`child=child`), or to what `within` names when the row
    hangs off another row of the same child (an action: `plan=plan`)."""
    from backa.access.gate import ChildNotFound

    within = within or {"child": gated_child}
    obj = queryset.filter(pk=object_id, **within).first() if object_id else None
    if obj is None:
        raise ChildNotFound(gated_child.pk, object_type=object_type, object_id=object_id)
    return obj


def reachable_object(queryset, object_id, object_type: str, *, child_id=None):
    """The object `object_id` if `queryset` (what this person may reach) holds it, else a logged 404."""
    obj = queryset.filter(pk=object_id).first() if object_id else None
    if obj is None:
        raise NotFound(object_type=object_type, object_id=str(object_id)[:64] if object_id else None, child_id=child_id)
    return obj


# -- the tools and who has them -----------------------------------------------------------------

REVIEWER_KINDS = (PositionKind.DISTRICT_ADMIN, PositionKind.MANAGER)


def is_district_admin(request) -> bool:
    """A district administrator today, in the active position (accounts.positions)."""
    return bool(administered_district_ids(request))


def is_reviewer(request) -> bool:
    """Who reviews emergency accesses and the log review sample: district administrators and managers."""
    position = current_position(request)
    return position is not None and position.kind in REVIEWER_KINDS


def is_archive_admin(request) -> bool:
    """The municipality's archive administrator (arkivansvarig): retention rules, holds, purges."""
    position = current_position(request)
    return position is not None and position.kind == PositionKind.ARCHIVE_ADMIN


def may_open_in_emergency(request) -> bool:
    """Emergency access: a position with a duty of care or protection (accounts.positions)."""
    return may_use_emergency_access(current_position(request))


def require_tool(request, rule, *, tool: str):
    if not rule(request):
        raise ToolRefused(tool)


def tool_required(rule, *, tool: str):
    """View decorator: the request's active position must pass `rule`, else a logged 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            require_tool(request, rule, tool=tool)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
