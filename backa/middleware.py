"""Cross-cutting HTTP middleware: request ids and cache control."""

import uuid

from django.conf import settings


def request_id_for(request) -> uuid.UUID:
    """The id the trusted proxy set (only when settings.REQUEST_ID_HEADER names its header), else a new one.

    A client's own X-Request-ID is never believed: with REQUEST_ID_HEADER empty every id is
    made here, and behind the proxy the proxy overwrites the header (deploy/nginx.conf).
    """
    header = settings.REQUEST_ID_HEADER
    if header:
        try:
            return uuid.UUID(request.headers.get(header, ""))
        except ValueError:
            pass
    return uuid.uuid4()


class RequestIdMiddleware:
    """Give every request a UUID; the access log and application logs carry it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_for(request)
        response = self.get_response(request)
        response["X-Request-ID"] = str(request.request_id)
        return response


class NoStoreMiddleware:
    """Nothing the application renders may be kept by a browser or proxy cache.

    Every page but static files can show child data (even the start page lists
    children), so the rule is applied to all of them rather than guessed per view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response


class LanguageMiddleware:
    """Swedish unless the user has chosen English with the header switch.

    The browser's Accept-Language is deliberately ignored: staff machines in Swedish
    municipalities are often set to English, and the product's language is Swedish.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RequestLogMiddleware:
    """One JSON line per request on `backa.request` and the latency histogram per route name.

    The line holds the request id, the route name (never the path with its ids or query),
    method, status, duration and the user's id: nothing a person could be recognised by.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import logging
        import time

        from backa.lib.metrics import REQUEST_LATENCY

        started = time.perf_counter()
        response = self.get_response(request)
        duration = time.perf_counter() - started
        match = getattr(request, "resolver_match", None)
        route = (match.view_name if match else "") or "unresolved"
        REQUEST_LATENCY.labels(route=route, method=request.method, status=str(response.status_code)).observe(duration)
        # The user only if some layer already loaded it: never a query of its own after the view.
        from django.utils.functional import empty

        user = getattr(request, "user", None)
        user = getattr(user, "_wrapped", user)
        if user is empty:
            user = None
        logging.getLogger("backa.request").info(
            "request",
            extra={
                "request_id": str(getattr(request, "request_id", "")),
                "route": route,
                "method": request.method,
                "status": response.status_code,
                "duration_ms": round(duration * 1000, 2),
                "user_id": str(user.pk) if user is not None and user.is_authenticated else None,
            },
        )
        return response
