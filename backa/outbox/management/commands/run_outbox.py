"""The outbox worker: `manage.py run_outbox` runs until stopped (SIGTERM/SIGINT finish the
message in hand first); `--once` sends what is due and exits. Builds the daily digests at
OUTBOX_DIGEST_HOUR local time."""

import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from backa.outbox import services, worker


class Command(BaseCommand):
    help = "Send the outbox: e-mail after commit, retries with backoff, daily digests."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="send what is due now, then exit")

    def handle(self, *args, once=False, **options):
        if settings.BACKA_ENV == "production" and not (settings.EMAIL_HOST and settings.BACKA_BASE_URL_SET):
            raise CommandError("EMAIL_HOST, EMAIL_FROM and BACKA_BASE_URL must be set in production")
        stopping = []
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stopping.append(True))
        digest_day = None
        while not stopping:
            close_old_connections()
            now = timezone.localtime()
            if now.hour >= settings.OUTBOX_DIGEST_HOUR and digest_day != now.date():
                services.build_digests(day=now.date())
                digest_day = now.date()
            handled = worker.run_once()
            if once and not handled:
                return
            if not handled:
                time.sleep(settings.OUTBOX_POLL_SECONDS)
