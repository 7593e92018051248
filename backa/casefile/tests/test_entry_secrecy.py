"""Conversations and assessments belong to the organisation that wrote them (OSL between
organisations): a team member from another organisation sees them only under a consent or
a legal basis covering that category, and nothing of them leaks through lists, charts,
the chronology or the API."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from backa.audit.models import AccessLog
from backa.casefile.assessments import do_record_assessment
from backa.casefile.conversations import do_record_conversation
from backa.casefile.models import Assessment, Conversation
from backa.children.models import Custody
from backa.consent.services import do_record_consent, do_request_consent, do_withdraw_consent

pytestmark = pytest.mark.django_db

NOTE = "Sara-anteckning-4411"
SUMMARY = "Sara-bedomning-9923"
NOTICE = "Some entries from other organisations are not shown"


def _org(world, unit):
    return world.units[unit].organisation


@pytest.fixture
def entries(world):
    today = timezone.localdate()
    conversation = do_record_conversation(
        acting_user=world.sara,
        child=world.sigrid,
        held_on=today,
        child_words="Jag vill vara hemma",
        professional_notes=NOTE,
    )
    assessment = do_record_assessment(
        acting_user=world.sara,
        child=world.sigrid,
        assessed_on=today,
        summary=SUMMARY,
        areas={"halsa": {"rating": 2, "needs": SUMMARY}},
    )
    return conversation, assessment


def _notes_consent_to_police(world):
    today = timezone.localdate()
    consent = do_request_consent(
        acting_user=world.sara,
        child=world.sigrid,
        disclosing_organisation=_org(world, "ifo"),
        recipients=[_org(world, "lpo")],
        categories=["notes"],
        purpose="Samordning kring Sigrid",
        valid_from=today,
        valid_to=today + timedelta(days=90),
    )
    guardians = [c.guardian for c in Custody.objects.filter(child=world.sigrid, has_custody=True)]
    return do_record_consent(acting_user=world.sara, consent=consent, guardians=guardians, form="written")


def _pages(world, client):
    return {
        name: client.get(reverse(name, args=[world.sigrid.id]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        for name in ("casefile:child_concerns", "casefile:compass", "casefile:chronology")
    }


def test_it_records_the_writers_organisation(world, entries):
    conversation, assessment = entries
    assert conversation.organisation == _org(world, "ifo")
    assert assessment.organisation == _org(world, "ifo")


def test_it_records_the_organisation_of_the_active_position_through_the_page(world, client_for):
    client = client_for("sara", language="en")
    response = client.post(
        reverse("casefile:new_conversation", args=[world.sigrid.id]),
        {
            "held_on": timezone.localdate().isoformat(),
            "child_took_part": "on",
            "guardians_took_part": "on",
            "child_words": "Hej",
            "consent_status": "not_asked",
            "concern": "",
        },
    )
    assert response.status_code == 302
    assert Conversation.objects.get(child=world.sigrid).organisation == _org(world, "ifo")


def test_it_shows_the_writer_her_own_entries(world, entries, client_for):
    pages = _pages(world, client_for("sara", language="en"))
    assert NOTE in pages["casefile:child_concerns"]
    assert reverse("casefile:assessment", args=[world.sigrid.id, entries[1].id]) in pages["casefile:compass"]
    assert "Conversation with the child and family" in pages["casefile:chronology"]
    assert "Behovskompassen assessment" in pages["casefile:chronology"]
    assert not any(NOTICE in page for page in pages.values())


@pytest.mark.parametrize("persona", ["per", "rasmus"])
def test_it_hides_another_organisations_entries_without_consent(world, entries, client_for, persona):
    client = client_for(persona, language="en")
    pages = _pages(world, client)
    assert NOTE not in pages["casefile:child_concerns"]
    assert "Jag vill vara hemma" not in pages["casefile:child_concerns"]
    assert "No conversation is recorded." in pages["casefile:child_concerns"]
    assert str(entries[1].id) not in pages["casefile:compass"]
    assert "No assessment has been made yet." in pages["casefile:compass"]
    assert "<svg" not in pages["casefile:compass"]  # no chart points from the hidden assessment
    assert "Conversation with the child and family" not in pages["casefile:chronology"]
    assert "Behovskompassen assessment" not in pages["casefile:chronology"]
    for page in pages.values():
        assert NOTICE in page
    # The hidden assessment's own page is a 404, logged as denied.
    url = reverse("casefile:assessment", args=[world.sigrid.id, entries[1].id])
    assert client.get(url).status_code == 404
    assert AccessLog.objects.filter(
        user_id=world.users[persona].pk, object_id=str(entries[1].id), outcome="denied"
    ).exists()


@pytest.mark.parametrize("persona", ["per", "rasmus"])
def test_it_hides_them_in_the_api(world, entries, client_for, persona):
    client = client_for(persona)
    base = f"/api/children/{world.sigrid.id}"
    assert client.get(f"{base}/assessments").json() == []
    chronology = client.get(f"{base}/chronology").content.decode()
    assert "conversation" not in chronology and "assessment" not in chronology
    own = client_for("sara").get(f"{base}/assessments").json()
    assert [a["id"] for a in own] == [str(entries[1].id)]


def test_a_notes_consent_opens_the_conversation_but_not_the_assessment(world, entries, client_for):
    consent = _notes_consent_to_police(world)
    client = client_for("per", language="en")
    pages = _pages(world, client)
    assert NOTE in pages["casefile:child_concerns"]
    assert NOTICE not in pages["casefile:child_concerns"]
    assert "Conversation with the child and family" in pages["casefile:chronology"]
    assert "Behovskompassen assessment" not in pages["casefile:chronology"]
    assert str(entries[1].id) not in pages["casefile:compass"]
    assert NOTICE in pages["casefile:compass"]
    assert client.get(f"/api/children/{world.sigrid.id}/assessments").json() == []
    # The consent names the police, not the school.
    assert NOTE not in _pages(world, client_for("rasmus", language="en"))["casefile:child_concerns"]

    guardian = Custody.objects.get(child=world.sigrid).guardian
    do_withdraw_consent(acting_user=world.sara, consent=consent, by_guardian=guardian)
    pages = _pages(world, client)
    assert NOTE not in pages["casefile:child_concerns"]
    assert NOTICE in pages["casefile:child_concerns"]
    assert "Conversation with the child and family" not in pages["casefile:chronology"]


def test_an_entry_of_unknown_activity_is_shown_to_nobody(world, entries, client_for):
    # Secrecy runs between activities (verksamheter); a row whose writing activity is unknown
    # (not backfilled) is shown to no one, its own organisation included.
    Conversation.objects.update(organisation=None, activity=None)
    Assessment.objects.update(organisation=None, activity=None)
    pages = _pages(world, client_for("sara", language="en"))
    assert NOTE not in pages["casefile:child_concerns"]
    assert NOTICE in pages["casefile:child_concerns"]
    assert "Behovskompassen assessment" not in pages["casefile:chronology"]


def test_the_filter_costs_a_constant_number_of_queries(world, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("per")
    names = ("casefile:child_concerns", "casefile:compass", "casefile:chronology")

    def counts():
        result = {}
        for name in names:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(reverse(name, args=[world.sigrid.id])).status_code == 200
            result[name] = len(ctx.captured_queries)
        return result

    def add(n):
        for _ in range(n):
            do_record_conversation(
                acting_user=world.sara, child=world.sigrid, held_on=timezone.localdate(), child_words="x"
            )
            do_record_assessment(
                acting_user=world.sara,
                child=world.sigrid,
                assessed_on=timezone.localdate(),
                areas={"halsa": {"rating": 3}},
            )

    _notes_consent_to_police(world)  # so the scope also locks the consent it relies on (one more query)
    add(1)
    few = counts()
    add(3)
    assert counts() == few
