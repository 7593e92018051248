"""The barnkontakt start page, handover pages, choosing a barnkontakt, and the district dashboard."""

import uuid
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from backa.audit.models import AccessLog
from backa.roles.models import Handover, HandoverStatus, RoleAssignment, RoleKind, role_active_on
from backa.roles.services import do_derive_barnkontakt
from backa.roles.tests.helpers import add_life_phase_units, child_at, enrol

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def w(world):
    return add_life_phase_units(world)


@pytest.fixture
def handover(w):
    child = child_at(w, "Överlämnad", TODAY - timedelta(days=800), "bvc", barnkontakt="britta", serial=990)
    enrol(w, child, "forskola", TODAY)
    do_derive_barnkontakt(child)
    return Handover.objects.get(child=child)


def test_the_start_page_lists_the_barnkontakts_children_and_tasks(
    w, client_for, handover, django_assert_max_num_queries
):
    client = client_for("britta")
    with django_assert_max_num_queries(16):
        response = client.get(reverse("front:barnkontakt"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Andersson, Ivar" in body and "Hemlig, Hedda" in body and "Sigrid" not in body
    assert reverse("front:handover", args=[handover.id]) in body
    assert AccessLog.objects.filter(user_id=w.britta.id, purpose="barnkontakt_start").count() == 3


def test_the_sender_prepares_and_the_receiver_accepts_through_the_pages(w, client_for, handover):
    url = reverse("front:handover", args=[handover.id])
    sender = client_for("britta")
    assert sender.get(url).status_code == 200
    response = sender.post(url, {"action": "prepare", "basis": "contact_only", "items": ["plan"]})
    assert response.status_code == 200 and 'class="error-summary"' in response.content.decode()
    response = sender.post(
        url, {"action": "prepare", "basis": "legal_basis", "legal_basis": "osl_10_28", "items": ["plan"]}
    )
    assert response.status_code == 302
    receiver = client_for("fiona")
    assert "Överlämnad" in receiver.get(reverse("front:handovers")).content.decode()
    page = receiver.get(url)
    assert page.status_code == 200 and 'value="accept"' in page.content.decode()
    # The basis is cited from the legal-reference table, which a lawyer keeps right.
    assert "10 kap. 28 § offentlighets- och sekretesslagen (2009:400)" in page.content.decode()
    assert AccessLog.objects.filter(
        user_id=w.users["fiona"].id, object_type="handover", purpose="handover_receiver"
    ).exists()
    response = receiver.post(url, {"action": "accept", "family_informed_how": ""})
    assert (
        response.status_code == 200
        and 'aria-describedby="id_family_informed_how_help id_family_informed_how_error"' in response.content.decode()
    )
    response = receiver.post(url, {"action": "accept", "family_informed_how": "Brev"})
    assert response.status_code == 302
    assert receiver.get(response.url).status_code == 200  # the child's overview now opens for the receiver
    handover.refresh_from_db()
    assert (handover.status, handover.basis, handover.legal_basis, handover.items) == (
        HandoverStatus.ACCEPTED,
        "legal_basis",
        "osl_10_28",
        ["plan"],
    )


def test_a_stranger_or_an_unknown_id_gets_a_logged_404(w, client_for, handover):
    client = client_for("olle")
    assert client.get(reverse("front:handover", args=[handover.id])).status_code == 404
    assert client.get(reverse("front:handover", args=[uuid.uuid4()])).status_code == 404
    assert AccessLog.objects.filter(user_id=w.olle.id, object_type="handover", outcome="denied").count() == 2
    # The sender cannot accept their own handover.
    response = client_for("britta").post(
        reverse("front:handover", args=[handover.id]), {"action": "accept", "family_informed_how": "x"}
    )
    assert response.status_code == 403
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.PENDING


def test_a_rektor_chooses_a_delegate_as_barnkontakt(w, client_for):
    url = reverse("casefile:barnkontakt", args=[w.sigrid.id])
    rektor = client_for("rasmus")
    page = rektor.get(url)
    assert page.status_code == 200 and 'name="position"' in page.content.decode()
    response = rektor.post(url, {"position": str(w.positions["olle"].id), "reason": "Mentor"})
    assert response.status_code == 302
    current = RoleAssignment.objects.filter(role_active_on(TODAY), child=w.sigrid, kind=RoleKind.BARNKONTAKT)
    assert [a.position.user.username for a in current] == ["olle"]
    # Someone without a manager post sees the page but cannot change anything.
    social = client_for("sara")
    assert 'name="position"' not in social.get(url).content.decode()
    assert social.post(url, {"position": str(w.positions["sara"].id), "reason": "x"}).status_code == 403


def test_the_district_dashboard_shows_numbers_that_link_to_breakdowns_without_names(
    w, client_for, handover, django_assert_max_num_queries
):
    Handover.objects.filter(pk=handover.pk).update(target_date=TODAY - timedelta(days=3))
    child_at(w, "Utan", date(TODAY.year - 9, 1, 5), "school", serial=991)  # enrolled, no barnkontakt yet
    client = client_for("ada")
    with django_assert_max_num_queries(20):
        response = client.get(reverse("front:district"))
    assert response.status_code == 200
    summary = response.context
    assert summary["counts"]["overdue"] == 1
    assert summary["counts"]["without"] == 1  # Utan (Nils lives in Farsta)
    links = [reverse("front:district_without"), reverse("front:district_overdue")] + [
        reverse("front:district_transition", args=[k]) for k in ("forskoleklass", "gymnasium", "age_18", "birth")
    ]
    body = response.content.decode()
    for link in links:
        assert link in body
        page = client.get(link)
        assert page.status_code == 200
        for name in ("Utan", "Överlämnad", "Ivar", "Sigrid", "Hedda"):
            assert name not in page.content.decode()
    without = client.get(reverse("front:district_without")).content.decode()
    assert "Ängsskolan" in without
    overdue = client.get(reverse("front:district_overdue")).content.decode()
    assert "Britta Berg" in overdue and "Fiona" in overdue


def test_only_district_administrators_see_the_dashboard(w, client_for):
    for persona in ("britta", "olle", "sara"):
        assert client_for(persona).get(reverse("front:district")).status_code == 403
    assert client_for("ada").get(reverse("front:district_transition", args=["nonsense"])).status_code == 404
    farsta = client_for("fanny").get(reverse("front:district"))
    assert farsta.status_code == 200 and farsta.context["district"] == w.farsta
