"""Import outcomes of concern reports from social services' journal system (CSV, see
backa/integrations/outcomes.py and docs/integrations.md). All or nothing; a re-run changes nothing."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from backa.accounts.models import User
from backa.integrations.outcomes import import_outcomes
from backa.organisations.models import Municipality


class Command(BaseCommand):
    help = "Import report outcomes (received, decision, child spoken with, investigation, feedback) from a CSV file."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--municipality", required=True, help="municipality code, e.g. 0180")
        parser.add_argument("--user", required=True, help="username of the person running the import (logged)")

    def handle(self, *args, **options):
        municipality = Municipality.objects.filter(code=options["municipality"]).first()
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if municipality is None or user is None:
            raise CommandError("unknown municipality or user")
        text = Path(options["file"]).read_text(encoding="utf-8-sig")
        try:
            result = import_outcomes(acting_user=user, text=text, municipality=municipality)
        except ValidationError as error:
            raise CommandError("the file was refused, nothing changed:\n" + "\n".join(error.messages)) from None
        self.stdout.write(f"{result.lines} lines: {result.changed} reports changed, {result.unchanged} unchanged")
