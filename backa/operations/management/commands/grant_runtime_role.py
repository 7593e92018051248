from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from backa.operations.runtime_role import grant_runtime_privileges


class Command(BaseCommand):
    help = (
        "Give the runtime role (DATABASE_URL of the web workers) data rights on every table, and only "
        "SELECT and INSERT on the append-only ones. Run as the owner after every migrate. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="the runtime role's name (it must exist and own no table)")

    def handle(self, *args, role, **options):
        try:
            with transaction.atomic():
                statements = grant_runtime_privileges(role)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        for statement in statements:
            self.stdout.write(statement)
        self.stdout.write(f"runtime role {role} granted ({len(statements)} statements).")
