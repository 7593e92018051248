"""The documented JSON API (OpenAPI at /api/openapi.json). Session auth for now; the
identity-provider token flow comes with e-ID login."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import ValidationError as SchemaError
from ninja.security import django_auth

from backa.access.middleware import defer_denied, log_denied
from backa.access.objects import NotFound
from backa.casefile.api import children_router, intake_router
from backa.casefile.api import router as plans_router
from backa.forums.api import router as forums_router

api = NinjaAPI(
    title="Backa barnet API",
    version="1",
    auth=django_auth,
    urls_namespace="api",
    # The interactive docs page loads Swagger UI from a CDN, which the CSP (and our rule
    # of no CDNs) forbids; the OpenAPI document itself is the documentation.
    docs_url=None,
)
api.add_router("/", children_router)
api.add_router("/forum", forums_router)
api.add_router("/", plans_router)
api.add_router("/", intake_router)


@api.exception_handler(Http404)
def not_found(request, exc):
    # Unknown id and out-of-scope id give the same response; the refusal is logged.
    if isinstance(exc, NotFound):
        _refuse(request, exc)
    return api.create_response(request, {"detail": "Not Found"}, status=404)


def _refuse(request, exc):
    # The handler answers inside the request's transaction (ATOMIC_REQUESTS): roll it back, so
    # that nothing the refused request wrote, not even the gate's "allowed" row, is kept; the
    # denied row is written by DeniedAccessMiddleware once that transaction has ended.
    if transaction.get_connection().in_atomic_block:
        transaction.set_rollback(True)
        defer_denied(request, exc)
    else:
        log_denied(request, exc)


@api.exception_handler(PermissionDenied)
def refused(request, exc):
    # A write the file's rules give to someone else (casefile.authority), or a tool the
    # position lacks: 403 in the API's error shape, the refusal logged as denied.
    _refuse(request, exc)
    return api.create_response(request, {"detail": "Forbidden"}, status=403)


@api.exception_handler(SchemaError)
def schema_refused(request, exc):
    # A body or query the schema refuses (lib.api_input): 422 in the same shape as a service's
    # refusal, {"detail": ..., "errors": {field: [messages]}}; nothing reached a service.
    errors: dict = {}
    for error in exc.errors:
        where = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "payload")]
        field = where[-1] if where and not where[-1].isdigit() else ".".join(where) or "__all__"
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        errors.setdefault(field or "__all__", []).append(message)
    return api.create_response(request, {"detail": "Validation failed", "errors": errors}, status=422)
