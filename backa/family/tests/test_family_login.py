"""The family view with e-ID, end to end against the real local OpenID Provider (oidc-provider
on Node.js, backa/accounts/tests/oidc_peer) configured as the citizens' e-ID broker.

Guardians with custody and the child with their own e-ID get in; a guardian without custody,
a LoA2 login and a stranger do not. What each sees follows access.family; every access is in
the access log as the family's own; no staff page answers a family session; the session ends
sooner than a professional's.
"""

import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backa.accounts.tests.peer import LOA, PNR, running_peer
from backa.audit.models import AccessLog
from backa.casefile.meetings import do_schedule_meeting
from backa.casefile.models import FamilyView
from backa.casefile.plan import do_add_goal
from backa.casefile.tests.helpers import make_plan
from backa.children.models import Custody, Guardian
from backa.consent.models import SecrecyTowardsGuardians
from backa.synthetic.testnumbers import make_number

pytestmark = pytest.mark.django_db

REDIRECT_URI = "http://testserver/familj/svar/"
CLIENT_ID, CLIENT_SECRET = "backa-family-test", "family-secret-only-for-the-local-peer"
ANNA = make_number(date(1985, 5, 5), 986)  # Sigrid's guardian in backa.testing.build_world
FATHER = make_number(date(1983, 2, 2), 989)  # Sigrid's father, without custody (made below)
STRANGER = make_number(date(1970, 1, 1), 990)


def accounts(sigrid_number):
    return {
        "anna-loa3": {"acr": LOA + "loa3", "claims": {PNR: ANNA.digits}},
        "anna-loa2": {"acr": LOA + "loa2", "claims": {PNR: ANNA.digits}},
        "father-loa3": {"acr": LOA + "loa3", "claims": {PNR: FATHER.digits}},
        "stranger-loa3": {"acr": LOA + "loa3", "claims": {PNR: STRANGER.digits}},
        "sigrid-loa3": {"acr": LOA + "loa3", "claims": {PNR: sigrid_number}},
    }


@pytest.fixture
def family(settings, world):
    sigrid_number = make_number(world.sigrid.birth_date, 982)
    world.sigrid.set_identity_number(sigrid_number)
    world.sigrid.save()
    father = Guardian(municipality=world.municipality, given_name="Erik", family_name="Nilsson")
    father.set_identity_number(FATHER)
    father.save()
    Custody.objects.create(child=world.sigrid, municipality=world.municipality, guardian=father, has_custody=False)
    plan = make_plan(world, reason="Sigrid ska känna sig trygg i skolan")
    do_add_goal(acting_user=world.rasmus, plan=plan, description="Leka med kompisar på rasten")
    meeting = do_schedule_meeting(
        acting_user=world.rasmus,
        child=world.sigrid,
        starts_at=timezone.now() + timedelta(days=5),
        plan=plan,
        place="Ängsskolan, rum 12",
        professionals=[world.rasmus],
    )
    with running_peer(
        REDIRECT_URI, accounts(sigrid_number.digits), client_id=CLIENT_ID, client_secret=CLIENT_SECRET
    ) as peer:
        d = peer["discovery"]
        settings.CITIZEN_OIDC_OP_ISSUER = d["issuer"]
        settings.CITIZEN_OIDC_OP_AUTHORIZATION_ENDPOINT = d["authorization_endpoint"]
        settings.CITIZEN_OIDC_OP_TOKEN_ENDPOINT = d["token_endpoint"]
        settings.CITIZEN_OIDC_OP_USER_ENDPOINT = d["userinfo_endpoint"]
        settings.CITIZEN_OIDC_OP_JWKS_ENDPOINT = d["jwks_uri"]
        settings.CITIZEN_OIDC_RP_CLIENT_ID = CLIENT_ID
        settings.CITIZEN_OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
        yield {
            "world": world,
            "meeting": meeting,
            "father": father,
            "anna": world.sigrid.custodies.get(has_custody=True).guardian,
        }


