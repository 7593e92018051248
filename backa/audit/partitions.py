"""Monthly partitions of the access log on PostgreSQL.

Retention (five years) drops whole partitions; the table is never updated or deleted
from row by row. `ensure_partitions` is idempotent: the initial migration creates a
window, and the `ensure_log_partitions` command (run daily and before bulk loads)
keeps months ahead in place. Rows outside every month land in the default partition.
"""

from datetime import date

from django.db import connection

TABLE = "audit_accesslog"


def month_starts(first: date, last: date):
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield date(year, month, 1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def partition_sql(first: date, last: date) -> list[str]:
    return [
        f"CREATE TABLE IF NOT EXISTS {TABLE}_{start:%Y%m} PARTITION OF {TABLE} "
        f"FOR VALUES FROM ('{start.isoformat()}') TO ('{next_month(start).isoformat()}')"
        for start in month_starts(first, last)
    ]


def ensure_partitions(first: date, last: date, using=None) -> int:
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        for statement in partition_sql(first, last):
            cursor.execute(statement)
    return len(list(month_starts(first, last)))
