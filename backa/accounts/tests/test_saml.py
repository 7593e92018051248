"""Staff login through a SAML 2.0 federation, end to end against a real IdP on loopback.

The IdP is pysaml2's own (saml2.server.Server) in accounts/tests/saml_peer.py, signing with
xmlsec1; the person's browser at the IdP is an HTTP client; the platform is the Django test
client, which receives the IdP's auto-posted form. Nothing of our own code is mocked. Each
refusal is checked where the person sees it (the login page) and where security sees it (the
security event's reason code).
"""

import base64
import json
import re
import zlib
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backa.accounts.models import SecurityEvent, User
from backa.accounts.tests.peer import BRITTA_NUMBER, RASMUS_AFFILIATION, UNKNOWN_NUMBER
from backa.accounts.tests.saml_peer import (
    EPPN,
    HSA_ID,
    LOA,
    ORG_AFFILIATION,
    PNR,
    make_key_and_cert,
    posted_form,
    running_idp,
    xmlsec1,
)

pytestmark = pytest.mark.django_db

SARA_HSA_ID = "SE2321000016-ABCD"
ELSA_EPPN = "elsa.lindqvist@skola.example"
ACCOUNTS = {
    "britta-loa3": {"loa": LOA + "loa3", "attributes": {PNR: BRITTA_NUMBER.digits}},
    "britta-loa4": {"loa": LOA + "loa4", "attributes": {PNR: BRITTA_NUMBER.digits}},
    "britta-loa2": {"loa": LOA + "loa2", "attributes": {PNR: BRITTA_NUMBER.digits}},
    "britta-unsigned": {"loa": LOA + "loa3", "attributes": {PNR: BRITTA_NUMBER.digits}, "sign": False},
    "stranger": {"loa": LOA + "loa3", "attributes": {PNR: UNKNOWN_NUMBER.digits}},
    "rasmus-affiliation": {"loa": LOA + "loa3", "attributes": {ORG_AFFILIATION: RASMUS_AFFILIATION}},
    "sara-siths": {"loa": LOA + "loa3", "attributes": {HSA_ID: SARA_HSA_ID}},
    "rasmus-eppn": {"loa": LOA + "loa3", "attributes": {EPPN: ELSA_EPPN}},
}
ACS = reverse("accounts:saml_acs")


@pytest.fixture
def sp(tmp_path, settings):
    key, cert = make_key_and_cert(tmp_path, "sp")
    settings.SAML_SP_KEY_FILE, settings.SAML_SP_CERT_FILE = key, cert
    settings.SAML_SP_BASE_URL = "http://testserver"
    settings.SAML_XMLSEC_BINARY = xmlsec1()
    settings.SAML_IDP_METADATA_FILE = ""
    return Client().get(reverse("accounts:saml_metadata")).content.decode()


@pytest.fixture
def idp(sp, tmp_path, settings, world):
    with running_idp(tmp_path, sp, ACCOUNTS) as running:
        path, fed_cert = running.signed_federation_metadata(tmp_path / "federation.xml")
        settings.SAML_IDP_METADATA_FILE, settings.SAML_METADATA_SIGNING_CERT_FILE = path, fed_cert
        world.britta.set_identity_number(BRITTA_NUMBER)
        world.britta.save()
        world.rasmus.employee_id = RASMUS_AFFILIATION
        world.rasmus.save()
        User.objects.filter(pk=world.sara.pk).update(hsa_id=SARA_HSA_ID)
        User.objects.filter(pk=world.rasmus.pk).update(eppn=ELSA_EPPN)
        yield running


def answer_from_idp(client, idp, account, query=""):
    """Start the login, log in at the IdP as `account`, return the form the IdP posts back."""
    started = client.get(reverse("accounts:saml_login") + query)
    assert started.status_code == 302 and started["Location"].startswith(idp.base + "/sso/redirect?")
    with requests.Session() as browser:
        page = browser.get(started["Location"], timeout=10)
        assert page.status_code == 200, page.text
        key = re.search(r'name="key" value="([^"]+)"', page.text).group(1)
        answer = browser.post(idp.base + "/login", data={"key": key, "login": account}, timeout=10)
    action, fields = posted_form(answer.text)
    assert action == "http://testserver" + ACS
    return fields


def login_as(client, idp, account, query=""):
    return client.post(ACS, answer_from_idp(client, idp, account, query))