def login(client, account):
    response = client.get(reverse("family:login"))
    assert response.status_code == 302
    query = parse_qs(urlparse(response["Location"]).query)
    assert query["acr_values"] == [LOA + "loa3"] and query["code_challenge_method"] == ["S256"]
    with requests.Session() as browser:
        page = browser.get(response["Location"], timeout=10)
        action = re.search(r'action="([^"]+)"', page.text).group(1)
        answer = browser.post(urljoin(page.url, action), data={"login": account}, allow_redirects=False, timeout=10)
        for _ in range(10):
            location = urljoin(answer.url, answer.headers["Location"])
            if location.startswith("http://testserver/"):
                return client.get(location[len("http://testserver") :])
            answer = browser.get(location, allow_redirects=False, timeout=10)
    raise AssertionError("the broker never redirected back")


def test_a_guardian_logs_in_sees_the_plan_and_gives_her_view(family, client_for):
    world, meeting, anna = family["world"], family["meeting"], family["anna"]
    client = Client()
    response = login(client, "anna-loa3")
    assert response.status_code == 302 and response["Location"] == reverse("family:home")
    response = client.get(reverse("family:home"))
    assert response["Location"] == reverse("family:child", args=[world.sigrid.id])
    page = client.get(response["Location"]).content.decode()
    assert "Rasmus Rektorsson" in page and "Sigrid ska känna sig trygg i skolan" in page
    assert "Leka med kompisar på rasten" in page and "Ängsskolan, rum 12" in page
    assert 'dir="ltr"' in page
    rows = AccessLog.objects.filter(user_id=anna.id, child_id=world.sigrid.id, outcome="allowed")
    assert rows.filter(role="guardian", purpose="family_guardian", object_type="child").exists()
    # Her own words before the meeting, shown to the professional.
    url = reverse("family:meeting_view", args=[world.sigrid.id, meeting.id])
    assert client.post(url, {"text": "Sigrid vill sitta nära fönstret."}).status_code == 302
    view = FamilyView.objects.get()
    assert (view.author, view.guardian_id, view.text) == ("guardian", anna.id, "Sigrid vill sitta nära fönstret.")
    staff_page = client_for("rasmus").get(reverse("casefile:meeting", args=[world.sigrid.id, meeting.id]))
    assert "Sigrid vill sitta nära fönstret." in staff_page.content.decode()
    # No staff page answers a family session, and another child is the same 404 as an unknown id.
    assert client.get(reverse("casefile:overview", args=[world.sigrid.id])).status_code == 404
    assert client.get(reverse("front:my_children")).status_code == 404
    assert client.get(reverse("family:child", args=[world.ivar.id])).status_code == 404
    assert AccessLog.objects.filter(user_id=anna.id, child_id=world.ivar.id, outcome="denied").count() == 1
    # A mature child's secrecy towards the guardians: only the barnkontakt is left.
    SecrecyTowardsGuardians.objects.create(
        child=world.sigrid,
        municipality=world.municipality,
        organisation=world.units["school"].organisation,
        reason="Mogen att själv bestämma",
        decided_by=world.rasmus,
        decided_on=timezone.localdate(),
    )
    page = client.get(reverse("family:child", args=[world.sigrid.id])).content.decode()
    assert "Rasmus Rektorsson" in page and "Sigrid ska känna sig trygg" not in page and "rum 12" not in page


def test_only_guardians_with_custody_and_the_child_get_in(family, settings):
    world = family["world"]
    for account, words in (
        ("father-loa3", "Bara vårdnadshavare"),
        ("stranger-loa3", "Bara vårdnadshavare"),
        ("anna-loa2", "BankID eller Freja+"),
    ):
        client = Client()
        response = login(client, account)
        assert response["Location"] == reverse("family:start"), account
        assert words in client.get(response["Location"]).content.decode(), account
        assert client.get(reverse("family:child", args=[world.sigrid.id])).status_code == 302  # to the start
    client = Client()
    login(client, "sigrid-loa3")
    page = client.get(reverse("family:child", args=[world.sigrid.id])).content.decode()
    assert "Din sida" in page and "Sigrid ska känna sig trygg i skolan" in page
    assert AccessLog.objects.filter(user_id=world.sigrid.id, role="child", purpose="family_child").exists()


def test_the_family_session_ends_after_ten_idle_minutes(family, frozen_clock):
    world = family["world"]
    client = Client()
    login(client, "anna-loa3")
    url = reverse("family:child", args=[world.sigrid.id])
    assert client.get(url).status_code == 200
    frozen_clock.shift(timedelta(minutes=9))
    assert client.get(url).status_code == 200
    frozen_clock.shift(timedelta(minutes=11))
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == reverse("family:start")
