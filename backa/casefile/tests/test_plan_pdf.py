"""The plan as a tagged PDF (PDF/UA-1), for professionals and in plain Swedish for the child."""

import pytest
from django.urls import reverse

from backa.audit.models import AccessLog
from backa.casefile.tests.helpers import make_plan
from backa.impact.tests.test_pdf import inflate

pytestmark = pytest.mark.django_db

STRUCTURE = (b"/StructTreeRoot", b"/MarkInfo", b"/Lang", b"/DisplayDocTitle", b"pdfuaid:part", b"/H1")


def test_it_exports_the_plan_as_a_tagged_pdf_and_logs_the_print(world, client_for):
    plan = make_plan(world)
    response = client_for("rasmus").get(reverse("casefile:plan_pdf", args=[world.sigrid.id, plan.id]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="barnets-plan-')
    text = inflate(response.content)
    for marker in STRUCTURE:
        assert marker in text, marker
    assert AccessLog.objects.filter(
        user_id=world.rasmus.id, child_id=world.sigrid.id, action="print", object_type="plan"
    ).exists()


def test_the_childs_version_is_a_plain_swedish_pdf(world, client_for):
    plan = make_plan(world)
    response = client_for("rasmus").get(reverse("casefile:plan_pdf", args=[world.sigrid.id, plan.id]) + "?for=barn")
    assert response.status_code == 200
    assert 'filename="din-plan-' in response["Content-Disposition"]
    text = inflate(response.content)
    assert b"/Lang" in text and b"pdfuaid:part" in text


@pytest.mark.parametrize("persona", ["olle", "britta"])
def test_no_pdf_without_a_role_for_the_child(world, client_for, persona):
    plan = make_plan(world)
    response = client_for(persona).get(reverse("casefile:plan_pdf", args=[world.sigrid.id, plan.id]))
    assert response.status_code == 404
    assert AccessLog.objects.filter(
        user_id=world.users[persona].id, child_id=world.sigrid.id, outcome="denied"
    ).exists()
