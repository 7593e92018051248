"""Disclosure records stay append-only, except for the purge job (backa/records/purge.py).

The purge sets `backa.gallring = 'on'` with SET LOCAL inside the batch transaction that also
writes the batch's purge record; every other UPDATE or DELETE is still refused.
"""

from django.db import migrations

ALLOW_PURGE = """CREATE OR REPLACE FUNCTION consent_disclosure_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'DELETE' AND current_setting('backa.gallring', true) = 'on' THEN
       RETURN OLD;
     END IF;
     RAISE EXCEPTION 'consent_disclosurerecord is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
   END $$"""
REFUSE_ALL = """CREATE OR REPLACE FUNCTION consent_disclosure_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     RAISE EXCEPTION 'consent_disclosurerecord is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
   END $$"""


def allow(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW_PURGE, params=None)


def refuse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REFUSE_ALL, params=None)


class Migration(migrations.Migration):
    dependencies = [("consent", "0003_child_protect")]
    operations = [migrations.RunPython(allow, refuse)]
