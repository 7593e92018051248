"""Daily (or more often: each occasion is sent once): follow-ups, handovers, consents,
emergency accesses. The outbox worker (run_outbox) then sends the e-mail."""

from django.core.management.base import BaseCommand

from backa.casefile.reminders import send_reminders


class Command(BaseCommand):
    help = "Send the reminders that are due (idempotent per occasion)."

    def handle(self, *args, **options):
        sent = send_reminders()
        self.stdout.write(" ".join(f"{kind}={count}" for kind, count in sent.items()))
