"""A database from before the child's file became one app migrates without losing a row.

`data/before_casefile.sql.gz` is a pg_dump of a database migrated by the code of
2026-11-30 (apps `concerns` and `plans`) holding the synthetic demo pilot
(`generate_pilot --children 120`: concerns, conversations, assessments, a report, plans with
versions, goals, actions, meetings, decisions, a follow-up, notifications). The test loads it
into a database of its own, runs `manage.py migrate` as an operator would, and checks that
the migration history is consistent, every table moved to `casefile_*` with exactly the rows
it had (compared row by row), and the application reads them.
"""

import gzip
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

ROOT = Path(__file__).resolve().parents[3]
DUMP = Path(__file__).with_name("data") / "before_casefile.sql.gz"
MOVED = {
    "concerns": ["concern", "notification", "conversation", "assessment", "assessmentarea", "concernreport"],
    "plans": [
        "plan",
        "planversion",
        "goal",
        "action",
        "meeting",
        "participant",
        "decision",
        "followup",
        "goalprogress",
        "chronologyentry",
    ],
}


def _server():
    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("postgresql"):
        pytest.skip("the dump is a PostgreSQL dump")
    return {
        k: v
        for k, v in {
            "host": db.get("HOST"),
            "port": db.get("PORT"),
            "user": db.get("USER"),
            "password": db.get("PASSWORD"),
        }.items()
        if v
    }


def _digests(conn, tables):
    """{table: (row count, md5 of all rows as text)}."""
    out = {}
    for table in tables:
        out[table] = conn.execute(
            sql.SQL("SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {} t").format(
                sql.Identifier(table)
            )
        ).fetchone()
    return out


@pytest.fixture
def old_database():
    server = _server()
    name = f"backa_before_casefile_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(**server, dbname="postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        with psycopg.connect(**server, dbname=name, autocommit=True) as conn:
            conn.execute(gzip.decompress(DUMP.read_bytes()).decode())
            conn.execute("SELECT pg_catalog.set_config('search_path', 'public', false)")
        yield server, name
    finally:
        with psycopg.connect(**server, dbname="postgres", autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _manage(server, name, *args):
    user = server.get("user", "")
    auth = f"{user}:{server['password']}@" if server.get("password") else (f"{user}@" if user else "")
    url = f"postgresql://{auth}{server.get('host', '127.0.0.1')}:{server.get('port', 5432)}/{name}"
    env = {**os.environ, "DATABASE_URL": url, "BACKA_ENV": "test"}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_a_database_of_the_two_apps_migrates_to_the_casefile_without_losing_a_row(old_database):
    server, name = old_database
    old_tables = [f"{app}_{model}" for app, models in MOVED.items() for model in models]
    with psycopg.connect(**server, dbname=name) as conn:
        before = _digests(conn, old_tables)
        applied = set(conn.execute("SELECT app FROM django_migrations").fetchall())
    assert ("concerns",) in applied and ("plans",) in applied and ("casefile",) not in applied
    assert sum(count for count, _digest in before.values()) > 50, "the dump should hold the demo's rows"

    # First up to the move itself (later casefile migrations change rows, e.g. 0003 the plan versions).
    result = _manage(server, name, "migrate", "--noinput", "casefile", "0002_rename_tables")
    assert result.returncode == 0, result.stderr[-3000:]

    with psycopg.connect(**server, dbname=name) as conn:
        after = _digests(conn, [f"casefile_{model}" for models in MOVED.values() for model in models])
        left = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND "
            "(tablename LIKE 'concerns\\_%' OR tablename LIKE 'plans\\_%')"
        ).fetchall()
        casefile = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM django_migrations WHERE app = 'casefile' ORDER BY name"
            ).fetchall()
        ]
    assert left == []
    for app, models in MOVED.items():
        for model in models:
            assert after[f"casefile_{model}"] == before[f"{app}_{model}"], model
    # 0001 replaces the two apps' migrations (recorded as applied, not run); 0002 renamed the tables;
    # later migrations follow (and `migrate --check` below finds none left).
    assert casefile[:2] == ["0001_initial", "0002_rename_tables"]

    result = _manage(server, name, "migrate", "--noinput")
    assert result.returncode == 0, result.stderr[-3000:]
    with psycopg.connect(**server, dbname=name) as conn:
        codes = conn.execute(
            "SELECT change_code, legacy_change, count(*) FROM casefile_planversion GROUP BY 1, 2 ORDER BY 1, 2"
        ).fetchall()
    # The dump's versions were saved in Swedish (and "created", stored untranslated): all get a code.
    assert codes and all(code for code, _text, _n in codes), codes
    assert ("goal_added", "mål tillagt") in [(code, text) for code, text, _n in codes]

    plan = _manage(server, name, "migrate", "--check")
    assert plan.returncode == 0, plan.stdout + plan.stderr
    shell = _manage(
        server,
        name,
        "shell",
        "-v",
        "0",
        "-c",
        "from backa.casefile.models import Concern, Plan; "
        "print(Plan.objects.count(), Concern.objects.count(), "
        "sum(p.versions.count() for p in Plan.objects.all()))",
    )
    assert shell.returncode == 0, shell.stderr[-2000:]
    plans, concerns, versions = map(int, shell.stdout.split()[-3:])
    assert (plans, concerns, versions) == (
        before["plans_plan"][0],
        before["concerns_concern"][0],
        before["plans_planversion"][0],
    )
