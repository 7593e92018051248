"""R7: a create sent twice (double click, resubmit, API retry) makes one row and the same answer."""
import json
import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backa.concerns.models import Concern
from backa.consent.models import Consent
from backa.consent.tests.helpers import orgs
from backa.operations.idempotency import FORM_FIELD
from backa.operations.models import IdempotencyKey
from backa.plans.models import Plan


def _concern_form(**extra):
    return {"observed_on": timezone.localdate().isoformat(), "description": "Tired every morning",
            "areas": ["halsa"], "urgency": "medium", **extra}


def _api(client, url, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


@pytest.mark.django_db
def test_the_concern_page_carries_a_one_time_token_and_a_resubmit_registers_once(world, client_for):
    client = client_for("rasmus")
    url = reverse("concerns:new", args=[world.sigrid.id])
    page = client.get(url).content.decode()
    assert f'name="{FORM_FIELD}"' in page
    token = page.split(f'name="{FORM_FIELD}" value="')[1].split('"')[0]
    first = client.post(url, _concern_form(**{FORM_FIELD: token}))
    again = client.post(url, _concern_form(**{FORM_FIELD: token}))
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert Concern.objects.filter(child=world.sigrid).count() == 1
    # A new page (a new token) is a new concern.
    fresh = client.get(url).content.decode().split(f'name="{FORM_FIELD}" value="')[1].split('"')[0]
    assert fresh != token
    client.post(url, _concern_form(**{FORM_FIELD: fresh}))
    assert Concern.objects.filter(child=world.sigrid).count() == 2


@pytest.mark.django_db
def test_a_refused_form_keeps_its_token_so_the_corrected_send_goes_through(world, client_for):
    client = client_for("rasmus")
    url = reverse("concerns:new", args=[world.sigrid.id])
    refused = client.post(url, _concern_form(description="", **{FORM_FIELD: "tok-1"}))
    assert refused.status_code == 200 and 'value="tok-1"' in refused.content.decode()
    assert not IdempotencyKey.objects.exists()
    assert client.post(url, _concern_form(**{FORM_FIELD: "tok-1"})).status_code == 302
    assert Concern.objects.count() == 1


@pytest.mark.django_db
def test_the_same_token_with_other_content_saves_nothing_more(world, client_for):
    client = client_for("rasmus", language="en")
    url = reverse("concerns:new", args=[world.sigrid.id])
    client.post(url, _concern_form(**{FORM_FIELD: "tok-2"}))
    response = client.post(url, _concern_form(description="Something else", **{FORM_FIELD: "tok-2"}), follow=True)
    assert "already sent with other content" in response.content.decode()
    assert list(Concern.objects.values_list("description", flat=True)) == ["Tired every morning"]


@pytest.mark.django_db
def test_keys_belong_to_one_user(world, client_for):
    url = reverse("concerns:new", args=[world.sigrid.id])
    client_for("rasmus").post(url, _concern_form(**{FORM_FIELD: "shared"}))
    client_for("sara").post(url, _concern_form(**{FORM_FIELD: "shared"}))
    assert Concern.objects.count() == 2


@pytest.mark.django_db
def test_the_api_replays_a_create_with_the_same_idempotency_key(world, client_for):
    client = client_for("rasmus")
    url = f"/api/children/{world.sigrid.id}/concerns"
    body = {"observed_on": timezone.localdate().isoformat(), "description": "Tired", "areas": ["halsa"]}
    first = _api(client, url, body, key="k-1")
    again = _api(client, url, body, key="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Concern.objects.count() == 1
    other = _api(client, url, {**body, "description": "Other"}, key="k-1")
    assert other.status_code == 422 and "Idempotency-Key" in other.json()["errors"]
    assert _api(client, url, body).status_code == 201  # no key: no deduplication
    assert Concern.objects.count() == 2


@pytest.mark.django_db
def test_starting_a_plan_twice_through_the_api_with_one_key_gives_the_same_plan(world, client_for):
    body = {"organisation_id": str(world.units["school"].organisation.id), "reason": "Calm",
            "review_date": (timezone.localdate() + timedelta(days=20)).isoformat()}
    url = f"/api/children/{world.sigrid.id}/plan"
    first = _api(client_for("rasmus"), url, body, key="plan-1")
    again = _api(client_for("rasmus"), url, body, key="plan-1")
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert Plan.objects.count() == 1


@pytest.mark.django_db
def test_a_consent_form_sent_twice_is_recorded_once(world, client_for):
    o = orgs(world)
    client = client_for("sara")
    anna = world.sigrid.custodies.get().guardian
    today = timezone.localdate()
    data = {"recipients": [str(o["school"].pk)], "categories": ["notes"], "purpose": "Samordning",
            "valid_from": today.isoformat(), "valid_to": (today + timedelta(days=30)).isoformat(), "given_now": "on",
            "guardians": [str(anna.pk)], "form": "written", FORM_FIELD: "consent-1"}
    url = reverse("consent:new", args=[world.sigrid.id])
    first, again = client.post(url, data), client.post(url, data)
    assert first.status_code == again.status_code == 302 and first["Location"] == again["Location"]
    assert Consent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_double_submit_creates_one_concern(world):
    """Two threads send the same form at once; the second waits on the key and replays."""
    url = reverse("concerns:new", args=[world.sigrid.id])
    barrier = threading.Barrier(2)
    results = []

    def submit():
        client = Client()
        client.force_login(world.rasmus)
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
