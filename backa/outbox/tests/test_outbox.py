"""The outbox: rows written with the change, sent after commit to a real SMTP server on
loopback, retried with backoff, refused and dead rows recorded, preferences honoured."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from backa.casefile.models import Notification
from backa.casefile.notify import notify
from backa.outbox import worker
from backa.outbox.models import EmailPreference, Message
from backa.outbox.services import build_digests, do_requeue, do_set_email_preference, enqueue_email
from backa.outbox.tests.helpers import give_addresses, register_concern

pytestmark = pytest.mark.django_db


def drain():
    while worker.run_once():
        pass


def test_a_notification_writes_its_email_row_in_the_same_transaction(world):
    give_addresses(world)
    register_concern(world)
    note = Notification.objects.get(recipient=world.users["rasmus"])
    row = Message.objects.get()
    assert (row.recipient_id, row.notification_id, row.kind, row.state) == (
        world.users["rasmus"].pk,
        note.id,
        "new_concern",
        Message.State.PENDING,
    )


def test_a_rolled_back_change_leaves_no_email_row(world):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        notify(recipients=[world.users["rasmus"]], child=world.sigrid, kind="new_concern", object_id=world.sigrid.id)
        raise Boom
    assert not Message.objects.exists() and not Notification.objects.exists()


def test_the_worker_sends_one_email_with_a_link_and_no_details(world, smtp):
    give_addresses(world)
    concern = register_concern(world)
    drain()
    [mail] = smtp.recorder.messages
    row = Message.objects.get()
    assert row.state == Message.State.SENT and row.sent_at and row.smtp_code == 250
    assert mail["Message-ID"] == row.message_id
    assert mail["To"] == world.users["rasmus"].email
    body = mail.get_body().get_content()
    assert "Du har en ny uppgift i Backa barnet." in body
    assert "http://127.0.0.1:8000/att-gora/" in body
    assert "Sigrid" not in body and str(concern.id) not in body and "Nilsson" not in mail.as_string()


def test_unknown_kinds_get_the_generic_text_and_are_urgent(world, smtp):
    give_addresses(world)
    with transaction.atomic():
        enqueue_email(recipient_ids=[world.users["rasmus"].pk], kind="some_future_kind")
    EmailPreference.objects.create(user=world.users["rasmus"], mode=EmailPreference.Mode.DAILY)
    drain()
    [mail] = smtp.recorder.messages
    assert "Du har en ny uppgift i Backa barnet." in mail.get_body().get_content()
    assert Message.objects.get().urgent


def test_a_temporary_refusal_is_retried_with_exponential_backoff(world, smtp, frozen_clock, settings):
    settings.OUTBOX_BACKOFF_SECONDS = 60
    give_addresses(world)
    smtp.recorder.defer.add(world.users["rasmus"].email)
    register_concern(world)
    delays = []
    for _ in range(3):
        assert worker.run_once() == 1
        row = Message.objects.get()
        assert row.state == Message.State.PENDING and row.smtp_code == 451
        delays.append(round((row.next_attempt_at - timezone.now()).total_seconds() / 60))
        assert worker.run_once() == 0  # not due yet
        frozen_clock.shift(row.next_attempt_at - timezone.now() + timedelta(seconds=1))
    assert delays == [1, 2, 4]
    smtp.recorder.defer.clear()
    drain()
    row = Message.objects.get()
    assert row.state == Message.State.SENT and row.attempts == 4 and len(smtp.recorder.messages) == 1


def test_a_row_that_keeps_failing_becomes_dead_and_can_be_sent_again(world, smtp, frozen_clock, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    give_addresses(world)
    smtp.recorder.defer.add(world.users["rasmus"].email)
    register_concern(world)
    for _ in range(5):
        worker.run_once()
        frozen_clock.shift(timedelta(hours=7))
    row = Message.objects.get()
    assert row.state == Message.State.DEAD and row.attempts == 3 and "451" in row.last_error
    smtp.recorder.defer.clear()
    with transaction.atomic():
        assert do_requeue(acting_user=world.users["ada"], message_ids=[row.id]) == 1
    drain()
    assert Message.objects.get().state == Message.State.SENT
    assert [m["Message-ID"] for m in smtp.recorder.messages] == [row.message_id]


def test_a_permanent_refusal_is_recorded_as_a_bounce_and_not_retried(world, smtp):
    give_addresses(world)
    smtp.recorder.refuse.add(world.users["rasmus"].email)
    register_concern(world)
    drain()
    row = Message.objects.get()
    assert row.state == Message.State.BOUNCED and row.smtp_code == 550 and "No such mailbox" in row.last_error
    assert smtp.recorder.messages == []


def test_an_unreachable_server_is_retried_later(world, settings):
    from backa.outbox.tests.smtp_peer import free_port

    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    give_addresses(world)
    register_concern(world)
    worker.run_once()
    row = Message.objects.get()
    assert row.state == Message.State.PENDING and row.attempts == 1 and row.last_error == "ConnectionRefusedError"


def test_a_user_without_an_address_is_skipped_and_recorded(world, smtp):
    register_concern(world)
    drain()
    row = Message.objects.get()
    assert (row.state, row.skip_reason) == (Message.State.SKIPPED, "no_address")


def test_opted_out_kinds_are_not_sent_but_urgent_ones_are(world, smtp):
    give_addresses(world)
    with transaction.atomic():
        do_set_email_preference(acting_user=world.users["rasmus"], mode="immediate", muted_kinds=["new_concern"])
    register_concern(world)
    with transaction.atomic():
        enqueue_email(recipient_ids=[world.users["rasmus"].pk], kind="meeting_cancelled")
    drain()
    states = dict(Message.objects.values_list("kind", "state"))
    assert states == {"new_concern": Message.State.SKIPPED, "meeting_cancelled": Message.State.SENT}
    assert len(smtp.recorder.messages) == 1


def test_urgent_kinds_cannot_be_muted(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError), transaction.atomic():
        do_set_email_preference(acting_user=world.users["rasmus"], mode="immediate", muted_kinds=["meeting_invitation"])
    assert not EmailPreference.objects.exists()


def test_a_daily_digest_gathers_held_rows_once_a_day(world, smtp):
    give_addresses(world)
    with transaction.atomic():
        do_set_email_preference(acting_user=world.users["rasmus"], mode="daily", muted_kinds=[])
    register_concern(world)
    register_concern(world, who="per")
    drain()
    assert smtp.recorder.messages == []
    assert build_digests() == 1
    assert build_digests() == 0  # idempotent for the day
    drain()
    [mail] = smtp.recorder.messages
    assert "Du har 2 nya meddelanden i Backa barnet." in mail.get_body().get_content()
    assert set(Message.objects.filter(channel="email").values_list("state", flat=True)) == {Message.State.DIGESTED}


def test_a_reply_lost_after_the_final_dot_is_unconfirmed_and_not_sent_again(world, smtp):
    give_addresses(world)
    register_concern(world)

    def drop(message):
        raise ConnectionResetError  # aiosmtpd answers 451 on a handler error; treat as no answer below

    original_getreply = worker.smtplib.SMTP.getreply
    calls = []

    def getreply(self):
        if calls == ["dot"]:
            raise worker.smtplib.SMTPServerDisconnected("gone")
        return original_getreply(self)

    original_send = worker.smtplib.SMTP.send

    def send(self, data):
        if data == b".\r\n":
            calls.append("dot")
        return original_send(self, data)

    worker.smtplib.SMTP.getreply, worker.smtplib.SMTP.send = getreply, send
    try:
        worker.run_once()
    finally:
        worker.smtplib.SMTP.getreply, worker.smtplib.SMTP.send = original_getreply, original_send
    row = Message.objects.get()
    assert row.state == Message.State.UNCONFIRMED
    drain()
    assert Message.objects.get().state == Message.State.UNCONFIRMED
    assert len(smtp.recorder.messages) == 1
