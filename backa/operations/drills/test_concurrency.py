"""Concurrency on committed data (transaction=True; each test's flush costs ~20 s here, so
they run with the drills, not in the normal suite).

R4: eight sessions load plan version 1 and save at once; exactly one save wins, every other
gets PlanConflict (409 in the API, the diff on the page — tested in backa/plans/tests), and
nothing is overwritten silently.
R7: the same form sent twice at once (two threads) registers one concern."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from backa.casefile.models import Concern, Plan, PlanVersion
from backa.casefile.plan import PlanConflict, do_update_plan
from backa.casefile.tests.helpers import make_plan
from backa.operations.idempotency import FORM_FIELD
from backa.operations.models import IdempotencyKey
from backa.operations.tests.test_idempotency import _concern_form
from backa.testing import force_verified_login

pytestmark = pytest.mark.drill
SESSIONS = 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_of_one_version_let_exactly_one_through(world):
    plan = make_plan(world)
    barrier = threading.Barrier(SESSIONS)
    outcomes = []

    def save(n):
        try:
            loaded = Plan.objects.get(pk=plan.pk)  # each session has loaded version 1
            barrier.wait()
            do_update_plan(acting_user=world.rasmus, plan=loaded, based_on_version=1, child_view=f"session {n}")
            outcomes.append(("saved", n))
        except PlanConflict as conflict:
            outcomes.append(("conflict", conflict.plan.version))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(SESSIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    saved = [n for kind, n in outcomes if kind == "saved"]
    assert len(outcomes) == SESSIONS and len(saved) == 1
    assert all(v == 2 for kind, v in outcomes if kind == "conflict")
    plan.refresh_from_db()
    assert plan.version == 2 and plan.child_view == f"session {saved[0]}"
    assert PlanVersion.objects.filter(plan=plan).count() == 2
    connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_double_submit_creates_one_concern(world):
    """Two threads send the same form at once; the second waits on the key and replays."""
    url = reverse("casefile:new_concern", args=[world.sigrid.id])
    barrier = threading.Barrier(2)
    results = []

    def submit():
        client = Client()
        force_verified_login(client, world.rasmus)
        barrier.wait()
        try:
            results.append(client.post(url, _concern_form(**{FORM_FIELD: "double"})))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert [r.status_code for r in results] == [302, 302]
    assert results[0]["Location"] == results[1]["Location"]
    assert Concern.objects.filter(child=world.sigrid).count() == 1
    assert IdempotencyKey.objects.count() == 1
    connection.close()
