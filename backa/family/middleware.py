"""The family's session rules: shorter than staff sessions, and confined to the family pages.

A family session (access.family.SESSION_KEY) ends after FAMILY_SESSION_IDLE_SECONDS idle or
FAMILY_SESSION_ABSOLUTE_SECONDS in all. It holds no Django user, so every staff page
(login_required) sends it to the staff login; besides, any path outside the family's own
(/familj/, the language switch, static files) ends nothing but answers 404, so no staff page
is ever rendered for a family session.
"""

import time

from django.conf import settings
from django.http import HttpResponseNotFound
from django.template.loader import render_to_string

from backa.access.family import SESSION_KEY

LAST_SEEN, STARTED = "family_last_seen", "family_started"
ALLOWED_PREFIXES = ("/familj/", "/i18n/", "/static/", "/healthz", "/readyz")
# The public pages a family may read too (exact paths: the feedback inbox under the statement is staff's).
ALLOWED_PATHS = frozenset({"/tillganglighet/", "/integritet/"})


class FamilySessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_KEY):
            now = int(time.time())
            last, started = session.get(LAST_SEEN, now), session.get(STARTED, now)
            if (
                now - last > settings.FAMILY_SESSION_IDLE_SECONDS
                or now - started > settings.FAMILY_SESSION_ABSOLUTE_SECONDS
            ):
                session.flush()
            else:
                session[LAST_SEEN] = now
                if not (request.path.startswith(ALLOWED_PREFIXES) or request.path in ALLOWED_PATHS):
                    return HttpResponseNotFound(render_to_string("404.html", request=request))
        return self.get_response(request)
