"""R15 drill: version N of the application keeps working on the schema of version N+1.

During a rolling deploy the old code (N) runs against the database that the new code's
migrations (N+1) have already changed. That works only if the migrations are expand-only:
a new NOT NULL column needs a database default (`db_default`), nothing is renamed or dropped
in the same release that stops using it.

N is the code just before the newest commit that touched a migration (`git log -- '*/migrations/*'`),
or the commit in R15_PREVIOUS. The drill exports it with `git archive`, migrates a throwaway
database with the current code, and then lets N's own pilot generator write a small
municipality through N's models (every main table: children, roles, concerns, reports, intake,
plans, meetings, consents, the outbox …) and read it back (`demo_logins`); then N+1 reads the
same rows. Both must succeed. The figures go to var/drills/results.jsonl.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from backa.operations import pgtools
from backa.operations.drills.conftest import ROOT, app_env
from backa.operations.drills.record import record

pytestmark = pytest.mark.drill


def git(*args) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()


def previous_version() -> str:
    if os.environ.get("R15_PREVIOUS"):
        return git("rev-parse", os.environ["R15_PREVIOUS"])
    last_schema_change = git("log", "-1", "--format=%H", "--", "backa/*/migrations/*.py")
    return git("rev-parse", f"{last_schema_change}^")


def run(code: Path, database_url: str, *args, timeout=900):
    result = subprocess.run(
        [sys.executable, str(code / "manage.py"), *args],
        cwd=code,
        env=app_env(database_url, PYTHONPATH=str(code)),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, (
        f"{code.name}: manage.py {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    )
    return result


@pytest.mark.skipif(not pgtools.may_run_server(), reason="needs PostgreSQL's server binaries")
def test_r15_version_n_writes_and_reads_on_the_schema_of_n_plus_1():
    try:
        previous = previous_version()
    except subprocess.CalledProcessError as error:
        pytest.fail(f"no git history to find version N in (a shallow clone?): {error.stderr}")
    with tempfile.TemporaryDirectory(prefix="backa-r15-") as tmp, pgtools.throwaway_cluster() as cluster:
        old = Path(tmp) / "n"
        old.mkdir()
        archive = subprocess.run(["git", "archive", previous], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
        with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE backa")
        url = f"postgresql://postgres@127.0.0.1:{cluster.port}/backa"
        started = time.monotonic()
        run(ROOT, url, "migrate", "--noinput", "-v0")  # N+1's schema
        migrated = time.monotonic() - started
        run(old, url, "generate_pilot", "--children", "120")  # N's code writes on it …
        run(old, url, "demo_logins")  # … and reads
        run(ROOT, url, "demo_logins")  # N+1 reads what N wrote
        with psycopg.connect(cluster.dsn("backa")) as conn:
            children = conn.execute("SELECT count(*) FROM children_child").fetchone()[0]
    assert children >= 120
    record(
        "R15 migrations N/N+1",
        version_n=previous[:12],
        version_n_plus_1=git("rev-parse", "HEAD")[:12],
        migrate_seconds=round(migrated, 1),
        children_written=children,
    )
