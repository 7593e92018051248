"""R6: the population-register import is idempotent and survives being killed.

The CSV import (manage.py import_register) writes in one transaction, so "resume" after an
interruption is simply running it again; that run also marks the killed one "interrupted"
(its advisory lock died with it, integrations/runs.py). The drill: kill -9 the import at about half way (its
progress is visible on the import-run row, written on a connection of its own) → the tables
are exactly as before; run it again → complete; run it a third time → 0 changes and the
same table checksums."""

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta

import psycopg
import pytest
from django.db import connection

from backa.integrations.register import HEADER
from backa.operations.drills.conftest import ROOT, app_env, manage
from backa.operations.drills.record import record
from backa.synthetic.testnumbers import SyntheticNumberAllocator

pytestmark = pytest.mark.drill
ROWS = int(os.environ.get("DRILL_R6_ROWS", "20000"))
CODE = "0180"

CHECKSUMS = {
    "children": """SELECT count(*), md5(coalesce(string_agg(concat_ws('|', c.pnr_hash, c.given_name, c.family_name, c.sex,
                       d.code, c.protected_identity, c.birth_date, c.version), E'\\n' ORDER BY c.pnr_hash), ''))
                   FROM children_child c LEFT JOIN organisations_district d ON d.id = c.home_district_id
                   WHERE c.municipality_id = %(m)s""",
    "guardians": """SELECT count(*), md5(coalesce(string_agg(concat_ws('|', pnr_hash, given_name, family_name, protected_identity),
                        E'\\n' ORDER BY pnr_hash), '')) FROM children_guardian WHERE municipality_id = %(m)s""",
    "custodies": """SELECT count(*), md5(coalesce(string_agg(concat_ws('|', c.pnr_hash, g.pnr_hash, cu.has_custody),
                        E'\\n' ORDER BY c.pnr_hash, g.pnr_hash), ''))
                    FROM children_custody cu JOIN children_child c ON c.id = cu.child_id
                    JOIN children_guardian g ON g.id = cu.guardian_id WHERE cu.municipality_id = %(m)s""",
    "access_log": "SELECT count(*), '' FROM audit_accesslog WHERE municipality_id = %(m)s",
}


def make_file(n: int) -> bytes:
    children, parents = SyntheticNumberAllocator(), SyntheticNumberAllocator()
    lines, day, made = [";".join(HEADER)], date(2025, 12, 31), 0
    while made < n:
        number = children.allocate(day)
        if number is None:
            day -= timedelta(days=1)
            continue
        parent = parents.allocate(day - timedelta(days=30 * 365))
        guardian = f"{parent.formatted};Eva;Drill" if parent else ";;"
        lines.append(f"{number.formatted};Barn{made};Drill;;{('JARVA', 'FARSTA')[made % 2]};N;{guardian};;;")
        made += 1
    lines.append(f"#ANTAL;{n}")
    return ("\n".join(lines) + "\n").encode()


def checksums(url, municipality_id):
    with psycopg.connect(url) as conn:
        return {name: conn.execute(sql, {"m": municipality_id}).fetchone() for name, sql in CHECKSUMS.items()}


def test_import_twice_and_killed_half_way_converges(world, test_database_url, tmp_path):
    # The world's municipality: synthetic numbers the file shares with the world's children update them.
    muni = world.municipality
    path = tmp_path / "register.csv"
    path.write_bytes(make_file(ROWS))
    empty = checksums(test_database_url, muni.id)

    # 1. Killed at about 50 %.
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "import_register",
            str(path),
            "--municipality",
            CODE,
            "--no-progress",
        ],
        cwd=ROOT,
        env=app_env(test_database_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    killed_at = None
    with psycopg.connect(test_database_url, autocommit=True) as watch:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and proc.poll() is None:
            row = watch.execute(
                "SELECT processed, rows FROM integrations_importrun WHERE municipality_code = %s "
                "ORDER BY started_at DESC LIMIT 1",
                [CODE],
            ).fetchone()
            if row and row[1] and row[0] >= row[1] // 2:
                os.kill(proc.pid, signal.SIGKILL)
                killed_at = row
                break
            time.sleep(0.02)
        _out, err = proc.communicate(timeout=30)
        assert killed_at is not None, (
            f"the import ended before it could be interrupted (raise DRILL_R6_ROWS): {err[-2000:]}"
        )
        # Wait for the killed import's backend to roll back and go.
        for _ in range(300):
            if not watch.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state = 'idle in transaction'"
            ).fetchone()[0]:
                break
            time.sleep(0.1)
    after_kill = checksums(test_database_url, muni.id)
    assert after_kill == empty, "a killed import left part of itself behind"
    # The killed run could not write its own end: the next import writes it down.
    with psycopg.connect(test_database_url) as conn:
        killed_run = conn.execute(
            "SELECT id, status FROM integrations_importrun WHERE municipality_code = %s "
            "ORDER BY started_at DESC LIMIT 1",
            [CODE],
        ).fetchone()
    assert killed_run[1] == "writing"

    # 2. Resume = run again: complete.
    started = time.monotonic()
    first = manage(test_database_url, "import_register", path, "--municipality", CODE, "--no-progress")
    first_s = time.monotonic() - started
    full = checksums(test_database_url, muni.id)
    assert full["children"][0] >= ROWS  # the file plus the world's own children
    with psycopg.connect(test_database_url) as conn:
        assert conn.execute(
            "SELECT status, finished_at IS NOT NULL FROM integrations_importrun WHERE id = %s", [killed_run[0]]
        ).fetchone() == ("interrupted", True)

    # 3. The same file again: nothing changes.
    started = time.monotonic()
    second = manage(test_database_url, "import_register", path, "--municipality", CODE, "--no-progress")
    second_s = time.monotonic() - started
    assert "changes: 0" in second.stdout
    assert checksums(test_database_url, muni.id) == full
    record(
        "R6 import",
        rows=ROWS,
        killed_at_processed=f"{killed_at[0]}/{killed_at[1]}",
        unchanged_after_kill=after_kill == empty,
        resumed_run_s=round(first_s, 1),
        rerun_s=round(second_s, 1),
        rerun_changes=0,
        checksum_children=full["children"][1][:12],
        resumed_report=first.stdout.strip().splitlines()[-1],
    )
    connection.close()
