"""Where the time of one page goes: cProfile of N in-process requests (test client, same
middleware) plus the page's queries with their database time.

    DATABASE_URL=... .venv/bin/python bench/profile_page.py [overview|search|trivial] [-n 50]
"""

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import RESULTS, setup_django  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("page", nargs="?", default="overview", choices=["overview", "search", "trivial"])
    parser.add_argument("-n", type=int, default=50)
    args = parser.parse_args(argv)
    setup_django(bench_views=True)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.s1_overview import pick_pairs, sessions_for

    pairs = pick_pairs(8, 4)
    keys = sessions_for(pairs)
    requests = []
    for user, children in pairs:
        client = Client()
        client.cookies["sessionid"] = keys[user.pk]
        for child_id in children:
            if args.page == "trivial":
                requests.append(lambda c=client: c.get("/bench/trivial"))
            elif args.page == "overview":
                requests.append(lambda c=client, i=child_id: c.get(f"/barn/{i}/"))
            else:
                requests.append(lambda c=client: c.post("/barn/sok/", {"q": "an"}))
    for r in requests[:4]:
        r()  # warm
    with CaptureQueriesContext(connection) as ctx:
        requests[0]()
    queries = [(float(q["time"]) * 1000, q["sql"][:140]) for q in ctx.captured_queries]
    profile = cProfile.Profile()
    t0 = time.perf_counter()
    profile.enable()
    for i in range(args.n):
        requests[i % len(requests)]()
    profile.disable()
    wall = (time.perf_counter() - t0) * 1000 / args.n
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(25)
    cumulative = io.StringIO()
    pstats.Stats(profile, stream=cumulative).sort_stats("cumulative").print_stats(
        "backa|django/(template|db/models/query|test/client|core/handlers)", 40
    )
    report = [
        f"# Profile of the {args.page} page: {args.n} requests, {wall:.1f} ms each (in-process)",
        "",
        f"## Queries of one request ({len(queries)}, {sum(t for t, _ in queries):.1f} ms in the database)",
        "",
    ]
    report += [f"- {t:.2f} ms  {sql}" for t, sql in queries]
    report += ["", "## cProfile, by own time", "", "```", out.getvalue()[:12000], "```"]
    report += [
        "",
        "## cProfile, cumulative (project code, templates, querysets)",
        "",
        "```",
        cumulative.getvalue()[:16000],
        "```",
    ]
    path = RESULTS / f"profile-{args.page}.md"
    path.write_text("\n".join(report) + "\n")
    print("\n".join(report[:40]))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
