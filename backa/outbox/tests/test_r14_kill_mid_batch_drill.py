"""R14 drill (reliability checklist): kill the outbox sender mid-batch, again and again.

300 e-mails are queued; the worker claims them in batches of 20 and sends them to a real SMTP
server on loopback (aiosmtpd). The server SIGKILLs the worker six times at moments spread over
the run, alternately while a recipient is being named (before DATA) and when a message's DATA
has arrived (before the 250 reaches the worker: the worst moment). After each kill a new worker
starts, as systemd would. At the end: every message is received exactly once by Message-ID,
except the ones a kill left `unconfirmed` (never resent by themselves, shown to the
administrator) — one per kill after DATA, and those were in fact received once. Nothing is
pending, nothing is sent twice. The figures go to var/drills/results.jsonl.

Runs in `./run drills` (marker `drill`), not in `./run test`.
"""

import os
import random
import signal
import time
from datetime import UTC, datetime

import pytest
from django.db import transaction

from backa.casefile.notify import notify
from backa.operations.drills.record import record
from backa.outbox.models import Message
from backa.outbox.tests.helpers import give_addresses
from backa.outbox.tests.smtp_peer import SMTPPeer
from backa.outbox.tests.test_worker_kill import start_worker
from backa.testing import build_world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.drill]

N = 300
KILLS = 6


def test_r14_killing_the_sender_mid_batch_loses_nothing_and_sends_nothing_twice():
    world = build_world()
    give_addresses(world)
    users = [u for k, u in world.users.items() if k != "former"]
    with transaction.atomic():
        for i in range(N):
            notify(
                recipients=[users[i % len(users)]], child=world.sigrid, kind="new_concern", object_id=world.sigrid.id
            )
    Message.objects.update(next_attempt_at=datetime(2000, 1, 1, tzinfo=UTC))
    assert Message.objects.count() == N

    rng = random.Random(14)
    # Kill points spread over the run: after roughly every N/(KILLS+1) received messages.
    marks = sorted(rng.sample(range(10, N - 20), KILLS))
    kills = []  # (received count, moment)
    state = {"worker": None}

    def maybe_kill(moment):
        received = len(peer.recorder.messages)
        if len(kills) < KILLS and received >= marks[len(kills)] and kills_moment(len(kills)) == moment:
            kills.append((received, moment))
            os.kill(state["worker"].pid, signal.SIGKILL)

    def kills_moment(i):
        return "after_data" if i % 2 else "before_data"

    started = time.monotonic()
    with SMTPPeer() as peer:
        peer.recorder.on_rcpt = lambda *_: maybe_kill("before_data")
        peer.recorder.on_data = lambda *_: maybe_kill("after_data")
        for _ in range(KILLS):
            state["worker"] = start_worker(peer.port, OUTBOX_BATCH="20")
            assert state["worker"].wait(timeout=300) == -signal.SIGKILL, "the worker ended without being killed"
            time.sleep(1.2)  # the lease (1 s in the drill) runs out
        state["worker"] = start_worker(peer.port, "--once", OUTBOX_BATCH="20")
        assert state["worker"].wait(timeout=300) == 0
        seconds = time.monotonic() - started
        counts = peer.recorder.count_by_message_id()

    assert len(kills) == KILLS
    rows = {m.message_id: m.state for m in Message.objects.all()}
    assert len(rows) == N
    twice = [k for k, v in counts.items() if v > 1]
    assert not twice, f"sent twice: {twice}"
    unconfirmed = {k for k, s in rows.items() if s == Message.State.UNCONFIRMED}
    sent = {k for k, s in rows.items() if s == Message.State.SENT}
    assert sent | unconfirmed == set(rows), {s for s in rows.values()} - {Message.State.SENT, Message.State.UNCONFIRMED}
    assert sent <= set(counts), "a row marked sent was never received"
    after_data = sum(1 for _, moment in kills if moment == "after_data")
    assert len(unconfirmed) == after_data, "each kill after DATA leaves exactly its one message unconfirmed"
    assert unconfirmed <= set(counts), "the unconfirmed ones had reached the server (the kill came after DATA)"
    assert set(counts) == set(rows), "an e-mail was lost"
    record(
        "R14 outbox kill mid-batch",
        messages=N,
        kills=KILLS,
        kills_after_data=after_data,
        received_once=len(counts),
        sent_twice=len(twice),
        lost=N - len(counts),
        unconfirmed=len(unconfirmed),
        seconds=round(seconds, 1),
    )
