"""Seals over the access log: tamper and loss evidence without a per-insert hash chain.

A per-row hash chain would make every request's log insert wait for the previous one (one
global lock on the hottest table). Instead, `seal_access_log` runs periodically (hourly from
cron) and seals each closed period [starts_at, ends_at) that is older than a grace interval
(longer than any request transaction, so no row can still commit into it):

    rows_digest = sha256 over the period's rows, one canonical line per row, ordered (occurred_at, id)
    digest      = sha256(previous seal's digest | starts_at | ends_at | row_count | rows_digest)

Periods are contiguous from the first seal on, empty ones included, so deleting a whole day
is as visible as changing one row. `verify_chain()` recomputes every seal from the rows and
reports each broken one. The functions take a DB-API cursor, so `manage.py verify` can check
a restored cluster through a plain psycopg connection as well as the app's own database.

The append-only trigger already refuses UPDATE and DELETE on the log; seals catch what the
trigger cannot: a superuser disabling it, TRUNCATE or a dropped partition, a page lost to
corruption, or a restore that is missing rows. Seals themselves are append-only too (trigger),
and the latest digest goes into each backup manifest and the security log, so cutting seals off
the end is visible against those copies.
"""

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

LOG_TABLE = "audit_accesslog"
SEAL_TABLE = "operations_accesslogseal"
GENESIS = "0" * 64
# Canonical column order; changing it changes every digest (a new seal format needs a version).
COLUMNS = (
    "occurred_at",
    "id",
    "user_id",
    "organisation_id",
    "unit_id",
    "role",
    "municipality_id",
    "child_id",
    "object_type",
    "object_id",
    "action",
    "purpose",
    "outcome",
    "request_id",
    "emergency",
    "protected_identity",
)
UUID_COLUMNS = {"id", "user_id", "organisation_id", "unit_id", "municipality_id", "child_id", "request_id"}
FETCH = 5000


def _utc(value) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _iso(value) -> str:
    return _utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _canonical(column, value) -> str:
    if value is None:
        return ""
    if column == "occurred_at":
        return _iso(value)
    if column in UUID_COLUMNS:
        return str(uuid.UUID(str(value)))
    if isinstance(value, bool) or column in ("emergency", "protected_identity"):
        return "1" if value in (True, 1, "1", "t", "true") else "0"
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", "\\n")


def rows_digest(cursor, starts_at, ends_at) -> tuple[int, str, str, str]:
    """(row_count, sha256 hex, first id, last id) over the log rows in [starts_at, ends_at)."""
    cursor.execute(
        f"SELECT {', '.join(COLUMNS)} FROM {LOG_TABLE} WHERE occurred_at >= %s AND occurred_at < %s "
        "ORDER BY occurred_at, id",
        [starts_at, ends_at],
    )
    digest, count, first, last = hashlib.sha256(), 0, "", ""
    while True:
        batch = cursor.fetchmany(FETCH)
        if not batch:
            break
        for row in batch:
            line = "|".join(_canonical(c, v) for c, v in zip(COLUMNS, row, strict=True))
            digest.update(line.encode())
            digest.update(b"\n")
            last = str(row[1])
            if not count:
                first = last
            count += 1
    return count, digest.hexdigest(), first, last


def chain_digest(previous: str, starts_at, ends_at, row_count: int, rows_hex: str) -> str:
    text = f"{previous}|{_iso(starts_at)}|{_iso(ends_at)}|{row_count}|{rows_hex}"
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Seal:
    id: int
    starts_at: datetime
    ends_at: datetime
    row_count: int
    rows_digest: str
    previous_digest: str
    digest: str


def read_seals(cursor) -> list[Seal]:
    cursor.execute(
        f"SELECT id, starts_at, ends_at, row_count, rows_digest, previous_digest, digest FROM {SEAL_TABLE} "
        "ORDER BY starts_at"
    )
    return [Seal(r[0], _utc(r[1]), _utc(r[2]), int(r[3]), r[4], r[5], r[6]) for r in cursor.fetchall()]


@dataclass
class Broken:
    seal_id: int
    starts_at: datetime
    ends_at: datetime
    reason: str
    sealed_rows: int = 0
    found_rows: int = 0


@dataclass
class ChainReport:
    seals: int = 0
    sealed_rows: int = 0
    broken: list[Broken] = field(default_factory=list)
    rows_before_first_seal: int = 0
    rows_after_last_seal: int = 0
    # Seals whose period lies inside an access-log partition the purge dropped (audit.DroppedPartition).
    purged_seals: int = 0
    purged_rows: int = 0
    last_digest: str = GENESIS
    sealed_until: datetime | None = None

    @property
    def ok(self) -> bool:
        return not self.broken


DROPPED_TABLE = "audit_droppedpartition"


