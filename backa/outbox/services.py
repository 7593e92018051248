"""Writing outbox rows (always inside the change's transaction), preferences and digests."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backa.outbox import kinds
from backa.outbox.models import EmailPreference, Message


def enqueue_email(
    *,
    recipient_ids: Iterable,
    kind: str,
    object_id: uuid.UUID | None = None,
    notification_ids: dict | None = None,
    urgent: bool | None = None,
    payload: dict | None = None,
) -> list[Message]:
    """One e-mail row per recipient, honouring each recipient's preference. Must run inside the
    transaction of the change: the row commits with it or not at all."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox rows are written inside the transaction of the change")
    ids = list(dict.fromkeys(recipient_ids))
    if not ids:
        return []
    is_urgent = kinds.is_urgent(kind, urgent)
    prefs = {p.user_id: p for p in EmailPreference.objects.filter(user_id__in=ids)}
    notification_ids = notification_ids or {}
    rows = []
    for user_id in ids:
        pref = prefs.get(user_id)
        state, reason = Message.State.PENDING, ""
        if not is_urgent and pref is not None:
            if kind in pref.muted_kinds:
                state, reason = Message.State.SKIPPED, "opted_out"
            elif pref.mode == EmailPreference.Mode.DAILY:
                state = Message.State.HELD
        rows.append(
            Message(
                kind=kind,
                recipient_id=user_id,
                notification_id=notification_ids.get(user_id),
                object_id=object_id,
                payload=payload or {},
                urgent=is_urgent,
                state=state,
                skip_reason=reason,
            )
        )
    return Message.objects.bulk_create(rows)


def do_set_email_preference(*, acting_user, mode: str, muted_kinds: Iterable[str]) -> EmailPreference:
    """A user's own choice; urgent kinds cannot be muted."""
    user = getattr(acting_user, "user", acting_user)
    allowed = set(kinds.opt_outable())
    muted = sorted(set(muted_kinds))
    errors = {}
    if mode not in EmailPreference.Mode.values:
        errors["mode"] = _("Choose how you want e-mail.")
    if not set(muted) <= allowed:
        errors["muted_kinds"] = _("Urgent notifications cannot be turned off.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        pref, _created = EmailPreference.objects.update_or_create(
            user_id=user.pk, defaults={"mode": mode, "muted_kinds": muted}
        )
    return pref


def do_requeue(*, acting_user, message_ids: Iterable) -> int:
    """An administrator sends dead, bounced or unconfirmed rows again (same Message-ID)."""
    with transaction.atomic():
        return Message.objects.filter(
            id__in=list(message_ids),
            state__in=[Message.State.DEAD, Message.State.BOUNCED, Message.State.UNCONFIRMED],
        ).update(state=Message.State.PENDING, next_attempt_at=timezone.now(), attempts=0, last_error="", smtp_code=None)


def build_digests(*, day: date | None = None) -> int:
    """Gather each user's held rows into one digest row for `day` (idempotent: one per user and
    day, by a database constraint). Returns the number of digests written."""
    day = day or timezone.localdate()
    written = 0
    user_ids = (
        Message.objects.filter(state=Message.State.HELD, channel=Message.Channel.EMAIL)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    for user_id in list(user_ids):
        try:
            with transaction.atomic():
                held = list(
                    Message.objects.select_for_update(skip_locked=True).filter(
                        recipient_id=user_id, state=Message.State.HELD
                    )
                )
                if not held:
                    continue
                digest = Message.objects.create(
                    channel=Message.Channel.DIGEST,
                    kind="digest",
                    recipient_id=user_id,
                    digest_day=day,
                    payload={"count": len(held)},
                )
                Message.objects.filter(id__in=[m.id for m in held]).update(state=Message.State.DIGESTED, digest=digest)
                written += 1
        except IntegrityError:
            # Today's digest exists: later rows wait for tomorrow's.
            continue
    return written


def backoff(attempts: int, *, base: int, cap: int) -> timedelta:
    """Exponential: base, 2·base, 4·base … capped."""
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def users_with_addresses(ids: Iterable) -> dict:
    # An inactive user gets no e-mail (their notifications wait, like their start page).
    return dict(get_user_model().objects.filter(pk__in=list(ids), is_active=True).values_list("pk", "email"))
