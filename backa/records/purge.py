"""The purge (gallring) job: removes what has passed its retention rule, in batches, with a purge record each.

- Rules: backa/records/rules.py (data, per municipality). No rule, no purge.
- Order: backa/records/registry.RECORD_TYPES (dependents before what they PROTECT); the child row
  itself only once every other part of the child's file has gone; then whole access-log
  partitions past their period.
- Batches: each batch is one transaction that deletes up to `batch_size` rows of one rule and
  writes its PurgeRecord. Killed mid-batch, the transaction rolls back: either the batch is done
  with its record or nothing happened. A new run simply starts over and finds what is left
  (idempotent, resumable): a second run right after the first removes nothing.
- Holds: rows of a held child (or of a held record type) are never selected.
- One run at a time: a session advisory lock; a second run refuses (PurgeBusy).
- A row another row still PROTECTs (a consent a disclosure rests on) is skipped, not forced; it
  goes in a later batch or run once what protects it has gone.
- The dry run lists, per rule, how many rows and children would go; it deletes nothing.
"""

import calendar
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from django.db import connection, transaction
from django.db.models import Count, Exists, Max, OuterRef, ProtectedError, Q, RestrictedError
from django.utils import timezone

from backa.audit.partitions import TABLE as LOG_TABLE
from backa.audit.partitions import next_month
from backa.records.holds import all_held_children, held_children, type_held
from backa.records.models import (
    AccessibilityFeedback,
    Disposal,
    PurgeRecord,
    PurgeRun,
    RetentionRule,
    StartEvent,
    Verksamhet,
)
from backa.records.registry import ACCESS_LOG, CHILD, RECORD_TYPES, RecordType, file_parts, organisations_by_verksamhet

BATCH_SIZE = 500
LOCK_KEY = "backa.records.purge"
RESEARCH_DAYS = (5, 15, 25)


class PurgeBusy(Exception):
    """Another purge run holds the lock."""


