from django.core.management.base import BaseCommand

from backa.accounts.models import User
from backa.synthetic.generator import DEMO_PASSWORD, Generator


class Command(BaseCommand):
    help = "Print the demo logins (one per persona) of the synthetic pilot."

    def handle(self, *args, **options):
        existing = set(
            User.objects.filter(is_synthetic=True, username__in=[p[0] for p in Generator.PERSONAS]).values_list(
                "username", flat=True
            )
        )
        self.stdout.write(f"Demo logins at http://127.0.0.1:8000/ (password for all: {DEMO_PASSWORD})")
        for username, _, _, description in Generator.PERSONAS:
            if username in existing:
                self.stdout.write(f"  {username:<20} {description}")
