"""Tell handlers once when feedback to a reporter is overdue. Idempotent; run daily."""

from django.core.management.base import BaseCommand

from backa.casefile.intake import flag_overdue_feedback


class Command(BaseCommand):
    help = "Notify the handler of each report whose feedback to the reporter is overdue (once)."

    def handle(self, *args, **options):
        self.stdout.write(f"{flag_overdue_feedback()} reports with overdue feedback")
