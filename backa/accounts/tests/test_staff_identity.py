"""Provisioning a professional's identity: keyed hashes only, never clear text."""

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from backa.accounts.models import SecurityEvent
from backa.lib import identity
from backa.synthetic.testnumbers import make_number

pytestmark = pytest.mark.django_db


def provision(monkeypatch, username, text, **options):
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    out = io.StringIO()
    call_command("provision_staff_identity", username, stdout=out, **options)
    return out.getvalue()


def test_the_number_and_address_are_stored_as_keyed_hashes_only(world, monkeypatch):
    number = make_number(date(1979, 4, 2), 987)
    output = provision(
        monkeypatch, "britta", f"{number.formatted}\nStorgatan 1, 123 45 Stockholm\n", employee_id="B-7@2120000142"
    )
    world.britta.refresh_from_db()
    assert world.britta.pnr_hash == identity.lookup_hash(number)
    assert world.britta.home_address_hash == identity.address_hash("storgatan 1 12345 STOCKHOLM")
    assert world.britta.employee_id == "B-7@2120000142"
    stored = " ".join(str(v) for v in world.britta.__dict__.values())
    assert number.digits not in stored and number.digits[2:8] not in stored and "Storgatan" not in stored
    assert number.digits not in output
    # Empty lines leave the values as they were.
    provision(monkeypatch, "britta", "\n\n")
    world.britta.refresh_from_db()
    assert world.britta.pnr_hash == identity.lookup_hash(number)


def test_the_federation_principal_name_is_provisioned_for_saml_login(world, monkeypatch):
    provision(monkeypatch, "rasmus", "\n\n", eppn="rasmus.rektorsson@skola.example")
    world.rasmus.refresh_from_db()
    assert world.rasmus.eppn == "rasmus.rektorsson@skola.example"
    assert SecurityEvent.objects.filter(kind="staff_identity_provisioned").latest("id").detail == {"fields": "eppn"}


def test_a_bad_or_duplicate_number_is_refused_with_nothing_changed(world, monkeypatch):
    number = make_number(date(1979, 4, 2), 987)
    provision(monkeypatch, "britta", f"{number.digits}\n\n")
    with pytest.raises(CommandError, match="(?i)check digit|kontrollsiffran"):
        provision(monkeypatch, "rasmus", number.digits[:-1] + str((int(number.digits[-1]) + 1) % 10) + "\n\n")
    with pytest.raises(CommandError, match="already has"):
        provision(monkeypatch, "rasmus", f"{number.digits}\nNågonstans 2\n")
    world.rasmus.refresh_from_db()
    assert world.rasmus.pnr_hash is None and world.rasmus.home_address_hash == ""


def test_the_address_hash_is_not_the_number_hash_and_ignores_spelling_noise():
    assert identity.address_hash("Storgatan 1 B, 123 45 Stockholm") == identity.address_hash(
        "storgatan 1b 12345 STOCKHOLM"
    )
    assert identity.address_hash("Storgatan 1") != identity.address_hash("Storgatan 11")
    assert identity.address_hash("") == "" and identity.address_hash(" , ") == ""
