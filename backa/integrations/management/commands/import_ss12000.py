"""Read school units' enrolments, preschool placements, duties and protected-identity
markings from an SS 12000 v2.1 API. Validates everything first; any error changes nothing;
rerunning changes nothing. Each run is recorded for the status page (importer/ss12000/)."""

import os
import urllib.parse
from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError

from backa.integrations.models import ImportRun
from backa.integrations.runs import RunTracker
from backa.integrations.ss12000 import SS12000Client, SS12000Error, sync_ss12000
from backa.lib.progress import ProgressBar
from backa.organisations.models import Municipality


def source_name(url: str) -> str:
    """The base URL without credentials, query or fragment: how the status page names a source."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))[:200]


class Command(BaseCommand):
    help = "Import enrolments, placements, duties and securityMarking from an SS 12000 v2.1 API (see docs/integrations.md)."

    def add_arguments(self, parser):
        parser.add_argument("--url", required=True, help="Base URL of the SS 12000 API.")
        parser.add_argument(
            "--token-env", default="SS12000_TOKEN", help="Environment variable holding the bearer token."
        )
        parser.add_argument("--municipality", default="0180")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, url, token_env, municipality, no_progress=False, **options):
        try:
            muni = Municipality.objects.get(code=municipality)
        except Municipality.DoesNotExist:
            raise CommandError(f"Unknown municipality code {municipality}") from None
        source = source_name(url)
        tracker = RunTracker(
            kind=ImportRun.Kind.SS12000,
            municipality=muni,
            file_name=source,
            data=source.encode(),
            started_by="manage.py import_ss12000",
        )
        bar = None if no_progress else ProgressBar("ss12000", stream=self.stderr._out)

        def progress(done, total):
            tracker.update(status=ImportRun.Status.WRITING, processed=done, rows=total)
            if bar:
                bar(done, total)

        try:
            report = sync_ss12000(SS12000Client(url, token=os.environ.get(token_env, "")), muni, progress=progress)
        except SS12000Error as exc:
            tracker.finish(ImportRun.Status.FAILED, errors=[[0, str(exc)]])
            tracker.close()
            raise CommandError(str(exc)) from None
        except BaseException:
            tracker.finish(ImportRun.Status.FAILED)
            tracker.close()
            raise
        summary = {**asdict(report), "created": report.created, "updated": report.updated}
        summary.pop("errors")
        if report.errors:
            tracker.finish(ImportRun.Status.INVALID, errors=[[0, str(e)] for e in report.errors], report=summary)
            tracker.close()
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(report.errors)} error(s); nothing was imported.")
        tracker.finish(ImportRun.Status.DONE, changes=report.changes, report=summary)
        tracker.close()
        self.stdout.write(
            f"enrolments created: {report.enrolments_created}, closed: {report.enrolments_closed}; "
            f"placements created: {report.placements_created}, closed: {report.placements_closed}; "
            f"positions created: {report.positions_created}, closed: {report.positions_closed}; "
            f"protected identity marked: {report.protected_marked}; unchanged: {report.persons_unchanged}; "
            f"persons not in the register: {report.persons_unknown}; staff without an account: {report.staff_without_account}; "
            f"changes: {report.changes}"
        )
