"""Session limits: 15 minutes idle and 10 hours from login, whatever the cookie says."""
import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

LOGIN_AT = "login_at"
LAST_SEEN = "last_seen"


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
            request.session[LAST_SEEN] = now
        return self.get_response(request)
