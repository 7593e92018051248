"""Account and security events (issues 15.10, 21.5): a row in the append-only table and a JSON
line on the security stream, with ids and codes only."""

import io
import json
import logging
from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from backa.accounts.models import Position, SecurityEvent
from backa.accounts.tests.test_totp import enrol_and_verify, password_login
from backa.lib.jsonlog import JsonFormatter
from backa.synthetic.testnumbers import make_number
from backa.testing import PASSWORD

pytestmark = pytest.mark.django_db


def kinds():
    return list(SecurityEvent.objects.order_by("id").values_list("kind", flat=True))


def test_totp_enrolment_and_a_wrong_code_are_recorded(world):
    client = Client()
    password_login(client)
    assert enrol_and_verify(client).status_code == 302
    event = SecurityEvent.objects.get(kind="totp_enrolled")
    assert event.subject_user_id == world.rasmus.pk == event.actor_id
    assert event.request_id is not None
    client = Client()
    password_login(client)
    client.post(reverse("accounts:totp_verify"), {"token": "000000"})
    assert SecurityEvent.objects.filter(
        kind="totp_failed", subject_user_id=world.rasmus.pk, reason="wrong_code"
    ).exists()


def test_an_administrators_totp_reset_is_recorded_with_who_did_it(world, client_for):
    device = TOTPDevice.objects.create(user=world.rasmus, name="app", confirmed=True)
    world.ada.is_staff = world.ada.is_superuser = True
    world.ada.save()
    client_for("ada").post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    event = SecurityEvent.objects.get(kind="totp_reset")
    assert (event.actor_id, event.subject_user_id) == (world.ada.pk, world.rasmus.pk)


def test_a_refused_login_is_recorded_without_the_typed_name(world, caplog):
    number = make_number(date(1980, 5, 17), 983).formatted  # a personnummer typed as a login name
    with caplog.at_level(logging.INFO, logger="backa.security.events"):
        Client().post(reverse("accounts:login"), {"username": number, "password": "wrong-" + PASSWORD})
    event = SecurityEvent.objects.get(kind="login_refused")
    assert event.reason == "password" and event.subject_user_id is None
    row = json.dumps(list(SecurityEvent.objects.values()), default=str)
    assert number not in row and number.replace("-", "") not in row
    lines = [JsonFormatter().format(r) for r in caplog.records if r.name == "backa.security.events"]
    assert lines and all(number not in line for line in lines)
    assert json.loads(lines[-1])["event"] == "login_refused"


def test_a_position_switch_is_recorded(world, client_for):
    second = Position.objects.create(user=world.rasmus, unit=world.units["admin"], kind="manager", role_title="Chef")
    client_for("rasmus").post(reverse("accounts:switch_position"), {"position": str(second.id)})
    event = SecurityEvent.objects.get(kind="position_switched")
    assert event.detail["position_id"] == str(second.id) and event.subject_user_id == world.rasmus.pk


def test_disabling_a_user_is_recorded(world):
    world.rasmus.is_active = False
    world.rasmus.save()
    assert SecurityEvent.objects.get(kind="user_disabled").subject_user_id == world.rasmus.pk


def test_provisioning_a_staff_identity_is_recorded_with_the_field_names_only(world, monkeypatch):
    number = make_number(date(1979, 4, 2), 987)
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{number.formatted}\n\n"))
    from django.core.management import call_command

    call_command("provision_staff_identity", "britta", stdout=io.StringIO(), hsa_id="SE2321000016-1234")
    event = SecurityEvent.objects.get(kind="staff_identity_provisioned")
    assert event.subject_user_id == world.britta.pk
    assert event.detail == {"fields": "personnummer,hsa_id"}
    assert number.digits not in json.dumps(event.detail)


def test_emergency_access_granted_is_recorded(world):
    from backa.consent.services import do_grant_emergency_access

    grant = do_grant_emergency_access(
        acting_user=world.britta, child=world.sigrid, reason="Akut fara för barnet, polisen ringde nyss"
    )
    event = SecurityEvent.objects.get(kind="emergency_access_granted")
    assert event.actor_id == world.britta.pk
    assert event.detail == {"child_id": str(world.sigrid.pk), "grant_id": str(grant.pk)}


def test_a_denied_access_goes_to_the_security_stream(world, client_for, caplog):
    other = world.sigrid
    with caplog.at_level(logging.INFO, logger="backa.security.events"):
        client_for("olle").get(reverse("casefile:overview", args=[other.id]))
    records = [r for r in caplog.records if r.name == "backa.security.events" and r.event == "access_denied"]
    assert records and records[0].actor_id == str(world.olle.pk)


def test_the_event_table_is_append_only():
    from backa.accounts import events

    events.record("user_disabled")
    for statement in ("UPDATE accounts_securityevent SET reason = 'x'", "DELETE FROM accounts_securityevent"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert kinds() == ["user_disabled"]
    with pytest.raises(ValueError):
        events.record("not_a_kind")
