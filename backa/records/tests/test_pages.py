"""The records pages: who may open them, what they show, the feedback form, the footer links."""

import pytest
from django.urls import reverse
from django.utils import translation

from backa.accounts.models import PositionKind
from backa.audit.models import AccessLog
from backa.lib.readability import lix
from backa.records.models import AccessibilityFeedback, LegalHold, RetentionRule
from backa.records.notices import privacy_text
from backa.records.rules import DEFAULTS, ensure_default_rules
from backa.testing import force_verified_login, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def archivist(world, client):
    user, _position = make_user(
        "arkiv", "Arne", "Arkivarie", world.units["admin"], PositionKind.ARCHIVE_ADMIN, "Arkivansvarig"
    )
    force_verified_login(client, user)
    return user, client


def test_the_archive_administrator_edits_a_rule_and_sees_its_versions(world, archivist, django_assert_max_num_queries):
    user, client = archivist
    response = client.get(reverse("records:rules"))
    assert response.status_code == 200
    assert RetentionRule.objects.filter(municipality=world.municipality).count() == len(DEFAULTS)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("records:rules")).status_code == 200
    rule = RetentionRule.objects.get(municipality=world.municipality, record_type="concern", verksamhet="any")
    url = reverse("records:rule", args=[rule.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "version": 1,
            "start_event": rule.start_event,
            "period_months": 48,
            "disposal": rule.disposal,
            "source": rule.source,
            "confirmed_by_archivist": "on",
            "reason": "KF 2026-12-01 § 12",
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.version == 2 and rule.period_months == 48 and rule.confirmed_by_archivist
    # An old form (version 1) is refused and changes nothing.
    response = client.post(
        url,
        {
            "version": 1,
            "start_event": rule.start_event,
            "period_months": 1,
            "disposal": rule.disposal,
            "source": "x",
            "reason": "y",
        },
    )
    assert response.status_code == 200
    rule.refresh_from_db()
    assert rule.period_months == 48
    assert "Reload" in response.content.decode() or "Ladda om" in response.content.decode()


def test_a_hold_is_placed_on_a_child_by_number_and_released(world, archivist):
    user, client = archivist
    number = world.sigrid.identity_number.digits
    response = client.post(
        reverse("records:holds"),
        {"number": str(number), "reason": "complaint", "reference": "Dnr 1", "owner": user.pk, "ends_on": "2030-01-01"},
    )
    assert response.status_code == 302, response.context["form"].errors
    hold = LegalHold.objects.get()
    assert hold.child_id == world.sigrid.pk
    assert AccessLog.objects.filter(object_type="legal_hold", child_id=world.sigrid.pk, action="create").exists()
    assert client.get(reverse("records:holds")).status_code == 200
    assert client.post(reverse("records:hold_release", args=[hold.pk])).status_code == 302
    hold.refresh_from_db()
    assert hold.released_at is not None
    # Neither child nor record type: refused, nothing placed.
    response = client.post(
        reverse("records:holds"), {"reason": "court", "reference": "T 1", "owner": user.pk, "ends_on": "2030-01-01"}
    )
    assert response.status_code == 200 and LegalHold.objects.count() == 1


def test_the_purge_page_lists_what_would_go(world, archivist):
    _user, client = archivist
    ensure_default_rules(world.municipality)
    assert client.get(reverse("records:purges")).status_code == 200


def test_others_are_refused_the_archive_pages(world, client_for):
    client = client_for("rasmus")
    for name in ("records:rules", "records:holds", "records:purges", "records:ropa"):
        assert client.get(reverse(name)).status_code == 403


def test_the_record_of_processing_page_and_csv(world, client_for):
    client = client_for("ada")  # a district administrator
    response = client.get(reverse("records:ropa"))
    assert response.status_code == 200
    assert "SoLPUL" in response.content.decode()
    csv = client.get(reverse("records:ropa") + "?format=csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert AccessLog.objects.filter(object_type="record_of_processing", action="export").count() == 1


def test_the_privacy_notice_is_plain_swedish(client):
    with translation.override("sv"):
        text = privacy_text()
        assert "Vi sparar ditt barns namn" in text  # the Swedish text, not the English source
        assert lix(text) <= 40, lix(text)
    response = client.get(reverse("records:privacy"))
    assert response.status_code == 200


def test_the_accessibility_statement_takes_feedback_without_login(client, world):
    response = client.get(reverse("records:accessibility"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "https://www.digg.se/tdosanmalan" in body
    assert "2018:1937" in body
    assert client.post(reverse("records:accessibility"), {"message": ""}).status_code == 200
    assert not AccessibilityFeedback.objects.exists()
    response = client.post(reverse("records:accessibility"), {"page": "Planen", "message": "Knappen syns inte"})
    assert response.status_code == 302
    assert AccessibilityFeedback.objects.get().message == "Knappen syns inte"


def test_every_page_links_the_statement_from_its_footer(client, client_for):
    statement = reverse("records:accessibility")
    for page in (client.get(reverse("accounts:login")), client_for("rasmus").get(reverse("front:my_children"))):
        assert f'href="{statement}"' in page.content.decode()
