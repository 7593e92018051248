"""manage.py gallra [--dry-run] [--batch-size N]: the purge job (run nightly from cron).

Seeds each municipality's default rules if it has none yet, then removes what has passed its
rule (backa/records/purge.py). --dry-run lists what would go and deletes nothing.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from backa.organisations.models import Municipality
from backa.records.purge import BATCH_SIZE, PurgeBusy, dry_run, run_purge
from backa.records.rules import ensure_default_rules


class Command(BaseCommand):
    help = "Purge (gallra) what has passed its retention rule; --dry-run lists it."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        parser.add_argument("--started-by", default="cron")

    def handle(self, *args, dry_run_only=False, **options):
        for municipality in Municipality.objects.all():
            ensure_default_rules(municipality)
        if options["dry_run"]:
            run = dry_run(started_by=options["started_by"])
            self.stdout.write(json.dumps(run.summary, indent=2, ensure_ascii=False))
            return
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        try:
            run = run_purge(batch_size=options["batch_size"], started_by=options["started_by"])
        except PurgeBusy:
            raise CommandError("another purge run is going on") from None
        self.stdout.write(
            f"purge run {run.pk}: {run.summary['batches']} batches, rows {json.dumps(run.summary['rows'])}"
        )
