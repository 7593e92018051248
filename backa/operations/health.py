"""What the load balancer and the operators' Prometheus ask: /healthz, /readyz and /metrics.

No login and no data: /healthz says the process answers; /readyz names each check and
"ok" or a short code (never a row, an id or a count of children); /metrics is for the
scraper only (see `metrics_allowed`). Checks read tables by name with plain SQL so this
module does not import the apps above operations.

More readiness checks: settings.READINESS_EXTRA_CHECKS lists "name=dotted.path" callables
(for example the outbox's "not stuck" check); each returns None when fine or a short code.
"""

import ipaddress
import json
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, HttpResponseNotFound
from django.utils import timezone
from django.utils.module_loading import import_string
from django.views.decorators.http import require_GET

_migrations_applied = False  # once true it stays true for this process's code


def check_database() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return None


def check_migrations() -> str | None:
    global _migrations_applied
    if _migrations_applied:
        return None
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return "unapplied_migrations"
    _migrations_applied = True
    return None


def _next_month_start(today):
    return (today.replace(day=28) + timedelta(days=4)).replace(day=1)


def check_log_partitions() -> str | None:
    """The access log's partition for next month exists (ensure_log_partitions runs daily)."""
    if connection.vendor != "postgresql":
        return None
    name = f"audit_accesslog_{_next_month_start(timezone.localdate()):%Y%m}"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'audit_accesslog'::regclass AND c.relname = %s",
            [name],
        )
        return None if cursor.fetchone() else "next_month_partition_missing"


def check_seals() -> str | None:
    """No access-log row older than a period plus grace plus slack is still unsealed."""
    overdue_before = timezone.now() - timedelta(hours=settings.SEAL_OVERDUE_AFTER_HOURS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(ends_at) FROM operations_accesslogseal")
        sealed_until = cursor.fetchone()[0]
        if sealed_until is None:
            cursor.execute("SELECT 1 FROM audit_accesslog WHERE occurred_at < %s LIMIT 1", [overdue_before])
        else:
            cursor.execute(
                "SELECT 1 FROM audit_accesslog WHERE occurred_at < %s AND occurred_at >= %s LIMIT 1",
                [overdue_before, sealed_until],
            )
        return "seals_overdue" if cursor.fetchone() else None


def check_runtime_role() -> str | None:
    """In production the application's role owns no table (migrations run as the owner)."""
    if settings.BACKA_ENV != "production" or connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tableowner = current_user LIMIT 1"
        )
        return "runtime_role_owns_tables" if cursor.fetchone() else None


def check_restore_drill() -> str | None:
    """R10: the newest nightly restore drill succeeded and is recent (when RESTORE_DRILL_MAX_AGE_HOURS is set)."""
    max_age = settings.RESTORE_DRILL_MAX_AGE_HOURS
    if not max_age:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT ok, started_at FROM operations_restoredrillrun ORDER BY started_at DESC LIMIT 1")
        newest = cursor.fetchone()
    if newest is None:
        return "restore_drill_never_run"
    ok, started_at = newest
    if not ok:
        return "restore_drill_failed"
    if started_at < timezone.now() - timedelta(hours=max_age):
        return "restore_drill_overdue"
    return None


def check_outbox() -> str | None:
    """The outbox drains: no pending message due for more than OUTBOX_STUCK_AFTER_MINUTES (no
    worker, or the mail relay is down; docs/operations.md, "outbox not draining")."""
    due_before = timezone.now() - timedelta(minutes=settings.OUTBOX_STUCK_AFTER_MINUTES)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM outbox_message WHERE state = 'pending' AND next_attempt_at < %s LIMIT 1", [due_before]
        )
        return "outbox_stuck" if cursor.fetchone() else None


CHECKS = {
    "database": check_database,
    "migrations": check_migrations,
    "log_partitions": check_log_partitions,
    "seals": check_seals,
    "runtime_role": check_runtime_role,
    "restore_drill": check_restore_drill,
    "outbox": check_outbox,
}


def readiness_checks() -> dict:
    checks = dict(CHECKS)
    for entry in settings.READINESS_EXTRA_CHECKS:
        name, _, path = entry.partition("=")
        checks[name.strip()] = import_string(path.strip())
    return checks


