"""Logs every refusal of the access convention after the request's transaction has rolled back.

The gate raises ChildNotFound for both an unknown child id and a child out of scope;
`access.objects` raises NotFound for other objects and ToolRefused for a tool the active
position lacks. Under ATOMIC_REQUESTS the view's transaction is rolled back by the time the
exception reaches middleware, so the denied row is written here, on its own; Django then
renders the ordinary 404 (or 403) page, the same for every case.
"""

from django.core.exceptions import PermissionDenied

from backa.access.objects import NotFound, ToolRefused
from backa.audit.log import Action, Outcome, log_access
from backa.audit.vocabulary import ObjectType


class DeniedAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # A refusal answered inside the view (the JSON API's handlers) rolled the view's
        # transaction back; its denied row is written now, after that transaction.
        deferred = getattr(request, "_backa_denied", None)
        if deferred is not None:
            log_denied(request, deferred)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, (NotFound, PermissionDenied)):
            log_denied(request, exception)
        return None


def defer_denied(request, exception):
    """Write the denied row after the request's transaction (which is being rolled back)."""
    request._backa_denied = exception


def log_denied(request, exception):
    """One denied row: the child (if any), what was asked for, and nothing else."""
    if isinstance(exception, NotFound):
        fields = {
            "action": exception.action,
            "child_id": exception.child_id,
            "object_type": exception.object_type,
            "object_id": exception.object_id,
        }
    else:
        # A page refused: a tool the position lacks (its name), or a write a rule refused (the
        # route's name). Logged as a page, apart from the rows of the tool's own use.
        match = getattr(request, "resolver_match", None)
        what = exception.tool if isinstance(exception, ToolRefused) else (match.view_name if match is not None else "")
        # Under a child's route the refusal is about that child, and is logged on it.
        child_id = match.kwargs.get("child_id") if match is not None else None
        fields = {
            "action": getattr(exception, "action", Action.VIEW),
            "object_type": ObjectType.PAGE,
            "child_id": child_id,
            "object_id": str(what)[:64] or None,
        }
    log_access(request=request, outcome=Outcome.DENIED, standalone=True, **fields)
