"""S1: the child overview page (with its access-log row) at 1 and 16 clients, against the
framework floor (a trivial view behind the same middleware, same gunicorn workers) and the
data floor (the page's own SQL transaction through pgbench, prepared and simple protocol).
Runs are interleaved, --rounds times (default 5).

    DATABASE_URL=... .venv/bin/python bench/s1_overview.py [--seconds 5] [--rounds 5] [--workers 4]
"""

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import loadavg, machine, ratio, setup_django, summary, write_result  # noqa: E402

TARGETS = {"c1_p95_ms": 25, "c16_pages_per_s": 250, "c16_p95_ms": 150}


def pick_pairs(n_users=64, per_user=4, seed=8):
    """(user, child_id) pairs where the user holds an active role for the child."""
    from django.db import connection

    from backa.accounts.models import User

    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT p.user_id, array_agg(r.child_id ORDER BY r.child_id) FROM roles_roleassignment r
            JOIN accounts_position p ON p.id = r.position_id
            WHERE r.valid_to IS NULL AND r.valid_from <= current_date GROUP BY p.user_id ORDER BY p.user_id""")
        rows = cursor.fetchall()
    rng = random.Random(seed)
    chosen = rng.sample(rows, min(n_users, len(rows)))
    users = User.objects.in_bulk([u for u, _ in chosen])
    return [(users[u], rng.sample(children, min(per_user, len(children)))) for u, children in chosen]


def sessions_for(pairs):
    from bench.harness import bench_session

    return {user.pk: bench_session(user) for user, _ in pairs}


def page_sql(session_key, path):
    from django.test import Client

    from bench.harness import captured_sql

    client = Client()
    client.cookies["sessionid"] = session_key

    def get():
        response = client.get(path)
        assert response.status_code == 200, response.status_code

    return captured_sql(get)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)
    setup_django(bench_views=True)
    from bench.common import dataset_marker
    from bench.harness import gunicorn, pgbench, wrk

    marker = dataset_marker()
    pairs = pick_pairs()
    keys = sessions_for(pairs)
    page = [(keys[u.pk], f"/barn/{c}/") for u, children in pairs for c in children]
    trivial = [(keys[u.pk], "/bench/trivial") for u, _ in pairs]
    scripts = [page_sql(k, p) for k, p in page[:: max(1, len(page) // 12)][:12]]
    runs = {
        name: []
        for name in (
            "trivial_c1",
            "page_c1",
            "trivial_c16",
            "page_c16",
            "pgbench_prepared_c1",
            "pgbench_simple_c1",
            "pgbench_prepared_c16",
            "pgbench_simple_c16",
        )
    }
    loads = []
    with gunicorn(args.workers) as base:
        wrk(base, page, connections=2, seconds=2)  # warm-up: workers, connections, caches
        for r in range(args.rounds):
            loads.append(loadavg())
            runs["trivial_c1"].append(wrk(base, trivial, connections=1, seconds=args.seconds, seed=r))
            runs["page_c1"].append(wrk(base, page, connections=1, seconds=args.seconds, seed=r))
            runs["pgbench_prepared_c1"].append(pgbench(scripts, clients=1, seconds=args.seconds, protocol="prepared"))
            runs["pgbench_simple_c1"].append(pgbench(scripts, clients=1, seconds=args.seconds, protocol="simple"))
            runs["trivial_c16"].append(wrk(base, trivial, connections=16, seconds=args.seconds, seed=r))
            runs["page_c16"].append(wrk(base, page, connections=16, seconds=args.seconds, seed=r))
            runs["pgbench_prepared_c16"].append(pgbench(scripts, clients=16, seconds=args.seconds, protocol="prepared"))
            runs["pgbench_simple_c16"].append(pgbench(scripts, clients=16, seconds=args.seconds, protocol="simple"))
            print(
                f"round {r + 1}/{args.rounds}: page c1 p95 {runs['page_c1'][-1]['p95_ms']} ms, "
                f"c16 {runs['page_c16'][-1]['rps']}/s; trivial c16 {runs['trivial_c16'][-1]['rps']}/s",
                flush=True,
            )

    def med(name, key):
        return summary([x[key] for x in runs[name]])

    errors = sum(x["errors"] + x["non2xx"] for n, v in runs.items() if not n.startswith("pgbench") for x in v)
    page_c1_p95, page_c16_rps, page_c16_p95 = (
        med("page_c1", "p95_ms"),
        med("page_c16", "rps"),
        med("page_c16", "p95_ms"),
    )
    result = {
        "scenario": "S1 child overview",
        "machine": machine(),
        "dataset": marker and marker["params"],
        "settings": vars(args),
        "queries_per_page": len(scripts[0]),
        "loadavg_per_round": loads,
        "app": {
            "page_c1": {"p50_ms": med("page_c1", "p50_ms"), "p95_ms": page_c1_p95, "rps": med("page_c1", "rps")},
            "page_c16": {"p50_ms": med("page_c16", "p50_ms"), "p95_ms": page_c16_p95, "rps": page_c16_rps},
            "errors": errors,
        },
        "floors": {
            "trivial_c1": {"p50_ms": med("trivial_c1", "p50_ms"), "rps": med("trivial_c1", "rps")},
            "trivial_c16": {"p50_ms": med("trivial_c16", "p50_ms"), "rps": med("trivial_c16", "rps")},
            **{n: {"tps": med(n, "tps"), "p50_ms": med(n, "p50_ms")} for n in runs if n.startswith("pgbench")},
        },
        "ratios": {
            "page_rps_over_trivial_c16": ratio(page_c16_rps["median"], med("trivial_c16", "rps")["median"]),
            "page_p50_over_trivial_p50_c1": ratio(
                med("page_c1", "p50_ms")["median"], med("trivial_c1", "p50_ms")["median"]
            ),
            "page_p50_over_pgbench_simple_p50_c1": ratio(
                med("page_c1", "p50_ms")["median"], med("pgbench_simple_c1", "p50_ms")["median"]
            ),
            "page_rps_over_pgbench_simple_tps_c16": ratio(
                page_c16_rps["median"], med("pgbench_simple_c16", "tps")["median"]
            ),
        },
        "targets": TARGETS,
        "met": {
            "c1_p95": page_c1_p95["median"] <= TARGETS["c1_p95_ms"],
            "c16_throughput": page_c16_rps["median"] >= TARGETS["c16_pages_per_s"],
            "c16_p95": page_c16_p95["median"] <= TARGETS["c16_p95_ms"],
            "no_errors": errors == 0,
        },
        "raw": runs,
    }
    write_result("s1", result)
    return result


if __name__ == "__main__":
    main()
