from django.core.management.base import BaseCommand

from backa.accounts.models import User
from backa.records.demo import ARCHIVE_LOGIN
from backa.synthetic.generator import DEMO_PASSWORD, Generator


class Command(BaseCommand):
    help = "Print the demo logins (one per persona) of the synthetic pilot."

    def handle(self, *args, **options):
        # The generator's personas, then the logins other apps' demo data adds (the archive).
        personas = [(p[0], p[3]) for p in Generator.PERSONAS] + [ARCHIVE_LOGIN]
        existing = set(
            User.objects.filter(is_synthetic=True, username__in=[name for name, _ in personas]).values_list(
                "username", flat=True
            )
        )
        self.stdout.write(f"Demo logins at http://127.0.0.1:8000/ (password for all: {DEMO_PASSWORD})")
        for username, description in personas:
            if username in existing:
                self.stdout.write(f"  {username:<20} {description}")
