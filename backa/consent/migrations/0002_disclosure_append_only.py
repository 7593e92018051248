"""Disclosure records prove what crossed an organisation boundary: the database refuses
to change or delete them, as it does for the access log."""
from django.db import migrations

PG = [
    """CREATE FUNCTION consent_disclosure_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'consent_disclosurerecord is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
       END $$""",
    """CREATE TRIGGER consent_disclosure_append_only BEFORE UPDATE OR DELETE ON consent_disclosurerecord
       FOR EACH ROW EXECUTE FUNCTION consent_disclosure_refuse_change()""",
]
SQLITE = [
    """CREATE TRIGGER consent_disclosure_no_update BEFORE UPDATE ON consent_disclosurerecord
       BEGIN SELECT RAISE(ABORT, 'consent_disclosurerecord is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER consent_disclosure_no_delete BEFORE DELETE ON consent_disclosurerecord
       BEGIN SELECT RAISE(ABORT, 'consent_disclosurerecord is append-only: DELETE refused'); END""",
]


def forward(apps, schema_editor):
    for statement in PG if schema_editor.connection.vendor == "postgresql" else SQLITE:
        schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS consent_disclosure_append_only ON consent_disclosurerecord")
        schema_editor.execute("DROP FUNCTION IF EXISTS consent_disclosure_refuse_change() CASCADE")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS consent_disclosure_no_update")
        schema_editor.execute("DROP TRIGGER IF EXISTS consent_disclosure_no_delete")


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
