import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from backa.synthetic.generator import Generator, synthetic_data_exists


class Command(BaseCommand):
    help = "Load a deterministic, synthetic Stockholm pilot (test personnummer only)."

    def add_arguments(self, parser):
        parser.add_argument("--children", type=int, default=3000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--today", help="Reference date YYYY-MM-DD (default: today)")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if synthetic data is already loaded")

    def handle(self, *args, children, seed, today, if_empty, **options):
        if synthetic_data_exists():
            if if_empty:
                self.stdout.write("Synthetic pilot already loaded; reusing it.")
                return
            raise CommandError("Synthetic data is already loaded. Use a fresh database to generate again.")
        if children < 1:
            raise CommandError("--children must be at least 1")
        reference = timezone.datetime.fromisoformat(today).date() if today else timezone.localdate()
        started = time.monotonic()
        interactive = sys.stdout.isatty()

        def progress(done, total):
            if interactive:
                width = 30
                filled = width * done // total
                self.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} children", ending="")
                self.stdout.flush()

        personas = Generator(children=children, seed=seed, today=reference, progress=progress).run()
        if interactive:
            self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(f"Loaded {children} synthetic children in {time.monotonic() - started:.1f} s.")
        )
        self.stdout.write(f"{len(personas.logins)} demo logins; list them with: manage.py demo_logins")