def refused(client, response, reason):
    """The person lands on the login page with a message; security has the reason code."""
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
    assert SecurityEvent.objects.filter(kind="login_refused").latest("id").reason == f"saml:{reason}"
    return client.get(response["Location"]).content.decode()


def test_the_login_page_offers_the_federation(idp):
    page = Client().get(reverse("accounts:login")).content.decode()
    assert "Logga in via federationen (SAML)" in page and reverse("accounts:saml_login") in page


def test_our_metadata_names_the_acs_and_our_signing_certificate(sp):
    assert 'entityID="http://testserver/konto/saml/metadata/"' in sp
    assert f'Location="http://testserver{ACS}"' in sp and "X509Certificate" in sp
    assert 'AuthnRequestsSigned="true"' in sp and 'WantAssertionsSigned="true"' in sp


def test_the_request_is_signed_and_asks_for_loa3(idp):
    location = Client().get(reverse("accounts:saml_login"))["Location"]
    query = parse_qs(urlparse(location).query)
    assert query["Signature"][0] and "rsa-sha256" in query["SigAlg"][0]
    request_xml = zlib.decompress(base64.b64decode(query["SAMLRequest"][0]), -15).decode()
    assert 'Comparison="minimum"' in request_xml and LOA + "loa3" in request_xml
    assert "ForceAuthn" not in request_xml


def test_a_loa3_login_lands_on_my_children(idp):
    client = Client()
    response = login_as(client, idp, "britta-loa3")
    assert response.status_code == 302 and response["Location"] == reverse("front:my_children")
    page = client.get(response["Location"]).content.decode()
    assert "Mina barn" in page and "Ivar" in page
    assert client.session["auth_level"] == "eid"
    assert BRITTA_NUMBER.digits not in json.dumps(dict(client.session.items()), default=str)


def test_loa4_is_accepted_and_next_is_kept(idp):
    client = Client()
    target = reverse("front:my_children") + "?from=saml"
    assert login_as(client, idp, "britta-loa4", f"?next={target}")["Location"] == target


@pytest.mark.parametrize(
    "account,child", [("rasmus-affiliation", "Sigrid"), ("sara-siths", "Sigrid"), ("rasmus-eppn", "Sigrid")]
)
def test_hsa_id_org_affiliation_and_eppn_match_like_oidc(idp, account, child):
    client = Client()
    assert login_as(client, idp, account)["Location"] == reverse("front:my_children")
    assert child in client.get(reverse("front:my_children")).content.decode()


def test_a_forged_signature_is_refused(idp):
    """The answer is altered after the IdP signed it (another person's number slipped in)."""
    client = Client()
    fields = answer_from_idp(client, idp, "stranger")
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    assert UNKNOWN_NUMBER.digits in xml
    fields["SAMLResponse"] = base64.b64encode(
        xml.replace(UNKNOWN_NUMBER.digits, BRITTA_NUMBER.digits).encode()
    ).decode()
    page = refused(client, client.post(ACS, fields), "signature")
    assert "inte korrekt signerat" in page


def test_an_unsigned_assertion_is_refused(idp):
    client = Client()
    page = refused(client, login_as(client, idp, "britta-unsigned"), "signature")
    assert "inte korrekt signerat" in page


def test_an_expired_assertion_is_refused(idp):
    client = Client()
    fields = answer_from_idp(client, idp, "britta-loa3")
    with time_machine.travel(timezone.now() + timedelta(minutes=7), tick=True):  # lifetime 5 min + 1 min skew
        page = refused(client, client.post(ACS, fields), "expired")
    assert "hade gått ut" in page


def test_a_replayed_assertion_is_refused(idp):
    client = Client()
    fields = answer_from_idp(client, idp, "britta-loa3")
    assert client.post(ACS, fields)["Location"] == reverse("front:my_children")
    client.post(reverse("accounts:logout"))
    page = refused(client, client.post(ACS, fields), "replay")
    assert "redan använts" in page
    other = Client()  # someone else who captured the posted form: it answers no request of theirs
    refused(other, other.post(ACS, fields), "state")


def test_a_lower_assurance_level_is_refused(idp):
    client = Client()
    page = refused(client, login_as(client, idp, "britta-loa2"), "acr")
    assert "tillitsnivå som krävs (LoA3)" in page


def test_an_unknown_person_is_refused_and_never_created(idp, caplog):
    users = User.objects.count()
    client = Client()
    page = refused(client, login_as(client, idp, "stranger"), "unknown")
    assert "inte registrerad som användare" in page and User.objects.count() == users
    assert UNKNOWN_NUMBER.digits not in caplog.text and UNKNOWN_NUMBER.digits[2:] not in caplog.text


