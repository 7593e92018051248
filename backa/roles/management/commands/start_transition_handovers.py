"""Periodic, idempotent: start handovers ahead of foreseen life-phase changes (birth,
förskola, förskoleklass, gymnasium, 18) within a window. Run it nightly with
assign_barnkontakt; see roles/transitions.py."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from backa.lib.progress import ProgressBar
from backa.roles.transitions import DEFAULT_WINDOW_DAYS, start_handovers_ahead


class Command(BaseCommand):
    help = "Start handovers for children whose life phase changes within --days (safe to rerun)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=DEFAULT_WINDOW_DAYS,
            help=f"Window in days from the reference date (default {DEFAULT_WINDOW_DAYS}).",
        )
        parser.add_argument(
            "--on", type=date.fromisoformat, default=None, help="Reference date, YYYY-MM-DD (default today)."
        )
        parser.add_argument("--quiet-progress", action="store_true")

    def handle(self, *args, days, on=None, quiet_progress=False, **options):
        if days < 0 or days > 366:
            raise CommandError("--days must be between 0 and 366.")
        progress = None if quiet_progress else ProgressBar("transitions", stream=self.stderr._out)
        counts = start_handovers_ahead(on=on, window_days=days, progress=progress)
        for outcome, count in sorted(counts.items()):
            self.stdout.write(f"{outcome}: {count}")
        if not counts:
            self.stdout.write("no children with a transition in the window")
