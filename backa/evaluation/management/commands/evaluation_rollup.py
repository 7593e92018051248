"""Nightly: recompute the evaluation indicators for the last months (default 24 plus the current)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from backa.evaluation.indicators import BY_KEY
from backa.evaluation.rollup import default_period, run_rollup


class Command(BaseCommand):
    help = "Recompute the evaluation rollup (one INSERT … SELECT per indicator, replacing the months it covers)."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=24)
        parser.add_argument("--start", help="YYYY-MM-DD (first month); with --stop instead of --months")
        parser.add_argument("--stop", help="YYYY-MM-DD (first month not computed)")
        parser.add_argument("--indicator", action="append", help="only these indicators (repeatable)")

    def handle(self, *args, **options):
        from django.db import connection

        if connection.vendor != "postgresql":
            raise CommandError("The evaluation rollup needs PostgreSQL (GROUPING SETS, percentile_cont).")
        if options["start"] or options["stop"]:
            try:
                start, stop = date.fromisoformat(options["start"]), date.fromisoformat(options["stop"])
            except (TypeError, ValueError):
                raise CommandError("Give both --start and --stop as YYYY-MM-DD.") from None
        else:
            start, stop = default_period(months=options["months"])
        chosen = None
        if options["indicator"]:
            unknown = [k for k in options["indicator"] if k not in BY_KEY]
            if unknown:
                raise CommandError(f"Unknown indicator(s): {', '.join(unknown)}")
            chosen = [BY_KEY[k] for k in options["indicator"]]
        timings = run_rollup(start=start, stop=stop, indicators=chosen)
        for key, seconds in timings.items():
            self.stdout.write(f"{key}: {seconds:.3f} s")
        self.stdout.write(f"total: {sum(timings.values()):.3f} s for {start:%Y-%m}..{stop:%Y-%m} (exclusive)")
