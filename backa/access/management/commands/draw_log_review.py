"""Daily log review job: draw yesterday's sample and rule hits, and alert on unreviewed
emergency accesses. Idempotent: run it as often as you like."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from backa.audit.review import SAMPLE_SIZE, draw_daily_sample
from backa.consent.services import raise_emergency_review_alerts


class Command(BaseCommand):
    help = "Draw the daily log-review sample and raise alerts for unreviewed emergency accesses."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=date.fromisoformat, default=None, help="Day to sample (default: yesterday).")
        parser.add_argument("--size", type=int, default=SAMPLE_SIZE)

    def handle(self, *args, date=None, size=SAMPLE_SIZE, **options):
        day = date or timezone.localdate() - timedelta(days=1)
        created = draw_daily_sample(day, sample_size=size)
        overdue = raise_emergency_review_alerts()
        self.stdout.write(f"{day.isoformat()}: {created} new review items, {overdue} overdue emergency accesses")
