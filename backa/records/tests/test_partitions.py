"""Whole access-log partitions past five years are dropped; the seal chain stays verifiable."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from backa.audit.models import AccessLog, DroppedPartition
from backa.operations.seal import seal_closed_periods, verify_chain
from backa.records.holds import do_place_hold
from backa.records.models import HoldReason, PurgeRecord
from backa.records.purge import months_before, plan_purge, run_purge
from backa.records.rules import ensure_default_rules

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def _log(at, child_id, n=3):
    for i in range(n):
        AccessLog.objects.create(
            occurred_at=at + timedelta(hours=i),
            user_id=uuid.uuid4(),
            child_id=child_id,
            object_type="child",
            object_id=str(child_id),
            action="view",
            outcome="allowed",
            purpose="barnkontakt",
        )


@pytest.fixture
def old_log(world):
    ensure_default_rules(world.municipality)
    _log(datetime(2024, 1, 10, 9, tzinfo=UTC), uuid.uuid4(), 4)
    _log(datetime(2025, 6, 10, 9, tzinfo=UTC), world.sigrid.pk, 2)
    return world


def _seal():
    """Daily seals from January 2024 to some forty days past the test's clock (so the whole of
    the current month is sealed; nothing is logged after this in these tests until the purge)."""
    return seal_closed_periods(
        now=timezone.now() + timedelta(days=40), period=DAY, since=datetime(2024, 1, 1, tzinfo=UTC), limit=5000
    )


def _next_month_start(moment) -> datetime:
    """The first instant of the month after `moment`'s: five years and a month on, the cutoff."""
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    return datetime(year, month, 1, tzinfo=UTC)


def _verify():
    with connection.cursor() as cursor:
        return verify_chain(cursor)


def test_partitions_past_five_years_are_dropped_and_the_chain_still_verifies(old_log, frozen_clock):
    seals = _seal()
    start = timezone.now()
    cutoff = _next_month_start(start)
    assert _verify().ok
    frozen_clock.move_to(months_before(start, -61))  # five years and a month on: cutoff next month
    listed = {p["partition"]: p for p in plan_purge().partitions}
    assert listed["audit_accesslog_202401"]["rows"] == 4 and not listed["audit_accesslog_202401"]["skipped"]
    before_cutoff = AccessLog.objects.filter(occurred_at__lt=cutoff).count()

    run = run_purge()

    records = PurgeRecord.objects.filter(run=run, record_type="access_log")
    assert {r.partition for r in records} == set(listed)
    assert sum(r.count for r in records) == before_cutoff
    january = records.get(partition="audit_accesslog_202401")
    assert january.count == 4 and january.counts == {"audit.AccessLog": 4} and january.details["seals"] == 31
    assert not AccessLog.objects.filter(occurred_at__lt=cutoff).exists()
    assert DroppedPartition.objects.count() == len(listed)
    report = _verify()
    assert report.ok, report.broken
    dropped_seals = [s for s in seals if s.ends_at <= cutoff]
    assert report.purged_seals == len(dropped_seals)
    assert report.purged_rows == before_cutoff
    # Nothing left to drop.
    assert not PurgeRecord.objects.filter(run=run_purge(), record_type="access_log").exists()


def test_a_row_reappearing_in_a_dropped_period_breaks_the_chain(old_log, frozen_clock):
    _seal()
    start = timezone.now()
    frozen_clock.move_to(months_before(start, -61))
    run_purge()
    assert _verify().ok
    # Restored from an old copy, say: the default partition takes it.
    _log(datetime(2024, 1, 10, 9, tzinfo=UTC), uuid.uuid4(), 1)
    report = _verify()
    assert not report.ok
    assert "partition was dropped" in report.broken[0].reason


def test_a_held_childs_log_partition_is_kept(old_log, frozen_clock):
    world = old_log
    start = timezone.now()
    do_place_hold(
        acting_user=world.users["ada"],
        municipality=world.municipality,
        child=world.sigrid,
        reason=HoldReason.COURT,
        reference="T 1234-26",
        owner=world.users["ada"],
        ends_on=timezone.localdate() + timedelta(days=365 * 10),
    )
    _seal()
    frozen_clock.move_to(months_before(start, -61))
    listed = {p["partition"]: p["skipped"] for p in plan_purge().partitions}
    assert listed["audit_accesslog_202506"] == "held"
    run_purge()
    assert AccessLog.objects.filter(child_id=world.sigrid.pk, occurred_at__year=2025).count() == 2
    assert not AccessLog.objects.filter(occurred_at__year=2024).exists()
    assert _verify().ok


def test_an_unsealed_partition_is_not_dropped(world, frozen_clock):
    ensure_default_rules(world.municipality)
    _log(datetime(2024, 3, 10, 9, tzinfo=UTC), uuid.uuid4(), 2)
    frozen_clock.move_to(months_before(timezone.now(), -61))
    listed = {p["partition"]: p["skipped"] for p in plan_purge().partitions}
    assert listed["audit_accesslog_202403"] == "not_sealed"
    run_purge()
    assert AccessLog.objects.filter(occurred_at__year=2024).count() == 2
