"""Reads for evaluation and extracts may go to a read replica — never a stale one.

With DATABASE_REPLICA_URL set, `replica_reads()` sends the ORM's reads inside the block to the
"replica" alias, but only after checking that the replica has replayed every WAL record the
primary had written when the block began (`pg_last_wal_replay_lsn() >= pg_current_wal_lsn()`),
waiting up to REPLICA_MAX_WAIT_SECONDS. Everything committed before the block — a consent
withdrawal, an ended role — is then on the replica too, so a replica's lag can never let a user
read entries a withdrawn consent no longer opens; a lagging replica means reading from the
primary. Writes (the access log included) and locking reads always go to the primary.
"""

import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
_read_alias: ContextVar[str | None] = ContextVar("backa_read_alias", default=None)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return _read_alias.get()

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_caught_up(wait_seconds: float) -> bool:
    """Has the replica replayed everything the primary has written up to now?"""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            with connections[REPLICA].cursor() as cursor:
                cursor.execute("SELECT coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, false)", [target])
                if cursor.fetchone()[0]:
                    return True
        except Exception:  # an unreachable replica is a lagging one: read from the primary
            connections[REPLICA].close()
            return False
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)


@contextmanager
def replica_reads(wait_seconds: float | None = None):
    """Reads in the block from the replica if it is caught up, else from the primary. Yields the alias used."""
    alias = None
    if replica_configured():
        wait = settings.REPLICA_MAX_WAIT_SECONDS if wait_seconds is None else wait_seconds
        alias = REPLICA if replica_caught_up(wait) else None
    token = _read_alias.set(alias)
    try:
        yield alias or "default"
    finally:
        _read_alias.reset(token)


def reads_from_replica(view):
    """A view whose reads may come from a caught-up replica (evaluation, extracts)."""
    from functools import wraps

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        with replica_reads():
            return view(request, *args, **kwargs)

    return wrapped
