"""R2: an application process killed in the middle of a plan save leaves all or nothing, and
a retry succeeds exactly once. The save is the real service (plans.services.do_add_goal:
goal, plan version, snapshot, access-log row); the process is paused before COMMIT on an
advisory lock held here, so the kill lands at the same point every time."""

import os
import signal
import subprocess
import sys
import time

import psycopg
import pytest
from django.db import connection

from backa.audit.models import AccessLog
from backa.casefile.models import Goal, PlanVersion
from backa.casefile.tests.helpers import make_plan
from backa.operations.drills.conftest import ROOT, app_env
from backa.operations.drills.record import record

pytestmark = pytest.mark.drill
LOCK = 884_201


def _start(url, plan, user, lock):
    return subprocess.Popen(
        [sys.executable, "-m", "backa.operations.drills.save_and_pause", str(plan.pk), str(user.pk), lock],
        cwd=ROOT,
        env=app_env(url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _state(plan):
    plan.refresh_from_db()
    return {
        "version": plan.version,
        "goals": Goal.objects.filter(plan=plan).count(),
        "versions": PlanVersion.objects.filter(plan=plan).count(),
        "log_updates": AccessLog.objects.filter(object_type="plan", object_id=str(plan.pk), action="update").count(),
    }


def test_a_save_killed_before_commit_leaves_nothing_and_a_retry_saves_once(world, test_database_url):
    plan = make_plan(world)
    before = _state(plan)
    with psycopg.connect(test_database_url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", [LOCK])
        proc = _start(test_database_url, plan, world.rasmus, str(LOCK))
        backend = int(proc.stdout.readline().split()[1])
        assert proc.stdout.readline().strip() == "WRITTEN"
        # Mid-save: the writes exist in the worker's open transaction, invisible to everyone else.
        assert _state(plan) == before
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        holder.execute("SELECT pg_advisory_unlock(%s)", [LOCK])
        started = time.monotonic()
        while holder.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [backend]).fetchone()[0]:
            assert time.monotonic() - started < 30, "the killed worker's backend did not end"
            time.sleep(0.05)
        rollback_s = time.monotonic() - started
    after_kill = _state(plan)
    assert after_kill == before, "a killed save left part of itself behind"
    retry = _start(test_database_url, plan, world.rasmus, "-")
    out, err = retry.communicate(timeout=120)
    assert retry.returncode == 0, err
    after_retry = _state(plan)
    assert after_retry == {
        "version": before["version"] + 1,
        "goals": 1,
        "versions": before["versions"] + 1,
        "log_updates": before["log_updates"] + 1,
    }
    assert list(Goal.objects.filter(plan=plan).values_list("description", flat=True)) == ["R2: sleep before school"]
    record(
        "R2 worker killed mid-save",
        before=before,
        after_kill=after_kill,
        after_retry=after_retry,
        backend_gone_after_s=round(rollback_s, 2),
    )
    connection.close()
