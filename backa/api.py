"""The documented JSON API (OpenAPI at /api/openapi.json). Session auth for now; the
identity-provider token flow comes with e-ID login."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.security import django_auth

from backa.access.middleware import log_denied
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
        log_denied(request, exc)
    return api.create_response(request, {"detail": "Not Found"}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    # A tool the active position lacks (the intake's queue for anyone but intake staff): 403, logged.
    log_denied(request, exc)
    return api.create_response(request, {"detail": "Forbidden"}, status=403)
