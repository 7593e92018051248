import pytest

from backa.audit.models import AccessLog

pytestmark = pytest.mark.django_db


def test_the_api_lists_visible_children_and_logs_them(world, client_for):
    response = client_for("britta").get("/api/children")
    assert response.status_code == 200
    names = {c["given_name"] for c in response.json()}
    assert names == {"Ivar", "Hedda"}
    hedda = next(c for c in response.json() if c["given_name"] == "Hedda")
    assert hedda["home_district"] is None  # protected identity
    assert AccessLog.objects.filter(user_id=world.britta.id, action="list").count() == 2


def test_the_api_refuses_out_of_scope_with_the_same_404_as_unknown(world, client_for):
    import uuid

    client = client_for("olle")
    a = client.get(f"/api/children/{world.sigrid.id}")
    b = client.get(f"/api/children/{uuid.uuid4()}")
    assert a.status_code == b.status_code == 404
    assert a.json() == b.json()
    assert AccessLog.objects.filter(user_id=world.olle.id, child_id=world.sigrid.id, outcome="denied").count() == 1


def test_the_api_requires_login(world, client):
    assert client.get("/api/children").status_code == 401


def test_the_openapi_document_is_served(world, client_for):
    schema = client_for("olle").get("/api/openapi.json").json()
    assert "/api/children/{child_id}" in schema["paths"]
