"""S5: 200 concurrent staff users with think time (locust, headless, loopback only, bounded in
time: --minutes, default 3). Reports p95 and error rate, and CPU seconds of the server.

    DATABASE_URL=... .venv/bin/python bench/s5_staff.py [--users 200] [--minutes 3] [--workers 4]
"""

import argparse
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
    rng = random.Random(seed)
    chosen = rng.sample(rows, min(n, len(rows)))
    users = User.objects.in_bulk([r[0] for r in chosen])
    return [
        {
            "session": bench_session(users[u]),
            "children": [str(c) for c in kids],
            "plans": [str(c) for c in (plans or [])],
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
    with gunicorn(args.workers) as base:
        cpu0 = _cpu_of_children(base)
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
        "server_cpu_share": round((cpu1 - cpu0) / seconds / 2, 3) if cpu1 and cpu0 else None,
        "targets": TARGETS,
        "met": {"p95": p95 <= TARGETS["p95_ms"], "errors": failures == 0},
        "locust_tail": out.stderr[-1500:],
    }
    write_result("s5", result)
    return result


def _cpu_of_children(base):
    """CPU seconds of this run's gunicorn processes and the backends of this database."""
    from urllib.parse import urlparse

    from bench.common import database_url

    port = base.rsplit(":", 1)[1]
    db = urlparse(database_url()).path.lstrip("/")
    try:
        import psutil
    except ImportError:
        return None
    total = 0.0
    for p in psutil.process_iter(["name", "cmdline", "cpu_times"]):
        cmd = " ".join(p.info["cmdline"] or [])
        if ("gunicorn" in cmd and f":{port}" in cmd) or (cmd.startswith("postgres:") and f" {db} " in cmd):
            t = p.info["cpu_times"]
            total += t.user + t.system if t else 0
    return total


if __name__ == "__main__":
    main()