def test_a_disabled_professional_is_refused(idp, world):
    User.objects.filter(pk=world.britta.pk).update(is_active=False)
    client = Client()
    assert "Ditt konto är avstängt" in refused(client, login_as(client, idp, "britta-loa3"), "inactive")


def test_step_up_asks_the_idp_for_a_fresh_authentication(idp):
    client = Client()
    assert login_as(client, idp, "britta-loa3", "?step_up=1")["Location"] == reverse("front:my_children")
    assert idp.seen_force_authn == [True]
    fresh = client.session["eid_authenticated_at"]
    assert abs(fresh - timezone.now().timestamp()) < 60


@pytest.mark.parametrize("damage", ["tamper", "unsigned"])
def test_metadata_whose_signature_does_not_verify_is_not_used(idp, tmp_path, settings, damage):
    path, cert = idp.signed_federation_metadata(tmp_path / f"{damage}.xml", **{damage: True})
    settings.SAML_IDP_METADATA_FILE, settings.SAML_METADATA_SIGNING_CERT_FILE = path, cert
    client = Client()
    page = refused(client, client.get(reverse("accounts:saml_login")), "metadata")
    assert "metadata kunde inte verifieras" in page


EMERGENCY_REASON = "Akut risk: barnet har kommit till akuten ensamt och behöver stöd nu."


def main(response) -> str:
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def test_emergency_access_by_a_saml_user_needs_a_fresh_e_id_login(idp, world):
    """Britta has no password to type: minutes after her login she proves herself again with a
    ForceAuthn round at the IdP instead."""
    client = Client()
    login_as(client, idp, "britta-loa3")
    emergency = reverse("access:emergency")
    form = {"q": world.sigrid.identity_number.formatted, "reason": EMERGENCY_REASON}
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=True):
        page = main(client.get(emergency))
        assert 'name="password"' not in page and "Bekräfta med e-legitimation" in page
        refused_now = client.post(emergency, form)
        assert refused_now.status_code == 400 and "Bekräfta först vem du är" in main(refused_now)
        assert not world.sigrid.emergency_accesses.exists()
        step_up = login_as(client, idp, "britta-loa3", "?step_up=1&next=" + emergency)
        assert step_up["Location"] == emergency and idp.seen_force_authn == [False, True]
        assert "Du har bekräftat vem du är" in main(client.get(emergency))
        opened = client.post(emergency, form)
    assert opened.status_code == 302 and opened["Location"] == reverse("casefile:overview", args=[world.sigrid.pk])


def test_a_password_user_still_types_the_password(world, client_for):
    page = main(client_for("britta").get(reverse("access:emergency")))
    assert 'name="password"' in page and "Bekräfta med e-legitimation" not in page


def test_an_answer_from_another_idp_of_the_federation_is_refused(idp, sp, tmp_path, settings):
    """The aggregate trusts many IdPs, each for its own users: our request went to one IdP, and
    another member of the federation answering it (correctly signed by itself) is refused."""
    with running_idp(tmp_path / "other", sp, ACCOUNTS) as other:
        path, cert = idp.signed_federation_metadata(tmp_path / "two.xml", others=(other,))
        settings.SAML_IDP_METADATA_FILE, settings.SAML_METADATA_SIGNING_CERT_FILE = path, cert
        settings.SAML_IDP_ENTITY_ID = idp.entity_id
        client = Client()
        started = client.get(reverse("accounts:saml_login"))["Location"]
        assert started.startswith(idp.base)
        request_xml = zlib.decompress(base64.b64decode(parse_qs(urlparse(started).query)["SAMLRequest"][0]), -15)
        request_id = re.search(r'ID="([^"]+)"', request_xml.decode()).group(1)
        page = other.answer(
            "britta-loa3",
            in_response_to=request_id,
            destination="http://testserver" + ACS,
            sp_entity_id="http://testserver/konto/saml/metadata/",
        )
        _, fields = posted_form(page)
        refused(client, client.post(ACS, fields), "issuer")


@pytest.mark.parametrize("posted", [{}, {"SAMLResponse": "not base64 at all!"}])
def test_a_missing_or_garbled_answer_is_a_clear_refusal(idp, posted):
    client = Client()
    assert "Inloggningen med e-legitimation misslyckades" in refused(client, client.post(ACS, posted), "error")
