"""Back up the cluster: pg_basebackup (with the WAL to be consistent), pg_verifybackup, and a
manifest with per-table row counts and the access-log seal head (see operations/backup.py)."""

import pathlib
import time
from datetime import UTC, datetime

import psycopg
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from backa.operations import pgtools
from backa.operations.backup import archiver_status, base_backup, write_manifest


class Command(BaseCommand):
    help = "pg_basebackup into DIR/base, verify it, and write DIR/manifest.json (row counts, access-log seal head)."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=pathlib.Path, help="A new, empty directory for this backup.")
        parser.add_argument("--no-seal", action="store_true", help="Do not seal closed access-log periods first.")

    def handle(self, *args, directory, no_seal=False, **options):
        if directory.exists() and any(directory.iterdir()):
            raise CommandError(f"{directory} is not empty; give each backup its own directory")
        info = pgtools.conninfo_from_settings()
        conninfo = pgtools.conninfo_string(info)
        if not no_seal:
            call_command("seal_access_log", stdout=self.stdout)
        directory.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        result = base_backup(conninfo, directory / "base")
        if not result["verifybackup_ok"]:
            raise CommandError(f"pg_verifybackup failed: {result['verifybackup_output']}")
        with psycopg.connect(conninfo, autocommit=True) as conn:
            archive = archiver_status(conn)
            label = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            manifest = write_manifest(
                conn, directory / "manifest.json", label=label, extra={"base_backup": result, "archiver": archive}
            )
            # Close the WAL segment holding the restore point so the archive gets it now.
            conn.execute("SELECT pg_switch_wal()")
        seconds = time.monotonic() - started
        self.stdout.write(
            f"base backup: {result['bytes'] / 1e6:.1f} MB in {result['seconds']} s "
            f"({result['bytes'] / 1e6 / max(result['seconds'], 0.001):.0f} MB/s); pg_verifybackup OK"
        )
        self.stdout.write(
            f"manifest: {len(manifest['tables'])} tables, access log {manifest['access_log']['rows']} rows, "
            f"{manifest['access_log']['seals']} seals; restore point {manifest['restore_point']}"
        )
        if archive["archive_mode"] == "off":
            self.stderr.write(
                "WARNING: archive_mode is off: this backup restores only to its own end, "
                "not to a later point in time (no WAL archive)."
            )
        self.stdout.write(f"done in {seconds:.1f} s: {directory}")
