"""Restore a backup to a point in time into a new data directory and start it (or print the
exact steps to do so by hand). Never touches the running cluster."""

import json
import pathlib

from django.core.management.base import BaseCommand, CommandError

from backa.operations import pgtools
from backa.operations.restore import RestorePlan, restore


class Command(BaseCommand):
    help = "Restore BACKUP_DIR (from `manage.py backup`) to a point in time into a new data directory."

    def add_arguments(self, parser):
        parser.add_argument("backup", type=pathlib.Path, help="The directory `manage.py backup` wrote.")
        parser.add_argument(
            "--wal-archive", type=pathlib.Path, required=True, help="Directory archive_command copies WAL to."
        )
        parser.add_argument(
            "--data-dir", type=pathlib.Path, required=True, help="New, empty data directory to restore into."
        )
        parser.add_argument(
            "--port", type=int, default=None, help="Port for the restored cluster (default: a free one)."
        )
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument(
            "--target-time", help="Recover up to this time (ISO, with time zone), e.g. just before the damage."
        )
        target.add_argument(
            "--to-manifest", action="store_true", help="Recover exactly to the backup's manifest restore point."
        )
        target.add_argument("--to-end", action="store_true", help="Replay all the archived WAL.")
        parser.add_argument("--print-only", action="store_true", help="Print the steps instead of doing them.")

    def handle(
        self,
        *args,
        backup,
        wal_archive,
        data_dir,
        port=None,
        target_time=None,
        to_manifest=False,
        to_end=False,
        print_only=False,
        **options,
    ):
        base = backup / "base"
        if not (base / "PG_VERSION").exists():
            raise CommandError(f"{base} is not a base backup")
        manifest = json.loads((backup / "manifest.json").read_text()) if (backup / "manifest.json").exists() else {}
        plan = RestorePlan(
            backup=base.resolve(),
            archive=wal_archive.resolve(),
            data_dir=data_dir.resolve(),
            port=port or pgtools.free_port(),
            target_time=target_time,
            target_name=manifest.get("restore_point") if to_manifest else None,
        )
        if to_manifest and not plan.target_name:
            raise CommandError("the manifest has no restore point")
        if print_only or not pgtools.may_run_server():
            if not print_only:
                self.stdout.write("This account cannot run the PostgreSQL server here; do it by hand:")
            self.stdout.write("\n".join(plan.steps()))
            return
        cluster, seconds = restore(plan)
        self.stdout.write(f"restored and promoted on port {plan.port} in {seconds:.1f} s (data {plan.data_dir})")
        self.stdout.write(
            f"verify: manage.py verify --dsn 'host=127.0.0.1 port={plan.port} dbname={manifest.get('database', '<db>')} "
            f"user=postgres' --manifest {backup / 'manifest.json'}"
        )
        self.stdout.write(f"stop it: runuser -u postgres -- {pgtools.bindir()}/pg_ctl -D {plan.data_dir} stop")
