"""S7: a five-year log extract for one child (consent.extract.rows_for, as the loggutdrag page
runs it) and the daily review sample (audit.review.draw_daily_sample, rolled back), against
the same SQL in psql in the same run; EXPLAIN shows partition pruning.

    DATABASE_URL=... .venv/bin/python bench/s7_log_extract.py [--rounds 5]
"""

import argparse
import re
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import loadavg, machine, ratio, setup_django, summary, write_result  # noqa: E402

TARGETS = {"extract_s": 2, "review_s": 30}


def busiest_child(day):
    from django.db import connection

    with connection.cursor() as cursor:
        # The child most opened in one recent month stands for a child with a long history.
        cursor.execute(f"""SELECT child_id FROM audit_accesslog_{day:%Y%m} WHERE child_id IS NOT NULL
                           GROUP BY child_id ORDER BY count(*) DESC, child_id LIMIT 1""")
        return cursor.fetchone()[0]


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    setup_django()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from backa.audit.review import draw_daily_sample
    from backa.children.models import Child  # bench only: the extract is produced for a known child
    from backa.consent import extract
    from bench.common import dataset_marker
    from bench.harness import explain_analyze, psql_time

    marker = dataset_marker()
    today = date.fromisoformat(marker["params"]["today"]) if marker else date.today()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    child = Child.objects.get(pk=busiest_child(last_month))
    start, end = today - timedelta(days=5 * 365), today
    review_day = last_month + timedelta(days=14)
    while review_day.weekday() >= 5:
        review_day += timedelta(days=1)
    with CaptureQueriesContext(connection) as ctx:
        rows = extract.rows_for(child, start, end, names=True)
    extract_sql = next(q["sql"] for q in ctx.captured_queries if '"audit_accesslog"' in q["sql"])
    _, extract_plan = explain_analyze(extract_sql)
    runs = {"extract_app_ms": [], "extract_psql_ms": [], "review_app_ms": [], "review_psql_ms": []}
    review_sql = None
    loads = []
    for r in range(args.rounds):
        loads.append(loadavg())
        t0 = time.perf_counter()
        extract.rows_for(child, start, end, names=True)
        runs["extract_app_ms"].append((time.perf_counter() - t0) * 1000)
        runs["extract_psql_ms"].append(sum(psql_time(q["sql"], repeat=1)[0] for q in ctx.captured_queries))
        with transaction.atomic():
            with CaptureQueriesContext(connection) as rctx:
                t0 = time.perf_counter()
                items = draw_daily_sample(review_day, seed=r)
                runs["review_app_ms"].append((time.perf_counter() - t0) * 1000)
            transaction.set_rollback(True)
        reads = [
            q["sql"] for q in rctx.captured_queries if q["sql"].startswith("SELECT") and "LIMIT 21" not in q["sql"]
        ]
        # With more than 9,000 statements (one per review item at this scale) the capture keeps
        # only the last ones and the opening reads are gone: keep what an earlier round saw.
        review_sql = reads or review_sql
        runs["review_psql_ms"].append(sum(psql_time(s, repeat=1)[0] for s in reads[:3]))
        print(
            f"round {r + 1}: extract {runs['extract_app_ms'][-1]:.0f} ms ({len(rows)} rows), "
            f"review {runs['review_app_ms'][-1]:.0f} ms ({items} items)",
            flush=True,
        )
    _, review_plan = explain_analyze(review_sql[0]) if review_sql else (None, "")
    scanned = sorted(set(re.findall(r"audit_accesslog_(\d{6}|default)", extract_plan)))
    med = {k: summary(v) for k, v in runs.items()}
    result = {
        "scenario": "S7 log extract and daily review",
        "machine": machine(),
        "dataset": marker and marker["params"],
        "settings": vars(args),
        "loadavg_per_round": loads,
        "extract_rows": len(rows),
        "extract_period": [start.isoformat(), end.isoformat()],
        "extract_partitions_in_plan": len(scanned),
        "review_day": review_day.isoformat(),
        "review_partitions_in_plan": sorted(set(re.findall(r"audit_accesslog_(\d{6}|default)", review_plan))),
        "app": {"extract_ms": med["extract_app_ms"], "review_ms": med["review_app_ms"]},
        "floors": {"extract_psql_ms": med["extract_psql_ms"], "review_psql_first3_ms": med["review_psql_ms"]},
        "ratios": {
            "extract_app_over_psql": ratio(med["extract_app_ms"]["median"], med["extract_psql_ms"]["median"]),
            "review_app_over_psql": ratio(med["review_app_ms"]["median"], med["review_psql_ms"]["median"]),
        },
        "targets": TARGETS,
        "met": {
            "extract": med["extract_app_ms"]["median"] <= TARGETS["extract_s"] * 1000,
            "review": med["review_app_ms"]["median"] <= TARGETS["review_s"] * 1000,
        },
        "explain": {"extract": extract_plan, "review": review_plan},
    }
    write_result("s7", result)
    return result


if __name__ == "__main__":
    main()
