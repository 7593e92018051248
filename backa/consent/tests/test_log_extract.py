"""Loggutdrag: one child's accesses in a period, as a page and CSV; producing it is logged."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from backa.audit.models import AccessLog

pytestmark = pytest.mark.django_db


def _period():
    today = timezone.localdate().isoformat()
    return {"start": today, "end": today}


def test_the_barnkontakt_gets_every_access_with_organisation_action_and_purpose(world, client_for):
    client_for("per").get(reverse("casefile:overview", args=[world.sigrid.id]))
    client_for("olle").get(reverse("casefile:overview", args=[world.sigrid.id]))  # denied
    client = client_for("rasmus")
    page = client.get(reverse("casefile:log_extract", args=[world.sigrid.id]), _period())
    text = page.content.decode()
    assert page.status_code == 200
    assert "Polismyndigheten" in text and "LPO Järva" in text
    assert "Per Polis" not in text  # names only when released
    assert text.count("<tr>") >= 3
    assert (
        AccessLog.objects.filter(user_id=world.rasmus.id, object_type="log_extract", child_id=world.sigrid.id).count()
        == 1
    )


def test_the_csv_has_the_same_rows_neutralises_formulas_and_is_logged_as_export(world, client_for):
    client_for("per").get(reverse("casefile:overview", args=[world.sigrid.id]))
    client = client_for("rasmus")
    response = client.get(
        reverse("casefile:log_extract", args=[world.sigrid.id]), {**_period(), "names": "on", "format": "csv"}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows[0]) == 7  # with the person column
    assert any("Per Polis" in r for r in rows[1:])
    assert AccessLog.objects.filter(user_id=world.rasmus.id, object_type="log_extract", action="export").count() == 1


def test_the_pdf_is_tagged_pdf_ua_and_logged_as_export(world, client_for):
    from backa.impact.tests.test_pdf import inflate

    client_for("per").get(reverse("casefile:overview", args=[world.sigrid.id]))
    response = client_for("rasmus").get(
        reverse("casefile:log_extract", args=[world.sigrid.id]), {**_period(), "format": "pdf"}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = inflate(response.content)
    for marker in (b"/StructTreeRoot", b"/Lang", b"/DisplayDocTitle", b"pdfuaid:part", b"/Table"):
        assert marker in text, marker
    assert AccessLog.objects.filter(user_id=world.rasmus.id, object_type="log_extract", action="export").count() == 1
    # Someone who may not produce the extract gets the page with no rows, never a PDF.
    response = client_for("per").get(
        reverse("casefile:log_extract", args=[world.sigrid.id]), {**_period(), "format": "pdf"}
    )
    assert response["Content-Type"].startswith("text/html")


def test_other_team_members_see_who_can_produce_it_but_no_rows(world, client_for):
    response = client_for("per").get(reverse("casefile:log_extract", args=[world.sigrid.id]), _period())
    assert response.status_code == 200
    assert b"<table" not in response.content
    assert not AccessLog.objects.filter(object_type="log_extract").exists()


def test_a_district_admin_answers_a_request_by_number(world, client_for):
    client_for("per").get(reverse("casefile:overview", args=[world.sigrid.id]))
    client = client_for("ada")
    response = client.post(reverse("access:admin_log_extract"), {"q": world.sigrid.identity_number.formatted})
    assert response.status_code == 302
    page = client.get(reverse("access:admin_log_extract_show"), _period())
    assert page.status_code == 200 and b"Polismyndigheten" in page.content
    assert (
        AccessLog.objects.filter(user_id=world.ada.id, object_type="log_extract", child_id=world.sigrid.id).count() == 1
    )
    # The child outside her district (Farsta) is not found, and nobody else may use the page.
    assert (
        client.post(reverse("access:admin_log_extract"), {"q": world.nobody.identity_number.formatted}).status_code
        == 400
    )
    assert client_for("olle").get(reverse("access:admin_log_extract")).status_code == 403


def test_the_extract_takes_a_fixed_number_of_queries(world, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("rasmus")
    url = reverse("casefile:log_extract", args=[world.sigrid.id])
    client.get(url, _period())
    with CaptureQueriesContext(connection) as few:
        client.get(url, _period())
    for name in ("per", "sara", "per", "sara"):
        client_for(name).get(reverse("casefile:overview", args=[world.sigrid.id]))
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, _period())
    assert len(few.captured_queries) <= 20
    assert len(many.captured_queries) == len(few.captured_queries)
    assert response.content.decode().count("Polismyndigheten") == 2