def months_before(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass
class Planned:
    rule: RetentionRule
    kind: RecordType
    cutoff: datetime
    rows: int = 0
    children: int = 0
    held: bool = False

    def as_dict(self):
        return {
            "rule": str(self.rule.pk),
            "rule_version": self.rule.version,
            "record_type": self.kind.key,
            "verksamhet": self.rule.verksamhet,
            "start_event": self.rule.start_event,
            "period_months": self.rule.period_months,
            "cutoff": self.cutoff.isoformat(),
            "rows": self.rows,
            "children": self.children,
            "held": self.held,
        }


@dataclass
class Plan:
    """What a run would remove (the dry run)."""

    rules: list[Planned] = field(default_factory=list)
    partitions: list[dict] = field(default_factory=list)

    def as_dict(self):
        return {"rules": [p.as_dict() for p in self.rules if p.rows or p.held], "partitions": self.partitions}

    @property
    def total_rows(self) -> int:
        return sum(p.rows for p in self.rules) + sum(p["rows"] for p in self.partitions if not p["skipped"])


# -- which rows a rule selects -------------------------------------------------------------------


def _child_prefix(kind: RecordType) -> str:
    return f"{kind.child_path}__" if kind.child_path else ""


def _rules_by_type(municipality_id) -> dict[str, list[RetentionRule]]:
    found: dict[str, list[RetentionRule]] = {}
    for rule in RetentionRule.objects.filter(municipality_id=municipality_id):
        found.setdefault(rule.record_type, []).append(rule)
    return found


def rows_for(rule: RetentionRule, kind: RecordType, now: datetime, orgs: dict, specific: set):
    """The rows of `kind` this rule removes at `now`, holds and the research exemption already left out."""
    model = kind.model_class()
    qs = model.objects.filter(municipality_id=rule.municipality_id)
    if kind.org_path:
        path = kind.org_path
        if rule.verksamhet == Verksamhet.ANY:
            excluded = set().union(*(orgs.get(v, set()) for v in specific))
            if Verksamhet.PLATFORM in specific:
                qs = qs.exclude(**{f"{path}__isnull": True})
            if excluded:
                qs = qs.exclude(**{f"{path}__in": excluded})
        elif rule.verksamhet == Verksamhet.PLATFORM:
            qs = qs.filter(Q(**{f"{path}__isnull": True}) | Q(**{f"{path}__in": orgs.get(Verksamhet.PLATFORM, set())}))
        else:
            qs = qs.filter(**{f"{path}__in": orgs.get(rule.verksamhet, set())})
    elif rule.verksamhet not in (Verksamhet.ANY, Verksamhet.PLATFORM) or (
        rule.verksamhet == Verksamhet.ANY and Verksamhet.PLATFORM in specific
    ):
        return qs.none()
    prefix = _child_prefix(kind)
    today = timezone.localdate(now)
    held = held_children(rule.municipality_id, kind.key, today)
    if held:
        qs = qs.exclude(**{f"{prefix}pk__in": held})
    if rule.research_exemption:
        qs = qs.exclude(**{f"{prefix}birth_date__day__in": RESEARCH_DAYS})
    cutoff = months_before(now, rule.period_months)
    cutoff_day = timezone.localdate(cutoff)
    event = rule.start_event
    if event == StartEvent.LAST_ENTRY:
        groups = qs.values(kind.child_path).annotate(last=Max(kind.date_path))
        if kind.open_q is not None:
            groups = groups.annotate(still_open=Count("pk", filter=kind.open_q)).filter(still_open=0)
        expired = groups.filter(last__lte=cutoff).values(kind.child_path)
        qs = qs.filter(**{f"{kind.child_path}__in": expired})
    elif event == StartEvent.ENTRY:
        qs = qs.filter(**{f"{kind.date_path}__lte": cutoff})
    elif event == StartEvent.PLAN_CLOSED:
        qs = qs.filter(**{f"{kind.date_path}__lte": cutoff_day})
    elif event == StartEvent.TURNED_18:
        qs = qs.filter(**{f"{prefix}birth_date__lte": years_before(cutoff_day, 18)})
    elif event == StartEvent.MOVED_OUT:
        # A death starts the same period as a move out of the municipality: the file is closed.
        qs = qs.filter(Q(**{f"{prefix}moved_out_on__lte": cutoff_day}) | Q(**{f"{prefix}deceased_on__lte": cutoff_day}))
    else:
        return qs.none()
    if kind.open_q is not None:
        qs = qs.exclude(kind.open_q)
    if kind.key == CHILD:
        for part in file_parts():
            qs = qs.exclude(Exists(part.model_class().objects.filter(child=OuterRef("pk"))))
    return qs


def _municipalities():
    from backa.organisations.models import Municipality

    return list(Municipality.objects.order_by("pk"))


def _each_rule(now: datetime):
    """(rule, kind, queryset, cutoff, held) for every rule of every municipality, in the purge order."""
    for municipality in _municipalities():
        rules = _rules_by_type(municipality.pk)
        if not rules:
            continue
        orgs = organisations_by_verksamhet(municipality.pk)
        today = timezone.localdate(now)
        for kind in RECORD_TYPES:
            kind_rules = [r for r in rules.get(kind.key, []) if r.disposal == Disposal.GALLRAS]
            specific = {r.verksamhet for r in rules.get(kind.key, []) if r.verksamhet != Verksamhet.ANY}
            # Specific kinds of organisation first, then the rule for every other kind.
            for rule in sorted(kind_rules, key=lambda r: r.verksamhet == Verksamhet.ANY):
                cutoff = months_before(now, rule.period_months)
                if type_held(municipality.pk, kind.key, today):
                    yield rule, kind, None, cutoff, True
                    continue
                yield rule, kind, rows_for(rule, kind, now, orgs, specific), cutoff, False


# -- the access log's partitions ----------------------------------------------------------------


def _log_rule():
    """The longest access-log rule of any municipality (partitions hold every municipality's rows)."""
    return (
        RetentionRule.objects.filter(record_type=ACCESS_LOG, disposal=Disposal.GALLRAS)
        .order_by("-period_months", "pk")
        .first()
    )


def log_partitions(cursor) -> list[tuple[str, datetime, datetime]]:
    """(name, starts_at, ends_at) of every monthly partition of the access log, oldest first."""
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
        [LOG_TABLE],
    )
    found = []
    for (name,) in cursor.fetchall():
        suffix = name.rsplit("_", 1)[-1]
        if not (suffix.isdigit() and len(suffix) == 6):
            continue  # the default partition
        start = date(int(suffix[:4]), int(suffix[4:]), 1)
        found.append((name, datetime.combine(start, time(), UTC), datetime.combine(next_month(start), time(), UTC)))
    return sorted(found, key=lambda p: p[1])


