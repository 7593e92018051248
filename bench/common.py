"""Shared helpers for the benchmark scripts: Django setup, machine facts, timing statistics,
result files. Nothing here runs in the normal test run.
"""

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(os.environ.get("BENCH_RESULTS_DIR") or ROOT / "bench" / "results")


# The dataset's identity numbers are encrypted and hashed with keys derived from SECRET_KEY;
# the default key derives from the checkout's path, so every bench process (and the servers
# they start) uses this fixed, synthetic-data-only key instead.
BENCH_SECRET_KEY = "bench-only-synthetic-dataset-key-not-for-real-data"


def bench_env() -> dict:
    env = dict(os.environ)
    env.setdefault("SECRET_KEY", BENCH_SECRET_KEY)
    env.setdefault("BACKA_ENV", "demo")
    env.setdefault("LOG_DIR", "/tmp/backa-bench-log")
    return env


def setup_django(bench_views: bool = False):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("SECRET_KEY", BENCH_SECRET_KEY)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backa.settings")
    os.environ.setdefault("LOG_DIR", "/tmp/backa-bench-log")
    os.makedirs(os.environ["LOG_DIR"], exist_ok=True)
    if bench_views:
        os.environ["BACKA_BENCH"] = "1"
    import django

    django.setup()


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("The benchmarks need PostgreSQL: set DATABASE_URL=postgresql://...")
    return url


def libpq_env() -> dict:
    """PGHOST/PGPORT/PGUSER/PGDATABASE for psql/pgbench from DATABASE_URL (no password is printed)."""
    from urllib.parse import urlparse

    u = urlparse(database_url())
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": u.hostname or "127.0.0.1",
            "PGPORT": str(u.port or 5432),
            "PGUSER": u.username or "postgres",
            "PGDATABASE": u.path.lstrip("/"),
        }
    )
    if u.password:
        env["PGPASSWORD"] = u.password
    return env


def pg_bin(name: str) -> str:
    import glob

    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(f"{d}/{name}"):
            return f"{d}/{name}"
    return name


def cpu_model() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def machine() -> dict:
    pg = subprocess.run(
        [pg_bin("psql"), "-XAtc", "show server_version"], env=libpq_env(), capture_output=True, text=True
    ).stdout.strip()
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "postgresql": pg,
        "python": platform.python_version(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "loadavg": loadavg(),
    }


def summary(values) -> dict:
    values = sorted(values)
    if not values:
        return {"n": 0}
    return {"n": len(values), "median": statistics.median(values), "min": values[0], "max": values[-1]}


def percentile(values, p: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def ratio(a, b):
    return round(a / b, 2) if b else None


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


def dataset_marker() -> dict | None:
    """The marker bench/dataset.py leaves in the database (None if no complete dataset)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_dataset') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return None
        cursor.execute("SELECT params, stages FROM bench_dataset WHERE complete ORDER BY built_at DESC LIMIT 1")
        row = cursor.fetchone()
    if not row:
        return None
    return {
        "params": json.loads(row[0]) if isinstance(row[0], str) else row[0],
        "stages": json.loads(row[1]) if isinstance(row[1], str) else row[1],
    }


def write_result(name: str, data: dict):
    """Scenario result as JSON in bench/results/ (run_all.py merges them into one report)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"latest-{name}.json"
    out.write_text(json.dumps(data, indent=2, default=str))
    print(json.dumps(data, indent=2, default=str))
    return out
