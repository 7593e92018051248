"""Bench: import a synthetic N-child register extract; report seconds and the ratio to COPY
of the same rows into a scratch table. Usage (against a migrated database):

    DATABASE_URL=... .venv/bin/python bench/register_import.py 200000
"""

import os
import sys
import time
from datetime import date, timedelta

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backa.settings")
django.setup()

from django.db import connection, transaction  # noqa: E402

from backa.integrations.register import HEADER, apply_register, parse_register  # noqa: E402
from backa.organisations.models import District, Municipality  # noqa: E402
from backa.synthetic.testnumbers import SyntheticNumberAllocator  # noqa: E402


def make_file(n: int) -> bytes:
    allocator = SyntheticNumberAllocator()
    parents = SyntheticNumberAllocator()
    lines = [";".join(HEADER)]
    day = date(2025, 12, 31)
    codes = ["BENCH1", "BENCH2", "BENCH3"]
    made = 0
    while made < n:
        number = allocator.allocate(day)
        if number is None:
            day -= timedelta(days=1)
            continue
        parent = parents.allocate(day - timedelta(days=30 * 365))
        g = f"{parent.formatted};Eva;Bench" if parent else ";;"
        lines.append(f"{number.formatted};Barn{made};Bench;;{codes[made % 3]};N;{g};;;")
        made += 1
    lines.append(f"#ANTAL;{n}")
    return ("\n".join(lines) + "\n").encode()


def main(n: int):
    muni, _ = Municipality.objects.get_or_create(code="9999", defaults={"name": "Benchkommun"})
    for code in ("BENCH1", "BENCH2", "BENCH3"):
        District.objects.get_or_create(municipality=muni, code=code, defaults={"name": code})
    data = make_file(n)
    started = time.perf_counter()
    result = parse_register(data, muni)
    assert result.ok, result.errors[:5]
    parsed = time.perf_counter()
    with transaction.atomic():
        sid = transaction.savepoint()
        report = apply_register(result.rows, muni)
        done = time.perf_counter()
        again = apply_register(parse_register(data, muni).rows, muni)
        rerun = time.perf_counter() - done
        transaction.savepoint_rollback(sid)
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE bench_copy (" + ", ".join(f"{c} text" for c in HEADER) + ")")
            body = data.decode().split("\n", 1)[1].rsplit("#ANTAL", 1)[0]
            t0 = time.perf_counter()
            with cursor.cursor.copy("COPY bench_copy FROM STDIN (FORMAT csv, DELIMITER ';')") as copy:
                copy.write(body)
            copy_s = time.perf_counter() - t0
        transaction.set_rollback(True)
    total = done - started
    print(
        f"rows={n} parse={parsed - started:.1f}s write={done - parsed:.1f}s total={total:.1f}s "
        f"copy={copy_s:.2f}s ratio={total / copy_s:.0f}x rerun={rerun:.1f}s created={report.children_created} "
        f"second_run_changes={again.changes}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)
