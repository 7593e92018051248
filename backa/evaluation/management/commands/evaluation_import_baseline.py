"""Import pre-pilot aggregates: CSV with district,month,indicator,numerator,denominator."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from backa.accounts.models import User
from backa.evaluation.services import do_import_baseline
from backa.organisations.models import Municipality


class Command(BaseCommand):
    help = "Import a baseline of indicator aggregates for the months before the pilot. All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--municipality", default="0180", help="municipality code (default 0180)")
        parser.add_argument("--user", required=True, help="username of the person importing")

    def handle(self, *args, **options):
        municipality = Municipality.objects.filter(code=options["municipality"]).first()
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if municipality is None or user is None:
            raise CommandError("Unknown municipality or user.")
        try:
            with open(options["path"], encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read the file: {exc}") from exc
        try:
            n = do_import_baseline(acting_user=user, text=text, municipality=municipality)
        except ValidationError as exc:
            raise CommandError("Nothing imported:\n" + "\n".join(exc.messages)) from exc
        self.stdout.write(f"Imported {n} baseline values.")
