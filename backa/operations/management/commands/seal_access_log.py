"""Seal every closed period of the access log (run hourly from cron). See operations/seal.py."""

import base64
import logging
from datetime import datetime, timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from backa.operations.seal import seal_closed_periods

security = logging.getLogger("backa.security")


class Command(BaseCommand):
    help = "Seal the access log's closed periods: a digest per period, chained to the previous seal."

    def add_arguments(self, parser):
        parser.add_argument("--period-hours", type=int, default=24, help="Length of a sealed period (default 24).")
        parser.add_argument(
            "--grace-minutes",
            type=int,
            default=60,
            help="Seal only periods that ended this long ago (longer than any request transaction).",
        )
        parser.add_argument(
            "--since",
            help="ISO date/time of the first period when there are no seals yet (default: the oldest log row).",
        )

    def handle(self, *args, period_hours, grace_minutes, since=None, **options):
        start = datetime.fromisoformat(since) if since else None
        if start is not None and timezone.is_naive(start):
            start = timezone.make_aware(start, timezone.get_fixed_timezone(0))
        seals = seal_closed_periods(
            now=timezone.now(),
            period=timedelta(hours=period_hours),
            grace=timedelta(minutes=grace_minutes),
            since=start,
        )
        for seal in seals:
            self.stdout.write(
                f"sealed {seal.starts_at:%Y-%m-%dT%H:%MZ} – {seal.ends_at:%Y-%m-%dT%H:%MZ}: "
                f"{seal.row_count} rows, digest {seal.digest[:16]}…"
            )
        if seals:
            # An outside copy of the chain's head: cutting seals off the end shows against it.
            # base64url, not hex: a hex digest can hold ten digits in a row, which log scanners
            # (and our own test_zz_log_scan) rightly take for a personnummer.
            head = base64.urlsafe_b64encode(bytes.fromhex(seals[-1].digest)).decode().rstrip("=")
            security.info(
                "access log sealed until %s, head digest (sha256, base64url) %s", seals[-1].ends_at.isoformat(), head
            )
        self.stdout.write(f"{len(seals)} period(s) sealed.")
