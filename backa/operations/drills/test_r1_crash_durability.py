"""R1: the database killed mid-write loses no acknowledged write.

A throwaway cluster with the durable defaults spelled out (fsync, synchronous_commit,
full_page_writes on; data checksums). N client threads insert rows with ids they choose
and record every id whose COMMIT returned. Mid-stream the server is killed, three ways:
SIGKILL to the postmaster and all its processes at once (a crash), `pg_ctl stop -m immediate`,
and SIGKILL to one backend (the postmaster then resets every backend and recovers on its own).
After the restart every acknowledged id must be present; besides them, at most one
"in doubt" id per client (sent, commit not acknowledged) may be.
"""

import os
import signal
import threading
import time

import psycopg
import pytest

from backa.operations import pgtools
from backa.operations.drills.record import record

pytestmark = pytest.mark.drill

CLIENTS = 8
RUN_SECONDS = 3.0


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return found


def _writer(dsn, client, acked, attempted, stop):
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            seq = 0
            while not stop.is_set():
                seq += 1
                attempted.append((client, seq))
                conn.execute(
                    "INSERT INTO drill_r1 (client, seq, payload) VALUES (%s, %s, repeat('x', 200))", [client, seq]
                )
                acked.append((client, seq))  # the commit returned: the user saw "saved"
    except psycopg.Error:
        return


@pytest.mark.parametrize("how", ["kill9-all", "immediate-stop", "kill9-backend"])
def test_no_acknowledged_write_is_lost(how):
    with pgtools.throwaway_cluster("backa-r1-", fsync="on", synchronous_commit="on", full_page_writes="on") as cluster:
        with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
            conn.execute("CREATE TABLE drill_r1 (client int, seq int, payload text, PRIMARY KEY (client, seq))")
            settings = dict(
                conn.execute(
                    "SELECT name, setting FROM pg_settings WHERE name IN "
                    "('fsync', 'synchronous_commit', 'full_page_writes', 'data_checksums')"
                ).fetchall()
            )
        assert settings == {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on", "data_checksums": "on"}
        acked, attempted, stop = [], [], threading.Event()
        threads = [
            threading.Thread(target=_writer, args=(cluster.dsn(), c, acked, attempted, stop)) for c in range(CLIENTS)
        ]
        for t in threads:
            t.start()
        time.sleep(RUN_SECONDS)
        postmaster = cluster.postmaster_pid()
        killed_at = time.monotonic()
        if how == "kill9-all":
            for pid in [postmaster] + _children(postmaster):
                os.kill(pid, signal.SIGKILL)
        elif how == "immediate-stop":
            pgtools.run("pg_ctl", "-D", cluster.data, "-m", "immediate", "stop")
        else:
            # One client backend dies; the postmaster resets all backends and recovers.
            with psycopg.connect(cluster.dsn(), autocommit=True) as probe:
                pids = [
                    r[0]
                    for r in probe.execute(
                        "SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
                    )
                ]
            os.kill(pids[0], signal.SIGKILL)
        stop.set()
        for t in threads:
            t.join(30)
        acked_at_kill = len(acked)
        if how == "kill9-backend":
            # No restart by hand: the postmaster recovers by itself.
            cluster.wait_ready(60)
        else:
            for _ in range(100):  # the orphans of a SIGKILLed postmaster must be gone before a restart
                if not _children(postmaster) and not os.path.exists(f"/proc/{postmaster}"):
                    break
                time.sleep(0.1)
            cluster.start()
            cluster.wait_ready(60)
        recovery_seconds = time.monotonic() - killed_at
        with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
            present = set(conn.execute("SELECT client, seq FROM drill_r1").fetchall())
            checks = conn.execute("SELECT count(*) FROM drill_r1").fetchone()[0]
        acked_set = set(acked)
        lost = acked_set - present
        extra = present - acked_set
        per_client_extra = {}
        for client, _seq in extra:
            per_client_extra[client] = per_client_extra.get(client, 0) + 1
        record(
            f"R1 {how}",
            clients=CLIENTS,
            acknowledged=len(acked_set),
            present=len(present),
            lost=len(lost),
            in_doubt_present=len(extra),
            recovery_s=round(recovery_seconds, 2),
            redo=_redo_line(cluster.server_log()),
        )
        assert acked_at_kill > 100, "the drill did not write enough to mean anything"
        assert not lost, f"{len(lost)} acknowledged writes lost"
        assert extra <= set(attempted)
        assert all(n <= 1 for n in per_client_extra.values())
        assert checks == len(present)


def _redo_line(log: str) -> str:
    lines = [line for line in log.splitlines() if "redo done" in line or "redo starts" in line]
    return lines[-1].split("LOG:", 1)[-1].strip()[:120] if lines else ""
