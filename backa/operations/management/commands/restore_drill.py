"""R10: the nightly restore drill, recorded where /readyz can see it.

backup (base backup + manifest) into WORKDIR, restore it to the manifest's restore point into a
scratch data directory on a free port, `verify --exact` against the manifest (counts and the
access-log seal chain), stop and remove the copy. One RestoreDrillRun row per run (ok, the
recovery time, or the failed step and the error's type). With RESTORE_DRILL_MAX_AGE_HOURS set,
/readyz fails when the newest run failed or is older than that.
"""

import io
import json
import pathlib
import shutil
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from backa.operations import pgtools
from backa.operations.models import RestoreDrillRun
from backa.operations.restore import RestorePlan, restore


def _wait_until_archived(timeout: float = 300) -> None:
    """Every WAL segment up to now (the backup's restore point included) is in the archive."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_walfile_name(pg_current_wal_lsn())")
        segment = cursor.fetchone()[0]
        cursor.execute("SELECT pg_switch_wal()")
        deadline = time.monotonic() + timeout
        while True:
            cursor.execute("SELECT last_archived_wal FROM pg_stat_archiver")
            last = cursor.fetchone()[0]
            if last and last >= segment:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"WAL segment {segment} not archived")
            time.sleep(0.2)


class Command(BaseCommand):
    help = "Back up, restore to a scratch cluster, verify exactly, record the result (R10). Run nightly."

    def add_arguments(self, parser):
        parser.add_argument("workdir", type=pathlib.Path, help="A directory for the backup and the scratch copy.")
        parser.add_argument("--wal-archive", type=pathlib.Path, required=True)
        parser.add_argument("--keep", action="store_true", help="Keep the backup and the copy (default: remove).")

    def handle(self, *args, workdir, wal_archive, keep=False, **options):
        run = RestoreDrillRun.objects.create()
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
        backup_dir = workdir / f"backup-{stamp}"
        data_dir = workdir / f"restore-{stamp}" / "data"
        step, cluster, started = "backup", None, time.monotonic()
        try:
            workdir.mkdir(parents=True, exist_ok=True)
            call_command("backup", str(backup_dir), stdout=io.StringIO())
            step = "archive"
            _wait_until_archived()
            step = "restore"
            manifest = json.loads((backup_dir / "manifest.json").read_text())
            pgtools.give_to_postgres(data_dir.parent, 0o755)
            plan = RestorePlan(
                backup=(backup_dir / "base").resolve(),
                archive=wal_archive.resolve(),
                data_dir=data_dir.resolve(),
                port=pgtools.free_port(),
                target_name=manifest["restore_point"],
            )
            cluster, _seconds = restore(plan)
            step = "verify"
            call_command(
                "verify",
                dsn=cluster.dsn(manifest.get("database", "postgres")),
                manifest=backup_dir / "manifest.json",
                exact=True,
                stdout=io.StringIO(),
                stderr=io.StringIO(),
            )
        except Exception as exc:
            run.failure = f"{step}: {type(exc).__name__}"[:200]
            run.finished_at = timezone.now()
            run.save(update_fields=["failure", "finished_at"])
            raise CommandError(f"restore drill failed at {step} ({type(exc).__name__})") from None
        finally:
            if cluster is not None:
                cluster.stop("immediate")
            if not keep:
                shutil.rmtree(backup_dir, ignore_errors=True)
                shutil.rmtree(data_dir.parent, ignore_errors=True)
        run.ok, run.rto_seconds, run.finished_at = True, time.monotonic() - started, timezone.now()
        run.save(update_fields=["ok", "rto_seconds", "finished_at"])
        self.stdout.write(f"restore drill OK: backup, restore and exact verify in {run.rto_seconds:.1f} s")
