"""Nödåtkomst: reason, re-authentication, time limit, flagged log rows, review by someone else."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from backa.access.gate import visible_children
from backa.audit.models import AccessLog
from backa.consent.models import EmergencyAccess
from backa.consent.services import do_grant_emergency_access, do_review_emergency_access, raise_emergency_review_alerts
from backa.consent.tests.helpers import NOTE_MARKER
from backa.testing import PASSWORD

pytestmark = pytest.mark.django_db
REASON = f"Barnet är på akuten och behöver skydd nu {NOTE_MARKER}"


def _open(client, world, *, password=PASSWORD, reason=REASON, child=None):
    child = child or world.sigrid
    return client.post(
        reverse("access:emergency"), {"q": child.identity_number.formatted, "reason": reason, "password": password}
    )


def test_it_opens_a_child_outside_scope_for_a_few_hours_with_flagged_log_rows(world, client_for):
    client = client_for("britta")
    overview = reverse("casefile:overview", args=[world.sigrid.id])
    assert client.get(overview).status_code == 404
    response = _open(client, world)
    assert response.status_code == 302 and response["Location"] == overview
    assert client.get(overview).status_code == 200
    rows = AccessLog.objects.filter(user_id=world.britta.id, child_id=world.sigrid.id, outcome="allowed")
    assert rows.count() == 2 and all(r.emergency for r in rows)
    grant = EmergencyAccess.objects.get()
    assert grant.expires_at - grant.granted_at == timedelta(hours=4)
    # After the time limit the child is out of scope again.
    EmergencyAccess.objects.filter(pk=grant.pk).update(
        granted_at=timezone.now() - timedelta(hours=5), expires_at=timezone.now() - timedelta(hours=1)
    )
    assert client.get(overview).status_code == 404


def test_it_needs_the_password_again_and_a_real_reason(world, client_for):
    client = client_for("britta")
    response = _open(client, world, password="wrong-password-123")
    assert response.status_code == 400 and not EmergencyAccess.objects.exists()
    response = _open(client, world, reason="kort")
    assert response.status_code == 400 and "minst 20 tecken" in response.content.decode()
    assert world.sigrid not in visible_children(world.britta)


def test_an_unknown_number_is_refused_and_logged(world, client_for):
    from backa.synthetic.testnumbers import make_number

    client = client_for("britta")
    number = make_number(timezone.localdate() - timedelta(days=3000), 999)
    response = client.post(reverse("access:emergency"), {"q": number.formatted, "reason": REASON, "password": PASSWORD})
    assert response.status_code == 400
    assert (
        AccessLog.objects.filter(
            user_id=world.britta.id, action="emergency_access", outcome="denied", emergency=True
        ).count()
        == 1
    )


def test_a_role_holder_is_not_flagged_as_emergency(world, client_for):
    client_for("rasmus").get(reverse("casefile:overview", args=[world.sigrid.id]))
    assert not AccessLog.objects.filter(user_id=world.rasmus.id, emergency=True).exists()


def test_nobody_reviews_their_own_emergency_access(world, settings):
    # A municipality that lets its district administrators use emergency access too.
    settings.EMERGENCY_ACCESS_POSITION_KINDS = {"district_admin"}
    grant = do_grant_emergency_access(acting_user=world.ada, child=world.sigrid, reason=REASON)
    with pytest.raises(PermissionDenied):
        do_review_emergency_access(acting_user=world.ada, grant=grant, outcome="justified")
    with pytest.raises(IntegrityError), transaction.atomic():  # and the database refuses it too
        EmergencyAccess.objects.filter(pk=grant.pk).update(
            reviewed_by=world.ada, reviewed_at=timezone.now(), review_outcome="justified"
        )


def test_the_review_queue_shows_others_accesses_and_records_the_outcome(world, client_for, settings):
    from backa.accounts.models import Position, PositionKind

    settings.EMERGENCY_ACCESS_POSITION_KINDS = {"district_admin", "bvc_nurse"}

    own = do_grant_emergency_access(acting_user=world.ada, child=world.sigrid, reason=REASON)
    other = do_grant_emergency_access(acting_user=world.britta, child=world.sigrid, reason=REASON)
    client = client_for("ada")
    page = client.get(reverse("access:review_queue"))
    assert page.status_code == 200
    assert str(other.id).encode() in page.content and str(own.id).encode() not in page.content
    assert client_for("olle").get(reverse("access:review_queue")).status_code == 403  # a teacher is no reviewer
    client.post(reverse("access:review_emergency", args=[own.id]), {"outcome": "justified"})
    client.post(reverse("access:review_emergency", args=[other.id]), {"outcome": "not_justified", "note": "Följs upp"})
    other.refresh_from_db()
    own.refresh_from_db()
    assert other.reviewed_by == world.ada and other.review_outcome == "not_justified"
    assert own.reviewed_at is None
    assert Position.objects.filter(user=world.ada, kind=PositionKind.DISTRICT_ADMIN).exists()


def test_unreviewed_emergency_accesses_raise_an_alert(world, caplog):
    grant = do_grant_emergency_access(acting_user=world.britta, child=world.sigrid, reason=REASON)
    assert raise_emergency_review_alerts() == 0
    EmergencyAccess.objects.filter(pk=grant.pk).update(
        granted_at=timezone.now() - timedelta(days=4),
        expires_at=timezone.now() - timedelta(days=4) + timedelta(hours=4),
    )
    with caplog.at_level("WARNING"):
        assert raise_emergency_review_alerts() == 1
    assert str(grant.id) in caplog.text and "Sigrid" not in caplog.text


def test_only_positions_with_a_duty_of_care_or_protection_may_use_it(world, client_for):
    # A teacher and a district administrator: no menu entry, the page refused (a logged 403),
    # and the service refuses too.
    for persona in ("olle", "ada"):
        client = client_for(persona)
        assert reverse("access:emergency").encode() not in client.get(reverse("front:my_children")).content
        assert client.get(reverse("access:emergency")).status_code == 403
        assert _open(client, world).status_code == 403
        with pytest.raises(PermissionDenied):
            do_grant_emergency_access(acting_user=world.users[persona], child=world.sigrid, reason=REASON)
    assert not EmergencyAccess.objects.exists()
    assert AccessLog.objects.filter(user_id=world.olle.id, outcome="denied", object_id="emergency_access").count() == 2
    assert reverse("access:emergency").encode() in client_for("britta").get(reverse("front:my_children")).content


def test_it_reaches_only_children_of_the_positions_municipality(world, client_for):
    from backa.organisations.models import Municipality
    from backa.testing import make_child

    solna = Municipality.objects.create(code="0184", name="Solna")
    elsewhere = make_child(solna, None, "Signe", "Annanstans", timezone.localdate() - timedelta(days=2000), serial=987)
    response = _open(client_for("britta"), world, child=elsewhere)
    assert response.status_code == 400 and not EmergencyAccess.objects.exists()
    with pytest.raises(PermissionDenied):
        do_grant_emergency_access(acting_user=world.britta, child=elsewhere, reason=REASON)
