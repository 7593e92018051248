"""Every URL that names a child, for every persona: in scope -> 200 and an allowed row;
out of scope -> 404 and a denied row. The URL list is read from the resolver, so a new
child URL is covered the moment it is added."""
import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from backa.audit.models import AccessLog

pytestmark = pytest.mark.django_db

EXPECTED_VISIBLE = {
    "britta": {"ivar", "hemlig"},
    "rasmus": {"sigrid"},
    "sara": {"sigrid"},
    "per": {"sigrid"},
    "olle": set(),
    "ada": set(),
    "former": set(),
}


def child_routes():
    """Every URL pattern whose only parameter is child_id (sub-object routes such as
    barn/<child_id>/planer/<plan_id>/ are covered by their own app's tests)."""
    found = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                params = re.findall(r"<(?:\w+:)?(\w+)>|\{(\w+)\}", route)
                names = {a or b for a, b in params}
                if names == {"child_id"}:
                    found.append(route)

    walk(get_resolver().url_patterns)
    return found


def fill(route, child_id):
    return "/" + re.sub(r"<(?:\w+:)?child_id>|\{child_id\}", str(child_id), route).replace("^", "").replace("$", "")


def test_the_matrix_covers_the_pages_and_the_api():
    routes = child_routes()
    assert any(r.startswith("barn/") for r in routes)
    assert any(r.startswith("api/") for r in routes)


@pytest.mark.parametrize("persona", sorted(EXPECTED_VISIBLE))
def test_every_child_url_for_every_persona(world, client_for, persona):
    client = client_for(persona)
    user = world.users[persona]
    for route in child_routes():
        for key, child in world.children.items():
            url = fill(route, child.id)
            before_allowed = AccessLog.objects.filter(user_id=user.id, child_id=child.id, outcome="allowed").count()
            before_denied = AccessLog.objects.filter(user_id=user.id, child_id=child.id, outcome="denied").count()
            response = client.get(url)
            if key in EXPECTED_VISIBLE[persona]:
                assert response.status_code == 200, (persona, url)
                assert AccessLog.objects.filter(user_id=user.id, child_id=child.id, outcome="allowed").count() > before_allowed
            else:
                assert response.status_code == 404, (persona, url, response.status_code)
                assert AccessLog.objects.filter(user_id=user.id, child_id=child.id, outcome="denied").count() == before_denied + 1
        # An id that does not exist behaves exactly like a child out of scope.
        response = client.get(fill(route, uuid.uuid4()))
        assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_login_and_see_nothing(world, client):
    for route in child_routes():
        response = client.get(fill(route, world.sigrid.id))
        assert response.status_code in (302, 401)
        assert b"Sigrid" not in response.content
