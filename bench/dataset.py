"""Build the benchmark dataset once into DATABASE_URL and keep it (a marker records it).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/backa_bench .venv/bin/python bench/dataset.py --scale 1.0

Scale 1.0 = 1,000,000 children (the synthetic generator, rows written with COPY), about
20 million child-owned events (concerns, conversations, assessments, plans with versions,
goals, actions, meetings, follow-ups, chronology, consents, forum meetings, team roles …,
generated in SQL with INSERT … SELECT over generate_series) and an access log of 50 million
rows in monthly partitions over five years (SQL-generated). --scale 0.01 builds 1 % of all
of it in seconds for quick checks. Stages are recorded in the table `bench_dataset`; a rerun
with the same parameters does nothing, an interrupted build resumes at the stage that did not
finish (a half-written stage needs --force, which empties the database first).

Children get identity numbers only from Skatteverket's test series (980–999, 40 per birth
date with samordningsnummer); past the series' capacity (about 263,000 birth-date slots over
18 years) children have no number (id type "none"), as documented in docs/performance.md.
"""

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import database_url, setup_django  # noqa: E402

VERSION = 1
TODAY = date(2026, 11, 1)
FULL = {"children": 1_000_000, "accesslog": 50_000_000}
# Children made one by one by the synthetic generator (Python); the rest are SQL variations of
# them (new ids and given names, no identity number, spread over the other units of the same
# kind in the same district). Past ~263,000 children the test series has no numbers left
# anyway, and the generator needs ~1 ms per child, which on a shared 2-core machine made a
# million children take most of an hour.
PYTHON_CHILDREN = 100_000


def params_for(scale: float, seed: int) -> dict:
    return {
        "version": VERSION,
        "scale": scale,
        "seed": seed,
        "today": TODAY.isoformat(),
        "children": max(200, int(FULL["children"] * scale)),
        "accesslog": int(FULL["accesslog"] * scale),
        "python_children": min(PYTHON_CHILDREN, max(200, int(FULL["children"] * scale))),
    }


def copy_writer(model, rows):
    """Write model instances with COPY (what bulk_create does, several times faster at this size).

    The generator's models hold plain values psycopg adapts itself (uuid, date, str, bool,
    bytes), so attributes are written as they are; auto_now fields get one timestamp per chunk.
    """
    from django.db import connection
    from django.utils import timezone

    if not rows:
        return
    fields = list(model._meta.concrete_fields)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    now = timezone.now()
    auto = [i for i, f in enumerate(fields) if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    attnames = [f.attname for f in fields]
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for obj in rows:
            values = [getattr(obj, a) for a in attnames]
            for i in auto:
                values[i] = now
            copy.write_row(values)


MARKER_DDL = """CREATE TABLE IF NOT EXISTS bench_dataset (
    params jsonb PRIMARY KEY, stages jsonb NOT NULL DEFAULT '{}', complete boolean NOT NULL DEFAULT false,
    built_at timestamptz NOT NULL DEFAULT now())"""


def load_marker(cursor, params):
    cursor.execute(MARKER_DDL)
    cursor.execute("SELECT params, stages, complete FROM bench_dataset")
    rows = cursor.fetchall()
    rows = [
        (json.loads(p) if isinstance(p, str) else p, json.loads(s) if isinstance(s, str) else s, c) for p, s, c in rows
    ]  # Django loads jsonb as text
    for p, stages, complete in rows:
        if p == params:
            return stages, complete
    if rows:
        raise SystemExit(
            f"This database holds another benchmark dataset ({rows[0][0]}); use another database or --force."
        )
    return {}, False


def save_stage(cursor, params, stages, complete=False):
    cursor.execute(
        "INSERT INTO bench_dataset (params, stages, complete) VALUES (%s, %s, %s) "
        "ON CONFLICT (params) DO UPDATE SET stages = EXCLUDED.stages, complete = EXCLUDED.complete, built_at = now()",
        [json.dumps(params), json.dumps(stages), complete],
    )


def stage_children(params, log):
    """Reference data and staff sized for all children; the first python_children made by the generator."""
    from backa.synthetic.generator import Generator

    class BenchGenerator(Generator):
        def build_children(self):
            total, self.n_children = self.n_children, params["python_children"]
            try:
                super().build_children()
            finally:
                self.n_children = total

    def progress(done, total):
        if done % 50_000 == 0 or done == total:
            log(f"  children {done}/{total}")

    BenchGenerator(
        children=params["children"], seed=params["seed"], today=TODAY, progress=progress, writer=copy_writer
    ).run()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--force", action="store_true", help="empty the database and build again")
    parser.add_argument(
        "--only", choices=["children", "variations", "events", "accesslog", "finish"], help="stop after this stage"
    )
    args = parser.parse_args(argv)
    database_url()
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from bench import dataset_sql

    params = params_for(args.scale, args.seed)
    log = lambda msg: print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)  # noqa: E731
    with connection.cursor() as cursor:
        if args.force:
            log("--force: dropping schema public")
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        stages, complete = load_marker(cursor, params)
    if complete:
        log(f"Dataset already built: {json.dumps(params)}; stages {json.dumps(stages)}")
        return params, stages
    steps = [
        ("children", stage_children),
        ("variations", dataset_sql.stage_variations),
        ("events", dataset_sql.stage_events),
        ("accesslog", dataset_sql.stage_accesslog),
        ("finish", dataset_sql.stage_finish),
    ]
    for name, fn in steps:
        if name in stages:
            log(f"stage {name}: done before ({stages[name]['seconds']} s)")
        else:
            if name == "children":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT count(*) FROM children_child")
                    if cursor.fetchone()[0]:
                        raise SystemExit("Children exist but the stage did not finish: rerun with --force.")
            log(f"stage {name} …")
            t0 = time.perf_counter()
            info = fn(params, log) or {}
            stages[name] = {"seconds": round(time.perf_counter() - t0, 1), **info}
            with connection.cursor() as cursor:
                save_stage(cursor, params, stages)
            log(f"stage {name}: {stages[name]}")
        if args.only == name:
            return params, stages
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        stages["size_bytes"] = cursor.fetchone()[0]
        save_stage(cursor, params, stages, complete=True)
    log(f"Dataset complete: {json.dumps(params)} {json.dumps(stages)}")
    return params, stages


if __name__ == "__main__":
    main()
