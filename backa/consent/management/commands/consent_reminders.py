"""Create reminders for consents that end within 30 days. Idempotent."""

from django.core.management.base import BaseCommand

from backa.consent.services import create_expiry_reminders


class Command(BaseCommand):
    help = "Create reminders for consents that expire within 30 days and are not yet renewed."

    def handle(self, *args, **options):
        self.stdout.write(f"{create_expiry_reminders()} new reminders")
