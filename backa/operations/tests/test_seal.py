"""The access-log seal chain: sealing closed periods, and any later change detected."""

import uuid
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from backa.audit.models import AccessLog
from backa.operations.models import AccessLogSeal
from backa.operations.seal import GENESIS, seal_closed_periods, verify_chain

pytestmark = pytest.mark.django_db
HOUR = timedelta(hours=1)


USER, CHILD = uuid.uuid4(), uuid.uuid4()


def _rows(start, n):
    return [
        AccessLog.objects.create(
            occurred_at=start + timedelta(minutes=5 * i),
            user_id=USER,
            child_id=CHILD,
            object_type="child",
            object_id=str(CHILD),
            action="view",
            outcome="allowed",
            purpose="barnkontakt",
        )
        for i in range(n)
    ]


@pytest.fixture
def sealed(db):
    now = timezone.now()
    start = now.replace(minute=0, second=0, microsecond=0) - 5 * HOUR
    rows = _rows(start, 30)  # 2.5 hours of rows, every 5 minutes
    seals = seal_closed_periods(now=now, period=HOUR, grace=timedelta(minutes=10), since=start)
    return start, rows, seals


def test_closed_periods_are_sealed_in_a_contiguous_chain(sealed):
    start, rows, seals = sealed
    assert [s.starts_at for s in seals] == [start + i * HOUR for i in range(len(seals))]
    assert len(seals) >= 4  # up to the last full hour before now - grace
    assert [s.row_count for s in seals[:3]] == [12, 12, 6] and all(s.row_count == 0 for s in seals[3:])
    assert seals[0].previous_digest == GENESIS
    assert all(b.previous_digest == a.digest for a, b in zip(seals, seals[1:], strict=False))
    with connection.cursor() as cursor:
        report = verify_chain(cursor)
    assert report.ok and report.sealed_rows == 30 and report.rows_before_first_seal == 0


def test_sealing_again_adds_only_newly_closed_periods(sealed):
    _start, _rows_, seals = sealed
    assert seal_closed_periods(now=timezone.now(), period=HOUR, grace=timedelta(minutes=10)) == []
    later = seal_closed_periods(now=timezone.now() + 2 * HOUR, period=HOUR, grace=timedelta(minutes=10))
    assert len(later) == 2 and later[0].previous_digest == seals[-1].digest


def _tamper(sql, params=()):
    # A superuser can switch the append-only trigger off; the seal is what still notices.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="disabling the trigger is PostgreSQL")
def test_a_row_deleted_behind_the_trigger_breaks_its_seal_and_verify_says_which(sealed, capsys):
    start, rows, seals = sealed
    _tamper("DELETE FROM audit_accesslog WHERE id = %s", [rows[14].id])  # in the second hour
    with connection.cursor() as cursor:
        report = verify_chain(cursor)
    assert [b.seal_id for b in report.broken] == [seals[1].id]
    assert report.broken[0].sealed_rows == 12 and report.broken[0].found_rows == 11
    with pytest.raises(CommandError, match="mismatch"):
        call_command("verify")
    assert "row count 11, sealed 12" in capsys.readouterr().err


@pytest.mark.skipif(connection.vendor != "postgresql", reason="disabling the trigger is PostgreSQL")
def test_a_changed_row_or_a_row_slipped_into_a_sealed_period_is_detected(sealed):
    start, rows, seals = sealed
    _tamper("UPDATE audit_accesslog SET purpose = 'other' WHERE id = %s", [rows[0].id])
    AccessLog.objects.create(
        occurred_at=start + 2 * HOUR + timedelta(minutes=1),
        user_id=USER,
        object_type="child",
        action="view",
        outcome="allowed",
        id=uuid.uuid4(),
    )
    with connection.cursor() as cursor:
        report = verify_chain(cursor)
    assert [(b.seal_id, b.reason) for b in report.broken] == [
        (seals[0].id, "rows changed since sealing"),
        (seals[2].id, "row count 7, sealed 6"),
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL")
def test_seals_themselves_are_append_only(sealed):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLogSeal.objects.filter(pk=sealed[2][0].pk).update(row_count=0)


def test_the_command_seals_and_verify_passes_on_an_untouched_log(db, capsys):
    _rows(timezone.now() - timedelta(days=3), 3)
    call_command("seal_access_log")
    out = capsys.readouterr().out
    assert "sealed" in out and AccessLogSeal.objects.count() >= 3
    call_command("verify")
    assert "OK" in capsys.readouterr().out
