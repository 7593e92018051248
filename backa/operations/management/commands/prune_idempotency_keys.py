"""Delete idempotency keys older than a week (run daily from cron). See operations/idempotency.py."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from backa.operations.idempotency import KEEP_DAYS, prune_keys


class Command(BaseCommand):
    help = "Delete idempotency keys older than --keep-days (default 7): a replay after that counts as a new request."

    def add_arguments(self, parser):
        parser.add_argument("--keep-days", type=int, default=KEEP_DAYS)

    def handle(self, *args, keep_days, **options):
        try:
            deleted = prune_keys(now=timezone.now(), keep_days=keep_days)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{deleted} idempotency keys older than {keep_days} days deleted")
