"""Cross-cutting HTTP middleware: request ids and cache control."""

import uuid

from django.conf import settings


class RequestIdMiddleware:
    """Give every request a UUID; the access log and application logs carry it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        try:
            request.request_id = uuid.UUID(incoming)
        except ValueError:
            request.request_id = uuid.uuid4()
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
