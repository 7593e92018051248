"""Account and security events: a row in the append-only table and a line on the security stream.

`record(kind, ...)` writes a SecurityEvent (in the caller's transaction when there is one) and a
JSON line on `backa.security.events` (LOG_DIR/security.jsonl, for the municipality's SIEM).
`stream(kind, ...)` writes only the line, for events the access log already holds as rows
(denied accesses). Only ids and codes: a typed login name may be a personnummer and is never kept.
"""

import logging
import uuid

from backa.lib.metrics import SECURITY_EVENTS

events_log = logging.getLogger("backa.security.events")
DETAIL_KEYS = {"position_id", "previous_position_id", "child_id", "grant_id", "device_id", "fields", "method", "route"}


def _id(value) -> uuid.UUID | None:
    if value is None:
        return None
    return getattr(value, "pk", value)


def stream(kind: str, *, actor=None, subject=None, request_id=None, reason: str = "", detail=None, event_id=None):
    detail = {key: str(value) for key, value in (detail or {}).items() if key in DETAIL_KEYS}
    SECURITY_EVENTS.labels(kind=kind).inc()
    events_log.warning(
        "security event %s",
        kind,
        extra={
            "event": kind,
            "event_id": event_id,
            "actor_id": str(_id(actor)) if actor is not None else None,
            "subject_user_id": str(_id(subject)) if subject is not None else None,
            "request_id": str(request_id) if request_id else None,
            "reason": reason or None,
            **({"route": detail["route"]} if "route" in detail else {}),
        },
    )


def record(kind: str, *, actor=None, subject=None, request=None, request_id=None, reason: str = "", detail=None):
    from backa.accounts.models import SecurityEvent, SecurityEventKind

    kind = SecurityEventKind(kind).value  # ValueError for a kind that is not in the vocabulary
    if request is not None:
        request_id = request_id or getattr(request, "request_id", None)
        if actor is None and getattr(request, "user", None) is not None and request.user.is_authenticated:
            actor = request.user
    detail = {key: str(value) for key, value in (detail or {}).items() if key in DETAIL_KEYS}
    event = SecurityEvent.objects.create(
        kind=kind,
        actor_id=_id(actor),
        subject_user_id=_id(subject),
        request_id=request_id,
        reason=reason[:40],
        detail=detail,
    )
    stream(kind, actor=actor, subject=subject, request_id=request_id, reason=reason, detail=detail, event_id=event.pk)
    return event
