"""R9: backup and point-in-time restore, with the recovery time measured.

A copy of the migrated app database runs with WAL archiving on. Access-log rows are written
and sealed; `manage.py backup` takes the base backup (pg_basebackup + pg_verifybackup) and the
manifest; rows stamped T1 are written, then a "bad delete" at T2 removes them all. `manage.py
restore --target-time t` (T1 < t < T2) restores into a new data directory and promotes it:
every row up to t is there, the bad delete is not, and `manage.py verify` checks the seal chain
and the row counts against the manifest. A second restore to the manifest's restore point must
match its counts exactly. DRILL_R9_PGBENCH_SCALE=N adds pgbench tables (~15 MB per unit) to
measure the recovery time on a bigger database.
"""

import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from backa.operations import pgtools
from backa.operations.drills.conftest import cluster_from, manage
from backa.operations.drills.record import record

pytestmark = pytest.mark.drill
SCALE = int(os.environ.get("DRILL_R9_PGBENCH_SCALE", "0"))
ROWS_T1 = 500


def _archived(conn, segment, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        last = conn.execute("SELECT last_archived_wal FROM pg_stat_archiver").fetchone()[0]
        if last and last >= segment:
            return
        time.sleep(0.1)
    raise TimeoutError(f"WAL segment {segment} not archived")


def _stop(data_dir: Path):
    if (data_dir / "postmaster.pid").exists():
        pgtools.run("pg_ctl", "-D", data_dir, "-m", "immediate", "-w", "stop", check=False)


def test_point_in_time_restore_undoes_a_bad_delete_and_verifies(migrated_template):
    work = Path(tempfile.mkdtemp(prefix="backa-r9-"))
    os.chmod(work, 0o755)
    archive = work / "wal-archive"
    pgtools.give_to_postgres(archive, 0o755)
    restored_dirs = [work / "restore-t" / "data", work / "restore-manifest" / "data"]
    try:
        with cluster_from(
            migrated_template,
            "backa-r9-primary-",
            archive_mode="on",
            wal_level="replica",
            archive_command=f'test ! -f "{archive}/%f" && cp "%p" "{archive}/%f"',
            archive_timeout="60",
        ) as primary:
            url = primary.app_url
            with psycopg.connect(url, autocommit=True) as conn:
                # Access-log rows over the last hours, then sealed hourly.
                conn.execute("""INSERT INTO audit_accesslog (id, occurred_at, role, object_type, object_id, action, purpose,
                                    outcome, emergency, protected_identity)
                                SELECT gen_random_uuid(), date_trunc('hour', now()) - interval '3 hours' + i * interval '1 minute',
                                       'rektor', 'child', '', 'view', 'drill', 'allowed', false, false
                                FROM generate_series(0, 149) i""")
                conn.execute(
                    "CREATE TABLE drill_pitr (id serial PRIMARY KEY, stamp timestamptz NOT NULL DEFAULT clock_timestamp(), "
                    "note text)"
                )
            if SCALE:
                pgtools.run(
                    "pgbench",
                    "-i",
                    "-q",
                    "-s",
                    SCALE,
                    "-h",
                    "127.0.0.1",
                    "-p",
                    primary.port,
                    "-U",
                    "postgres",
                    "backa",
                    timeout=3600,
                )
            seal = manage(url, "seal_access_log", "--period-hours", "1", "--grace-minutes", "0")
            assert "period(s) sealed" in seal.stdout
            backup_dir = work / "backup"
            backup = manage(url, "backup", backup_dir, "--no-seal")
            assert "pg_verifybackup OK" in backup.stdout

            with psycopg.connect(url, autocommit=True) as conn:
                for i in range(ROWS_T1):  # T1: ordinary work after the backup, one commit each
                    conn.execute("INSERT INTO drill_pitr (note) VALUES (%s)", [f"row {i}"])
                time.sleep(0.5)
                target = conn.execute("SELECT clock_timestamp()").fetchone()[0]
                time.sleep(0.5)
                conn.execute("DELETE FROM drill_pitr")  # T2: the bad delete
                conn.execute("INSERT INTO drill_pitr (note) VALUES ('after the bad delete')")
                segment = conn.execute("SELECT pg_walfile_name(pg_current_wal_lsn())").fetchone()[0]
                conn.execute("SELECT pg_switch_wal()")
                _archived(conn, segment)

        # Restore to t, between the last T1 row and the bad delete (the primary is gone by now).
        started = time.monotonic()
        restore = manage(
            url,
            "restore",
            backup_dir,
            "--wal-archive",
            archive,
            "--data-dir",
            restored_dirs[0],
            "--target-time",
            target.isoformat(),
        )
        restore_s = time.monotonic() - started
        port = int(re.search(r"on port (\d+) in ([\d.]+) s", restore.stdout).group(1))
        inner_s = float(re.search(r"on port (\d+) in ([\d.]+) s", restore.stdout).group(2))
        dsn = f"host=127.0.0.1 port={port} user=postgres dbname=backa"
        with psycopg.connect(dsn) as conn:
            rows = conn.execute("SELECT count(*), max(stamp) FROM drill_pitr").fetchone()
            assert rows[0] == ROWS_T1, "rows up to t must be present and the bad delete absent"
            assert rows[1] < target
            assert not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]
        started = time.monotonic()
        verified = manage(url, "verify", "--dsn", dsn, "--manifest", backup_dir / "manifest.json", check=False)
        verify_s = time.monotonic() - started
        assert verified.returncode == 0, verified.stdout + verified.stderr
        _stop(restored_dirs[0])

        # Restore exactly to the manifest: every table's count matches.
        exact = manage(
            url, "restore", backup_dir, "--wal-archive", archive, "--data-dir", restored_dirs[1], "--to-manifest"
        )
        port = int(re.search(r"on port (\d+)", exact.stdout).group(1))
        verified_exact = manage(
            url,
            "verify",
            "--exact",
            "--dsn",
            f"host=127.0.0.1 port={port} user=postgres dbname=backa",
            "--manifest",
            backup_dir / "manifest.json",
            check=False,
        )
        assert verified_exact.returncode == 0, verified_exact.stdout + verified_exact.stderr
        _stop(restored_dirs[1])

        manifest = json.loads((backup_dir / "manifest.json").read_text())
        base = manifest["base_backup"]
        record(
            "R9 PITR",
            database_mb=round(base["bytes"] / 1e6, 1),
            pgbench_scale=SCALE,
            backup_s=base["seconds"],
            backup_mb_s=round(base["bytes"] / 1e6 / max(base["seconds"], 0.001)),
            verifybackup_ok=base["verifybackup_ok"],
            rows_t1=ROWS_T1,
            rows_restored=rows[0],
            bad_delete_absent=True,
            restore_to_t_s=round(inner_s, 2),
            restore_command_s=round(restore_s, 2),
            verify_s=round(verify_s, 2),
            rto_s=round(restore_s + verify_s, 2),
            seals=manifest["access_log"]["seals"],
            exact_restore_counts_match=True,
        )
    finally:
        for data_dir in restored_dirs:
            _stop(data_dir)
        shutil.rmtree(work, ignore_errors=True)


