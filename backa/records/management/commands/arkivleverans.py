"""manage.py arkivleverans --child UUID --out DIR [--types concern,plan,...]

Builds one E-ARK SIP (FGS Paketstruktur) of the child's records to be kept (bevaras), validates it
against the vendored METS and PREMIS schemas and the CSIP rules, writes it under DIR for the
e-archive to take, and records the delivery (backa/records/earchive.py).
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backa.access.lookups import child_for_archive_delivery
from backa.records.earchive import InvalidPackage, do_deliver_to_archive, summary
from backa.records.registry import BY_KEY


class Command(BaseCommand):
    help = "Deliver a child's records to the e-archive as a validated E-ARK SIP."

    def add_arguments(self, parser):
        parser.add_argument("--child", required=True)
        parser.add_argument("--out", required=True)
        parser.add_argument("--types", default=",".join(k for k in BY_KEY if k != "notification"))

    def handle(self, *args, **options):
        child = child_for_archive_delivery(options["child"])
        if child is None:
            raise CommandError("no child with that id")
        out = Path(options["out"])
        if not out.is_dir():
            raise CommandError(f"{out} is not a folder")
        types = [t for t in options["types"].split(",") if t]
        unknown = [t for t in types if t not in BY_KEY]
        if unknown:
            raise CommandError(f"unknown record types: {', '.join(unknown)}")
        try:
            delivery = do_deliver_to_archive(acting_user=None, child=child, record_types=types, out_dir=out)
        except InvalidPackage as error:
            raise CommandError(f"the package did not validate: {error}") from None
        self.stdout.write(json.dumps(summary(Path(delivery.location)), indent=2))
