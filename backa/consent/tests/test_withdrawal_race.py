"""A read of shared entries racing a withdrawal of the consent that allows it: the read
either comes first (and is logged before the withdrawal time) or it is denied."""

import threading
import time

import pytest
from django.db import connection, transaction

from backa.audit.log import Action, ObjectType, log_access
from backa.audit.models import AccessLog
from backa.consent.access import sharing_scope
from backa.consent.models import Consent
from backa.consent.services import do_withdraw_consent
from backa.consent.tests.helpers import given_consent, orgs

pytestmark = pytest.mark.django_db(transaction=True)


def _read(world, child, result):
    """What a page showing the school's view of IFO notes does, in its own transaction."""
    try:
        with transaction.atomic():
            scope = sharing_scope(orgs(world)["school"], child, lock=True)
            allowed = scope.allows(orgs(world)["ifo"], "notes")
            if allowed:
                log_access(
                    user=world.rasmus, action=Action.VIEW, child=child, object_type=ObjectType.CHILD, purpose="consent"
                )
                time.sleep(0.3)  # hold the read open while the withdrawal tries
            result["allowed"] = allowed
    finally:
        connection.close()


def _withdraw(world, consent, delay=0.0, hold=0.0):
    try:
        time.sleep(delay)
        with transaction.atomic():
            do_withdraw_consent(acting_user=world.sara, consent=consent, by_child=True)
            time.sleep(hold)
    finally:
        connection.close()


def test_a_read_that_starts_first_is_logged_before_the_withdrawal(world):
    consent = given_consent(
        world, disclosing=orgs(world)["ifo"], recipients=[orgs(world)["school"]], categories=["notes"]
    )
    result = {}
    reader = threading.Thread(target=_read, args=(world, world.sigrid, result))
    writer = threading.Thread(target=_withdraw, args=(world, consent, 0.1))
    reader.start()
    writer.start()
    reader.join()
    writer.join()
    consent = Consent.objects.get(pk=consent.pk)
    assert result["allowed"] is True
    read = AccessLog.objects.get(object_type=ObjectType.CHILD)
    assert read.occurred_at < consent.withdrawn_at


def test_a_read_that_arrives_during_a_withdrawal_is_denied(world):
    consent = given_consent(
        world, disclosing=orgs(world)["ifo"], recipients=[orgs(world)["school"]], categories=["notes"]
    )
    result = {}
    writer = threading.Thread(target=_withdraw, args=(world, consent, 0.0, 0.4))
    reader = threading.Thread(target=lambda: (time.sleep(0.1), _read(world, world.sigrid, result)))
    writer.start()
    reader.start()
    writer.join()
    reader.join()
    assert result["allowed"] is False
    assert not AccessLog.objects.filter(object_type=ObjectType.CHILD).exists()
