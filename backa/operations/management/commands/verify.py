"""Verify a database against the access-log seals and, after a restore, against the backup
manifest: per-table row counts and the seal chain. Exit status 1 on any mismatch."""

import json
import logging
import pathlib

import psycopg
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from backa.operations.backup import table_counts
from backa.operations.seal import verify_chain

security = logging.getLogger("backa.security")
APPEND_ONLY = {"audit_accesslog", "operations_accesslogseal"}


class Command(BaseCommand):
    help = "Check the access-log seal chain and (with --manifest) row counts against a backup manifest."

    def add_arguments(self, parser):
        parser.add_argument("--manifest", type=pathlib.Path, help="manifest.json written by `manage.py backup`.")
        parser.add_argument("--dsn", help="libpq conninfo or URL of the database to check (default: this app's).")
        parser.add_argument(
            "--exact",
            action="store_true",
            help="Every table must match the manifest exactly (a restore to the manifest's "
            "restore point); otherwise tables may have grown, never shrunk.",
        )

    def handle(self, *args, manifest=None, dsn=None, exact=False, **options):
        expected = json.loads(manifest.read_text()) if manifest else None
        if dsn:
            with psycopg.connect(dsn) as conn, conn.cursor() as cursor:
                problems = self._check(cursor, expected, exact)
        else:
            with connection.cursor() as cursor:
                problems = self._check(cursor, expected, exact)
        if problems:
            for line in problems:
                self.stderr.write(f"MISMATCH {line}")
            security.critical("verify found %s mismatch(es) in the database or the access-log seals", len(problems))
            raise CommandError(f"{len(problems)} mismatch(es)")
        self.stdout.write("OK: counts and the access-log seal chain verify.")

    def _check(self, cursor, expected, exact) -> list[str]:
        problems = []
        chain = verify_chain(cursor)
        self.stdout.write(
            f"access-log seals: {chain.seals}, sealed rows: {chain.sealed_rows}, "
            f"sealed until: {chain.sealed_until.isoformat() if chain.sealed_until else '-'}, "
            f"unsealed rows after: {chain.rows_after_last_seal}, before: {chain.rows_before_first_seal}"
        )
        for broken in chain.broken:
            problems.append(
                f"seal {broken.seal_id} [{broken.starts_at.isoformat()} – {broken.ends_at.isoformat()}): "
                f"{broken.reason}"
            )
        if chain.rows_before_first_seal:
            problems.append(f"{chain.rows_before_first_seal} access-log row(s) older than the first seal")
        if expected is None:
            return problems
        head = expected.get("access_log", {}).get("seal_head")
        if head and head["digest"] != chain.last_digest:
            # The restored chain must reach at least the head recorded at backup time.
            cursor.execute("SELECT count(*) FROM operations_accesslogseal WHERE digest = %s", [head["digest"]])
            if not cursor.fetchone()[0]:
                problems.append("the seal recorded in the manifest is missing: seals were lost or cut off")
        counts = table_counts(cursor)
        for table, want in sorted(expected.get("tables", {}).items()):
            have = counts.get(table)
            if have is None:
                problems.append(f"table {table}: missing")
            elif have == want:
                continue
            elif exact or (table in APPEND_ONLY and have < want):
                problems.append(f"table {table}: {have} rows, manifest {want}")
            else:
                # Restored to a later point than the manifest: ordinary tables may differ.
                self.stdout.write(f"note: table {table}: {have} rows, manifest {want}")
        self.stdout.write(f"tables compared: {len(expected.get('tables', {}))}")
        return problems
