"""Import-run status written on a connection of its own, so the status page sees progress
while the import's own transaction is still open, and sees a failure after it rolled back.

A killed import (kill -9, a lost server, a closed terminal) cannot write its own failure.
On PostgreSQL the tracker's connection holds a session advisory lock named after the run
for as long as the import lives; the server drops it when the process or its connection
dies. A run still "validating" or "writing" whose lock is gone was interrupted (its
transaction was rolled back with it: nothing changed). The status pages show it so
(`show_interrupted`, without writing); the next import writes it down.
"""

import hashlib
import json
import uuid

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.utils import timezone

from backa.integrations.models import ImportRun

LOCK_CLASS = 0x42616B61  # "Baka": the advisory-lock namespace of running imports
RUNNING = (ImportRun.Status.VALIDATING, ImportRun.Status.WRITING)


def _lock_key(run_id) -> int:
    return uuid.UUID(str(run_id)).int % (2**31)  # the second int4 of the two-key advisory lock


def interrupted_run_ids() -> set:
    """Runs still "validating" or "writing" whose import process has gone. PostgreSQL only."""
    if connection.vendor != "postgresql":
        return set()
    running = list(ImportRun.objects.filter(status__in=RUNNING).values_list("id", flat=True))
    if not running:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objsubid = 2 "
            "AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [LOCK_CLASS],
        )
        alive = {int(row[0]) for row in cursor.fetchall()}
    return {run_id for run_id in running if _lock_key(run_id) not in alive}


def show_interrupted(runs):
    """For the status pages (which write nothing): runs whose import died read as interrupted."""
    gone = interrupted_run_ids()
    for run in runs:
        if run.pk in gone:
            run.status = ImportRun.Status.INTERRUPTED
    return runs


class RunTracker:
    def __init__(self, *, kind: str, municipality, file_name: str, data: bytes, started_by: str = ""):
        # SQLite allows one writer: there the status shares the import's connection.
        self.conn = connections.create_connection(DEFAULT_DB_ALIAS) if connection.vendor == "postgresql" else connection
        self.run = ImportRun(
            id=uuid.uuid4(),
            kind=kind,
            municipality_code=municipality.code,
            file_name=file_name[:200],
            file_sha256=hashlib.sha256(data).hexdigest(),
            started_by=started_by[:150],
        )
        if self.conn is not connection:
            # Held until this process ends or closes the tracker: the sign that the run is alive.
            self._execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_CLASS, _lock_key(self.run.pk)])
            self._close_interrupted_runs()
        fields = [f for f in ImportRun._meta.concrete_fields]
        columns = ", ".join(self.conn.ops.quote_name(f.column) for f in fields)
        values = [self._db_value(f, f.pre_save(self.run, True)) for f in fields]
        self._execute(
            f"INSERT INTO {ImportRun._meta.db_table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})", values
        )

    def _db_value(self, field, value):
        """The value as this database binds it: on SQLite a UUID is its hex text (a raw UUID
        object fails to bind there: every demo import crashed on it), on PostgreSQL a uuid."""
        if isinstance(field, models.JSONField):
            return json.dumps(value)
        return field.get_db_prep_value(value, connection=self.conn, prepared=False)

    def _execute(self, sql, params):
        with self.conn.cursor() as cursor:
            cursor.execute(sql, params)

    def update(self, **values):
        sets, params = [], []
        for name, value in values.items():
            setattr(self.run, name, value)
            field = ImportRun._meta.get_field(name)
            sets.append(f"{self.conn.ops.quote_name(field.column)} = %s")
            params.append(self._db_value(field, value))
        key = self._db_value(ImportRun._meta.pk, self.run.pk)
        self._execute(f"UPDATE {ImportRun._meta.db_table} SET {', '.join(sets)} WHERE id = %s", params + [key])

    def finish(self, status: str, **values):
        self.update(status=status, finished_at=timezone.now(), **values)

    def _close_interrupted_runs(self):
        """Write down, on the tracker's own connection, the end the killed runs could not write."""
        gone = interrupted_run_ids()
        if gone:
            self._execute(
                f"UPDATE {ImportRun._meta.db_table} SET status = %s, finished_at = %s WHERE id = ANY(%s) AND status = ANY(%s)",
                [ImportRun.Status.INTERRUPTED, timezone.now(), list(gone), [str(s) for s in RUNNING]],
            )

    def close(self):
        if self.conn is not connection:
            self.conn.close()
