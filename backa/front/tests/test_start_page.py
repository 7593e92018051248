"""The barnkontakt's morning page: open concerns, plans and follow-ups per child and in total,
sorted by what needs doing, at a query count that does not grow with the children."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backa.audit.models import AccessLog
from backa.casefile.models import Concern, ConcernStatus, Plan, PlanStatus, Urgency
from backa.roles.tests.helpers import add_life_phase_units, child_at

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def w(world):
    return add_life_phase_units(world)


def concern(w, child, *, status=ConcernStatus.NEW, urgency=Urgency.MEDIUM):
    return Concern.objects.create(
        child=child,
        municipality=w.municipality,
        reported_by=w.olle,
        observed_on=TODAY,
        description="Sov i klassrummet",
        status=status,
        urgency=urgency,
    )


def plan(w, child, review_in_days, status=PlanStatus.ACTIVE):
    return Plan.objects.create(
        child=child,
        municipality=w.municipality,
        organisation=w.units["bvc"].organisation,
        reason="Stöd",
        review_date=TODAY + timedelta(days=review_in_days),
        status=status,
        ended_on=None if status == PlanStatus.ACTIVE else TODAY,
        created_by=w.britta,
    )


def add_children(w, count, first_day):
    children = []
    for index in range(count):  # distinct birth dates keep the test numbers unique
        child = child_at(
            w,
            f"Barn{first_day + index}",
            TODAY - timedelta(days=first_day + index),
            "bvc",
            barnkontakt="britta",
            serial=997,
        )
        concern(w, child)
        plan(w, child, 30)
        children.append(child)
    return children


def test_children_are_sorted_by_what_needs_doing_with_plain_reasons(w, client_for):
    child_at(w, "Calm", TODAY - timedelta(days=300), "bvc", barnkontakt="britta", serial=990)  # nothing to do
    overdue = child_at(w, "Overdue", TODAY - timedelta(days=310), "bvc", barnkontakt="britta", serial=991)
    plan(w, overdue, -3)
    new = child_at(w, "Newconcern", TODAY - timedelta(days=320), "bvc", barnkontakt="britta", serial=992)
    concern(w, new)
    concern(w, new, status=ConcernStatus.CLOSED)
    soon = child_at(w, "Soon", TODAY - timedelta(days=330), "bvc", barnkontakt="britta", serial=993)
    plan(w, soon, 5)
    urgent = child_at(w, "Urgent", TODAY - timedelta(days=340), "bvc", barnkontakt="britta", serial=994)
    concern(w, urgent, status=ConcernStatus.IN_PROGRESS, urgency=Urgency.HIGH)
    closed_plan = child_at(w, "Closedplan", TODAY - timedelta(days=350), "bvc", barnkontakt="britta", serial=995)
    plan(w, closed_plan, -30, status=PlanStatus.CLOSED)  # a closed plan is no follow-up

    body = client_for("britta").get(reverse("front:barnkontakt")).content.decode()  # Swedish by default
    order = [body.index(f"Test, {name}") for name in ("Overdue", "Urgent", "Newconcern", "Soon", "Calm")]
    assert order == sorted(order[:2]) + order[2:] and max(order[:2]) < order[2] < order[3] < order[4]
    assert "Uppföljningen är 3 dagar försenad" in body
    assert "Brådskande oro" in body and "Ny oro att ta ställning till" in body
    assert f"Uppföljning {(TODAY + timedelta(days=5)).isoformat()}" in body
    row = body[body.index("Test, Newconcern") : body.index("Test, Soon")]
    assert "1 öppen" in row  # the closed concern is not counted
    row = body[body.index("Test, Closedplan") :]
    assert "Ingen plan" in row.split("</tr>")[0]
    # The summary counts every child, not only those on the page.
    assert "Uppföljningar som är försenade</th><td>1</td>" in body
    assert "Barn som behöver något gjort nu</th><td>4</td>" in body


def test_english_labels_follow_the_language_cookie(w, client_for):
    child = child_at(w, "Overdue", TODAY - timedelta(days=310), "bvc", barnkontakt="britta", serial=991)
    plan(w, child, -2)
    body = client_for("britta", language="en").get(reverse("front:barnkontakt")).content.decode()
    assert "Follow-up overdue by 2 days" in body and "Open plans" in body


def test_query_count_does_not_grow_with_the_number_of_children(w, client_for):
    client = client_for("britta")
    add_children(w, 2, 500)
    client.get(reverse("front:barnkontakt"))  # warm the session and the translation caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("front:barnkontakt")).status_code == 200
    add_children(w, 12, 600)
    with CaptureQueriesContext(connection) as many:
        body = client.get(reverse("front:barnkontakt")).content.decode()
    assert len(many) == len(few) <= 16
    assert "Öppna planer</th><td>14</td>" in body
    # one access-log row per child shown, in one INSERT
    assert (
        AccessLog.objects.filter(user_id=w.britta.id, purpose="barnkontakt_start").count() == 4 + 4 + 16
    )  # three requests


def test_others_concerns_and_plans_are_not_shown_and_the_gate_decides(w, client_for):
    sigrid_plan = plan(w, w.sigrid, -1)
    concern(w, w.sigrid, urgency=Urgency.HIGH)
    body = client_for("britta").get(reverse("front:barnkontakt")).content.decode()
    assert "Sigrid" not in body and "Brådskande oro" not in body
    rasmus = client_for("rasmus").get(reverse("front:barnkontakt")).content.decode()
    assert "Nilsson, Sigrid" in rasmus and reverse("casefile:plan", args=[sigrid_plan.child_id]) in rasmus
    # a barnkontakt whose position ended sees nothing
    assert "Andersson, Ivar" not in client_for("former").get(reverse("front:barnkontakt")).content.decode()
