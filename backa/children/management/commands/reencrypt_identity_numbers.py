"""Move every stored personnummer to the current encryption key (issue 15.9).

Rotation: set the new key as PNR_ENCRYPTION_KEY with a new PNR_ENCRYPTION_KEY_ID, move the old
one to PNR_ENCRYPTION_OLD_KEYS ("old_id:hex"), restart, run this command; when it reports 0
rows left, remove the old key. Batches of rows are locked (FOR UPDATE SKIP LOCKED is not used:
a locked row waits, so no row is skipped), decrypted under their own key id and written back
under the current one. Idempotent and resumable: a rerun finds only the rows not moved yet.
The lookup hash is unchanged (it has its own key, PNR_HASH_KEY).
"""

import logging

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from backa.children.models import Child, Guardian
from backa.lib import identity

security = logging.getLogger("backa.security")


def reencrypt(model, *, batch_size: int = 500) -> int:
    current = identity.current_key_id()
    moved = 0
    while True:
        with transaction.atomic():
            rows = list(
                model.objects.select_for_update()
                .filter(pnr_encrypted__isnull=False)
                .filter(~Q(pnr_key_id=current))
                .order_by("pk")
                .only("pk", "pnr_encrypted", "pnr_key_id")[:batch_size]
            )
            if not rows:
                return moved
            for row in rows:
                number = identity.decrypt(bytes(row.pnr_encrypted), key_id=row.pnr_key_id)
                row.pnr_encrypted = identity.encrypt(number)
                row.pnr_key_id = current
            model.objects.bulk_update(rows, ["pnr_encrypted", "pnr_key_id"])
            moved += len(rows)


class Command(BaseCommand):
    help = "Re-encrypt every stored personnummer under the current key (PNR_ENCRYPTION_KEY_ID)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, **options):
        totals = {}
        try:
            for model in (Child, Guardian):
                totals[model._meta.model_name] = reencrypt(model, batch_size=batch_size)
        except identity.UnknownEncryptionKey as exc:
            raise CommandError(str(exc)) from None
        left = sum(
            model.objects.filter(pnr_encrypted__isnull=False).exclude(pnr_key_id=identity.current_key_id()).count()
            for model in (Child, Guardian)
        )
        security.info(
            "personnummer re-encrypted under key id %s: %s children, %s guardians, %s left",
            identity.current_key_id(),
            totals["child"],
            totals["guardian"],
            left,
        )
        self.stdout.write(
            f"Re-encrypted under key {identity.current_key_id()}: {totals['child']} children, "
            f"{totals['guardian']} guardians; {left} rows left under other keys."
        )