def run_checks() -> dict[str, str]:
    results: dict[str, str] = {}
    database_down = False
    for name, check in readiness_checks().items():
        if database_down:
            results[name] = "skipped"
            continue
        try:
            results[name] = check() or "ok"
        except Exception as exc:  # a check that cannot run is a failed check, named by its error type
            results[name] = f"error:{type(exc).__name__}"
            database_down = name == "database"
    return results


@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def readyz(request):
    results = run_checks()
    ready = all(value == "ok" for value in results.values())
    body = json.dumps({"status": "ready" if ready else "not_ready", "checks": results}, sort_keys=True)
    return HttpResponse(body, status=200 if ready else 503, content_type="application/json")


def metrics_allowed(request) -> bool:
    """Only a direct scraper from METRICS_ALLOWED_NETWORKS, never through the public proxy.

    The reverse proxy sets X-Forwarded-For on everything it passes on (and denies /metrics
    itself, deploy/nginx.conf), so a request carrying it came from the internet side. With
    METRICS_TOKEN set, the scraper must also send it as a bearer token.
    """
    if "HTTP_X_FORWARDED_FOR" in request.META:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    if not any(address in ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOWED_NETWORKS):
        return False
    token = settings.METRICS_TOKEN
    if token:
        import hmac

        sent = request.headers.get("Authorization", "")
        return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
    return True


def _database_gauges():
    """Gauges read from the database at scrape time: import runs, log-review backlog, outbox depth."""
    from prometheus_client.core import GaugeMetricFamily

    families = []
    with connection.cursor() as cursor:
        imports = GaugeMetricFamily("backa_import_runs", "Register import runs by status.", labels=["status"])
        cursor.execute("SELECT status, count(*) FROM integrations_importrun GROUP BY status")
        for status, count in cursor.fetchall():
            imports.add_metric([status], count)
        families.append(imports)
        backlog = GaugeMetricFamily("backa_log_review_backlog", "Log-review items not yet reviewed.")
        cursor.execute("SELECT count(*) FROM audit_logreviewitem WHERE reviewed_at IS NULL")
        backlog.add_metric([], cursor.fetchone()[0])
        families.append(backlog)
        outbox = GaugeMetricFamily("backa_outbox_messages", "Outbox messages by state.", labels=["state"])
        cursor.execute("SELECT state, count(*) FROM outbox_message GROUP BY state")
        for state, count in cursor.fetchall():
            outbox.add_metric([state], count)
        families.append(outbox)
        cursor.execute("SELECT max(ends_at) FROM operations_accesslogseal")
        last = cursor.fetchone()[0]
        age = GaugeMetricFamily("backa_access_log_seal_age_seconds", "Seconds since the end of the last sealed period.")
        age.add_metric([], (timezone.now() - last).total_seconds() if last else float("nan"))
        families.append(age)
    for entry in settings.METRICS_EXTRA_GAUGES:  # e.g. the outbox's depth: "dotted.path" -> families
        families.extend(import_string(entry)())
    return families


class _DatabaseCollector:
    def collect(self):
        return _database_gauges()


@require_GET
def metrics(request):
    if not metrics_allowed(request):
        return HttpResponseNotFound("not found", content_type="text/plain")
    import os

    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

    import backa.lib.metrics  # noqa: F401  (registers the in-process metrics)

    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
        output = generate_latest(registry)
    else:
        output = generate_latest(REGISTRY)
    database = CollectorRegistry()
    database.register(_DatabaseCollector())
    output += generate_latest(database)
    return HttpResponse(output, content_type=CONTENT_TYPE_LATEST)


def server_error(request, *args, **kwargs):
    """handler500: a database that cannot be reached or written (down, failing over, disk full)
    answers 503 with Retry-After, so clients and the load balancer retry; anything else is
    Django's 500. The access log refusing a row (R16) is not an OperationalError and stays 500."""
    import sys

    from django.db import OperationalError
    from django.utils.translation import gettext as _
    from django.views.defaults import server_error as django_server_error

    if isinstance(sys.exc_info()[1], OperationalError):
        response = HttpResponse(
            _("The service is unavailable for a moment. Try again in a little while."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = "5"
        return response
    return django_server_error(request, *args, **kwargs)
