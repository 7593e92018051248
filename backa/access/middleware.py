"""Logs refused child lookups after the request's transaction has rolled back.

The access gate raises ChildNotFound for both an unknown id and a child out of scope.
Under ATOMIC_REQUESTS the view's transaction is rolled back by the time the exception
reaches middleware, so the denied row is written here, on its own, and Django then
renders the ordinary 404 page: the same status and body for both cases.
"""
from backa.access.gate import ChildNotFound

from backa.audit.log import Outcome, log_access


class DeniedAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ChildNotFound):
            log_denied(request, exception)
        return None


def log_denied(request, exception: "ChildNotFound"):
    log_access(
        request=request, action=exception.action, child_id=exception.child_id, object_type=exception.object_type,
        object_id=exception.object_id, outcome=Outcome.DENIED, standalone=True,
    )
