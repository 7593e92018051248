"""Staff login with e-legitimation, end to end against a real OpenID Provider.

The provider is the certified npm package oidc-provider (MIT), started by this module with
the machine's Node.js from oidc_peer/ (node_modules installed with `npm ci` when missing).
The test drives the IdP's login form with an HTTP client that follows the IdP's redirects;
the platform's side is the Django test client. Nothing of our own code is mocked: the
token, JWKS and userinfo requests go over HTTP to the provider.
"""

import json
import re
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests
from django.test import Client
from django.urls import reverse

from backa.accounts.tests.peer import BRITTA_NUMBER, LOA, PEER_ACCOUNTS, UNKNOWN_NUMBER, configure, running_peer

pytestmark = pytest.mark.django_db

REDIRECT_URI = "http://testserver" + "/konto/e-legitimation/svar/"


@pytest.fixture
def peer():
    """The running provider: {"issuer": ..., "discovery": {...}}. One per test, started on the
    test's frozen clock (backa/conftest.py) so that the provider and the platform agree on the time."""
    with running_peer(REDIRECT_URI, PEER_ACCOUNTS) as running:
        yield running


@pytest.fixture
def eid(peer, settings, world):
    configure(settings, peer, world)
    return peer


def start(client):
    response = client.get(reverse("accounts:oidc_login"))
    assert response.status_code == 302
    return response["Location"]


def at_the_idp(auth_url, account):
    """The person at the IdP: open the login page, choose the account, follow redirects back."""
    with requests.Session() as browser:
        page = browser.get(auth_url, timeout=10)
        action = re.search(r'action="([^"]+)"', page.text).group(1)
        response = browser.post(urljoin(page.url, action), data={"login": account}, allow_redirects=False, timeout=10)
        for _ in range(10):
            location = urljoin(response.url, response.headers["Location"])
            if location.startswith("http://testserver/"):
                return location[len("http://testserver") :]
            response = browser.get(location, allow_redirects=False, timeout=10)
    raise AssertionError("the IdP never redirected back")


def login_as(client, account):
    callback = at_the_idp(start(client), account)
    return client.get(callback)


def message_on_login_page(client, response):
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    return client.get(response["Location"]).content.decode()


def test_the_login_page_offers_e_legitimation(eid):
    page = Client().get(reverse("accounts:login")).content.decode()
    assert "Logga in med e-legitimation" in page and reverse("accounts:oidc_login") in page
    assert 'name="password"' in page  # the local form stays beside it


def test_the_request_asks_for_loa3_with_pkce_state_and_nonce(eid):
    query = parse_qs(urlparse(start(Client())).query)
    assert query["acr_values"] == [LOA + "loa3"]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert "https://id.oidc.se/scope/naturalPersonNumber" in query["scope"][0].split()


def test_a_loa3_login_lands_on_my_children_without_totp(eid):
    client = Client()
    response = login_as(client, "britta-loa3")
    assert response.status_code == 302 and response["Location"] == reverse("front:my_children")
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Mina barn" in page.content.decode() and "Ivar" in page.content.decode()
    assert client.session["auth_level"] == "eid"
    # The session holds no number in clear.
    assert BRITTA_NUMBER.digits not in json.dumps(dict(client.session.items()), default=str)


def test_loa4_is_above_loa3_and_accepted(eid):
    client = Client()
    assert login_as(client, "britta-loa4")["Location"] == reverse("front:my_children")


@pytest.mark.parametrize("account", ["britta-loa2", "britta-no-acr"])
def test_a_lower_or_missing_acr_is_refused(eid, account):
    client = Client()
    page = message_on_login_page(client, login_as(client, account))
    assert "tillitsnivå som krävs (LoA3)" in page
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("front:my_children")).status_code == 302


def test_an_unknown_person_is_refused_and_never_created(eid, caplog):
    from backa.accounts.models import User

    users = User.objects.count()
    client = Client()
    page = message_on_login_page(client, login_as(client, "stranger-loa3"))
    assert "inte registrerad som användare" in page
    assert User.objects.count() == users and "_auth_user_id" not in client.session
    assert "reason=unknown" in caplog.text
    assert UNKNOWN_NUMBER.digits not in caplog.text and UNKNOWN_NUMBER.digits[2:] not in caplog.text


def test_an_inactive_professional_is_refused(eid, world):
    world.britta.is_active = False
    world.britta.save()
    client = Client()
    page = message_on_login_page(client, login_as(client, "britta-loa3"))
    assert "Ditt konto är avstängt" in page and "_auth_user_id" not in client.session


def test_the_employee_id_from_org_affiliation_matches(eid):
    client = Client()
    assert login_as(client, "rasmus-employee")["Location"] == reverse("front:my_children")
    assert "Sigrid" in client.get(reverse("front:my_children")).content.decode()


def test_a_wrong_state_is_refused(eid):
    client = Client()
    callback = at_the_idp(start(client), "britta-loa3")
    forged = re.sub(r"state=[^&]+", "state=forged-state", callback)
    page = message_on_login_page(client, client.get(forged))
    assert "hörde inte till den här inloggningen" in page and "_auth_user_id" not in client.session


def test_a_replayed_answer_is_refused(eid):
    client = Client()
    callback = at_the_idp(start(client), "britta-loa3")
    assert client.get(callback)["Location"] == reverse("front:my_children")
    other = Client()  # someone who got hold of the redirect
    message_on_login_page(other, other.get(callback))
    assert "_auth_user_id" not in other.session


def test_a_wrong_nonce_is_refused(eid):
    client = Client()
    auth_url = start(client)
    state = parse_qs(urlparse(auth_url).query)["state"][0]
    session = client.session
    session["oidc_states"][state]["nonce"] = "not-the-nonce-sent"
    session.save()
    page = message_on_login_page(client, client.get(at_the_idp(auth_url, "britta-loa3")))
    assert "hörde inte till den här inloggningen" in page and "_auth_user_id" not in client.session


def test_the_idp_answering_with_an_error_is_a_clear_refusal(eid):
    client = Client()
    start(client)
    page = message_on_login_page(client, client.get(reverse("accounts:oidc_callback") + "?error=access_denied&state=x"))
    assert "Inloggningen med e-legitimation misslyckades" in page


def test_without_configuration_there_is_no_e_id_button(world, settings):
    settings.OIDC_RP_CLIENT_ID = ""
    assert "e-legitimation" not in Client().get(reverse("accounts:login")).content.decode()
    assert Client().get(reverse("accounts:oidc_login"))["Location"] == reverse("accounts:login")


def test_refused_e_id_logins_do_not_lock_out_the_office(eid):
    """Many refusals from one address (an office behind NAT) must not lock e-ID or passwords out."""
    for _ in range(6):
        client = Client()
        message_on_login_page(client, login_as(client, "stranger-loa3"))
    client = Client()
    assert login_as(client, "britta-loa3")["Location"] == reverse("front:my_children")
    response = Client().post(reverse("accounts:login"), {"username": "rasmus", "password": "correct-horse-battery-42"})
    assert response.status_code == 302


def test_a_person_at_the_totp_step_may_use_e_id_instead_and_gets_a_new_session_id(eid):
    client = Client()
    client.post(reverse("accounts:login"), {"username": "britta", "password": "correct-horse-battery-42"})
    assert client.get(reverse("front:my_children"))["Location"] == reverse("accounts:totp_verify")
    before = client.session.session_key
    assert login_as(client, "britta-loa3")["Location"] == reverse("front:my_children")
    assert client.session.session_key != before and client.session["auth_level"] == "eid"
    assert client.get(reverse("front:my_children")).status_code == 200
