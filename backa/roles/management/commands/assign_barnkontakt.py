"""Periodic, idempotent: give every child the barnkontakt the life-phase rules and enrolments
call for, starting handovers where it should change. Run it nightly (and after imports)."""

from datetime import date

from django.core.management.base import BaseCommand

from backa.lib.progress import ProgressBar
from backa.roles.services import derive_all


class Command(BaseCommand):
    help = "Derive every child's barnkontakt from enrolments and the life-phase rules (safe to rerun)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--on", type=date.fromisoformat, default=None, help="Reference date, YYYY-MM-DD (default today)."
        )
        parser.add_argument("--quiet-progress", action="store_true")

    def handle(self, *args, on=None, quiet_progress=False, **options):
        progress = None if quiet_progress else ProgressBar("barnkontakt", stream=self.stderr._out)
        counts = derive_all(on=on, progress=progress)
        for outcome, count in sorted(counts.items()):
            self.stdout.write(f"{outcome}: {count}")
        if not counts:
            self.stdout.write("no children")
