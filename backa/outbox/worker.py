"""The outbox worker: claim due rows, hand each to the SMTP server, record the outcome.

The guarantee (decision 0009): at most once at the SMTP server, and nothing lost unless the
worker dies in the few microseconds between committing `handed_over` and writing the final
dot of the DATA command. The order per message is

    claim (commit state=sending) → MAIL, RCPT, DATA, the body without the final dot
    → commit state=handed_over → write ".\\r\\n" → read the reply → commit sent / retry / bounced

An SMTP server delivers nothing whose DATA was not ended by the dot (RFC 5321 §4.1.1.4), so
a row found in `sending` after the lease was never delivered and is sent again. A row found
in `handed_over` may have been accepted: it becomes `unconfirmed`, shown to administrators
with the other dead letters, and is never sent again without someone asking for it."""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from collections.abc import Iterable
from datetime import timedelta
from email.policy import SMTP as SMTP_POLICY

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from backa.outbox import render
from backa.outbox.models import Message
from backa.outbox.services import backoff, users_with_addresses

log = logging.getLogger("backa.outbox")

_LEADING_DOT = re.compile(rb"(?m)^\.")


class Ambiguous(Exception):
    """The body and the final dot went out, the reply did not come back."""


def connect() -> smtplib.SMTP:
    host, port, timeout = settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT
    conn: smtplib.SMTP
    # Certificates are always verified; EMAIL_SSL_CAFILE names a private CA (an internal relay).
    context = ssl.create_default_context(cafile=settings.EMAIL_SSL_CAFILE or None)
    if settings.EMAIL_USE_SSL:
        conn = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        conn = smtplib.SMTP(host, port, timeout=timeout)
        if settings.EMAIL_USE_TLS:
            conn.starttls(context=context)
    conn.ehlo_or_helo_if_needed()
    if settings.EMAIL_HOST_USER:
        conn.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
    return conn


def recover(now=None) -> None:
    """Rows left behind by a worker that stopped (see the module docstring)."""
    now = now or timezone.now()
    lease = timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    Message.objects.filter(state=Message.State.HANDED_OVER, handed_over_at__lt=now - lease).update(
        state=Message.State.UNCONFIRMED, last_error="worker stopped before the reply was recorded"
    )
    Message.objects.filter(state=Message.State.SENDING, claimed_at__lt=now - lease).update(
        state=Message.State.PENDING, next_attempt_at=now
    )


def claim(batch: int) -> list[Message]:
    """Due rows for this worker alone (SKIP LOCKED: workers in parallel never share a row)."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(state=Message.State.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "created_at")[:batch]
        )
        dead = {r.id for r in rows if r.attempts >= settings.OUTBOX_MAX_ATTEMPTS}
        if dead:
            # Claimed and lost that often (a worker killed by this very row): give up on it.
            Message.objects.filter(id__in=dead).update(state=Message.State.DEAD, last_error="too many attempts")
        rows = [r for r in rows if r.id not in dead]
        Message.objects.filter(id__in=[r.id for r in rows]).update(
            state=Message.State.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    for row in rows:
        row.state, row.claimed_at, row.attempts = Message.State.SENDING, now, row.attempts + 1
    return rows


def _set(row: Message, expected: str, **fields) -> None:
    Message.objects.filter(id=row.id, state=expected).update(**fields)


def _retry(row: Message, *, code: int | None, error: str) -> None:
    if row.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        _set(row, row.state, state=Message.State.DEAD, smtp_code=code, last_error=error[:200])
        log.warning("outbox row %s dead after %d attempts: %s", row.id, row.attempts, error[:80])
        return
    delay = backoff(row.attempts, base=settings.OUTBOX_BACKOFF_SECONDS, cap=settings.OUTBOX_BACKOFF_CAP_SECONDS)
    _set(
        row,
        row.state,
        state=Message.State.PENDING,
        next_attempt_at=timezone.now() + delay,
        smtp_code=code,
        last_error=error[:200],
    )


def _reply(code: int, text: bytes) -> str:
    return f"{code} {text.decode('ascii', 'replace')}"


def send_one(conn: smtplib.SMTP, row: Message, to_address: str) -> None:
    try:
        data = render.build(row, to_address).as_bytes(policy=SMTP_POLICY)
    except Exception as exc:  # a row that cannot be rendered never will be: dead, not a crash loop
        _set(row, row.state, state=Message.State.DEAD, last_error=f"render: {type(exc).__name__}")
        log.exception("outbox row %s cannot be rendered", row.id)
        return
    code, text = conn.mail(settings.DEFAULT_FROM_EMAIL)
    if code != 250:
        conn.rset()
        _retry(row, code=code, error=_reply(code, text))
        return
    code, text = conn.rcpt(to_address)
    if code not in (250, 251):
        conn.rset()
        if code >= 500:
            _set(row, row.state, state=Message.State.BOUNCED, smtp_code=code, last_error=_reply(code, text)[:200])
        else:
            _retry(row, code=code, error=_reply(code, text))
        return
    code, text = conn.docmd("DATA")
    if code != 354:
        conn.rset()
        _retry(row, code=code, error=_reply(code, text))
        return
    body = _LEADING_DOT.sub(b"..", data)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    conn.send(body)
    # The commit point: from here on the row is never sent again by itself.
    _set(
        row,
        Message.State.SENDING,
        state=Message.State.HANDED_OVER,
        handed_over_at=timezone.now(),
        to_address=to_address,
    )
    row.state = Message.State.HANDED_OVER
    try:
        conn.send(b".\r\n")
        code, text = conn.getreply()
    except (OSError, smtplib.SMTPException) as exc:
        raise Ambiguous(type(exc).__name__) from exc
    if code == 250:
        _set(row, Message.State.HANDED_OVER, state=Message.State.SENT, sent_at=timezone.now(), smtp_code=code)
    elif code >= 500:
        _set(
            row,
            Message.State.HANDED_OVER,
            state=Message.State.BOUNCED,
            smtp_code=code,
            last_error=_reply(code, text)[:200],
        )
    else:
        _retry(row, code=code, error=_reply(code, text))


def process(rows: Iterable[Message]) -> int:
    rows = list(rows)
    addresses = users_with_addresses({r.recipient_id for r in rows})
    conn: smtplib.SMTP | None = None
    try:
        for row in rows:
            address = (addresses.get(row.recipient_id) or "").strip()
            if not address:
                _set(row, Message.State.SENDING, state=Message.State.SKIPPED, skip_reason="no_address")
                continue
            try:
                if conn is None:
                    conn = connect()
                send_one(conn, row, address)
            except Ambiguous as exc:
                _set(row, Message.State.HANDED_OVER, state=Message.State.UNCONFIRMED, last_error=str(exc)[:200])
                conn = _close(conn)
            except (OSError, smtplib.SMTPException) as exc:
                if row.state == Message.State.HANDED_OVER:
                    _set(row, Message.State.HANDED_OVER, state=Message.State.UNCONFIRMED, last_error=type(exc).__name__)
                else:
                    _retry(row, code=getattr(exc, "smtp_code", None), error=type(exc).__name__)
                conn = _close(conn)
    finally:
        _close(conn)
    return len(rows)


def _close(conn: smtplib.SMTP | None) -> None:
    if conn is not None:
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            conn.close()
    return None


def run_once(batch: int | None = None) -> int:
    """Recover, claim one batch and send it; the number of rows handled."""
    recover()
    return process(claim(batch or settings.OUTBOX_BATCH))
