"""Quality bar: killing the worker between send and mark, and restarting it, delivers every
e-mail at most once at the SMTP server (counted by Message-ID) and loses none.

The worker runs as its own process (`manage.py run_outbox`) against the test database; the
SMTP server on loopback SIGKILLs it at the worst moments: when a message's DATA has arrived
(before the server's 250 reaches the worker) and when a recipient is being named (before DATA)."""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.db import connection, transaction

from backa.casefile.notify import notify
from backa.outbox.models import Message
from backa.outbox.tests.helpers import give_addresses
from backa.outbox.tests.smtp_peer import SMTPPeer
from backa.testing import build_world

pytestmark = pytest.mark.django_db(transaction=True)

N = 12


def start_worker(port: int, *args: str, **settings_env: str) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "BACKA_ENV": "test",
        "DATABASE_URL": f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "OUTBOX_LEASE_SECONDS": "1",
        "OUTBOX_POLL_SECONDS": "1",
        "OUTBOX_BATCH": "5",
        "LOG_DIR": str(settings.LOG_DIR),
        **settings_env,
    }
    return subprocess.Popen([sys.executable, "manage.py", "run_outbox", *args], cwd=settings.BASE_DIR, env=env)


def wait_until(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def queued():
    world = build_world()
    give_addresses(world)
    users = [u for k, u in world.users.items() if k != "former"]
    with transaction.atomic():
        for i in range(N):
            notify(
                recipients=[users[i % len(users)]], child=world.sigrid, kind="new_concern", object_id=world.sigrid.id
            )
    # The worker process runs on the real clock, the test on the frozen one: make the rows due
    # on any day the suite runs (BACKA_TEST_TODAY may be in the future).
    Message.objects.update(next_attempt_at=datetime(2000, 1, 1, tzinfo=UTC))
    return world


@pytest.mark.parametrize("moment", ["after_data", "before_data"])
def test_killing_the_worker_sends_each_email_at_most_once_and_loses_none(queued, moment):
    with SMTPPeer() as peer:
        worker = None
        killed = []

        def kill_third(*_):
            count = len(peer.recorder.messages) + (1 if moment == "before_data" else 0)
            if not killed and count >= 3:
                killed.append(True)
                os.kill(worker.pid, signal.SIGKILL)

        if moment == "after_data":
            peer.recorder.on_data = kill_third
        else:
            peer.recorder.on_rcpt = kill_third
        worker = start_worker(peer.port)
        assert worker.wait(timeout=120) == -signal.SIGKILL
        assert killed
        time.sleep(1.2)  # the lease runs out
        worker = start_worker(peer.port, "--once")
        assert worker.wait(timeout=120) == 0

        counts = peer.recorder.count_by_message_id()
        expected = {m.message_id for m in Message.objects.all()}
        assert set(counts) == expected, "an e-mail was lost"
        assert max(counts.values()) == 1, f"sent twice: {[k for k, v in counts.items() if v > 1]}"
        states = sorted(Message.objects.values_list("state", flat=True))
        if moment == "after_data":
            # The one in flight was accepted but not marked: unconfirmed, never sent again.
            assert states.count(Message.State.UNCONFIRMED) == 1 and states.count(Message.State.SENT) == N - 1
        else:
            # The one in flight never reached DATA: sent again after the lease.
            assert states == [Message.State.SENT] * N


def test_two_workers_at_once_never_share_a_row(queued):
    with SMTPPeer() as peer:
        workers = [start_worker(peer.port, "--once") for _ in range(2)]
        assert [w.wait(timeout=120) for w in workers] == [0, 0]
        counts = peer.recorder.count_by_message_id()
        assert set(counts) == {m.message_id for m in Message.objects.all()}
        assert max(counts.values()) == 1
