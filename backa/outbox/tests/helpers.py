from datetime import date

from django.db import transaction

from backa.casefile.concerns import do_register_concern
from backa.consent.tests.helpers import NOTE_MARKER


def give_addresses(world):
    """Every persona gets an address that names no one (user-<pk>@example.test)."""
    for user in world.users.values():
        user.email = f"user-{user.pk}@example.test"
        user.save(update_fields=["email"])


def register_concern(world, who="olle", child="sigrid"):
    """A concern with a note text the e-mail must never carry; notifies the barnkontakt."""
    with transaction.atomic():
        return do_register_concern(
            acting_user=world.users[who],
            child=world.children[child],
            observed_on=date(2026, 11, 20),
            description=f"Orolig för Sigrid Nilsson {NOTE_MARKER}",
            areas=["halsa"],
        )