def read_dropped(cursor) -> list[tuple[datetime, datetime, int]]:
    """(starts_at, ends_at, row_count) of every access-log partition the purge dropped."""
    cursor.execute(f"SELECT starts_at, ends_at, row_count FROM {DROPPED_TABLE} ORDER BY starts_at")
    return [(_utc(r[0]), _utc(r[1]), int(r[2])) for r in cursor.fetchall()]


def verify_chain(cursor) -> ChainReport:
    """Recompute every seal from the rows; report each seal whose rows or links no longer match.

    A seal inside a partition the purge dropped (retention, recorded in audit_droppedpartition)
    must find no rows; its links and its own digest are still checked, so the chain stays
    verifiable end to end. Each dropped partition's recorded row count must equal the sum of its
    seals' counts: a drop cannot hide rows that were lost or added before it.
    """
    report = ChainReport()
    seals = read_seals(cursor)
    dropped = read_dropped(cursor)
    in_dropped: dict[int, int] = {}
    previous, previous_end = GENESIS, None
    for seal in seals:
        where = next(
            (i for i, (start, end, _n) in enumerate(dropped) if start <= seal.starts_at and seal.ends_at <= end), None
        )
        report.seals += 1
        reasons = []
        if seal.previous_digest != previous:
            reasons.append("link to the previous seal does not match")
        if previous_end is not None and seal.starts_at != previous_end:
            reasons.append("gap or overlap with the previous seal's period")
        if (
            chain_digest(seal.previous_digest, seal.starts_at, seal.ends_at, seal.row_count, seal.rows_digest)
            != seal.digest
        ):
            reasons.append("the seal record itself was changed")
        count, digest, _first, _last = rows_digest(cursor, seal.starts_at, seal.ends_at)
        if where is not None:
            in_dropped[where] = in_dropped.get(where, 0) + seal.row_count
            if count:
                reasons.append(f"{count} rows in a period whose partition was dropped")
            else:
                report.purged_seals += 1
                report.purged_rows += seal.row_count
        elif count != seal.row_count:
            reasons.append(f"row count {count}, sealed {seal.row_count}")
        elif digest != seal.rows_digest:
            reasons.append("rows changed since sealing")
        if reasons:
            report.broken.append(
                Broken(seal.id, seal.starts_at, seal.ends_at, "; ".join(reasons), seal.row_count, count)
            )
        report.sealed_rows += seal.row_count
        previous, previous_end = seal.digest, seal.ends_at
    for i, (start, end, row_count) in enumerate(dropped):
        sealed = in_dropped.get(i, 0)
        if sealed != row_count:
            report.broken.append(
                Broken(
                    0, start, end, f"dropped partition recorded {row_count} rows, its seals {sealed}", sealed, row_count
                )
            )
    report.last_digest = previous
    report.sealed_until = previous_end
    if seals:
        cursor.execute(f"SELECT count(*) FROM {LOG_TABLE} WHERE occurred_at < %s", [seals[0].starts_at])
        report.rows_before_first_seal = cursor.fetchone()[0]
        cursor.execute(f"SELECT count(*) FROM {LOG_TABLE} WHERE occurred_at >= %s", [previous_end])
        report.rows_after_last_seal = cursor.fetchone()[0]
    else:
        cursor.execute(f"SELECT count(*) FROM {LOG_TABLE}")
        report.rows_after_last_seal = cursor.fetchone()[0]
    return report


def floor_period(moment: datetime, period: timedelta) -> datetime:
    """The start of the period holding `moment`, periods aligned to midnight UTC."""
    moment = _utc(moment)
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + ((moment - midnight) // period) * period


def seal_closed_periods(
    *,
    now: datetime,
    period: timedelta = timedelta(days=1),
    grace: timedelta = timedelta(hours=1),
    since: datetime | None = None,
    limit: int = 10000,
) -> list:
    """Seal every closed period from the last seal (or the first log row) up to now - grace.
    Serialised by an advisory lock; returns the new AccessLogSeal rows."""
    from django.db import connection, transaction

    from backa.operations.models import AccessLogSeal

    created = []
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('backa.seal_access_log'))")
        last = AccessLogSeal.objects.order_by("-starts_at").first()
        if last is not None:
            start, previous = _utc(last.ends_at), last.digest
        else:
            if since is None:
                cursor.execute(f"SELECT min(occurred_at) FROM {LOG_TABLE}")
                first = cursor.fetchone()[0]
                if first is None:
                    return created
                since = first
            start, previous = floor_period(since, period), GENESIS
        cutoff = _utc(now) - grace
        while start + period <= cutoff and len(created) < limit:
            end = start + period
            count, digest, first_id, last_id = rows_digest(cursor, start, end)
            seal = AccessLogSeal.objects.create(
                starts_at=start,
                ends_at=end,
                row_count=count,
                rows_digest=digest,
                first_id=first_id,
                last_id=last_id,
                previous_digest=previous,
                digest=chain_digest(previous, start, end, count, digest),
            )
            created.append(seal)
            start, previous = end, seal.digest
    return created
