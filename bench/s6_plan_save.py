"""S6: saving a plan version (optimistic lock, PlanVersion snapshot, access-log row) with the
plans service, 16 concurrent clients (processes, each its own connection):
  - throughput: each client saves its own plan over and over -> saves/s, p95;
  - contention: 16 clients race over 4 plans, each save based on the version it read ->
    conflicts are refused (PlanConflict) and lost updates are counted (must be 0).
Floors in the same run: the same SQL transaction through pgbench, and pg_test_fsync ops/s.

    DATABASE_URL=... .venv/bin/python bench/s6_plan_save.py [--seconds 10] [--rounds 5] [--clients 16]
"""

import argparse
import multiprocessing as mp
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import loadavg, machine, percentile, pg_bin, ratio, setup_django, summary, write_result  # noqa: E402

TARGETS = {"saves_per_s": 150, "p95_ms": 100, "lost_updates": 0}


def _worker(args):
    worker, plan_ids, user_id, seconds, start_at = args
    setup_django()
    from django.db import connection

    from backa.accounts.models import User
    from backa.casefile.models import Plan
    from backa.casefile.plan import PlanConflict, do_update_plan

    user = User.objects.get(pk=user_id)
    saves, conflicts, latencies, mine = 0, 0, [], []
    while time.time() < start_at:
        time.sleep(0.01)
    stop = time.time() + seconds
    i = 0
    while time.time() < stop:
        plan_id = plan_ids[i % len(plan_ids)]
        i += 1
        plan = Plan.objects.get(pk=plan_id)
        text = f"w{worker}-{i}"
        t0 = time.perf_counter()
        try:
            saved = do_update_plan(acting_user=user, plan=plan, based_on_version=plan.version, child_view=text)
            saves += 1
            mine.append((str(plan_id), saved.version, text))
        except PlanConflict:
            conflicts += 1
        latencies.append((time.perf_counter() - t0) * 1000)
    connection.close()
    return {"saves": saves, "conflicts": conflicts, "latencies": latencies, "mine": mine}


def run_clients(plans_per_client, user_id, seconds):
    start_at = time.time() + 2
    with mp.get_context("spawn").Pool(len(plans_per_client)) as pool:
        results = pool.map(_worker, [(w, p, user_id, seconds, start_at) for w, p in enumerate(plans_per_client)])
    lat = [x for r in results for x in r["latencies"]]
    return results, {
        "saves": sum(r["saves"] for r in results),
        "conflicts": sum(r["conflicts"] for r in results),
        "saves_per_s": round(sum(r["saves"] for r in results) / seconds, 1),
        "p50_ms": round(percentile(lat, 50), 2),
        "p95_ms": round(percentile(lat, 95), 2),
    }


def lost_updates(results, before):
    """Every acknowledged save must be a version in the database with the text it wrote, and
    each plan's version must have grown by exactly the number of acknowledged saves."""
    from backa.casefile.models import Plan, PlanVersion

    acked = [m for r in results for m in r["mine"]]
    lost = 0
    by_plan = {}
    for plan_id, version, text in acked:
        by_plan.setdefault(plan_id, []).append((version, text))
    for plan_id, saves in by_plan.items():
        plan = Plan.objects.get(pk=plan_id)
        if plan.version - before[plan_id] != len(saves) or len({v for v, _ in saves}) != len(saves):
            lost += abs(plan.version - before[plan_id] - len(saves)) or 1
        stored = dict(
            PlanVersion.objects.filter(plan_id=plan_id, number__in=[v for v, _ in saves]).values_list(
                "number", "snapshot"
            )
        )
        for version, text in saves:
            snap = stored.get(version)
            if snap is None or (snap.get("child_view") if isinstance(snap, dict) else None) != text:
                lost += 1
    return lost


def transaction_sql(plan, user):
    from backa.casefile.plan import do_update_plan
    from bench.harness import captured_sql

    # A value the plan cannot already hold: an unchanged plan saves nothing (and an earlier run
    # on the cached dataset left "pgbench" there), which would make the floor an empty transaction.
    statements = captured_sql(
        lambda: do_update_plan(
            acting_user=user, plan=plan, based_on_version=plan.version, child_view=f"pgbench {uuid.uuid4().hex}"
        )
    )
    assert any(s.startswith('INSERT INTO "audit_accesslog"') for s in statements), "the captured save wrote no log row"
    out = []
    for s in statements:
        if s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")):
            continue
        if s.startswith('UPDATE "casefile_plan"'):
            s = re.sub(r'"version" = \d+', '"version" = "casefile_plan"."version" + 1', s)
        if s.startswith('INSERT INTO "casefile_planversion"'):
            head, values = s.split(" VALUES ", 1)
            values, n = re.subn(
                r"^\('[0-9a-f-]{32,36}'::uuid, ('[0-9a-f-]{32,36}'::uuid), \d+,",
                rf"(gen_random_uuid(), \1, (SELECT version FROM casefile_plan WHERE id = '{plan.pk}'),",
                values,
            )
            assert n == 1, values[:200]
            s = head + " VALUES " + values
        out.append(s)
    return out


