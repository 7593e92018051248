from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from backa.audit.partitions import ensure_partitions, next_month


class Command(BaseCommand):
    help = "Create monthly access-log partitions (PostgreSQL). Idempotent; run daily."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", help="First month YYYY-MM (default: this month)")
        parser.add_argument("--months-ahead", type=int, default=3)

    def handle(self, *args, first, months_ahead, **options):
        today = timezone.localdate()
        start = date.fromisoformat(first + "-01") if first else today.replace(day=1)
        end = today.replace(day=1)
        for _ in range(months_ahead):
            end = next_month(end)
        count = ensure_partitions(start, max(start, end))
        self.stdout.write(f"{count} monthly partitions in place.")
