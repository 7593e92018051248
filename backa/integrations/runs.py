"""Import-run status written on a connection of its own, so the status page sees progress
while the import's own transaction is still open, and sees a failure after it rolled back."""
import hashlib
import json
import uuid

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.utils import timezone

from .models import ImportRun


class RunTracker:
    def __init__(self, *, kind: str, municipality, file_name: str, data: bytes, started_by: str = ""):
        # SQLite allows one writer: there the status shares the import's connection.
        self.conn = connections.create_connection(DEFAULT_DB_ALIAS) if connection.vendor == "postgresql" else connection
        self.run = ImportRun(
            id=uuid.uuid4(), kind=kind, municipality_code=municipality.code, file_name=file_name[:200],
            file_sha256=hashlib.sha256(data).hexdigest(), started_by=started_by[:150],
        )
        fields = [f for f in ImportRun._meta.concrete_fields]
        columns = ", ".join(self.conn.ops.quote_name(f.column) for f in fields)
        values = [self._db_value(f, f.pre_save(self.run, True)) for f in fields]
        self._execute(f"INSERT INTO {ImportRun._meta.db_table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})", values)

    @staticmethod
    def _db_value(field, value):
        if isinstance(field, models.JSONField):
            return json.dumps(value)
        return value

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
        self._execute(f"UPDATE {ImportRun._meta.db_table} SET {', '.join(sets)} WHERE id = %s", params + [self.run.pk])

    def finish(self, status: str, **values):
        self.update(status=status, finished_at=timezone.now(), **values)

    def close(self):
        if self.conn is not connection:
            self.conn.close()
