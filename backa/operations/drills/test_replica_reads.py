"""Reads from a replica never show what a withdrawn consent no longer opens (issue 21.2).

A primary (copy of the migrated template) and a real streaming standby (pg_basebackup -R).
The application (replica_reads_check.py, DATABASE_REPLICA_URL = the standby) gives a consent,
reads the sharing scope through `replica_reads()` (from the replica: caught up), then pauses the
standby's replay (a lag that does not end by itself), withdraws the consent on the primary, and
reads again: the standby's own row still shows the consent in force, but `replica_reads()`
sees the standby behind the primary and reads from the primary — the withdrawn consent opens
nothing. After replay resumes, reads go to the replica again, still without the consent.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from backa.operations import pgtools
from backa.operations.drills.conftest import ROOT, app_env, cluster_from
from backa.operations.drills.record import record

pytestmark = pytest.mark.drill


def test_a_lagging_replica_never_shows_a_withdrawn_consents_entries(migrated_template, tmp_path):
    with cluster_from(migrated_template, "backa-replica-") as primary:
        root = Path(tempfile.mkdtemp(prefix="backa-standby-"))
        os.chmod(root, 0o755)
        standby = pgtools.Cluster(root)
        try:
            if pgtools.is_root():
                shutil.chown(root, "postgres")
            command = [
                str(pgtools.bindir() / "pg_basebackup"),
                "-D",
                str(standby.data),
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
                "-h",
                "127.0.0.1",
                "-p",
                str(primary.port),
                "-U",
                "postgres",
            ]
            if pgtools.is_root():
                command = ["runuser", "-u", "postgres", "--", *command]
            subprocess.run(command, check=True, capture_output=True, cwd="/", timeout=300)
            standby.start()
            database = f"postgresql://postgres@127.0.0.1:{primary.port}/backa"
            result = subprocess.run(
                [sys.executable, "-m", "backa.operations.drills.replica_reads_check"],
                cwd=ROOT,
                env=app_env(
                    database,
                    DATABASE_REPLICA_URL=f"postgresql://postgres@127.0.0.1:{standby.port}/backa",
                    STANDBY_DSN=standby.dsn("backa"),
                    LOG_DIR=str(tmp_path),
                ),
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert result.returncode == 0, result.stderr[-3000:]
            figures = json.loads(result.stdout.strip().splitlines()[-1])
            consent = figures["consent"]
            assert figures["before"] == ["replica", [consent]]
            assert figures["replica_row_withdrawn_at_while_paused"] is None  # the lag was real
            assert figures["during_lag"] == ["default", []]  # read from the primary: nothing opened
            assert figures["after_catch_up"] == ["replica", []]
            record(
                "replica reads with a paused standby",
                during_lag_alias=figures["during_lag"][0],
                during_lag_seconds=figures["during_lag_seconds"],
            )
        finally:
            standby.stop("immediate")
            shutil.rmtree(root, ignore_errors=True)
