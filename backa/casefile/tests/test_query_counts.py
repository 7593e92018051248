"""List pages take a constant number of queries however much the child's file holds."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backa.casefile.assessments import do_record_assessment
from backa.casefile.chronology import do_add_chronology_entry
from backa.casefile.concerns import do_register_concern
from backa.casefile.conversations import do_record_conversation
from backa.casefile.meetings import do_schedule_meeting
from backa.casefile.plan import do_add_action, do_add_goal
from backa.casefile.tests.helpers import make_plan

pytestmark = pytest.mark.django_db

PAGES = [
    "casefile:plan",
    "casefile:chronology",
    "casefile:meetings",
    "casefile:compass",
    "casefile:child_concerns",
    "casefile:team",
]


def _add_records(world, plan, n):
    today = timezone.localdate()
    for i in range(n):
        concern = do_register_concern(
            acting_user=world.olle, child=world.sigrid, observed_on=today, description=f"Seen {i}", areas=["halsa"]
        )
        do_record_conversation(
            acting_user=world.rasmus, child=world.sigrid, concern=concern, held_on=today, child_words="ok"
        )
        do_record_assessment(
            acting_user=world.rasmus, child=world.sigrid, assessed_on=today, areas={"halsa": {"rating": 3}}
        )
        goal = do_add_goal(acting_user=world.rasmus, plan=plan, description=f"Goal {i}")
        do_add_action(
            acting_user=world.rasmus,
            plan=plan,
            goal=goal,
            description=f"Action {i}",
            owner_organisation=plan.organisation,
            owner=world.olle,
        )
        do_schedule_meeting(
            acting_user=world.rasmus,
            child=world.sigrid,
            plan=plan,
            starts_at=timezone.now() + timedelta(days=i),
            professionals=[world.sara],
        )
        do_add_chronology_entry(acting_user=world.rasmus, child=world.sigrid, occurred_on=today, title=f"Event {i}")


def _counts(client, world):
    counts = {}
    for name in PAGES:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name, args=[world.sigrid.id])).status_code == 200
        counts[name] = len(ctx.captured_queries)
    return counts


def test_child_pages_take_a_constant_number_of_queries(world, client_for, django_assert_max_num_queries):
    plan = make_plan(world)
    client = client_for("rasmus")
    _add_records(world, plan, 1)
    few = _counts(client, world)
    _add_records(world, plan, 4)
    many = _counts(client, world)
    assert many == few
    with django_assert_max_num_queries(30):
        client.get(reverse("casefile:chronology", args=[world.sigrid.id]))


def test_the_start_page_takes_a_constant_number_of_queries(world, client_for, django_assert_max_num_queries):
    make_plan(world, review_date=timezone.localdate() + timedelta(days=3))
    client = client_for("rasmus")
    do_register_concern(
        acting_user=world.olle, child=world.sigrid, observed_on=timezone.localdate(), description="first", areas=[]
    )
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("front:todo"))
    for i in range(3):
        do_register_concern(
            acting_user=world.olle, child=world.sigrid, observed_on=timezone.localdate(), description=f"x{i}", areas=[]
        )
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        page = client.get(reverse("front:todo"))
    assert page.content.count(b"Sigrid") >= 5  # the due plan and four notifications
