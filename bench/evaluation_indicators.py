"""Bench: the evaluation rollup over whatever is in DATABASE_URL.

For each run: the full rollup (every indicator, one INSERT … SELECT each, in one
transaction, rolled back afterwards so the table is left as it was), and the same SQL
statements run by `psql` in one transaction (ROLLBACK at the end), timed from outside.
Reports the median and min–max of the runs and the ratio Django / psql. Also times the
dashboard's read of the rollup (the live path the pages use).

    DATABASE_URL=... BACKA_ENV=test .venv/bin/python bench/evaluation_indicators.py [--runs 5] [--months 24]

As scenario S4 of bench/run_all.py it also writes bench/results/latest-s4.json (targets from
issue 8: the full set ≤ 30 s cold from the base tables, ≤ 2 s read from the rollup; ratio gate
app ≤ 1.2× psql).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backa.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from backa.evaluation import services  # noqa: E402
from backa.evaluation.indicators import CATALOGUE  # noqa: E402
from backa.evaluation.rollup import SESSION_SETTINGS, TABLE, default_period, run_rollup, statement  # noqa: E402
from bench.common import loadavg, ratio, write_result  # noqa: E402
from bench.common import summary as stats  # noqa: E402


class Rollback(Exception):
    pass


def django_run(start, stop):
    began = time.perf_counter()
    try:
        with transaction.atomic():
            timings = run_rollup(start=start, stop=stop)
            raise Rollback(timings)
    except Rollback as done:
        return time.perf_counter() - began, done.args[0]


def psql_script(start, stop, today) -> str:
    """The same statements with the parameters inlined, as psql would run them."""
    lines = [
        "BEGIN;",
        SESSION_SETTINGS + ";",
        f"DELETE FROM {TABLE} WHERE source = 'computed' AND month >= '{start}' AND month < '{stop}';",
    ]
    now = timezone.now().isoformat()
    population_first = sorted(CATALOGUE, key=lambda i: i.key != "children")
    with connection.cursor() as cursor:
        for indicator in population_first:
            params = {"key": indicator.key, "start": start, "stop": stop, "today": today, "now": now}
            lines.append(cursor.mogrify(statement(indicator), params) + ";")
    lines.append("ROLLBACK;")
    return "\n".join(lines)


def psql_run(script: str) -> float:
    db = settings.DATABASES["default"]
    env = dict(os.environ, PGPASSWORD=db.get("PASSWORD") or "")
    cmd = [
        "psql",
        "-X",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "-h",
        db.get("HOST") or "127.0.0.1",
        "-p",
        str(db.get("PORT") or 5432),
        "-U",
        db.get("USER") or "postgres",
        "-d",
        db["NAME"],
    ]
    began = time.perf_counter()
    subprocess.run(cmd, input=script.encode(), check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - began


def summary(values):
    return f"median {statistics.median(values):.2f} s (min {min(values):.2f}, max {max(values):.2f})"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--quick", action="store_true", help="two runs (smoke tests)")
    args = parser.parse_args()
    if args.quick:
        args.runs = 2
    start, stop = default_period(months=args.months)
    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM children_child")
        children = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM organisations_district WHERE evaluation_arm <> 'none'")
        districts = cursor.fetchone()[0]
    print(
        f"database {settings.DATABASES['default']['NAME']}: {children} children, {districts} districts in the "
        f"evaluation, months {start:%Y-%m}..{stop:%Y-%m} (exclusive), {len(CATALOGUE)} indicators"
    )
    script = psql_script(start, stop, today)
    ours, theirs, per_indicator, loads = [], [], {}, []
    for _ in range(args.runs):
        loads.append(loadavg())
        seconds, timings = django_run(start, stop)
        ours.append(seconds)
        for key, value in timings.items():
            per_indicator.setdefault(key, []).append(value)
        theirs.append(psql_run(script))
    print(f"rollup via Django: {summary(ours)}")
    print(f"same SQL via psql: {summary(theirs)}")
    print(f"ratio Django/psql (medians): {statistics.median(ours) / statistics.median(theirs):.2f}")
    print("slowest indicators (median s):")
    for key, values in sorted(per_indicator.items(), key=lambda kv: -statistics.median(kv[1]))[:6]:
        print(f"  {key}: {statistics.median(values):.3f}")
    # The pages' read path: the rollup must hold values, so compute once and keep it for this.
    run_rollup(start=start, stop=stop)
    reads = []
    for _ in range(args.runs):
        began = time.perf_counter()
        services.overview(start=start, stop=stop)
        reads.append(time.perf_counter() - began)
    print(f"dashboard overview read of the rollup (DiD + spread, all indicators): {summary(reads)}")
    slowest = sorted(per_indicator.items(), key=lambda kv: -statistics.median(kv[1]))[:6]
    write_result(
        "s4",
        {
            "children": children,
            "districts": districts,
            "months": args.months,
            "indicators": len(CATALOGUE),
            "app": {"rollup_s": stats(ours), "dashboard_read_s": stats(reads)},
            "floors": {"psql_s": stats(theirs)},
            "ratios": {"rollup_over_psql": ratio(statistics.median(ours), statistics.median(theirs))},
            "met": {
                "cold_le_30s": statistics.median(ours) <= 30,
                "rollup_read_le_2s": statistics.median(reads) <= 2,
                "app_le_1.2x_psql": statistics.median(ours) <= 1.2 * statistics.median(theirs),
            },
            "slowest_indicators_s": {key: round(statistics.median(values), 3) for key, values in slowest},
            "loadavg_per_round": loads,
        },
    )


if __name__ == "__main__":
    main()
