"""Backups: pg_basebackup of the whole cluster plus a manifest for verifying a restore.

The manifest (manifest.json beside the base backup) holds, from one REPEATABLE READ snapshot:
exact row counts of every table of the app's database, the access log's row count and the
head of its seal chain, a named restore point (to restore exactly to the manifest), the WAL
position and the server's time. `manage.py verify --manifest` compares a restored database
with it. Counts only, no personal data.
"""

import json
import time
from datetime import UTC, datetime
from pathlib import Path

from backa.operations import pgtools
from backa.operations.seal import verify_chain


def table_counts(cursor) -> dict[str, int]:
    """Exact row counts of the ordinary and partitioned tables in the public schema
    (a partitioned table's count includes its partitions; partitions are not listed)."""
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname"
    )
    names = [r[0] for r in cursor.fetchall()]
    counts = {}
    for name in names:
        cursor.execute(f'SELECT count(*) FROM "{name}"')
        counts[name] = cursor.fetchone()[0]
    return counts


def write_manifest(conn, path: Path, *, label: str, extra: dict | None = None) -> dict:
    """Counts and the seal head from one snapshot, plus a restore point; `conn` is psycopg, autocommit."""
    with conn.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute(
            "SELECT now(), pg_current_wal_lsn()::text, current_database(), current_setting('server_version')"
        )
        taken_at, lsn, dbname, version = cursor.fetchone()
        counts = table_counts(cursor)
        chain = verify_chain(cursor)
        cursor.execute("COMMIT")
    restore_point = f"backa-{label}"
    conn.execute("SELECT pg_create_restore_point(%s)", [restore_point])
    manifest = {
        "format": 1,
        "label": label,
        "database": dbname,
        "server_version": version,
        "taken_at": taken_at.astimezone(UTC).isoformat(),
        "wal_lsn": lsn,
        "restore_point": restore_point,
        "tables": counts,
        "access_log": {
            "rows": counts.get("audit_accesslog", 0),
            "seals": chain.seals,
            "sealed_rows": chain.sealed_rows,
            "sealed_until": chain.sealed_until.isoformat() if chain.sealed_until else None,
            "seal_head": {"digest": chain.last_digest} if chain.seals else None,
            "chain_ok": chain.ok,
        },
        **(extra or {}),
    }
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


def base_backup(conninfo: str, target: Path) -> dict:
    """pg_basebackup (plain format, WAL streamed in, fast checkpoint, SHA-256 manifest), then
    pg_verifybackup. Returns seconds, size and the verification result."""
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    pgtools.run(
        "pg_basebackup",
        "-d",
        conninfo,
        "-D",
        target,
        "-Fp",
        "-X",
        "stream",
        "-c",
        "fast",
        "--manifest-checksums=SHA256",
        "-l",
        f"backa {datetime.now(UTC).isoformat()}",
    )
    seconds = time.monotonic() - started
    size = sum(f.stat().st_size for f in target.rglob("*") if f.is_file())
    verified = pgtools.run("pg_verifybackup", target, check=False)
    return {
        "seconds": round(seconds, 2),
        "bytes": size,
        "verifybackup_ok": verified.returncode == 0,
        "verifybackup_output": (verified.stdout + verified.stderr).strip()[-500:],
    }


def archiver_status(conn) -> dict:
    row = conn.execute(
        "SELECT current_setting('archive_mode'), archived_count, last_archived_wal, failed_count FROM pg_stat_archiver"
    ).fetchone()
    return {"archive_mode": row[0], "archived_count": row[1], "last_archived_wal": row[2], "failed_count": row[3]}
