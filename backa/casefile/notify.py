"""The one way the child's file tells a professional something.

Every notification is written here, inside the transaction of the change it is about, so
that the side effects that follow it (e-mail, calendar invitations, webhooks) can be
queued in the same transaction. A notification holds ids and a kind, never note text."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db import transaction

from backa.casefile.models import Notification
from backa.children.models import Child
from backa.outbox.services import enqueue_email


def notify(
    *,
    recipients: Iterable,
    child: Child,
    kind: str,
    object_id: uuid.UUID,
    urgent: bool | None = None,
    payload: dict | None = None,
) -> list[Notification]:
    """Write one notification per distinct recipient (User or user id) and its e-mail row in
    the outbox (backa.outbox: sent after commit, as the recipient chose). Must run inside a
    transaction; returns the notifications written.

    `urgent` overrides the kind's default (outbox.kinds: urgent e-mail is never held for the
    digest nor muted); `payload` carries ids and times for the e-mail (a meeting's calendar
    invitation), never text about the child."""
    if kind not in Notification.Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notify() must run inside the transaction of the change it reports")
    seen: set = set()
    rows = []
    for recipient in recipients:
        recipient_id = getattr(recipient, "pk", recipient)
        if recipient_id is None or recipient_id in seen:
            continue
        seen.add(recipient_id)
        rows.append(
            Notification(
                recipient_id=recipient_id,
                child_id=child.pk,
                municipality_id=child.municipality_id,
                kind=kind,
                object_id=object_id,
            )
        )
    written = Notification.objects.bulk_create(rows)
    enqueue_email(
        recipient_ids=[n.recipient_id for n in written],
        kind=kind,
        object_id=object_id,
        notification_ids={n.recipient_id: n.id for n in written},
        urgent=urgent,
        payload=payload,
    )
    return written
