"""Escalate acute concern reports still unopened after the municipality's minutes. Idempotent:
run it every minute or two from the scheduler; a second run at the same time alerts nobody."""

from django.core.management.base import BaseCommand

from backa.casefile.intake import escalate_acute_reports


class Command(BaseCommand):
    help = "Alert the next person on the intake's on-duty list for every acute report still unopened."

    def handle(self, *args, **options):
        self.stdout.write(f"{escalate_acute_reports()} escalations")
