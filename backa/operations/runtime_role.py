"""The application's runtime database role: owns nothing, cannot rewrite the append-only tables.

Migrations and the jobs that change the schema (`migrate`, `ensure_log_partitions`) run as the
owner role; the web workers and every other job connect as the runtime role of DATABASE_URL.
`grant_runtime_privileges` (the `grant_runtime_role` command, run by the owner after every
migrate) gives that role data rights on every table of the schema, and on the append-only
tables only SELECT and INSERT: no UPDATE, DELETE or TRUNCATE, not on the partitions either
(it reaches them only through the parent table). The append-only triggers stay as a second
wall against the owner.
"""

from django.db import connection

APPEND_ONLY_TABLES = ("audit_accesslog", "operations_accesslogseal", "accounts_securityevent")


def grant_runtime_privileges(role: str) -> list[str]:
    """Idempotent. Returns the statements run (for the command's output)."""
    from psycopg import sql

    statements: list = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), current_schema()")
        database, schema = cursor.fetchone()
        cursor.execute(
            "SELECT 1 FROM pg_tables WHERE schemaname = %s AND tableowner = %s LIMIT 1",
            [schema, role],
        )
        if cursor.fetchone():
            raise ValueError(f"role {role!r} owns tables: the runtime role must own none (use a separate owner role)")
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = ANY(%s)",
            [list(APPEND_ONLY_TABLES)],
        )
        partitions = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema])
        present = {row[0] for row in cursor.fetchall()}
        role_id, schema_id = sql.Identifier(role), sql.Identifier(schema)
        statements += [
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), role_id),
            sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema_id, role_id),
            sql.SQL("REVOKE CREATE ON SCHEMA {} FROM {}").format(schema_id, role_id),
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(schema_id, role_id),
            sql.SQL("REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {} FROM {}").format(
                schema_id, role_id
            ),
            sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema_id, role_id),
        ]
        for table in APPEND_ONLY_TABLES:
            if table in present:
                statements.append(sql.SQL("REVOKE UPDATE, DELETE ON {} FROM {}").format(sql.Identifier(table), role_id))
        for partition in partitions:
            statements.append(sql.SQL("REVOKE ALL ON {} FROM {}").format(sql.Identifier(partition), role_id))
        raw = cursor.connection
        done = []
        for statement in statements:
            cursor.execute(statement)
            done.append(statement.as_string(raw))
    return done
