"""The access log table.

PostgreSQL: range-partitioned by month on occurred_at with a default partition, and a
trigger that refuses UPDATE and DELETE (append-only, enforced by the database).
SQLite (demo only): an ordinary table with the same refusal as triggers.
"""
import uuid
from datetime import date

import django.utils.timezone
from django.db import migrations, models

from backa.audit.partitions import partition_sql

COLUMNS = """
    id uuid NOT NULL,
    occurred_at timestamptz NOT NULL,
    user_id uuid NULL,
    organisation_id uuid NULL,
    unit_id uuid NULL,
    role varchar(32) NOT NULL,
    municipality_id uuid NULL,
    child_id uuid NULL,
    object_type varchar(40) NOT NULL,
    object_id varchar(64) NOT NULL,
    action varchar(20) NOT NULL,
    purpose varchar(64) NOT NULL,
    outcome varchar(8) NOT NULL,
    request_id uuid NULL,
    emergency boolean NOT NULL,
    protected_identity boolean NOT NULL,
    PRIMARY KEY (occurred_at, id)
"""

POSTGRES_CREATE = [
    f"CREATE TABLE audit_accesslog ({COLUMNS}) PARTITION BY RANGE (occurred_at)",
    "CREATE TABLE audit_accesslog_default PARTITION OF audit_accesslog DEFAULT",
    """CREATE FUNCTION audit_accesslog_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'audit_accesslog is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
       END $$""",
    """CREATE TRIGGER audit_accesslog_append_only BEFORE UPDATE OR DELETE ON audit_accesslog
       FOR EACH ROW EXECUTE FUNCTION audit_accesslog_refuse_change()""",
] + partition_sql(date(2024, 1, 1), date(2027, 12, 1))

SQLITE_TRIGGERS = [
    """CREATE TRIGGER audit_accesslog_no_update BEFORE UPDATE ON audit_accesslog
       BEGIN SELECT RAISE(ABORT, 'audit_accesslog is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER audit_accesslog_no_delete BEFORE DELETE ON audit_accesslog
       BEGIN SELECT RAISE(ABORT, 'audit_accesslog is append-only: DELETE refused'); END""",
]


def make_append_only(apps, schema_editor):
    """Replace the plain table CreateModel made with the partitioned one (PostgreSQL), add triggers.

    The model's two indexes are created after this (Django defers them to the end of the
    migration), on the partitioned parent, from where PostgreSQL adds them to every partition.
    """
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TABLE audit_accesslog")
        for statement in POSTGRES_CREATE:
            schema_editor.execute(statement, params=None)
    else:
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_accesslog_append_only ON audit_accesslog")
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_accesslog_refuse_change() CASCADE")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_accesslog_no_update")
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_accesslog_no_delete")


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
                migrations.CreateModel(
                    name="AccessLog",
                    fields=[
                        ("pk", models.CompositePrimaryKey("occurred_at", "id", blank=True, editable=False, primary_key=True, serialize=False)),
                        ("id", models.UUIDField(default=uuid.uuid4, editable=False)),
                        ("occurred_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                        ("user_id", models.UUIDField(null=True)),
                        ("organisation_id", models.UUIDField(null=True)),
                        ("unit_id", models.UUIDField(null=True)),
                        ("role", models.CharField(blank=True, max_length=32)),
                        ("municipality_id", models.UUIDField(null=True)),
                        ("child_id", models.UUIDField(null=True)),
                        ("object_type", models.CharField(max_length=40)),
                        ("object_id", models.CharField(blank=True, max_length=64)),
                        ("action", models.CharField(choices=[("view", "View"), ("list", "List"), ("search", "Search"), ("create", "Create"), ("update", "Update"), ("export", "Export"), ("print", "Print"), ("disclose", "Disclose"), ("emergency_access", "Emergency access")], max_length=20)),
                        ("purpose", models.CharField(blank=True, max_length=64)),
                        ("outcome", models.CharField(choices=[("allowed", "Allowed"), ("denied", "Denied")], max_length=8)),
                        ("request_id", models.UUIDField(null=True)),
                        ("emergency", models.BooleanField(default=False)),
                        ("protected_identity", models.BooleanField(default=False)),
                    ],
                    options={
                        "verbose_name": "access log entry",
                        "verbose_name_plural": "access log",
                        "managed": True,
                        "indexes": [
                            models.Index(fields=["child_id", "occurred_at"], name="accesslog_child_time"),
                            models.Index(fields=["user_id", "occurred_at"], name="accesslog_user_time"),
                        ],
                    },
                ),
        migrations.RunPython(make_append_only, drop_triggers),
    ]
