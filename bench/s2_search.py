"""S2: search within a user's visible children (name fragment, personnummer) over all
children, through the real view (POST /barn/sok/, middleware, access-log rows per hit),
in-process with Django's test client. Floor: EXPLAIN ANALYZE of the same SQL in the same run.
Also checks scope: no result outside the user's visible children.

    DATABASE_URL=... .venv/bin/python bench/s2_search.py [--rounds 5] [--users 8]
"""

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import loadavg, machine, percentile, ratio, setup_django, summary, write_result  # noqa: E402

TARGETS = {"p95_ms": 200}


def pick_users(n, seed=2):
    """Users with the most visible children (rektorer, BVC nurses) and a few social workers."""
    from django.db import connection

    from backa.accounts.models import User

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.user_id, count(*) FROM roles_roleassignment r JOIN accounts_position p ON p.id = r.position_id
            WHERE r.valid_to IS NULL GROUP BY p.user_id ORDER BY count(*) DESC, p.user_id LIMIT %s""",
            [n * 3],
        )
        rows = cursor.fetchall()
    rng = random.Random(seed)
    chosen = rows[: n // 2] + rng.sample(rows[n // 2 :], min(len(rows) - n // 2, n - n // 2))
    users = User.objects.in_bulk([u for u, _ in chosen])
    return [(users[u], count) for u, count in chosen]


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--users", type=int, default=8)
    args = parser.parse_args(argv)
    setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()  # so the response carries the template context (the children found)

    from backa.access.gate import visible_children
    from bench.common import dataset_marker
    from bench.harness import bench_session, explain_analyze

    users = pick_users(args.users)
    cases = []  # (client, kind, query, visible ids)
    for user, _count in users:
        client = Client()
        client.cookies["sessionid"] = bench_session(user)
        visible = list(visible_children(user).order_by("id")[:2000])
        rng = random.Random(str(user.pk))
        sample = rng.sample(visible, min(3, len(visible)))
        for child in sample:
            cases.append((client, user, "name", child.family_name[:4].lower()))
            number = child.identity_number
            if number is not None:
                cases.append((client, user, "personnummer", number.formatted))
    times = {"name": [], "personnummer": []}
    floor = {"name": [], "personnummer": []}
    out_of_scope = 0
    loads = []
    plans = {}
    for r in range(args.rounds):
        loads.append(loadavg())
        for client, user, kind, q in cases:
            t0 = time.perf_counter()
            with CaptureQueriesContext(connection) as ctx:
                response = client.post("/barn/sok/", {"q": q})
            times[kind].append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.status_code
            found = response.context["children"] or []
            allowed = set(visible_children(user).filter(pk__in=[c.pk for c in found]).values_list("pk", flat=True))
            out_of_scope += sum(1 for c in found if c.pk not in allowed)
            search_sql = next(
                q_["sql"]
                for q_ in ctx.captured_queries
                if q_["sql"].startswith("SELECT")
                and '"children_child"' in q_["sql"].split(" FROM ")[1][:40]
                and "LIMIT" in q_["sql"]
            )
            ms, plan = explain_analyze(search_sql)
            floor[kind].append(ms)
            plans.setdefault(kind, plan)
        print(
            f"round {r + 1}: name p95 {percentile(times['name'], 95):.1f} ms, "
            f"pnr p95 {percentile(times['personnummer'], 95):.1f} ms",
            flush=True,
        )
    result = {
        "scenario": "S2 search",
        "machine": machine(),
        "dataset": (dataset_marker() or {}).get("params"),
        "settings": vars(args),
        "cases": len(cases),
        "loadavg_per_round": loads,
        "users_visible_children": [c for _, c in users],
        "app": {
            k: {"p50_ms": round(percentile(v, 50), 2), "p95_ms": round(percentile(v, 95), 2), **summary(v)}
            for k, v in times.items()
        },
        "floors": {
            f"explain_analyze_{k}": {"p50_ms": round(percentile(v, 50), 2), **summary(v)} for k, v in floor.items()
        },
        "ratios": {f"{k}_p50_over_explain": ratio(percentile(times[k], 50), percentile(floor[k], 50)) for k in times},
        "out_of_scope_results": out_of_scope,
        "targets": TARGETS,
        "met": {k: percentile(v, 95) <= TARGETS["p95_ms"] for k, v in times.items()} | {"scope": out_of_scope == 0},
        "plans": plans,
    }
    write_result("s2", result)
    return result


if __name__ == "__main__":
    main()
