"""Session limits: 15 minutes idle and 10 hours from login, whatever the cookie says."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

LOGIN_AT = "login_at"
LAST_SEEN = "last_seen"
# last_seen is rewritten only when it is this old: an unchanged session is not saved, so a page
# view commits once (its own transaction) instead of twice. The idle limit then holds to within
# this many seconds (15 min idle → ends between 15 and 16 minutes after the last request).
LAST_SEEN_RESOLUTION_SECONDS = 60


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            login_at = request.session.get(LOGIN_AT, now)
            last_seen = request.session.get(LAST_SEEN, now)
            if now - last_seen > settings.SESSION_IDLE_SECONDS or now - login_at > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                if request.path.startswith("/api/"):
                    from django.http import JsonResponse

                    return JsonResponse({"detail": "Session expired"}, status=401)
                return redirect(reverse(settings.LOGIN_URL) + "?expired=1")
            request.session.setdefault(LOGIN_AT, login_at)
            if LAST_SEEN not in request.session or now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


# How a session was authenticated (session key, set at login): "password" after the
# password alone, "totp" after the second factor, "eid" after an e-ID login at LoA3.
AUTH_LEVEL_KEY = "auth_level"
STRONG_LEVELS = {"totp", "eid"}


class SecondFactorMiddleware:
    """With LOCAL_LOGIN_REQUIRES_TOTP, a session must have passed TOTP or e-ID to go anywhere.

    Fail closed: a session without a strong level (a password alone, the admin's own login
    form, anything else) is sent to the TOTP step; only the login, logout and TOTP pages,
    the language switch and static files stay reachable. The API answers 401.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.LOCAL_LOGIN_REQUIRES_TOTP
            and request.user.is_authenticated
            and request.session.get(AUTH_LEVEL_KEY) not in STRONG_LEVELS
            and not self._open(request.path)
        ):
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse({"detail": "Second factor required"}, status=401)
            return redirect(reverse("accounts:totp_verify"))
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        names = (
            "accounts:login",
            "accounts:logout",
            "accounts:totp_verify",
            "accounts:totp_enrol",
            "accounts:oidc_login",
            "accounts:oidc_callback",
            "set_language",
        )
        return path in {reverse(name) for name in names} or path.startswith(
            (settings.STATIC_URL, "/healthz", "/readyz", "/metrics")
        )
