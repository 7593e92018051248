"""Requesting, recording, withdrawing and renewing consent, through services and pages."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from backa.audit.models import AccessLog
from backa.children.models import Custody, Guardian
from backa.consent.access import may_see
from backa.consent.models import Category, Consent, ConsentReminder, ConsentStatus, DisclosureRecord
from backa.consent.services import (
    create_expiry_reminders,
    do_record_consent,
    do_record_disclosure,
    do_renew_consent,
    do_request_consent,
    do_withdraw_consent,
)
from backa.consent.tests.helpers import NOTE_MARKER, given_consent, orgs

pytestmark = pytest.mark.django_db


def _request(world, **kwargs):
    o = orgs(world)
    today = timezone.localdate()
    defaults = dict(
        acting_user=world.sara,
        child=world.sigrid,
        disclosing_organisation=o["ifo"],
        recipients=[o["school"]],
        categories=[Category.NOTES],
        purpose="Samordning",
        valid_from=today,
        valid_to=today + timedelta(days=90),
    )
    defaults.update(kwargs)
    return do_request_consent(**defaults)


def test_it_needs_every_guardian_with_custody(world):
    second = Guardian.objects.create(municipality=world.municipality, given_name="Bo", family_name="Nilsson")
    Custody.objects.create(child=world.sigrid, municipality=world.municipality, guardian=second)
    consent = _request(world)
    anna = world.sigrid.custodies.exclude(guardian=second).get().guardian
    with pytest.raises(ValidationError) as error:
        do_record_consent(acting_user=world.sara, consent=consent, guardians=[anna], form="written")
    assert "Varje vårdnadshavare måste samtycka." in str(error.value)
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.REQUESTED  # nothing half-saved
    do_record_consent(
        acting_user=world.sara, consent=consent, guardians=[anna, second], form="oral", form_note="Telefon"
    )
    assert may_see(orgs(world)["school"], orgs(world)["ifo"], Category.NOTES, world.sigrid)


def test_a_mature_child_may_consent_alone_but_never_under_twelve(world):
    consent = _request(world)  # Sigrid is ten
    with pytest.raises(ValidationError) as error:
        do_record_consent(acting_user=world.sara, consent=consent, by_child=True, child_judged_mature=True, form="oral")
    assert "under 12 år" in str(error.value)


def test_only_a_guardian_with_custody_can_consent(world):
    stranger = Guardian.objects.create(municipality=world.municipality, given_name="X", family_name="Y")
    consent = _request(world)
    with pytest.raises(ValidationError):
        do_record_consent(acting_user=world.sara, consent=consent, guardians=[stranger], form="written")


def test_scope_errors_are_clear_and_save_nothing(world):
    o = orgs(world)
    with pytest.raises(ValidationError) as error:
        _request(world, recipients=[o["ifo"]], categories=[])
    text = str(error.value)
    # Naming the own board is allowed since activities are the secrecy unit (decision 0015): it
    # opens the board's activities to each other. An empty category list is still refused.
    assert "minst en informationskategori" in text and "sin egen mottagare" not in text
    assert not Consent.objects.exists()


def test_withdrawal_and_renewal_are_recorded_and_logged(world):
    consent = given_consent(
        world, disclosing=orgs(world)["ifo"], recipients=[orgs(world)["school"]], categories=["notes"]
    )
    renewal = do_renew_consent(acting_user=world.sara, consent=consent, valid_to=consent.valid_to + timedelta(days=365))
    assert renewal.status == ConsentStatus.REQUESTED and renewal.renews == consent
    assert renewal.valid_from == consent.valid_to + timedelta(days=1)
    do_withdraw_consent(acting_user=world.sara, consent=consent, by_child=True, note=NOTE_MARKER)
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.WITHDRAWN and consent.withdrawn_by_child
    purposes = set(
        AccessLog.objects.filter(object_type="consent", object_id=str(consent.pk)).values_list("purpose", flat=True)
    )
    assert purposes == {"consent_request", "consent_given", "consent_withdrawn"}


def test_reminders_are_created_once_before_expiry(world):
    given_consent(
        world, disclosing=orgs(world)["ifo"], recipients=[orgs(world)["school"]], categories=["notes"], days=20
    )
    given_consent(
        world,
        disclosing=orgs(world)["school"],
        recipients=[orgs(world)["ifo"]],
        categories=["notes"],
        days=200,
        acting="rasmus",
    )
    assert create_expiry_reminders() == 1
    assert create_expiry_reminders() == 0
    assert ConsentReminder.objects.count() == 1


def test_a_disclosure_on_consent_must_be_covered_and_a_refusal_is_recorded(world):
    o = orgs(world)
    consent = given_consent(world, disclosing=o["ifo"], recipients=[o["school"]], categories=["notes"])
    with pytest.raises(ValidationError):
        do_record_disclosure(
            acting_user=world.sara,
            child=world.sigrid,
            from_organisation=o["ifo"],
            to_organisation=o["police"],
            shared=True,
            basis="consent",
            consent=consent,
            categories=["notes"],
            what="Anteckning",
        )
    do_record_disclosure(
        acting_user=world.sara,
        child=world.sigrid,
        from_organisation=o["ifo"],
        to_organisation=o["school"],
        shared=True,
        basis="consent",
        consent=consent,
        categories=["notes"],
        what="Anteckning",
    )
    do_record_disclosure(
        acting_user=world.sara,
        child=world.sigrid,
        from_organisation=o["ifo"],
        to_organisation=o["police"],
        shared=False,
        basis="consent",
        categories=["notes"],
        what="Begäran",
        justification="Ingen grund",
    )
    assert list(DisclosureRecord.objects.order_by("decided_at").values_list("shared", "basis")) == [
        (True, "consent"),
        (False, "none"),
    ]
    assert AccessLog.objects.filter(action="disclose", child_id=world.sigrid.id).count() == 2


def test_a_report_of_concern_is_never_blocked_by_missing_consent(world):
    o = orgs(world)
    record = do_record_disclosure(
        acting_user=world.rasmus,
        child=world.sigrid,
        from_organisation=o["school"],
        to_organisation=o["ifo"],
        shared=True,
        basis="duty_to_report",
        categories=["notes"],
        what="Orosanmälan",
    )
    assert record.shared and record.consent is None


def test_the_consent_pages_record_and_withdraw(world, client_for):
    o = orgs(world)
    client = client_for("sara")
    anna = world.sigrid.custodies.get().guardian
    today = timezone.localdate()
    response = client.post(
        reverse("casefile:consent_new", args=[world.sigrid.id]),
        {
            "recipients": [str(o["school"].pk)],
            "categories": ["notes", "meeting_minutes"],
            "purpose": "Samordning",
            "valid_from": today.isoformat(),
            "valid_to": (today + timedelta(days=30)).isoformat(),
            "given_now": "on",
            "guardians": [str(anna.pk)],
            "form": "written",
            "form_note": NOTE_MARKER,
        },
    )
    consent = Consent.objects.get()
    assert response.status_code == 302 and consent.status == ConsentStatus.ACTIVE
    page = client.get(reverse("casefile:consent_list", args=[world.sigrid.id]))
    assert "Ängsskolan".encode() not in page.content and b"Utbildningsn" in page.content
    # The recipient sees the consent too; the police, not named, do not.
    assert (
        client_for("rasmus").get(reverse("casefile:consent_detail", args=[world.sigrid.id, consent.id])).status_code
        == 200
    )
    assert (
        client_for("per").get(reverse("casefile:consent_detail", args=[world.sigrid.id, consent.id])).status_code == 404
    )
    # Only the disclosing organisation changes it.
    assert (
        client_for("rasmus")
        .post(
            reverse("casefile:consent_detail", args=[world.sigrid.id, consent.id]),
            {"action": "withdraw", "withdrawn_by": "child"},
        )
        .status_code
        == 403
    )
    response = client.post(
        reverse("casefile:consent_detail", args=[world.sigrid.id, consent.id]),
        {"action": "withdraw", "withdrawn_by": str(anna.pk)},
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.WITHDRAWN


def test_an_incomplete_consent_form_explains_and_saves_nothing(world, client_for):
    client = client_for("sara")
    today = timezone.localdate()
    response = client.post(
        reverse("casefile:consent_new", args=[world.sigrid.id]),
        {
            "recipients": [str(orgs(world)["school"].pk)],
            "categories": ["notes"],
            "purpose": "x",
            "valid_from": today.isoformat(),
            "valid_to": today.isoformat(),
            "given_now": "on",
            "form": "written",
        },
    )
    assert response.status_code == 400
    assert "Varje vårdnadshavare måste samtycka." in response.content.decode()
    assert not Consent.objects.exists()


def test_consent_detail_is_404_out_of_scope_and_for_unknown_ids(world, client_for):
    import uuid

    consent = given_consent(
        world, disclosing=orgs(world)["ifo"], recipients=[orgs(world)["school"]], categories=["notes"]
    )
    url = reverse("casefile:consent_detail", args=[world.sigrid.id, consent.id])
    assert client_for("olle").get(url).status_code == 404
    assert AccessLog.objects.filter(user_id=world.olle.id, outcome="denied").count() == 1
    assert (
        client_for("sara").get(reverse("casefile:consent_detail", args=[world.sigrid.id, uuid.uuid4()])).status_code
        == 404
    )
    # A consent of another child through this child's URL is not found either.
    assert (
        client_for("britta").get(reverse("casefile:consent_detail", args=[world.ivar.id, consent.id])).status_code
        == 404
    )


def test_a_requested_consent_is_answered_on_its_page(world, client_for):
    consent = _request(world)
    anna = world.sigrid.custodies.get().guardian
    client = client_for("sara")
    url = reverse("casefile:consent_detail", args=[world.sigrid.id, consent.id])
    assert client.post(url, {"action": "given", "form": "written"}).status_code == 400  # no guardian chosen
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.REQUESTED
    assert client.post(url, {"action": "given", "form": "oral", "guardians": [str(anna.pk)]}).status_code == 302
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.ACTIVE and consent.form == "oral"
    renewal = do_renew_consent(acting_user=world.sara, consent=consent, valid_to=consent.valid_to + timedelta(days=90))
    client.post(reverse("casefile:consent_detail", args=[world.sigrid.id, renewal.id]), {"action": "refused"})
    renewal.refresh_from_db()
    assert renewal.status == ConsentStatus.REFUSED


def test_the_database_refuses_to_change_or_delete_a_disclosure_record(world):
    from django.db import DatabaseError, transaction

    o = orgs(world)
    record = do_record_disclosure(
        acting_user=world.rasmus,
        child=world.sigrid,
        from_organisation=o["school"],
        to_organisation=o["ifo"],
        shared=True,
        basis="duty_to_report",
        categories=["notes"],
        what="Orosanmälan",
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        DisclosureRecord.objects.filter(pk=record.pk).update(what="ändrat")
    with pytest.raises(DatabaseError), transaction.atomic():
        DisclosureRecord.objects.filter(pk=record.pk).delete()
