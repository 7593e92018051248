"""Provision a professional's identity for e-ID login and log review, without clear text kept.

    ./run manage provision_staff_identity USERNAME [--hsa-id ID] [--employee-id ID@ORGNR] [--eppn USER@DOMAIN]

The personal identity number and the home address are read from standard input (one line
each; an empty line leaves the value unchanged) so they never appear in the process list
or shell history. Only keyed hashes are stored (User.pnr_hash, User.home_address_hash).
An employer's HR import can call User.set_identity_number / set_home_address the same way.
"""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction

from backa.accounts import events
from backa.accounts.models import SecurityEventKind, User
from backa.lib import identity


class Command(BaseCommand):
    help = "Set a professional's personnummer (as a keyed hash), home address hash, HSA-id or employee id."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--hsa-id", default=None)
        parser.add_argument("--employee-id", default=None, help="orgAffiliation form: personal-id@organisationsnummer")
        parser.add_argument("--eppn", default=None, help="eduPersonPrincipalName from a SAML federation")

    def handle(self, username, hsa_id=None, employee_id=None, eppn=None, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError("No such user.") from None
        prompt = sys.stdin.isatty()
        if prompt:
            self.stderr.write("Personnummer (empty: unchanged): ", ending="")
        raw_number = sys.stdin.readline().strip()
        if prompt:
            self.stderr.write("Home address (empty: unchanged): ", ending="")
        raw_address = sys.stdin.readline().strip()
        if raw_number:
            try:
                user.set_identity_number(identity.parse(raw_number))
            except identity.InvalidIdentityNumber as error:
                raise CommandError(str(error.message)) from None  # the reason, never the number
        if raw_address:
            user.set_home_address(raw_address)
        if hsa_id is not None:
            user.hsa_id = hsa_id
        if employee_id is not None:
            user.employee_id = employee_id
        if eppn is not None:
            user.eppn = eppn
        changed = [
            name
            for name, given in (
                ("personnummer", raw_number),
                ("home_address", raw_address),
                ("hsa_id", hsa_id is not None),
                ("employee_id", employee_id is not None),
                ("eppn", eppn is not None),
            )
            if given
        ]
        try:
            with transaction.atomic():
                user.save()
                events.record(
                    SecurityEventKind.STAFF_IDENTITY_PROVISIONED, subject=user, detail={"fields": ",".join(changed)}
                )
        except IntegrityError:
            raise CommandError("Another professional already has this personnummer.") from None
        self.stdout.write(f"Updated {username}.")