def fsync_ops():
    out = subprocess.run(
        [pg_bin("pg_test_fsync"), "-s", "2", "-f", "/var/tmp/bench_fsync.tmp"],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    m = re.search(r"fdatasync\s+([0-9.,]+) ops/sec", out)
    return float(m.group(1).replace(",", "")) if m else None


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args(argv)
    setup_django()
    from backa.accounts.models import User
    from backa.casefile.models import Plan
    from bench.common import dataset_marker
    from bench.harness import pgbench

    plans = list(
        Plan.objects.filter(status="active", coordinator__isnull=False)
        .select_related("coordinator__user")
        .order_by("id")[: args.clients + 4]
    )
    if len(plans) < args.clients + 4:
        sys.exit("Not enough active plans in the dataset")
    user = User.objects.filter(is_synthetic=True, is_active=True).order_by("username").first()
    own = [[p.pk] for p in plans[: args.clients]]
    shared = [
        [p.pk for p in plans[args.clients :]][w % 4 :] + [p.pk for p in plans[args.clients :]][: w % 4]
        for w in range(args.clients)
    ]
    scripts = [transaction_sql(p, user) for p in plans[: args.clients]]
    runs = {"app": [], "contended": [], "pgbench_prepared": [], "pgbench_simple": [], "fsync_ops": []}
    lost_total, loads = 0, []
    for r in range(args.rounds):
        loads.append(loadavg())
        runs["app"].append(run_clients(own, user.pk, args.seconds)[1])
        runs["pgbench_prepared"].append(
            pgbench(scripts, clients=args.clients, seconds=args.seconds, protocol="prepared")
        )
        runs["pgbench_simple"].append(pgbench(scripts, clients=args.clients, seconds=args.seconds, protocol="simple"))
        before = {str(p.pk): Plan.objects.get(pk=p.pk).version for p in plans[args.clients :]}
        results, stats = run_clients(shared, user.pk, max(2, args.seconds // 2))
        stats["lost_updates"] = lost_updates(results, before)
        lost_total += stats["lost_updates"]
        runs["contended"].append(stats)
        runs["fsync_ops"].append(fsync_ops())
        print(
            f"round {r + 1}: app {runs['app'][-1]['saves_per_s']}/s p95 {runs['app'][-1]['p95_ms']} ms; "
            f"pgbench {runs['pgbench_simple'][-1]['tps']} tps; contended {stats}",
            flush=True,
        )
    app_rate = summary([x["saves_per_s"] for x in runs["app"]])
    app_p95 = summary([x["p95_ms"] for x in runs["app"]])
    pg_simple = summary([x["tps"] for x in runs["pgbench_simple"]])
    fsync = summary([x for x in runs["fsync_ops"] if x])
    result = {
        "scenario": "S6 plan save",
        "machine": machine(),
        "dataset": (dataset_marker() or {}).get("params"),
        "settings": vars(args),
        "statements_per_save": len(scripts[0]),
        "loadavg_per_round": loads,
        "app": {
            "saves_per_s": app_rate,
            "p95_ms": app_p95,
            "contended": {
                "saves_per_s": summary([x["saves_per_s"] for x in runs["contended"]]),
                "conflicts": sum(x["conflicts"] for x in runs["contended"]),
                "lost_updates": lost_total,
            },
        },
        "floors": {
            "pgbench_prepared_tps": summary([x["tps"] for x in runs["pgbench_prepared"]]),
            "pgbench_simple_tps": pg_simple,
            "pg_test_fsync_fdatasync_ops": fsync,
        },
        "ratios": {
            "saves_over_pgbench_simple": ratio(app_rate["median"], pg_simple["median"]),
            "saves_over_fsync_ops": ratio(app_rate["median"], fsync.get("median", 0)),
        },
        "targets": TARGETS,
        "met": {
            "saves_per_s": app_rate["median"] >= TARGETS["saves_per_s"],
            "p95": app_p95["median"] <= TARGETS["p95_ms"],
            "no_lost_updates": lost_total == 0,
        },
        "raw": runs,
    }
    write_result("s6", result)
    return result


if __name__ == "__main__":
    main()
