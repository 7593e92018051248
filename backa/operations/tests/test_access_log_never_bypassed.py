"""R16: with the access-log insert failing in the database, no child data is returned on any
child route (pages and API, read from the URL resolver), and the failure is alerted on the
security logger without personal data."""

import logging

import pytest
from django.db import connection

from backa.access.family import GUARDIAN, FamilyPerson
from backa.access.tests.test_permission_matrix import fill, single_child_routes
from backa.children.models import Custody
from backa.family.tests.test_family_pages import family_client

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the failure is injected with a PostgreSQL trigger"),
]

LIST_ROUTES = ["/", "/api/children"]


@pytest.fixture
def log_insert_fails(world):
    # The database itself refuses log rows (as a full disk, a lost partition or a revoked grant would).
    with connection.cursor() as cursor:
        cursor.execute("""CREATE FUNCTION pg_temp.refuse_log() RETURNS trigger LANGUAGE plpgsql AS $$
                          BEGIN RAISE EXCEPTION 'injected: access log unavailable'; END $$""")
        cursor.execute(
            "CREATE TRIGGER drill_refuse_log BEFORE INSERT ON audit_accesslog "
            "FOR EACH ROW EXECUTE FUNCTION pg_temp.refuse_log()"
        )
    yield
    # Rolled back with the test's transaction.


def _personal(world):
    child = world.sigrid
    return [child.given_name, child.family_name, child.identity_number.digits[2:8]]


def test_no_child_data_without_a_log_row_and_the_failure_is_alerted(world, client_for, log_insert_fails, caplog):
    client = client_for("rasmus", raise_request_exception=False)
    # The family's routes are walked with a family session below; a staff session gets none of them.
    routes = [r for r in single_child_routes() if not r.startswith("familj/")] + LIST_ROUTES
    assert len(routes) > 20
    _walk(world, client, routes, caplog)


def test_the_family_view_shows_nothing_without_a_log_row_either(world, log_insert_fails, caplog):
    guardian = Custody.objects.filter(child=world.sigrid, has_custody=True).first().guardian
    client = family_client(FamilyPerson(kind=GUARDIAN, id=guardian.id))
    client.raise_request_exception = False
    routes = [r for r in single_child_routes() if r.startswith("familj/")]
    assert routes
    _walk(world, client, routes, caplog)


def _walk(world, client, routes, caplog):
    for route in routes:
        url = fill(route, world.sigrid.id) if "child_id" in route else route
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="backa.security"):
            response = client.get(url)
        body = response.content.decode(errors="replace")
        for text in _personal(world):
            assert text not in body, (url, response.status_code)
        assert response.status_code == 500, url
        alerts = [r for r in caplog.records if r.name == "backa.security" and r.levelno >= logging.CRITICAL]
        assert alerts, url
        message = alerts[0].getMessage()
        assert "access log write failed" in message
        for text in _personal(world) + [str(world.sigrid.id)]:
            assert text not in message
