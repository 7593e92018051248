import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from backa.audit.log import AccessLogOutsideTransaction, Action, log_access
from backa.audit.models import AccessLog

pytestmark = pytest.mark.django_db


def test_viewing_a_child_writes_who_where_what_and_why(world, client_for, settings):
    settings.REQUEST_ID_HEADER = "X-Request-ID"  # set by the trusted proxy (deploy/nginx.conf)
    client_for("rasmus").get(
        reverse("casefile:overview", args=[world.sigrid.id]), HTTP_X_REQUEST_ID="6d1f5f0e-1f7a-4a8b-9a53-3f1a2b7c9d10"
    )
    row = AccessLog.objects.get(child_id=world.sigrid.id, action="view")
    assert row.user_id == world.rasmus.id
    assert row.organisation_id == world.units["school"].organisation_id
    assert row.unit_id == world.units["school"].id
    assert row.role == "rektor"
    assert row.municipality_id == world.municipality.id
    assert row.object_type == "child" and row.object_id == str(world.sigrid.id)
    assert row.purpose == "barnkontakt"
    assert row.outcome == "allowed"
    assert str(row.request_id) == "6d1f5f0e-1f7a-4a8b-9a53-3f1a2b7c9d10"


def test_a_log_row_holds_ids_never_content(world, client_for):
    client = client_for("rasmus")
    client.post(reverse("casefile:overview", args=[world.sigrid.id]), {"show": "identity_number"})
    number = world.sigrid.identity_number
    for row in AccessLog.objects.values():
        text = " ".join(str(v) for v in row.values())
        assert number.digits not in text and number.digits[2:8] not in text
        assert "Sigrid" not in text and "Nilsson" not in text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database itself refuses changes on PostgreSQL")
def test_the_database_refuses_to_update_or_delete_log_rows(world):
    with transaction.atomic():
        log_access(user=world.rasmus, action=Action.VIEW, child=world.sigrid)
    for statement in ("UPDATE audit_accesslog SET outcome = 'denied'", "DELETE FROM audit_accesslog"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert AccessLog.objects.filter(outcome="allowed").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="partitioning is a PostgreSQL feature")
def test_the_log_is_partitioned_by_month(world):
    with connection.cursor() as cursor:
        cursor.execute("SELECT partstrat FROM pg_partitioned_table WHERE partrelid = 'audit_accesslog'::regclass")
        assert cursor.fetchone() == ("r",)
        cursor.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = 'audit_accesslog'::regclass")
        assert cursor.fetchone()[0] >= 48


def test_the_log_must_be_written_inside_the_transaction_of_the_access(world, django_db_blocker):
    # Outside any atomic block the helper refuses, so no read can be shown unlogged.
    from django.db import connection as conn

    assert conn.in_atomic_block  # the test transaction
    with pytest.raises(AccessLogOutsideTransaction), conn.cursor():
        conn.in_atomic_block = False
        try:
            log_access(user=world.rasmus, action=Action.VIEW, child=world.sigrid)
        finally:
            conn.in_atomic_block = True


def test_if_the_log_cannot_be_written_the_child_is_not_shown(world, client_for, monkeypatch):
    def broken(*args, **kwargs):
        raise DatabaseError("log unavailable")

    monkeypatch.setattr(AccessLog.objects, "create", broken)
    client = client_for("rasmus", raise_request_exception=False)
    response = client.get(reverse("casefile:overview", args=[world.sigrid.id]))
    assert response.status_code == 500
    assert b"Sigrid" not in response.content
