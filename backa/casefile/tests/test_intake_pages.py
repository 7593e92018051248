"""The intake's pages, end to end: a school files, the intake sees it in the same request,
assigns, decides with the child heard, the reporter sees the feedback; a 0–12 closure with
the child unheard is refused until a second person approves. The start page's query count
does not grow with the queue."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backa.audit.models import AccessLog
from backa.casefile.models import ConcernReport, IntakeItem, ReportStatus
from backa.children.models import Child

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate().isoformat()


def file_from_school(client, world, information="Sigrid berättar att hon blir slagen hemma", acute=False):
    data = {"information": information}
    if acute:
        data["acute"] = "on"
    response = client.post(reverse("casefile:new_report", args=[world.sigrid.id]), data, follow=True)
    assert response.status_code == 200
    return response, ConcernReport.objects.filter(child=world.sigrid).order_by("-reported_at").first()


def decide(client, item, **values):
    data = {"step": "decide", "decide-decided_on": TODAY}
    data.update({f"decide-{k}": v for k, v in values.items()})
    return client.post(reverse("casefile:intake_item", args=[item.pk]), data, follow=True)


def test_a_school_report_reaches_the_intake_and_the_feedback_reaches_the_school(world, client_for):
    school = client_for("rasmus", language="en")
    response, report = file_from_school(school, world)
    assert b"received by the intake of J\xc3\xa4rva on" in response.content
    assert b"sent to social services" not in response.content
    # The intake sees it in the same request: the queue item was written with the report.
    intake = client_for("ines", language="en")
    queue = intake.get(reverse("casefile:intake_queue"))
    assert queue.status_code == 200 and b"Sigrid" in queue.content
    item = IntakeItem.objects.get(report=report, closed_at=None)
    # The intake worker has no role for Sigrid: the file stays closed, the report opens.
    assert intake.get(reverse("casefile:overview", args=[world.sigrid.id])).status_code == 404
    page = intake.get(reverse("casefile:intake_item", args=[item.pk]))
    assert page.status_code == 200 and b"hon blir slagen" in page.content
    assert AccessLog.objects.filter(user_id=world.ines.pk, child_id=world.sigrid.pk, purpose="intake").exists()
    # The team leader assigns it to Ines.
    lead = client_for("tove", language="en")
    lead.post(reverse("casefile:intake_item", args=[item.pk]), {"step": "assign", "assign-handler": world.ines.pk})
    assert ConcernReport.objects.get(pk=report.pk).handler == world.ines
    # Ines decides, with the child heard at school.
    response = decide(
        intake,
        item,
        decision="investigation",
        reason="risk_of_harm",
        child_spoken_with="yes",
        child_heard_how="at_school",
    )
    assert b"The f\xc3\xb6rhandsbed\xc3\xb6mning is decided" in response.content
    item.refresh_from_db()
    assert item.closed_at is not None
    intake.post(
        reverse("casefile:intake_item", args=[item.pk]),
        {"step": "feedback", "feedback-text": "En utredning har inletts.", "feedback-given_on": TODAY},
    )
    page = school.get(reverse("casefile:report", args=[world.sigrid.id, report.pk]))
    assert b"En utredning har inletts." in page.content
    assert b"Feedback given" in page.content


def test_a_young_childs_closure_without_the_child_heard_waits_for_a_second_person(world, client_for):
    school = client_for("rasmus")
    _response, report = file_from_school(school, world)
    item = IntakeItem.objects.get(report=report)
    intake = client_for("ines", language="en")
    intake.post(reverse("casefile:intake_item", args=[item.pk]), {"step": "assign", "assign-handler": world.ines.pk})
    response = decide(
        intake,
        item,
        decision="no_investigation",
        reason="no_grounds",
        child_spoken_with="no",
        child_not_heard_reason="not_reached",
    )
    assert b"waits for a second look" in response.content
    assert ConcernReport.objects.get(pk=report.pk).status == ReportStatus.SECOND_LOOK
    # The handler cannot approve it: no form, and a forged POST is refused with a message.
    page = intake.get(reverse("casefile:intake_item", args=[item.pk]))
    assert b'value="second_look"' not in page.content
    forged = intake.post(
        reverse("casefile:intake_item", args=[item.pk]),
        {"step": "second_look", "second_look-approve": "yes", "second_look-reason": "Ok"},
    )
    assert forged.status_code == 200 and b"someone else" in forged.content
    assert ConcernReport.objects.get(pk=report.pk).status == ReportStatus.SECOND_LOOK
    lead = client_for("tove", language="en")
    lead.post(
        reverse("casefile:intake_item", args=[item.pk]),
        {
            "step": "second_look",
            "second_look-approve": "yes",
            "second_look-reason": "Skolan följer upp; inga nya uppgifter",
        },
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.NOT_OPENED and report.second_look_by == world.tove


def test_a_decision_before_assignment_shows_a_message_and_changes_nothing(world, client_for):
    _response, report = file_from_school(client_for("rasmus"), world)
    item = IntakeItem.objects.get(report=report)
    response = decide(
        client_for("ines", language="en"),
        item,
        decision="investigation",
        reason="risk_of_harm",
        child_spoken_with="yes",
        child_heard_how="at_school",
    )
    assert b"Assign the report to a handler before deciding." in response.content
    assert ConcernReport.objects.get(pk=report.pk).decision == ""


def test_an_acute_report_tells_the_reporter_what_to_do_now(world, client_for):
    world.municipality.socialjour_phone = "08-123 45 00"
    world.municipality.save()
    response, report = file_from_school(client_for("rasmus", language="en"), world, acute=True)
    assert b"call 112" in response.content and b"08-123 45 00" in response.content
    queue = client_for("ines", language="en").get(reverse("casefile:intake_queue"))
    assert b"Acute" in queue.content


def test_only_intake_positions_open_the_intake_and_only_their_districts_reports(world, client_for):
    _response, report = file_from_school(client_for("rasmus"), world)
    item = IntakeItem.objects.get(report=report)
    for persona in ("sara", "rasmus", "ada"):
        assert client_for(persona).get(reverse("casefile:intake_queue")).status_code == 403
    farsta = IntakeItem.objects.create(
        report=ConcernReport.objects.create(
            child=world.nobody, municipality=world.municipality, reported_by=world.rasmus, information="x"
        ),
        municipality=world.municipality,
        district=world.farsta,
        deadline=timezone.localdate(),
    )
    intake = client_for("ines")
    assert intake.get(reverse("casefile:intake_item", args=[item.pk])).status_code == 200
    assert intake.get(reverse("casefile:intake_item", args=[farsta.pk])).status_code == 404


def test_the_intake_registers_a_phone_report(world, client_for):
    intake = client_for("ines", language="en")
    response = intake.post(
        reverse("casefile:intake_new"),
        {
            "number": world.ivar.identity_number.formatted,
            "reporter_category": "police",
            "reporter_description": "LPO Järva",
            "received_via": "phone",
            "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "information": "Polisen ringde",
        },
        follow=True,
    )
    assert response.status_code == 200 and b"registered in the queue of the intake of J" in response.content
    report = ConcernReport.objects.get(child=world.ivar)
    assert report.origin == "external" and report.reporter_category == "police"
    assert IntakeItem.objects.filter(report=report, closed_at=None).count() == 1


def _fill_queue(world, n):
    now = timezone.now()
    children = Child.objects.bulk_create(
        [
            Child(
                municipality=world.municipality,
                home_district=world.jarva,
                given_name=f"Barn{i}",
                family_name="Kö",
                birth_date=timezone.localdate() - timedelta(days=3000 + i),
            )
            for i in range(n)
        ]
    )
    reports = ConcernReport.objects.bulk_create(
        [
            ConcernReport(
                child=c,
                municipality=world.municipality,
                reported_by=world.rasmus,
                information="x",
                acute=i % 7 == 0,
                handler=world.ines if i % 2 else None,
                status=ReportStatus.RECEIVED,
                child_age=8,
            )
            for i, c in enumerate(children)
        ]
    )
    IntakeItem.objects.bulk_create(
        [
            IntakeItem(
                report=r,
                municipality=world.municipality,
                district=world.jarva,
                acute=r.acute,
                created_at=now - timedelta(days=i % 20),
                deadline=timezone.localdate() - timedelta(days=i % 20) + timedelta(days=14),
            )
            for i, r in enumerate(reports)
        ]
    )


def _count(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("casefile:intake_queue"))
    assert response.status_code == 200
    return len(queries)


def test_the_intake_start_page_has_a_fixed_query_count(world, client_for):
    client = client_for("ines")
    _fill_queue(world, 5)
    small = _count(client)
    _fill_queue(world, 495)
    assert IntakeItem.objects.filter(closed_at=None).count() == 500
    large = _count(client)
    assert small == large, (small, large)


def test_the_district_dashboard_shows_the_intake_gap(world, client_for):
    from backa.casefile.reports import do_report_to_social_services

    do_report_to_social_services(acting_user=world.rasmus, child=world.sigrid, information="x")
    page = client_for("ada", language="en").get(reverse("front:district"))
    assert b"Intake staff in the district" in page.content and b"None: the district" not in page.content
    world.positions["ines"].valid_to = world.positions["tove"].valid_to = timezone.localdate() - timedelta(days=1)
    world.positions["ines"].save()
    world.positions["tove"].save()
    do_report_to_social_services(acting_user=world.rasmus, child=world.sigrid, information="y")
    page = client_for("ada", language="en").get(reverse("front:district"))
    assert b"None: the district's reports go to the municipality's central intake" in page.content
    assert IntakeItem.objects.filter(district__isnull=True, report__child=world.sigrid).count() == 1


def test_the_api_lists_the_queue_and_records_the_decision_and_the_feedback(world, client_for):
    from backa.casefile.reports import do_report_to_social_services

    report = do_report_to_social_services(
        acting_user=world.rasmus, child=world.sigrid, information="x", position=world.positions["rasmus"]
    )
    item = IntakeItem.objects.get(report=report)
    api = client_for("ines")
    assert client_for("sara").get("/api/intake/queue").status_code == 403
    queue = api.get("/api/intake/queue").json()
    assert [row["id"] for row in queue] == [str(item.pk)] and queue[0]["child_age"] == 10
    decision = {
        "decision": "investigation",
        "reason": "risk_of_harm",
        "decided_on": TODAY,
        "child_spoken_with": True,
        "child_heard_how": "alone",
    }
    refused = api.post(f"/api/intake/{item.pk}/decision", decision, content_type="application/json")
    assert refused.status_code == 422 and "__all__" in refused.json()["errors"]
    api.post(f"/api/intake/{item.pk}/assign", {"handler_id": str(world.ines.pk)}, content_type="application/json")
    decided = api.post(f"/api/intake/{item.pk}/decision", decision, content_type="application/json")
    assert decided.status_code == 200 and decided.json()["closed"] is True
    feedback = api.post(
        f"/api/intake/{item.pk}/feedback",
        {"text": "Utredning inledd", "given_on": TODAY},
        content_type="application/json",
    )
    assert feedback.status_code == 200 and feedback.json()["feedback_given_on"] == TODAY
    assert api.get(f"/api/intake/{uuid.uuid4()}/feedback").status_code == 405
