"""R7: a create sent twice (double click, resubmit, API retry) makes one row and the same answer.
(The concurrent double submit, two threads at once, is in operations/drills/test_concurrency.py.)
Few, long tests: each builds the world once."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from backa.casefile.models import Concern, Plan
from backa.consent.models import Consent
from backa.consent.tests.helpers import orgs
from backa.operations.idempotency import FORM_FIELD
from backa.operations.models import IdempotencyKey

pytestmark = pytest.mark.django_db


def _concern_form(**extra):
    return {
        "observed_on": timezone.localdate().isoformat(),
        "description": "Tired every morning",
        "areas": ["halsa"],
        "urgency": "medium",
        **extra,
    }


def _api(client, url, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def _token(html):
    return html.split(f'name="{FORM_FIELD}" value="')[1].split('"')[0]


def test_pages_carry_a_one_time_token_and_a_resubmit_saves_once(world, client_for):
    client = client_for("rasmus", language="en")
    url = reverse("casefile:new_concern", args=[world.sigrid.id])
    token = _token(client.get(url).content.decode())
    first = client.post(url, _concern_form(**{FORM_FIELD: token}))
    again = client.post(url, _concern_form(**{FORM_FIELD: token}))
    assert first.status_code == again.status_code == 302 and first["Location"] == again["Location"]
    assert Concern.objects.filter(child=world.sigrid).count() == 1
    # A new page is a new token and a new concern.
    fresh = _token(client.get(url).content.decode())
    assert fresh != token
    client.post(url, _concern_form(**{FORM_FIELD: fresh}))
    assert Concern.objects.count() == 2

    # A refused form keeps its token and claims nothing, so the corrected send goes through.
    refused = client.post(url, _concern_form(description="", **{FORM_FIELD: "tok-1"}))
    assert refused.status_code == 200 and 'value="tok-1"' in refused.content.decode()
    assert not IdempotencyKey.objects.filter(key="tok-1").exists()
    assert client.post(url, _concern_form(**{FORM_FIELD: "tok-1"})).status_code == 302
    assert Concern.objects.count() == 3

    # The same token with other content (back button, edit, send): nothing more is saved.
    response = client.post(url, _concern_form(description="Something else", **{FORM_FIELD: "tok-1"}), follow=True)
    assert "already sent with other content" in response.content.decode()
    assert not Concern.objects.filter(description="Something else").exists()

    # Keys belong to one user: another person's form with the same token is their own concern.
    client_for("sara").post(url, _concern_form(**{FORM_FIELD: "tok-1"}))
    assert Concern.objects.count() == 4

    # Recording a consent: the same form twice is one consent.
    o = orgs(world)
    sara = client_for("sara")
    anna = world.sigrid.custodies.get().guardian
    today = timezone.localdate()
    data = {
        "recipients": [str(o["school"].pk)],
        "categories": ["notes"],
        "purpose": "Samordning",
        "valid_from": today.isoformat(),
        "valid_to": (today + timedelta(days=30)).isoformat(),
        "given_now": "on",
        "guardians": [str(anna.pk)],
        "form": "written",
        FORM_FIELD: "consent-1",
    }
    consent_url = reverse("casefile:consent_new", args=[world.sigrid.id])
    assert FORM_FIELD in sara.get(consent_url).content.decode()
    first, again = sara.post(consent_url, data), sara.post(consent_url, data)
    assert first.status_code == again.status_code == 302 and first["Location"] == again["Location"]
    assert Consent.objects.count() == 1

    # Starting a plan from the page: the form has the token; sent twice, one plan.
    plan_url = reverse("casefile:new_plan", args=[world.sigrid.id])
    assert FORM_FIELD in client.get(plan_url).content.decode()
    plan_data = {
        "kind": "single",
        "organisation": str(world.units["school"].organisation.id),
        "reason": "Calm",
        "review_date": (today + timedelta(days=30)).isoformat(),
        FORM_FIELD: "plan-page-1",
    }
    assert client.post(plan_url, plan_data)["Location"] == client.post(plan_url, plan_data)["Location"]
    assert Plan.objects.count() == 1


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

    plan_body = {
        "organisation_id": str(world.units["school"].organisation.id),
        "reason": "Calm",
        "review_date": (timezone.localdate() + timedelta(days=20)).isoformat(),
    }
    plan_url = f"/api/children/{world.sigrid.id}/plan"
    first = _api(client, plan_url, plan_body, key="plan-1")
    again = _api(client, plan_url, plan_body, key="plan-1")
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert Plan.objects.count() == 1


def test_old_keys_are_pruned_and_recent_ones_still_replay(world, client_for):
    from io import StringIO

    from django.core.management import CommandError, call_command

    client = client_for("rasmus", language="en")
    url = reverse("casefile:new_concern", args=[world.sigrid.id])
    old_token, new_token = (_token(client.get(url).content.decode()) for _ in range(2))
    client.post(url, _concern_form(**{FORM_FIELD: old_token}))
    client.post(url, _concern_form(description="Hungry at school", **{FORM_FIELD: new_token}))
    IdempotencyKey.objects.filter(key=old_token).update(created_at=timezone.now() - timedelta(days=8))
    out = StringIO()
    call_command("prune_idempotency_keys", stdout=out)
    assert out.getvalue().startswith("1 idempotency keys")
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == [new_token]
    before = Concern.objects.count()
    client.post(url, _concern_form(description="Hungry at school", **{FORM_FIELD: new_token}))
    assert Concern.objects.count() == before  # the week-old-or-younger key still replays
    with pytest.raises(CommandError):
        call_command("prune_idempotency_keys", "--keep-days", "0")
