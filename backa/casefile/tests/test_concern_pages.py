"""The concern pages: the Upptäckare's own view, conversations, the compass chart, reports."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from backa.audit.models import AccessLog
from backa.casefile.assessments import do_record_assessment
from backa.casefile.concerns import do_register_concern
from backa.casefile.models import Concern, ConcernReport
from backa.casefile.reports import do_report_to_social_services

pytestmark = pytest.mark.django_db


def _concern(world, user=None):
    return do_register_concern(
        acting_user=user or world.olle,
        child=world.sigrid,
        observed_on=timezone.localdate(),
        description="Often alone at break",
        areas=["tillhorighet"],
    )


def test_an_upptackare_registers_a_concern_by_number_for_a_pupil_at_their_unit(world, client_for):
    client = client_for("olle")
    response = client.post(
        reverse("casefile:new_concern_by_number"),
        {
            "number": world.sigrid.identity_number.formatted,
            "observed_on": timezone.localdate().isoformat(),
            "description": "Alone at every break",
            "areas": ["tillhorighet"],
            "urgency": "medium",
        },
    )
    concern = Concern.objects.get()
    assert response.status_code == 302 and response.url == reverse("casefile:concern", args=[concern.id])
    assert concern.reported_by == world.olle


def test_a_police_officer_who_meets_a_child_registers_a_concern_without_opening_the_file(world, client_for):
    client = client_for("per")
    response = client.post(
        reverse("casefile:new_concern_by_number"),
        {
            "number": world.nobody.identity_number.formatted,
            "observed_on": timezone.localdate().isoformat(),
            "description": "Out alone late at night",
            "areas": ["trygghet"],
            "urgency": "high",
        },
    )
    concern = Concern.objects.get()
    assert response.status_code == 302 and concern.child == world.nobody and concern.reported_by == world.per
    assert AccessLog.objects.filter(
        user_id=world.per.id, child_id=world.nobody.id, action="create", outcome="allowed"
    ).exists()
    # The concern is the officer's own; the child's file stays closed.
    assert client.get(reverse("casefile:concern", args=[concern.id])).status_code == 200
    assert client.get(reverse("casefile:overview", args=[world.nobody.id])).status_code == 404


def test_a_number_of_no_child_in_the_municipality_finds_nothing_and_saves_nothing(world, client_for):
    from datetime import date

    from backa.synthetic.testnumbers import make_number

    unknown = make_number(date(2012, 1, 1), 999)
    response = client_for("olle").post(
        reverse("casefile:new_concern_by_number"),
        {
            "number": unknown.formatted,
            "observed_on": timezone.localdate().isoformat(),
            "description": "x",
            "urgency": "low",
        },
    )
    assert response.status_code == 200
    assert b'id="id_number_error"' in response.content
    assert b'aria-invalid="true"' in response.content
    assert not Concern.objects.exists()


def test_a_mistyped_number_gets_a_clear_error(world, client_for):
    response = client_for("olle").post(
        reverse("casefile:new_concern_by_number"),
        {
            "number": "811218-9877",
            "observed_on": timezone.localdate().isoformat(),
            "description": "x",
            "urgency": "low",
        },
    )
    assert response.status_code == 200 and b'aria-invalid="true"' in response.content
    assert not Concern.objects.exists()


def test_the_upptackare_sees_their_own_concern_but_not_the_childs_file(world, client_for):
    concern = _concern(world)
    client = client_for("olle")
    page = client.get(reverse("casefile:concern", args=[concern.id]))
    assert page.status_code == 200 and b"Often alone at break" in page.content
    assert AccessLog.objects.filter(user_id=world.olle.id, object_type="concern", purpose="upptackare").exists()
    assert client.get(reverse("casefile:plan", args=[world.sigrid.id])).status_code == 404
    assert client.get(reverse("casefile:child_concerns", args=[world.sigrid.id])).status_code == 404


def test_someone_else_without_a_role_cannot_open_the_concern(world, client_for):
    concern = _concern(world)
    response = client_for("britta").get(reverse("casefile:concern", args=[concern.id]))
    assert response.status_code == 404
    assert AccessLog.objects.filter(user_id=world.britta.id, child_id=world.sigrid.id, outcome="denied").count() == 1
    assert client_for("britta").get(reverse("casefile:concern", args=[uuid.uuid4()])).status_code == 404


def test_the_upptackare_can_report_to_social_services_from_their_concern(world, client_for):
    concern = _concern(world)
    response = client_for("olle").post(
        reverse("casefile:report_for_concern", args=[concern.id]), {"information": "She says she is afraid to go home"}
    )
    assert response.status_code == 302
    assert ConcernReport.objects.get().concern == concern


def test_the_barnkontakt_records_a_conversation(world, client_for):
    concern = _concern(world)
    response = client_for("rasmus").post(
        reverse("casefile:new_conversation", args=[world.sigrid.id]),
        {
            "held_on": timezone.localdate().isoformat(),
            "concern": str(concern.id),
            "child_took_part": "on",
            "guardians_took_part": "on",
            "child_words": "Ingen leker med mig",
            "consent_status": "asked",
        },
    )
    assert response.status_code == 302
    page = client_for("rasmus").get(reverse("casefile:child_concerns", args=[world.sigrid.id]))
    assert b"Ingen leker med mig" in page.content


def test_the_compass_shows_an_accessible_chart_and_a_table(world, client_for):
    for rating, child_rating in [(2, 4), (3, 4)]:
        do_record_assessment(
            acting_user=world.rasmus,
            child=world.sigrid,
            assessed_on=timezone.localdate(),
            areas={code: {"rating": rating, "child_rating": child_rating} for code in ["trygghet", "halsa", "omsorg"]},
        )
    page = client_for("rasmus").get(reverse("casefile:compass", args=[world.sigrid.id]))
    html = page.content.decode()
    assert 'role="img"' in html and 'aria-labelledby="compass-title compass-desc"' in html
    assert html.count('class="series s') == 2 and 'class="series child"' in html
    assert '<th scope="row">' in html
    assert "style=" not in html


def test_the_assessment_form_saves_and_reports_errors_per_field(world, client_for):
    client = client_for("rasmus")
    url = reverse("casefile:new_assessment", args=[world.sigrid.id])
    response = client.post(url, {"assessed_on": timezone.localdate().isoformat()})
    assert response.status_code == 200 and b'class="error-summary"' in response.content
    response = client.post(
        url, {"assessed_on": timezone.localdate().isoformat(), "halsa-rating": "2", "halsa-child_view": "Jag mår bra"}
    )
    assert response.status_code == 302


def test_sub_pages_are_gated(world, client_for):
    report = do_report_to_social_services(acting_user=world.rasmus, child=world.sigrid, information="Worried")
    url = reverse("casefile:report", args=[world.sigrid.id, report.id])
    assert client_for("sara").get(url).status_code == 200
    assert client_for("olle").get(url).status_code == 404
    assert AccessLog.objects.filter(user_id=world.olle.id, child_id=world.sigrid.id, outcome="denied").count() == 1
    assert client_for("sara").get(reverse("casefile:report", args=[world.sigrid.id, uuid.uuid4()])).status_code == 404


def test_social_services_records_the_outcome_on_the_page_but_the_school_cannot(world, client_for):
    report = do_report_to_social_services(acting_user=world.rasmus, child=world.sigrid, information="Worried")
    url = reverse("casefile:report", args=[world.sigrid.id, report.id])
    today = timezone.localdate().isoformat()
    assert client_for("rasmus").post(url, {"received_on": today}).status_code == 404
    response = client_for("sara").post(
        url,
        {
            "received_on": today,
            "investigation_opened": "no",
            "investigation_decided_on": today,
            "child_spoken_with": "yes",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "not_opened" and report.child_spoken_with is True


def test_the_barnkontakt_closes_a_concern_with_a_reason_and_the_upptackare_sees_the_status(world, client_for):
    concern = _concern(world)
    url = reverse("casefile:concern", args=[concern.id])
    response = client_for("rasmus").post(url, {"status": "closed", "note": ""})
    assert response.status_code == 200 and b'id="id_note_error"' in response.content
    assert client_for("olle").post(url, {"status": "closed", "note": "x"}).status_code == 404
    assert client_for("rasmus").post(url, {"status": "closed", "note": "Handled at school"}).status_code == 302
    page = client_for("olle").get(url).content.decode()
    assert "Handled at school" in page
