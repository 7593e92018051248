"""The API refuses what cannot be stored or makes no sense with a 422 in its error shape,
never a 500, and nothing is written: NUL characters (also inside nested objects), over-long
text, dates before 1900 or decades ahead, an offset out of range."""

import json

import pytest

from backa.casefile.models import Concern, Plan
from backa.casefile.tests.helpers import make_plan
from backa.lib.api_input import MAX_TEXT

pytestmark = pytest.mark.django_db


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"observed_on": "2026-11-20", "description": "Hon var\x00 ledsen"}, "description"),
        ({"observed_on": "2026-11-20", "description": "x" * (MAX_TEXT + 1)}, "description"),
        ({"observed_on": "1850-01-01", "description": "Hon var ledsen"}, "observed_on"),
        ({"observed_on": "2199-01-01", "description": "Hon var ledsen"}, "observed_on"),
        ({"observed_on": "2026-11-20", "description": "Hon var ledsen", "areas": ["trygg\x00het"]}, "areas"),
    ],
)
def test_a_concern_body_that_cannot_be_stored_is_a_422(world, client_for, body, field):
    response = _post(client_for("rasmus"), f"/api/children/{world.sigrid.id}/concerns", body)
    assert response.status_code == 422, response.content
    answer = response.json()
    assert answer["detail"] == "Validation failed" and field in answer["errors"], answer
    assert not Concern.objects.exists()


def test_a_nul_inside_the_plans_needs_is_refused_and_the_plan_unchanged(world, client_for):
    plan = make_plan(world)
    response = client_for("rasmus").patch(
        f"/api/children/{world.sigrid.id}/plans/{plan.id}",
        data=json.dumps({"version": plan.version, "needs": {"trygghet": "Rast\x00vakt"}}),
        content_type="application/json",
    )
    assert response.status_code == 422 and "errors" in response.json()
    assert Plan.objects.get(pk=plan.pk).needs == plan.needs


@pytest.mark.parametrize("query", ["offset=-1", "offset=1000000000000000000000", "limit=100000", "offset=abc"])
def test_list_parameters_out_of_range_are_a_422(world, client_for, query):
    response = client_for("britta").get(f"/api/children?{query}")
    assert response.status_code == 422 and response.json()["detail"] == "Validation failed"