def _partition_plan(cursor, now: datetime) -> tuple[RetentionRule | None, datetime | None, list[dict]]:
    from backa.operations.seal import read_seals, rows_digest

    rule = _log_rule()
    if rule is None or connection.vendor != "postgresql":
        return None, None, []
    cutoff = months_before(now, rule.period_months)
    today = timezone.localdate(now)
    from backa.records.models import LegalHold, active_holds_q

    type_hold = LegalHold.objects.filter(active_holds_q(today), child__isnull=True, record_type=ACCESS_LOG).exists()
    held = [str(c) for c in all_held_children(today)]
    seals = read_seals(cursor)
    found = []
    for name, starts_at, ends_at in log_partitions(cursor):
        if ends_at > cutoff:
            break
        cursor.execute(f"SELECT count(*) FROM {name}")
        rows = cursor.fetchone()[0]
        entry = {"partition": name, "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(), "rows": rows}
        inside = [s for s in seals if s.starts_at >= starts_at and s.ends_at <= ends_at]
        covered = bool(seals) and seals[-1].ends_at >= ends_at and (rows == 0 or seals[0].starts_at <= starts_at)
        skipped = ""
        if type_hold:
            skipped = "held"
        elif held:
            cursor.execute(f"SELECT 1 FROM {name} WHERE child_id = ANY(%s::uuid[]) LIMIT 1", [held])
            if cursor.fetchone():
                skipped = "held"
        if not skipped and not covered:
            skipped = "not_sealed"
        if not skipped and sum(s.row_count for s in inside) != rows:
            skipped = "seals_do_not_match"
        if not skipped:
            count, digest, _first, _last = rows_digest(cursor, starts_at, ends_at)
            entry["rows_digest"] = digest
            entry["seals"] = len(inside)
            entry["seal_digests"] = [inside[0].digest, inside[-1].digest] if inside else []
            if any(rows_digest(cursor, s.starts_at, s.ends_at)[1] != s.rows_digest for s in inside if s.row_count):
                skipped = "seals_do_not_match"
        entry["skipped"] = skipped
        found.append(entry)
    return rule, cutoff, found


# -- the run --------------------------------------------------------------------------------------


def plan_purge(now: datetime | None = None) -> Plan:
    """The dry run: what a run at `now` would remove. Deletes nothing."""
    now = now or timezone.now()
    plan = Plan()
    for rule, kind, qs, cutoff, held in _each_rule(now):
        planned = Planned(rule, kind, cutoff, held=held)
        if qs is not None:
            planned.rows = qs.count()
            if kind.child_path and planned.rows:
                planned.children = qs.values(kind.child_path).distinct().count()
            elif kind.key == CHILD:
                planned.children = planned.rows
        plan.rules.append(planned)
    feedback = _feedback_rows(now)
    if feedback is not None:
        plan.rules.append(Planned(feedback[0], _FEEDBACK, feedback[1], rows=feedback[2].count()))
    with connection.cursor() as cursor:
        _rule, _cutoff, plan.partitions = _partition_plan(cursor, now)
    return plan


_FEEDBACK = RecordType("accessibility_feedback", "", "records.AccessibilityFeedback", "received_at", child_path="")


def _feedback_rows(now):
    rule = (
        RetentionRule.objects.filter(record_type=_FEEDBACK.key, disposal=Disposal.GALLRAS)
        .order_by("-period_months", "pk")
        .first()
    )
    if rule is None:
        return None
    cutoff = months_before(now, rule.period_months)
    return rule, cutoff, AccessibilityFeedback.objects.filter(received_at__lte=cutoff)


def _delete(queryset, ids) -> tuple[Counter, set]:
    """Delete these rows (as still selected by `queryset`); rows something still PROTECTs are skipped."""
    counts: Counter = Counter()
    try:
        with transaction.atomic():
            _n, per = queryset.filter(pk__in=ids).delete()
        counts.update(per)
        return counts, set()
    except (ProtectedError, RestrictedError):
        pass
    skipped = set()
    for pk in ids:
        try:
            with transaction.atomic():
                _n, per = queryset.filter(pk=pk).delete()
            counts.update(per)
        except (ProtectedError, RestrictedError):
            skipped.add(pk)
    return counts, skipped


def _delete_children(queryset, ids) -> tuple[Counter, set]:
    """Children go with their custodies and enrolments, and guardians no other child is linked to."""
    from backa.children.models import Custody, Guardian

    guardian_ids = set(Custody.objects.filter(child_id__in=ids).values_list("guardian_id", flat=True))
    counts, skipped = _delete(queryset, ids)
    orphans = Guardian.objects.filter(pk__in=guardian_ids, custodies__isnull=True)
    more, _kept = _delete(orphans, list(orphans.values_list("pk", flat=True)))
    counts.update(more)
    return counts, skipped


class _Run:
    def __init__(self, run: PurgeRun, now: datetime):
        self.run, self.now, self.batch = run, now, 0
        self.totals: Counter = Counter()

    def record(self, *, rule, kind_key, municipality_id, cutoff, count, counts, partition="", details=None):
        self.batch += 1
        PurgeRecord.objects.create(
            run=self.run,
            batch=self.batch,
            rule=rule,
            rule_version=rule.version,
            municipality_id=municipality_id,
            record_type=kind_key,
            verksamhet=rule.verksamhet,
            start_event=rule.start_event,
            period_months=rule.period_months,
            cutoff=cutoff,
            count=count,
            counts={k: v for k, v in counts.items() if v},
            partition=partition,
            details=details or {},
        )
        self.totals.update({k: v for k, v in counts.items() if v})

    def purge_rows(self, rule, kind: RecordType, qs, cutoff, batch_size: int):
        skipped: set = set()
        delete = _delete_children if kind.key == CHILD else _delete
        while True:
            ids = list(qs.exclude(pk__in=skipped).order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not ids:
                return
            with transaction.atomic():
                _allow_purge()
                counts, skip = delete(qs, ids)
                skipped |= skip
                own = counts.get(kind.model, 0)
                if own:
                    self.record(
                        rule=rule,
                        kind_key=kind.key,
                        municipality_id=rule.municipality_id,
                        cutoff=cutoff,
                        count=own,
                        counts=counts,
                    )

    def drop_partitions(self):
        from backa.audit.models import DroppedPartition

        with connection.cursor() as cursor:
            rule, cutoff, partitions = _partition_plan(cursor, self.now)
        for entry in partitions:
            if entry["skipped"]:
                continue
            with transaction.atomic(), connection.cursor() as cursor:
                name = entry["partition"]
                DroppedPartition.objects.create(
                    name=name,
                    starts_at=entry["starts_at"],
                    ends_at=entry["ends_at"],
                    row_count=entry["rows"],
                    rows_digest=entry["rows_digest"],
                    purge_run_id=self.run.pk,
                )
                cursor.execute(f"DROP TABLE {name}")
                self.record(
                    rule=rule,
                    kind_key=ACCESS_LOG,
                    municipality_id=None,
                    cutoff=cutoff,
                    count=entry["rows"],
                    counts={"audit.AccessLog": entry["rows"]},
                    partition=name,
                    details={k: entry[k] for k in ("starts_at", "ends_at", "rows_digest", "seals", "seal_digests")},
                )


def run_purge(*, batch_size: int = BATCH_SIZE, started_by: str = "cron", now: datetime | None = None) -> PurgeRun:
    """Remove everything past its rule at `now` (default: the clock). Raises PurgeBusy if a run is going on."""
    now = now or timezone.now()
    locked = _lock()
    try:
        run = PurgeRun.objects.create(batch_size=batch_size, started_by=started_by[:150])
        job = _Run(run, now)
        for rule, kind, qs, cutoff, held in list(_each_rule(now)):
            if not held:
                job.purge_rows(rule, kind, qs, cutoff, batch_size)
        feedback = _feedback_rows(now)
        if feedback is not None:
            job.purge_rows(feedback[0], _FEEDBACK, feedback[2], feedback[1], batch_size)
        job.drop_partitions()
        run.finished_at = timezone.now()
        run.summary = {"batches": job.batch, "rows": dict(job.totals)}
        run.save(update_fields=["finished_at", "summary"])
        return run
    finally:
        if locked:
            _unlock()


def dry_run(*, started_by: str = "cron", now: datetime | None = None) -> PurgeRun:
    """Record a dry run (what would go, per rule) without deleting anything."""
    now = now or timezone.now()
    plan = plan_purge(now)
    return PurgeRun.objects.create(
        batch_size=0, dry_run=True, started_by=started_by[:150], finished_at=timezone.now(), summary=plan.as_dict()
    )


def _allow_purge():
    """Lets this transaction delete from the append-only disclosure records (consent migration 0004)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL backa.gallring = 'on'")


def _lock() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            raise PurgeBusy()
    return True


def _unlock():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [LOCK_KEY])
