"""gunicorn settings for `./run serve` (production). Environment: BIND, WEB_CONCURRENCY, WEB_TIMEOUT."""

import os


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use (cgroups, taskset)
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


bind = os.environ.get("BIND", "127.0.0.1:8000").split(",")
# Synchronous workers: 2 per CPU + 1 (gunicorn's rule of thumb for I/O-bound Django).
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * _cpus() + 1)
worker_class = "sync"
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = 5000
max_requests_jitter = 500
# Only the local reverse proxy may set X-Forwarded-* (deploy/nginx.conf).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# The application writes its own JSON request log (backa.request); gunicorn's would repeat it.
accesslog = None
errorlog = "-"
loglevel = "info"
proc_name = "backa"


def child_exit(server, worker):
    """A dead worker's live gauges leave the metrics (prometheus_client multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
