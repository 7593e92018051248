"""Draw the month's quality-review sample of reports closed without investigation. Idempotent;
run on the first day of the month (it samples the month before unless --month is given)."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from backa.casefile.intake import QUALITY_SAMPLE_SIZE, draw_quality_sample
from backa.organisations.models import Municipality


class Command(BaseCommand):
    help = "Send a random sample of last month's reports closed without investigation to a reviewer."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: last month)")
        parser.add_argument("--size", type=int, default=QUALITY_SAMPLE_SIZE, help="reports per intake")

    def handle(self, *args, **options):
        if options["month"]:
            month = date.fromisoformat(options["month"] + "-01")
        else:
            month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
        total = sum(
            draw_quality_sample(municipality_id=m.pk, month=month, size=options["size"])
            for m in Municipality.objects.all()
        )
        self.stdout.write(f"{total} reports sampled for {month:%Y-%m}")