def test_the_nightly_restore_drill_records_its_result_for_the_ready_check(migrated_template):
    """R10: `manage.py restore_drill` (backup, restore to the manifest, verify --exact) as cron runs it."""
    work = Path(tempfile.mkdtemp(prefix="backa-r10-"))
    os.chmod(work, 0o755)
    archive = work / "wal-archive"
    pgtools.give_to_postgres(archive, 0o755)
    try:
        with cluster_from(
            migrated_template,
            "backa-r10-primary-",
            archive_mode="on",
            wal_level="replica",
            archive_command=f'test ! -f "{archive}/%f" && cp "%p" "{archive}/%f"',
        ) as primary:
            started = time.monotonic()
            result = manage(primary.app_url, "restore_drill", work / "drill", "--wal-archive", archive)
            seconds = time.monotonic() - started
            assert "restore drill OK" in result.stdout
            with psycopg.connect(primary.app_url) as conn:
                ok, rto, failure = conn.execute(
                    "SELECT ok, rto_seconds, failure FROM operations_restoredrillrun ORDER BY started_at DESC LIMIT 1"
                ).fetchone()
            assert ok and failure == ""
            assert not list((work / "drill").glob("restore-*")), "the scratch copy is removed"
            ready = manage(
                primary.app_url,
                "shell",
                "-c",
                "from django.test import Client; print(Client().get('/readyz').json()['checks']['restore_drill'])",
                RESTORE_DRILL_MAX_AGE_HOURS="26",
            )
            assert ready.stdout.strip().splitlines()[-1] == "ok"
            record(
                "R10 nightly restore drill (restore_drill)",
                rto_seconds=round(rto, 1),
                command_seconds=round(seconds, 1),
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
