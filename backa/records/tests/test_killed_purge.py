"""A purge killed mid-batch: the batch is either done with its purge record, or nothing happened.

The purge runs in its own process (manage.py gallra) against the test database. The test holds a
lock on the purge-record table, so the process deletes its first batch and then waits to write
the batch's record; the test kills the process there (SIGKILL) and checks that nothing changed.
A new run then does the whole job, in batches, each with its record.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from backa.casefile.concerns import do_register_concern
from backa.casefile.models import Concern
from backa.records.models import PurgeRecord, PurgeRun
from backa.records.purge import run_purge

ROOT = Path(settings.BASE_DIR)


def _env():
    parts = urlsplit(os.environ["DATABASE_URL"])
    url = urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))
    return {**os.environ, "DATABASE_URL": url}


def _waiting_backend(cursor, timeout=60):
    """The pid of a backend blocked on a lock on the purge-record table (the purge process)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%records_purgerecord%'"
        )
        row = cursor.fetchone()
        if row:
            return row[0]
        time.sleep(0.2)
    raise AssertionError("the purge never reached its first purge record")


def _gone(cursor, pid, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        if cursor.fetchone() is None:
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_purge_killed_mid_batch_leaves_nothing_done_and_the_next_run_finishes(world):
    for _ in range(3):
        do_register_concern(
            acting_user=world.rasmus,
            child=world.sigrid,
            observed_on=timezone.localdate(),
            description="Orolig",
            areas=["trygghet"],
        )
    # Seven years old, in the process's own (real) clock as in the test's.
    Concern.objects.update(created_at=timezone.now() - timedelta(days=365 * 7 + 30))

    blocker = connections.create_connection("default")
    blocker.connect()
    blocker.set_autocommit(False)
    with blocker.cursor() as cursor:
        cursor.execute("LOCK TABLE records_purgerecord IN SHARE ROW EXCLUSIVE MODE")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "gallra", "--batch-size", "2", "--started-by", "killed"],
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        with connection.cursor() as cursor:
            pid = _waiting_backend(cursor)
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
            blocker.rollback()  # the backend may now go on, but its client is gone: it can never commit
            if not _gone(cursor, pid):
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
                assert _gone(cursor, pid)
    finally:
        if process.poll() is None:
            process.kill()
        blocker.close()

    assert process.returncode == -signal.SIGKILL
    assert Concern.objects.count() == 3
    killed = PurgeRun.objects.get(started_by="killed")
    assert killed.interrupted
    assert not PurgeRecord.objects.exists()

    run = run_purge(batch_size=2)
    assert Concern.objects.count() == 0
    assert [r.count for r in PurgeRecord.objects.filter(run=run, record_type="concern").order_by("batch")] == [2, 1]
