"""The JSON API for the flow: same gate, same services, 409 on a stale plan version."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from backa.audit.models import AccessLog
from backa.casefile.models import ConcernReport
from backa.casefile.tests.helpers import make_plan, share_plan

pytestmark = pytest.mark.django_db


def _json(client, method, url, body):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def test_the_compass_codes_come_with_swedish_and_english_labels(world, client_for):
    areas = client_for("rasmus").get("/api/compass/areas").json()
    assert [a["code"] for a in areas][:2] == ["trygghet", "halsa"]
    assert areas[1]["label_en"].startswith("Healthy")


def test_a_concern_and_an_assessment_through_the_api(world, client_for):
    client = client_for("rasmus")
    base = f"/api/children/{world.sigrid.id}"
    response = _json(
        client,
        "post",
        f"{base}/concerns",
        {"observed_on": timezone.localdate().isoformat(), "description": "Tired", "areas": ["halsa"]},
    )
    assert response.status_code == 201 and response.json()["status"] == "new"
    response = _json(
        client,
        "post",
        f"{base}/assessments",
        {"assessed_on": timezone.localdate().isoformat(), "areas": {"halsa": {"rating": 7}}},
    )
    assert response.status_code == 422 and "halsa-rating" in response.json()["errors"]
    response = _json(
        client,
        "post",
        f"{base}/assessments",
        {"assessed_on": timezone.localdate().isoformat(), "areas": {"halsa": {"rating": 2, "child_rating": 4}}},
    )
    assert response.status_code == 201
    assert len(client.get(f"{base}/assessments").json()[0]["areas"]) == 8


def test_a_report_goes_through_the_api_without_any_consent(world, client_for):
    response = _json(
        client_for("per"),
        "post",
        f"/api/children/{world.sigrid.id}/concern-reports",
        {"information": "Seen at night in the centre", "acute": True},
    )
    assert response.status_code == 201
    assert ConcernReport.objects.get().reported_by == world.per


def test_a_stale_plan_version_gets_409_with_the_changes(world, client_for):
    plan = make_plan(world)
    share_plan(world)  # Sara (social services) may read the school's plan, so she may edit it
    url = f"/api/children/{world.sigrid.id}/plans/{plan.id}"
    assert (
        _json(client_for("rasmus"), "patch", url, {"version": 1, "child_view": "Jag vill ha lugn"}).status_code == 200
    )
    # A different field merges: Rasmus's child view stays.
    assert _json(client_for("sara"), "patch", url, {"version": 1, "reason": "Other"}).status_code == 200
    response = _json(client_for("sara"), "patch", url, {"version": 1, "child_view": "Jag vill vara med"})
    assert response.status_code == 409
    body = response.json()
    assert body["current_version"] == 3 and "Jag vill ha lugn" in [c["now"] for c in body["changes"]]
    assert body["conflicts"][0]["field"] == "child_view" and body["conflicts"][0]["theirs"] == "Jag vill ha lugn"


def test_the_api_is_gated_and_logs_denials(world, client_for):
    plan = make_plan(world)
    response = _json(
        client_for("olle"), "patch", f"/api/children/{world.sigrid.id}/plans/{plan.id}", {"version": 1, "reason": "x"}
    )
    assert response.status_code == 404
    assert AccessLog.objects.filter(user_id=world.olle.id, child_id=world.sigrid.id, outcome="denied").count() == 1
    body = client_for("rasmus").get(f"/api/children/{world.sigrid.id}/plan").json()
    assert body["plan"]["version"] == 1 and body["plan"]["needs"] == {"trygghet": "Feel safe at break"}


def test_the_plan_can_be_started_through_the_api(world, client_for):
    response = _json(
        client_for("rasmus"),
        "post",
        f"/api/children/{world.sigrid.id}/plan",
        {
            "organisation_id": str(world.units["school"].organisation.id),
            "reason": "Calm",
            "review_date": (timezone.localdate() + timedelta(days=20)).isoformat(),
        },
    )
    assert response.status_code == 201
    again = _json(
        client_for("sara"),
        "post",
        f"/api/children/{world.sigrid.id}/plan",
        {
            "organisation_id": str(world.units["school"].organisation.id),
            "reason": "Calm",
            "review_date": (timezone.localdate() + timedelta(days=20)).isoformat(),
        },
    )
    assert again.status_code == 422
