"""Prometheus metrics the application counts in-process (prometheus_client).

Under gunicorn (`./run serve`) PROMETHEUS_MULTIPROC_DIR is set and every worker writes its
samples there; `/metrics` (backa.operations.health) adds them up. Figures the database knows
(outbox depth, import runs, log-review backlog) are read when scraped, not counted here.
Labels are route names and codes only: never an id, a name or a number.
"""

from prometheus_client import Counter, Histogram

REQUEST_LATENCY = Histogram(
    "backa_http_request_duration_seconds",
    "Time from the request reaching Django to the response, by route name.",
    ["route", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
ACCESS_LOG_WRITE_FAILURES = Counter(
    "backa_access_log_write_failures_total",
    "Access-log inserts that failed (the access was refused).",
)
ACCESS_DENIED = Counter(
    "backa_access_denied_total",
    "Access-log rows written with outcome denied.",
)
SECURITY_EVENTS = Counter(
    "backa_security_events_total",
    "Account and security events recorded, by kind.",
    ["kind"],
)
