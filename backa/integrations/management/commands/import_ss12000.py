"""Read school units' enrolments and protected-identity markings from an SS 12000 v2.1 API.
Validates everything first; any error changes nothing; rerunning changes nothing."""
import os

from django.core.management.base import BaseCommand, CommandError

from backa.integrations.ss12000 import SS12000Client, SS12000Error, sync_ss12000
from backa.organisations.models import Municipality


class Command(BaseCommand):
    help = "Import enrolments and securityMarking from an SS 12000 v2.1 API (see docs/integrations.md)."

    def add_arguments(self, parser):
        parser.add_argument("--url", required=True, help="Base URL of the SS 12000 API.")
        parser.add_argument("--token-env", default="SS12000_TOKEN", help="Environment variable holding the bearer token.")
        parser.add_argument("--municipality", default="0180")

    def handle(self, *args, url, token_env, municipality, **options):
        try:
            muni = Municipality.objects.get(code=municipality)
        except Municipality.DoesNotExist:
            raise CommandError(f"Unknown municipality code {municipality}") from None
        try:
            report = sync_ss12000(SS12000Client(url, token=os.environ.get(token_env, "")), muni)
        except SS12000Error as exc:
            raise CommandError(str(exc)) from None
        if report.errors:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(report.errors)} error(s); nothing was imported.")
        self.stdout.write(
            f"enrolments created: {report.enrolments_created}, closed: {report.enrolments_closed}; "
            f"protected identity marked: {report.protected_marked}; persons not in the register: {report.persons_unknown}; "
            f"changes: {report.changes}"
        )
