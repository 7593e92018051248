"""R12: failover with RPO = 0 under Patroni, synchronous replication, kill -9 of the primary.

On loopback: one etcd (Debian `etcd-server`) and three Patroni members (Debian `patroni`) with
PostgreSQL 15, `synchronous_mode: true` (a primary acknowledges a commit only once its
synchronous standby has it, and Patroni promotes only that standby), `use_pg_rewind`.
The application's own database layer (backa.operations.drills.failover_writer, Django with the
multi-host DATABASE_URL and target_session_attrs=read-write) writes from 4 clients. After a few
seconds the primary's node dies: kill -9 of its Patroni and every PostgreSQL process of it.

Measured and asserted: acknowledged writes lost (must be 0: every id whose commit returned is on
the new primary), the time from the kill to the first successful write, the failed requests;
then the old primary's Patroni is started again and it must rejoin as a streaming replica.
"""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest

from backa.operations import pgtools
from backa.operations.drills.conftest import ROOT, app_env
from backa.operations.drills.record import record

pytestmark = pytest.mark.drill
MEMBERS = 3
CLIENTS = 4
LOAD_BEFORE_KILL = float(os.environ.get("DRILL_R12_LOAD_SECONDS", "5"))
TTL, LOOP_WAIT, RETRY_TIMEOUT = 10, 1, 4  # failover within about TTL; loop_wait + 2 x retry_timeout <= ttl


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if pgtools.is_root() else command


def _member_config(root: Path, name: str, pg_port: int, api_port: int, etcd_port: int) -> str:
    data = root / name / "data"
    config = {
        "scope": "backa-r12",
        "name": name,
        "log": {"dir": str(root / name), "level": "INFO"},
        "restapi": {"listen": f"127.0.0.1:{api_port}", "connect_address": f"127.0.0.1:{api_port}"},
        "etcd3": {"hosts": [f"127.0.0.1:{etcd_port}"]},
        "bootstrap": {
            "dcs": {
                "ttl": TTL,
                "loop_wait": LOOP_WAIT,
                "retry_timeout": RETRY_TIMEOUT,
                "synchronous_mode": True,
                "postgresql": {
                    "use_pg_rewind": True,
                    "use_slots": True,
                    "parameters": {
                        "wal_level": "replica",
                        "hot_standby": "on",
                        "wal_log_hints": "on",
                        "max_wal_senders": 10,
                        "max_replication_slots": 10,
                        "fsync": "on",
                        "synchronous_commit": "on",
                        "full_page_writes": "on",
                    },
                },
            },
            "initdb": [{"encoding": "UTF8"}, {"locale": "C.UTF-8"}, "data-checksums"],
            "pg_hba": [
                "local all all trust",
                "host all all 127.0.0.1/32 trust",
                "host replication all 127.0.0.1/32 trust",
            ],
        },
        "postgresql": {
            "listen": f"127.0.0.1:{pg_port}",
            "connect_address": f"127.0.0.1:{pg_port}",
            "data_dir": str(data),
            "bin_dir": str(pgtools.bindir()),
            "pgpass": str(root / name / "pgpass"),
            "authentication": {
                "superuser": {"username": "postgres"},
                "replication": {"username": "postgres"},
                "rewind": {"username": "postgres"},
            },
            "parameters": {"unix_socket_directories": str(root / name)},
        },
    }
    path = root / name / "patroni.yml"
    path.write_text(json.dumps(config, indent=1))  # JSON is YAML
    return str(path)


def _api(port: int, path: str = "cluster"):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=2) as response:
            return json.loads(response.read())
    except Exception:
        return None


def _members(api_ports) -> list[dict]:
    for port in api_ports:
        cluster = _api(port)
        if cluster and cluster.get("members"):
            return cluster["members"]
    return []


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def _healthy(members: list[dict], count: int) -> bool:
    leaders = [m for m in members if m["role"] == "leader" and m["state"] == "running"]
    sync = [m for m in members if m["role"] == "sync_standby" and m["state"] in ("streaming", "running")]
    return len(members) == count and len(leaders) == 1 and len(sync) >= 1


