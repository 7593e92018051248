"""Import a population-register extract (docs/register-format.md). Validates the whole file
first; an invalid file changes nothing; rerunning the same file changes nothing."""
import pathlib

from django.core.management.base import BaseCommand, CommandError

from dataclasses import asdict

from backa.integrations.models import ImportRun
from backa.integrations.progress import ProgressBar
from backa.integrations.register import RegisterConflict, apply_register, parse_register
from backa.integrations.runs import RunTracker
from backa.organisations.models import Municipality


class Command(BaseCommand):
    help = "Import a population-register extract (CSV, see docs/register-format.md)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=pathlib.Path)
        parser.add_argument("--municipality", default="0180", help="SCB municipality code (default 0180 Stockholm).")
        parser.add_argument("--check", action="store_true", help="Validate only; write nothing.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, path, municipality, check=False, no_progress=False, **options):
        try:
            muni = Municipality.objects.get(code=municipality)
        except Municipality.DoesNotExist:
            raise CommandError(f"Unknown municipality code {municipality}") from None
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read the file: {exc.strerror}") from None
        tracker = None if check else RunTracker(kind=ImportRun.Kind.REGISTER, municipality=muni, file_name=path.name,
                                                 data=data, started_by="manage.py import_register")
        try:
            report = self._run(data, muni, tracker, check, no_progress)
        finally:
            if tracker is not None:
                tracker.close()
        if report is None:
            return
        self.stdout.write(
            f"children created: {report.children_created}, updated: {report.children_updated} (moved: {report.moved}); "
            f"guardians created: {report.guardians_created}, updated: {report.guardians_updated}; "
            f"custodies created: {report.custodies_created}; changes: {report.changes}"
        )

    def _run(self, data, muni, tracker, check, no_progress):
        result = parse_register(data, muni)
        if not result.ok:
            for line, message in result.errors:
                self.stderr.write(f"line {line}: {message}")
            if tracker:
                tracker.finish(ImportRun.Status.INVALID, rows=result.data_rows, errors=[[line, str(m)] for line, m in result.errors])
            raise CommandError(f"{len(result.errors)} error(s); nothing was imported.")
        self.stdout.write(f"{len(result.rows)} rows valid.")
        if check:
            return None
        tracker.update(status=ImportRun.Status.WRITING, rows=len(result.rows))
        bar = None if no_progress else ProgressBar("import", stream=self.stderr._out)

        def progress(done, total):
            tracker.update(processed=done)
            if bar:
                bar(done, total)

        try:
            report = apply_register(result.rows, muni, progress=progress)
        except RegisterConflict as exc:
            tracker.finish(ImportRun.Status.FAILED, errors=[[exc.line, str(exc.message)]])
            raise CommandError(f"line {exc.line}: {exc.message} Nothing was imported.") from None
        except BaseException:
            tracker.finish(ImportRun.Status.FAILED)
            raise
        tracker.finish(ImportRun.Status.DONE, changes=report.changes, report=asdict(report))
        return report
