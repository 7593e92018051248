"""The one way to write the access log.

Rows are written inside the transaction of the read or write they record, so if the
log cannot be written, the data is not shown or saved either (fail closed). Only a
denial, which shows nothing, is written on its own (`standalone=True`).
"""

import logging
import uuid
from contextlib import contextmanager

from django.db import DatabaseError, connection

from backa.accounts import events
from backa.accounts.positions import current_position
from backa.audit.context import Acting, as_acting
from backa.audit.models import AccessLog, Action, Outcome
from backa.audit.vocabulary import ObjectType, Purpose, check_object_type, check_purpose
from backa.lib.metrics import ACCESS_DENIED, ACCESS_LOG_WRITE_FAILURES

__all__ = [
    "Acting",
    "Action",
    "ObjectType",
    "Outcome",
    "Purpose",
    "actor_fields",
    "as_acting",
    "log_access",
    "log_access_many",
]


# Operations alert on this logger (docs/operations.md): CRITICAL means data was refused
# because the log could not be written. Messages hold codes and the request id only.
security = logging.getLogger("backa.security")


class AccessLogOutsideTransaction(RuntimeError):
    pass


@contextmanager
def _alert_on_failure(action, object_type, request_id):
    try:
        yield
    except DatabaseError as exc:
        ACCESS_LOG_WRITE_FAILURES.inc()
        security.critical(
            "access log write failed; the access was refused (action=%s object_type=%s request_id=%s error=%s)",
            action,
            object_type,
            request_id,
            type(exc).__name__,
        )
        raise


def actor_fields(request=None, user=None, *, acting=None) -> dict:
    """Who acts, and in which organisation, unit and role, taken from the active position.

    `acting` (a service's Acting, or a User) brings its own position and request id; a view
    that reads passes its request (the session's position); a user alone acts in their
    first active position.
    """
    if acting is not None:
        if request is not None or user is not None:
            raise TypeError("actor_fields takes acting= or request=/user=, not both")
        acting = as_acting(acting)
        user, position, request_id = acting.user, acting.position, acting.request_id
    else:
        user = user if user is not None else getattr(request, "user", None)
        position = current_position(request) if request is not None else None
        if position is None and request is None:
            position = Acting.as_user(user).position
        request_id = getattr(request, "request_id", None)
    return {
        "user_id": user.pk if user is not None and getattr(user, "is_authenticated", False) else None,
        "organisation_id": position.unit.organisation_id if position else None,
        "unit_id": position.unit_id if position else None,
        "role": position.kind if position else "",
        "request_id": request_id,
    }


def _child_fields(child=None, child_id=None, municipality_id=None):
    if child is not None:
        return {
            "child_id": child.pk,
            "municipality_id": child.municipality_id,
            "protected_identity": bool(getattr(child, "protected_identity", False)),
        }
    return {"child_id": child_id, "municipality_id": municipality_id}


def _require_transaction(standalone: bool):
    if not standalone and not connection.in_atomic_block:
        raise AccessLogOutsideTransaction("The access log must be written in the transaction of the access.")


def log_access(
    *,
    request=None,
    user=None,
    acting=None,
    action: str,
    child=None,
    child_id=None,
    municipality_id=None,
    object_type: str = ObjectType.CHILD,
    object_id=None,
    purpose: str = "",
    outcome: str = Outcome.ALLOWED,
    emergency: bool = False,
    standalone: bool = False,
) -> AccessLog:
    """One row. Services pass `acting=`; views that read pass `request=`; jobs may pass `user=`.

    `object_type` must be an ObjectType and each part of `purpose` a Purpose (ValueError otherwise).
    """
    _require_transaction(standalone)
    object_type, purpose = check_object_type(object_type), check_purpose(purpose or _acting_purpose(acting))
    with _alert_on_failure(action, object_type, _request_id(request, acting)):
        row = AccessLog.objects.create(
            **actor_fields(request, user, acting=acting),
            **_child_fields(child, child_id, municipality_id),
            object_type=object_type,
            object_id=str(object_id if object_id is not None else (child.pk if child is not None else child_id or "")),
            action=action,
            purpose=purpose[:64],
            outcome=outcome,
            emergency=emergency,
        )
    if outcome == Outcome.DENIED:
        ACCESS_DENIED.inc()
        # The access log holds the row; the security stream gets the line (no second table row).
        events.stream(
            "access_denied",
            actor=row.user_id,
            request_id=row.request_id,
            reason=object_type,
            event_id=str(row.id),
        )
    return row


def log_access_many(
    *,
    request=None,
    user=None,
    acting=None,
    action: str,
    children,
    purpose: str = "",
    object_type: str = ObjectType.CHILD,
):
    """One row per child shown in a list or search result, in a single INSERT."""
    _require_transaction(False)
    object_type, purpose = check_object_type(object_type), check_purpose(purpose or _acting_purpose(acting))
    actor = actor_fields(request, user, acting=acting)
    rows = [
        AccessLog(
            id=uuid.uuid4(),
            **actor,
            **_child_fields(child),
            object_type=object_type,
            object_id=str(child.pk),
            action=action,
            purpose=purpose[:64],
            outcome=Outcome.ALLOWED,
        )
        for child in children
    ]
    if rows:
        with _alert_on_failure(action, object_type, actor["request_id"]):
            AccessLog.objects.bulk_create(rows)
    return rows


def _request_id(request, acting):
    return acting.request_id if isinstance(acting, Acting) else getattr(request, "request_id", None)


def _acting_purpose(acting) -> str:
    return acting.purpose if isinstance(acting, Acting) else ""


def log_family_access(
    *,
    request,
    person_kind: str,
    person_id,
    action: str,
    child,
    object_type: str,
    object_id=None,
    outcome: str = Outcome.ALLOWED,
) -> AccessLog:
    """One row for the family's own access through the family view (backa.family): the
    guardian or the child is the actor (user_id is their id, role "guardian" or "child"),
    no organisation, the purpose says it was the family's own. In the request's transaction,
    like every other row; a denied row is written by the view itself before it answers 404."""
    _require_transaction(False)
    purpose = Purpose.FAMILY_GUARDIAN if person_kind == "guardian" else Purpose.FAMILY_CHILD
    object_type = check_object_type(object_type)
    with _alert_on_failure(action, object_type, getattr(request, "request_id", None)):
        return AccessLog.objects.create(
            user_id=person_id,
            organisation_id=None,
            unit_id=None,
            role=person_kind,
            request_id=getattr(request, "request_id", None),
            **_child_fields(child),
            object_type=object_type,
            object_id=str(object_id if object_id is not None else child.pk),
            action=action,
            purpose=str(purpose),
            outcome=outcome,
        )