def _postgres_pids(data_dir: Path, *, freeze: bool = False) -> list[int]:
    """The postmaster (from postmaster.pid) and all its children; with freeze, each is stopped
    (SIGSTOP) as it is found, the postmaster first so that it forks no new ones."""
    postmasters = {
        int(pid)
        for pid in subprocess.run(["pgrep", "-f", f"-D {data_dir}"], capture_output=True, text=True).stdout.split()
    }
    with contextlib.suppress(OSError, ValueError, IndexError):
        postmasters.add(int((data_dir / "postmaster.pid").read_text().split()[0]))
    if freeze:
        for pid in postmasters:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
    children = [
        int(pid)
        for postmaster in postmasters
        for pid in subprocess.run(["pgrep", "-P", str(postmaster)], capture_output=True, text=True).stdout.split()
    ]
    if freeze:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
    return [*postmasters, *children]


@pytest.mark.skipif(
    not shutil.which("patroni") or not shutil.which("etcd"), reason="needs Debian's patroni and etcd-server"
)
def test_failover_loses_no_acknowledged_write_and_the_old_primary_rejoins(tmp_path):
    root = Path(tempfile.mkdtemp(prefix="backa-r12-"))
    os.chmod(root, 0o755)
    names = [f"n{i}" for i in range(1, MEMBERS + 1)]
    pg_ports = {name: pgtools.free_port() for name in names}
    api_ports = {name: pgtools.free_port() for name in names}
    etcd_client, etcd_peer = pgtools.free_port(), pgtools.free_port()
    processes: dict[str, subprocess.Popen] = {}
    writer = None
    try:
        for name in names:
            (root / name).mkdir()
        (root / "etcd").mkdir()
        pgtools.give_to_postgres(root, 0o755)
        configs = {name: _member_config(root, name, pg_ports[name], api_ports[name], etcd_client) for name in names}
        pgtools.give_to_postgres(root, 0o755)
        processes["etcd"] = subprocess.Popen(
            _as_postgres(
                [
                    "etcd",
                    "--name=e1",
                    f"--data-dir={root / 'etcd' / 'data'}",
                    f"--listen-client-urls=http://127.0.0.1:{etcd_client}",
                    f"--advertise-client-urls=http://127.0.0.1:{etcd_client}",
                    f"--listen-peer-urls=http://127.0.0.1:{etcd_peer}",
                    f"--initial-advertise-peer-urls=http://127.0.0.1:{etcd_peer}",
                    f"--initial-cluster=e1=http://127.0.0.1:{etcd_peer}",
                ]
            ),
            cwd="/",
            stdout=open(root / "etcd.log", "w"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )

        def start_member(name):
            processes[name] = subprocess.Popen(
                _as_postgres(["patroni", configs[name]]),
                cwd="/",
                stdout=open(root / name / "patroni.out", "a"),  # noqa: SIM115
                stderr=subprocess.STDOUT,
            )

        start_member(names[0])  # the first member bootstraps (initdb); the others clone from it
        _wait(
            lambda: any(m["role"] == "leader" and m["state"] == "running" for m in _members(api_ports.values())),
            90,
            "the first primary",
        )
        for name in names[1:]:
            start_member(name)
        members = _wait(
            lambda: (ms := _members(api_ports.values())) and _healthy(ms, MEMBERS) and ms,
            180,
            "a healthy 3-member cluster",
        )
        leader = next(m["name"] for m in members if m["role"] == "leader")
        hosts = ",".join(f"127.0.0.1:{pg_ports[name]}" for name in names)
        url = f"postgresql://postgres@{hosts}/postgres?target_session_attrs=read-write&connect_timeout=2"
        with psycopg.connect(
            host="127.0.0.1", port=pg_ports[leader], dbname="postgres", user="postgres", autocommit=True
        ) as conn:
            conn.execute("CREATE TABLE r12_writes (id bigint PRIMARY KEY, client int, at timestamptz DEFAULT now())")
            sync_names = conn.execute("SHOW synchronous_standby_names").fetchone()[0]

        stop_file = root / "stop"
        writer = subprocess.Popen(
            [sys.executable, "-m", "backa.operations.drills.failover_writer", str(stop_file), str(CLIENTS)],
            cwd=ROOT,
            env=app_env(url, DB_CONN_MAX_AGE="60", LOG_DIR=str(tmp_path)),
            stdout=subprocess.PIPE,
            stderr=open(root / "writer.err", "w"),  # noqa: SIM115
            text=True,
        )
        lines: list[str] = []
        import threading

        reader = threading.Thread(target=lambda: lines.extend(iter(writer.stdout.readline, "")), daemon=True)
        reader.start()
        time.sleep(LOAD_BEFORE_KILL)
        acked_before_kill = sum(1 for line in list(lines) if line.startswith("ok"))
        assert acked_before_kill > 0, (root / "writer.err").read_text()[-2000:]

        # The primary's node dies at one instant: freeze Patroni and the postmaster (no new
        # backends can be forked), then every child of the postmaster, then kill -9 them all.
        # Frozen first, so nothing commits on the old primary after `killed_at`.
        patroni_pids = [processes[leader].pid]
        if pgtools.is_root():  # runuser's child is patroni
            children = subprocess.run(["pgrep", "-P", str(processes[leader].pid)], capture_output=True, text=True)
            patroni_pids += [int(pid) for pid in children.stdout.split()]
        for pid in patroni_pids:
            os.kill(pid, signal.SIGSTOP)
        node_pids = _postgres_pids(root / leader / "data", freeze=True)
        assert node_pids, "the primary's PostgreSQL processes were not found"
        killed_at = time.time()  # from here on the node can do nothing (finding the pids took a few ms)
        for pid in [*patroni_pids, *node_pids]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        processes[leader].wait(timeout=10)

        def written_after_kill():
            # A write that began after the kill (one in flight at the kill may still be acknowledged by the old primary).
            return any(line.startswith("ok") and float(line.split()[2]) > killed_at for line in list(lines))

        _wait(written_after_kill, 120, "a successful write after the kill")
        time.sleep(3)  # a steady stretch on the new primary
        stop_file.touch()
        writer.wait(timeout=60)
        reader.join(timeout=10)

        acknowledged = [int(line.split()[1]) for line in lines if line.startswith("ok")]
        failures = [float(line.split()[1]) for line in lines if line.startswith("fail")]
        first_after = min(
            float(line.split()[3]) for line in lines if line.startswith("ok") and float(line.split()[2]) > killed_at
        )
        members = _wait(
            lambda: (ms := _members(api_ports.values())) and any(m["role"] == "leader" for m in ms) and ms,
            30,
            "the new primary",
        )
        new_leader = next(m["name"] for m in members if m["role"] == "leader")
        (root / "writer.out").write_text("".join(lines) + f"killed_at {killed_at:.3f}\n")
        assert new_leader != leader, f"still {leader}; the writes after the kill: see {root / 'writer.out'}"
        with psycopg.connect(host="127.0.0.1", port=pg_ports[new_leader], dbname="postgres", user="postgres") as conn:
            present = {row[0] for row in conn.execute("SELECT id FROM r12_writes")}
        lost = sorted(set(acknowledged) - present)

        # The old primary rejoins (pg_rewind if it must) as a streaming replica.
        rejoin_started = time.monotonic()
        start_member(leader)
        _wait(
            lambda: any(
                m["name"] == leader
                and m["role"] in ("replica", "sync_standby")
                and m["state"] in ("streaming", "running")
                for m in _members(api_ports.values())
            ),
            180,
            "the old primary to rejoin as a replica",
        )
        rejoin_seconds = time.monotonic() - rejoin_started

        figures = {
            "members": MEMBERS,
            "clients": CLIENTS,
            "synchronous_standby_names": sync_names,
            "acknowledged": len(acknowledged),
            "present": len(present),
            "lost": len(lost),
            "failed_requests": len(failures),
            "seconds_to_first_write_after_kill": round(first_after - killed_at, 2),
            "ttl": TTL,
            "old_primary_rejoined_seconds": round(rejoin_seconds, 1),
            "old_primary": leader,
            "new_primary": new_leader,
        }
        record("R12 patroni failover (kill -9 of the primary's node)", **figures)
        assert lost == [], f"acknowledged writes lost: {lost[:20]}"
        assert len(present) >= len(acknowledged)
        assert (
            present - set(acknowledged) == set() or len(present - set(acknowledged)) <= CLIENTS
        )  # in doubt: <= 1 per client
    finally:
        if writer is not None and writer.poll() is None:
            writer.kill()
        for process in processes.values():
            if process.poll() is None:
                subprocess.run(["pkill", "-KILL", "-P", str(process.pid)], check=False)
                process.kill()
        for name in names:
            for pid in _postgres_pids(root / name / "data"):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        if os.environ.get("DRILL_KEEP"):
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
