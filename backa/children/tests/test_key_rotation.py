"""Personnummer key ids and rotation (issue 15.9): stored ciphertexts keep working."""

import io
import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from backa.children.models import Child, Guardian
from backa.lib import identity

pytestmark = pytest.mark.django_db
NEW_KEY = "5e" * 32


def old_format_blob(digits: str, key_hex: str) -> bytes:
    """A ciphertext exactly as it was written before key ids existed."""
    nonce = os.urandom(12)
    return nonce + AESGCM(bytes.fromhex(key_hex)).encrypt(nonce, digits.encode(), b"pnr")


def rows_with_numbers():
    return [*Child.objects.filter(pnr_encrypted__isnull=False), *Guardian.objects.filter(pnr_encrypted__isnull=False)]


def test_a_new_ciphertext_is_stored_with_the_current_key_id(world, settings):
    assert world.sigrid.pnr_key_id == settings.PNR_ENCRYPTION_KEY_ID
    assert Child.objects.get(pk=world.sigrid.pk).identity_number.digits == world.sigrid.identity_number.digits


def test_the_migration_stamps_existing_ciphertexts_and_they_keep_decrypting(world, settings):
    digits = world.sigrid.identity_number.digits
    with connection.cursor() as cursor:  # the world's deferred FK checks, before the DDL
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate([("children", "0002_child_moved_out_on")])
    with connection.cursor() as cursor:  # the old schema: no key id column, the old blob format
        cursor.execute(
            "UPDATE children_child SET pnr_encrypted = %s WHERE id = %s",
            [old_format_blob(digits, settings.PNR_ENCRYPTION_KEY), world.sigrid.pk],
        )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    child = Child.objects.get(pk=world.sigrid.pk)
    assert child.pnr_key_id == settings.PNR_ENCRYPTION_KEY_ID
    assert child.identity_number.digits == digits
    assert not Child.objects.filter(pnr_encrypted__isnull=False, pnr_key_id="").exists()


def test_rotation_reencrypts_every_row_and_keeps_every_number_and_lookup(world, settings):
    before = {
        (type(row), row.pk): (row.identity_number.digits, row.pnr_hash, bytes(row.pnr_encrypted))
        for row in rows_with_numbers()
    }
    assert before
    old_id, old_key = settings.PNR_ENCRYPTION_KEY_ID, settings.PNR_ENCRYPTION_KEY
    settings.PNR_ENCRYPTION_KEY, settings.PNR_ENCRYPTION_KEY_ID = NEW_KEY, "2027a"
    settings.PNR_ENCRYPTION_OLD_KEYS = {old_id: old_key}
    # Readable before the command ran: each row names its own key.
    assert Child.objects.get(pk=world.sigrid.pk).identity_number.digits == before[(Child, world.sigrid.pk)][0]
    out = io.StringIO()
    call_command("reencrypt_identity_numbers", "--batch-size", "2", stdout=out)
    assert "0 rows left" in out.getvalue()
    settings.PNR_ENCRYPTION_OLD_KEYS = {}  # the old key can go now
    for row in rows_with_numbers():
        digits, pnr_hash, blob = before[(type(row), row.pk)]
        assert row.pnr_key_id == "2027a"
        assert bytes(row.pnr_encrypted) != blob
        assert row.identity_number.digits == digits
        assert row.pnr_hash == pnr_hash  # lookups by number still find the row
    out = io.StringIO()
    call_command("reencrypt_identity_numbers", stdout=out)
    assert "0 children, 0 guardians" in out.getvalue()


def test_a_ciphertext_under_an_unknown_key_is_refused_by_name_and_nothing_changes(world, settings):
    before = {row.pk: bytes(row.pnr_encrypted) for row in Child.objects.filter(pnr_encrypted__isnull=False)}
    settings.PNR_ENCRYPTION_KEY, settings.PNR_ENCRYPTION_KEY_ID = NEW_KEY, "2027a"
    settings.PNR_ENCRYPTION_OLD_KEYS = {}
    with pytest.raises(identity.UnknownEncryptionKey, match="PNR_ENCRYPTION_OLD_KEYS"):
        Child.objects.get(pk=world.sigrid.pk).identity_number  # noqa: B018
    with pytest.raises(CommandError, match="PNR_ENCRYPTION_OLD_KEYS"):
        call_command("reencrypt_identity_numbers", "--batch-size", "1000", stdout=io.StringIO())
    assert {row.pk: bytes(row.pnr_encrypted) for row in Child.objects.filter(pnr_encrypted__isnull=False)} == before
