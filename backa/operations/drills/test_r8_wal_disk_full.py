"""R8: the WAL disk fills up under writes; no acknowledged write is lost.

A cluster (checksums, durable settings) whose pg_wal is a 96 MB tmpfs (root only: mount). Four
clients insert 4 kB rows, one commit each, recording every id whose commit returned, until
writes keep failing (PostgreSQL stops: it cannot write WAL). The volume is then grown (tmpfs
remount, as an operator frees space) and the cluster started: every acknowledged id is present,
at most one in doubt per client, `amcheck` verifies the primary key index and `pg_checksums
--check` verifies every page once it is stopped again.

What the web application answers meanwhile (503 with Retry-After, on OperationalError) is shown
by R3 on a live server and by operations/tests/test_health.py.
"""

import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import pytest

from backa.operations import pgtools
from backa.operations.drills.record import record

pytestmark = pytest.mark.drill
CLIENTS = 4


@pytest.mark.skipif(not pgtools.is_root(), reason="mounts a small tmpfs for pg_wal (root only)")
def test_a_full_wal_disk_loses_no_acknowledged_write(tmp_path):
    root = Path(tempfile.mkdtemp(prefix="backa-r8-"))
    os.chmod(root, 0o755)
    wal = root / "wal"
    wal.mkdir()
    mounted = False
    cluster = pgtools.Cluster(root)
    try:
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96m,mode=0700", "tmpfs", str(wal)], check=True)
        mounted = True
        pgtools.give_to_postgres(root, 0o755)
        pgtools.give_to_postgres(wal, 0o700)
        shutil.rmtree(wal / "lost+found", ignore_errors=True)
        cluster.initdb("--data-checksums", f"--waldir={wal / 'pg_wal'}")
        cluster.configure(
            fsync="on", synchronous_commit="on", full_page_writes="on", max_wal_size="4GB", checkpoint_timeout="1h"
        )
        cluster.start()
        with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
            conn.execute("CREATE TABLE r8 (id bigint PRIMARY KEY, filler text)")

        acknowledged: list[int] = []
        failures = [0]
        last_success = [time.monotonic()]
        stop = threading.Event()
        lock = threading.Lock()

        def client(number):
            sequence, conn = 0, None
            while not stop.is_set():
                row_id = number * 10_000_000 + sequence
                sequence += 1
                try:
                    if conn is None:
                        conn = psycopg.connect(cluster.dsn(), autocommit=True, connect_timeout=2)
                    conn.execute("INSERT INTO r8 VALUES (%s, repeat(md5(%s::text), 128))", [row_id, row_id])
                    with lock:
                        acknowledged.append(row_id)
                        last_success[0] = time.monotonic()
                except psycopg.Error:
                    with lock:
                        failures[0] += 1
                    if conn is not None:
                        conn.close()
                    conn = None
                    time.sleep(0.2)
            if conn is not None:
                conn.close()

        threads = [threading.Thread(target=client, args=(n,)) for n in range(1, CLIENTS + 1)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        deadline = started + 300
        while time.monotonic() < deadline and (failures[0] == 0 or time.monotonic() - last_success[0] < 5):
            time.sleep(0.2)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        assert failures[0] > 0, "the WAL volume never filled"
        fill_seconds = round(last_success[0] - started, 1)
        log_tail = cluster.server_log()[-4000:]

        # The operator frees space (here: grows the volume) and starts the server again.
        subprocess.run(["mount", "-o", "remount,size=1g", str(wal)], check=True)
        cluster.stop("immediate")
        restarted = time.monotonic()
        cluster.start()
        restart_seconds = round(time.monotonic() - restarted, 1)
        with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
            present = {row[0] for row in conn.execute("SELECT id FROM r8")}
            conn.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
            conn.execute("SELECT bt_index_check('r8_pkey', true)")
            conn.execute("INSERT INTO r8 VALUES (-1, 'after the disk was freed')")
        cluster.stop("fast")
        checksums = pgtools.run("pg_checksums", "--check", "-D", cluster.data, check=False)
        lost = sorted(set(acknowledged) - present)
        in_doubt = len(present - set(acknowledged))
        record(
            "R8 WAL disk full",
            acknowledged=len(acknowledged),
            present=len(present),
            lost=len(lost),
            in_doubt=in_doubt,
            failed_requests=failures[0],
            seconds_until_full=fill_seconds,
            restart_seconds=restart_seconds,
            server_said="No space left on device" if "No space left on device" in log_tail else "?",
            pg_checksums=checksums.returncode,
        )
        assert lost == []
        assert in_doubt <= CLIENTS
        assert "No space left on device" in log_tail
        assert checksums.returncode == 0, checksums.stdout + checksums.stderr
    finally:
        cluster.stop("immediate")
        if mounted:
            subprocess.run(["umount", "-l", str(wal)], check=False)
        shutil.rmtree(root, ignore_errors=True)
