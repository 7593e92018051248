"""S5: 200 concurrent staff users with think time (locust, headless, loopback only, bounded in
time: --minutes, default 3). Reports p95 and error rate, and CPU seconds of the server.

    DATABASE_URL=... .venv/bin/python bench/s5_staff.py [--users 200] [--minutes 3] [--workers 4]
"""

import argparse
import contextlib
import csv
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROOT, bench_env, loadavg, machine, setup_django, write_result  # noqa: E402

TARGETS = {"p95_ms": 300, "error_rate": 0.0}


def user_pool(n, seed=5):
    from django.db import connection

    from backa.accounts.models import User
    from bench.harness import bench_session

    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT p.user_id, (array_agg(r.child_id ORDER BY r.child_id))[1:40],
                   (array_agg(DISTINCT pl.child_id) FILTER (WHERE pl.child_id IS NOT NULL))[1:10],
                   (array_agg(DISTINCT lower(left(c.family_name, 4))))[1:10]
            FROM roles_roleassignment r JOIN accounts_position p ON p.id = r.position_id
            JOIN children_child c ON c.id = r.child_id
            LEFT JOIN casefile_plan pl ON pl.child_id = r.child_id AND pl.status = 'active'
            WHERE r.valid_to IS NULL AND r.valid_from <= current_date GROUP BY p.user_id ORDER BY p.user_id""")
        rows = cursor.fetchall()
        # The writes: plans the person leads (barnkontakt or stödsamordnare may save them) and
        # meetings of their children whose record their organisation wrote (they may record it).
        cursor.execute("""
            SELECT p.user_id, array_agg(ARRAY[pl.child_id::text, pl.id::text] ORDER BY pl.id)
            FROM roles_roleassignment r JOIN accounts_position p ON p.id = r.position_id
            JOIN casefile_plan pl ON pl.child_id = r.child_id AND pl.status = 'active'
            WHERE r.valid_to IS NULL AND r.valid_from <= current_date
              AND r.kind IN ('barnkontakt', 'stodsamordnare')
            GROUP BY p.user_id""")
        lead_plans = {u: pairs[:10] for u, pairs in cursor.fetchall()}
        cursor.execute("""
            SELECT p.user_id, array_agg(ARRAY[m.child_id::text, m.id::text] ORDER BY m.id)
            FROM roles_roleassignment r JOIN accounts_position p ON p.id = r.position_id
            JOIN organisations_unit u ON u.id = p.unit_id
            JOIN casefile_meeting m ON m.child_id = r.child_id AND m.organisation_id = u.organisation_id
            WHERE r.valid_to IS NULL AND r.valid_from <= current_date
            GROUP BY p.user_id""")
        meetings = {u: pairs[:10] for u, pairs in cursor.fetchall()}
    rng = random.Random(seed)
    chosen = rng.sample(rows, min(n, len(rows)))
    users = User.objects.in_bulk([r[0] for r in chosen])
    return [
        {
            "session": bench_session(users[u]),
            "children": [str(c) for c in kids],
            "plans": [str(c) for c in (plans or [])],
            "lead_plans": lead_plans.get(u, []),
            "meetings": meetings.get(u, []),
            "names": names,
        }
        for u, kids, plans, names in chosen
    ]


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--think", default="5,15", help="think time range in seconds")
    parser.add_argument(
        "--production", action="store_true", help="the production server's gunicorn settings (the soak: R13)"
    )
    parser.add_argument("--sample-seconds", type=float, default=60, help="memory sampling interval")
    args = parser.parse_args(argv)
    setup_django()
    from bench.common import dataset_marker
    from bench.harness import gunicorn

    pool = user_pool(args.users)
    data = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump(pool, data)
    data.close()
    prefix = tempfile.mkdtemp(prefix="bench-locust-") + "/s5"
    low, high = args.think.split(",")
    env = bench_env()
    env.update({"BENCH_LOCUST_DATA": data.name, "BENCH_THINK_MIN": low, "BENCH_THINK_MAX": high})
    seconds = int(args.minutes * 60)
    load_before = loadavg()
    with gunicorn(args.workers, production=args.production) as base:
        cpu0 = _cpu_of_children(base)
        memory = _MemorySampler(base, args.sample_seconds)
        memory.start()
        out = subprocess.run(
            [
                str(ROOT / ".venv/bin/locust"),
                "-f",
                str(ROOT / "bench/locustfile.py"),
                "--headless",
                "-u",
                str(args.users),
                "-r",
                str(max(1, args.users // 20)),
                "--run-time",
                f"{seconds}s",
                "--host",
                base,
                "--csv",
                prefix,
                "--only-summary",
                "--stop-timeout",
                "10",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=seconds + 180,
            cwd=ROOT,
        )
        cpu1 = _cpu_of_children(base)
        memory.stop()
    rows = list(csv.DictReader(open(prefix + "_stats.csv")))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    per = {
        r["Name"]: {
            "requests": int(r["Request Count"]),
            "failures": int(r["Failure Count"]),
            "p50_ms": float(r["50%"]),
            "p95_ms": float(r["95%"]),
            "rps": float(r["Requests/s"]),
        }
        for r in rows
        if r["Name"] != "Aggregated"
    }
    requests, failures = int(total["Request Count"]), int(total["Failure Count"])
    p95 = float(total["95%"])
    result = {
        "scenario": "S5 200 staff users",
        "machine": machine(),
        "dataset": (dataset_marker() or {}).get("params"),
        "settings": vars(args),
        "loadavg_before": load_before,
        "loadavg_after": loadavg(),
        "app": {
            "requests": requests,
            "failures": failures,
            "error_rate": round(failures / max(1, requests), 4),
            "p50_ms": float(total["50%"]),
            "p95_ms": p95,
            "p99_ms": float(total["99%"]),
            "rps": float(total["Requests/s"]),
            "per_request": per,
        },
        "memory": memory.summary(),
        "server_cpu_share": round((cpu1 - cpu0) / seconds / 2, 3) if cpu1 and cpu0 else None,
        "targets": TARGETS,
        "met": {"p95": p95 <= TARGETS["p95_ms"], "errors": failures == 0, "memory_flat": memory.flat()},
        "locust_tail": out.stderr[-1500:],
    }
    write_result("s5", result)
    return result


def _server_processes(base):
    """The gunicorn master of this run and its workers (psutil), or [] without psutil."""
    from bench.harness import SERVER_PIDS

    try:
        import psutil

        master = psutil.Process(SERVER_PIDS[base])
        return [master, *master.children(recursive=True)]
    except (ImportError, KeyError, OSError):
        return []


class _MemorySampler:
    """Resident memory of the server (master + workers) every `interval` seconds, in a thread.

    Flat means: the median of the last quarter of the samples is at most 10 % above the median
    of the second quarter (the first quarter is warm-up: imports, caches, workers starting)."""

    def __init__(self, base, interval):
        import threading

        self.base, self.interval, self.samples = base, interval, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._thread.join(5)

    def _run(self):
        import time

        t0 = time.monotonic()
        while not self._stop.is_set():
            rss = 0
            for p in _server_processes(self.base):
                with contextlib.suppress(OSError):  # a worker recycled between listing and reading
                    rss += p.memory_info().rss
            if rss:
                self.samples.append((round(time.monotonic() - t0), round(rss / 2**20, 1)))
            self._stop.wait(self.interval)

    def _quarters(self):
        import statistics

        values = [mb for _, mb in self.samples]
        q = len(values) // 4
        if q < 1:
            return None, None
        return statistics.median(values[q : 2 * q]), statistics.median(values[-q:])

    def flat(self):
        second, last = self._quarters()
        return None if second is None else last <= second * 1.10

    def summary(self):
        second, last = self._quarters()
        return {
            "interval_s": self.interval,
            "samples_mb": self.samples,
            "median_second_quarter_mb": second,
            "median_last_quarter_mb": last,
        }


def _cpu_of_children(base):
    """CPU seconds of this run's gunicorn processes and the backends of this database."""
    from urllib.parse import urlparse

    from bench.common import database_url

    db = urlparse(database_url()).path.lstrip("/")
    try:
        import psutil
    except ImportError:
        return None
    total = 0.0
    for p in _server_processes(base):
        with contextlib.suppress(OSError):
            t = p.cpu_times()
            # children_*: workers that were recycled (max_requests) and reaped by the master.
            total += t.user + t.system + t.children_user + t.children_system
    for p in psutil.process_iter(["name", "cmdline", "cpu_times"]):
        cmd = " ".join(p.info["cmdline"] or [])
        if cmd.startswith("postgres:") and f" {db} " in cmd:
            t = p.info["cpu_times"]
            total += t.user + t.system if t else 0
    return total


if __name__ == "__main__":
    main()
