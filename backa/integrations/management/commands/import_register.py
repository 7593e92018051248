"""Import a population-register extract (docs/register-format.md). Validates the whole file
first; an invalid file changes nothing; rerunning the same file changes nothing."""

import pathlib
from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from backa.integrations.fixedwidth import looks_fixed_width, parse_fixed_width
from backa.integrations.models import ImportRun
from backa.integrations.register import MAX_MOVED_OUT_SHARE, RegisterConflict, apply_register, parse_register
from backa.integrations.runs import RunTracker
from backa.lib.progress import ProgressBar
from backa.organisations.models import Municipality


class Command(BaseCommand):
    help = "Import a population-register extract (CSV or fixed-width, see docs/register-format.md)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=pathlib.Path)
        parser.add_argument("--municipality", default="0180", help="SCB municipality code (default 0180 Stockholm).")
        parser.add_argument("--check", action="store_true", help="Validate only; write nothing.")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--format",
            choices=["auto", "csv", "fixed"],
            default="auto",
            help="auto (default): fixed-width if the file starts with the start record 00BACKAFB1.",
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="The file lists every child registered in the municipality: children missing from it "
            "have moved out and get a closing handover. Without it (a partial extract) unlisted "
            "children are left alone.",
        )
        parser.add_argument(
            "--max-moved-out-share",
            type=float,
            default=MAX_MOVED_OUT_SHARE,
            help="With --full: refuse the file if more than this share of the registered children "
            f"would be marked moved out (default {MAX_MOVED_OUT_SHARE}).",
        )

    def handle(
        self,
        *args,
        path,
        municipality,
        check=False,
        no_progress=False,
        full=False,
        max_moved_out_share=MAX_MOVED_OUT_SHARE,
        format="auto",
        **options,
    ):
        if not 0 <= max_moved_out_share <= 1:
            raise CommandError("--max-moved-out-share must be between 0 and 1.")
        self.full, self.max_share, self.format = full, max_moved_out_share, format
        try:
            muni = Municipality.objects.get(code=municipality)
        except Municipality.DoesNotExist:
            raise CommandError(f"Unknown municipality code {municipality}") from None
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read the file: {exc.strerror}") from None
        tracker = (
            None
            if check
            else RunTracker(
                kind=ImportRun.Kind.REGISTER,
                municipality=muni,
                file_name=path.name,
                data=data,
                started_by="manage.py import_register",
            )
        )
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
        if self.full or report.handovers:
            self.stdout.write(
                f"moved out: {report.moved_out}, moved back: {report.moved_back}; handovers: "
                + (", ".join(f"{k}: {v}" for k, v in sorted(report.handovers.items())) or "none")
            )

    def _run(self, data, muni, tracker, check, no_progress):
        fixed = self.format == "fixed" or (self.format == "auto" and looks_fixed_width(data))
        result = parse_fixed_width(data, muni) if fixed else parse_register(data, muni)
        if fixed and result.declared_full is False and self.full:
            result.error(1, _("The start record says D (partial extract), but --full was given."))
        if fixed and result.declared_full:
            self.full = True  # a full extract says so itself
        if not result.ok:
            for line, message in result.errors:
                self.stderr.write(f"line {line}: {message}")
            if tracker:
                tracker.finish(
                    ImportRun.Status.INVALID,
                    rows=result.data_rows,
                    errors=[[line, str(m)] for line, m in result.errors],
                )
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
            report = apply_register(
                result.rows, muni, progress=progress, full=self.full, max_moved_out_share=self.max_share
            )
        except RegisterConflict as exc:
            tracker.finish(ImportRun.Status.FAILED, errors=[[exc.line, str(exc.message)]])
            where = f"line {exc.line}: " if exc.line else ""
            raise CommandError(f"{where}{exc.message} Nothing was imported.") from None
        except BaseException:
            tracker.finish(ImportRun.Status.FAILED)
            raise
        tracker.finish(ImportRun.Status.DONE, changes=report.changes, report=asdict(report))
        return report
