"""Purge records, rule versions and dropped-partition records are append-only (PostgreSQL triggers)."""

from django.db import migrations

TABLES = ("records_purgerecord", "records_retentionruleversion", "audit_droppedpartition")


def append_only(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        """CREATE FUNCTION records_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
           END $$""",
        params=None,
    )
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION records_refuse_change()",
            params=None,
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS records_refuse_change() CASCADE", params=None)


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial"), ("audit", "0003_droppedpartition")]
    operations = [migrations.RunPython(append_only, drop)]
