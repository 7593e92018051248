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


def notify(*, recipients: Iterable, child: Child, kind: str, object_id: uuid.UUID) -> list[Notification]:
    """Write one notification per distinct recipient (User or user id). Must run inside a
    transaction; returns the rows written."""
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
    return Notification.objects.bulk_create(rows)
