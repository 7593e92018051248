"""Idempotent creates: the same request sent twice (a double click, a retried API call, a
browser resubmit after a dropped connection) creates one row and gets the same answer.

Pages carry a one-time token in a hidden field (`FORM_FIELD`, made by `new_form_token()`);
the API takes an `Idempotency-Key` header. `run_once()` claims (user, scope, key) by
inserting a row under a unique constraint, in a savepoint of the request's transaction, then creates:

- first request: the claim row is inserted, `create()` runs, the row records what was made;
- replay after it committed: the claim finds the row and returns the created object's id;
- concurrent double submit: the second INSERT waits on the unique index until the first
  request's transaction ends, then replays (if it committed) or proceeds (if it rolled back);
- `create()` refusing the input (ValidationError): the savepoint rolls the claim back, so the
  corrected form can be sent again with the same token;
- the same key with a different payload: `IdempotencyMismatch` (the API answers 422).
"""

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction

from backa.operations.models import IdempotencyKey

FORM_FIELD = "idempotency_key"
HEADER = "HTTP_IDEMPOTENCY_KEY"
MAX_KEY = 80
# Form fields that differ between two sends of the same form without changing what it asks for.
_VOLATILE = {"csrfmiddlewaretoken", FORM_FIELD}


class IdempotencyMismatch(Exception):
    """The key was used before for a different request."""


@dataclass
class Once:
    object_id: str
    replayed: bool
    obj: object = None


def new_form_token() -> str:
    return uuid.uuid4().hex


def form_key(request) -> str:
    """The token a page's form carried, or '' (then the request is not deduplicated)."""
    return (request.POST.get(FORM_FIELD) or "").strip()[:MAX_KEY]


def header_key(request) -> str:
    return (request.META.get(HEADER) or "").strip()[:MAX_KEY]


def fingerprint_post(request) -> str:
    items = sorted((k, request.POST.getlist(k)) for k in request.POST if k not in _VOLATILE)
    return fingerprint({"path": request.path, "post": items})


def fingerprint(payload) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def run_once(*, user, scope: str, key: str, payload_fingerprint: str, create, object_type: str = "") -> Once:
    """Run `create()` (which returns a model instance) once per (user, scope, key)."""
    if not key:
        obj = create()
        return Once(str(obj.pk), False, obj)
    with transaction.atomic():
        try:
            with transaction.atomic():
                # A concurrent claim of the same key waits here on the unique index until the
                # first request's transaction ends, then fails (it committed) or goes on (it rolled back).
                claim = IdempotencyKey.objects.create(
                    user=user, scope=scope, key=key, fingerprint=payload_fingerprint, object_type=object_type
                )
        except IntegrityError:
            row = IdempotencyKey.objects.get(user=user, scope=scope, key=key)
            if row.fingerprint != payload_fingerprint or not row.object_id:
                raise IdempotencyMismatch(scope) from None
            return Once(row.object_id, True)
        obj = create()
        claim.object_id = str(obj.pk)
        claim.save(update_fields=["object_id"])
    return Once(str(obj.pk), False, obj)


def form_sent_before(request):
    """A page's token came back with different content (e.g. the browser's back button, an
    edit, and a second send): nothing is saved; the form opens again, fresh."""
    from django.contrib import messages
    from django.shortcuts import redirect
    from django.utils.translation import gettext as _

    messages.error(
        request,
        _(
            "This form was already sent with other content. Nothing more was saved; "
            "check what was saved and fill in the form again if something is missing."
        ),
    )
    return redirect(request.get_full_path())


def api_once(request, *, scope: str, payload, object_type: str, create, load):
    """The API's variant: key from the Idempotency-Key header; returns (object, replayed).
    `load(object_id)` fetches what a replay answers with."""
    once = run_once(
        user=request.user,
        scope=scope,
        key=header_key(request),
        payload_fingerprint=fingerprint({"path": request.path, "body": payload}),
        object_type=object_type,
        create=create,
    )
    return (once.obj if once.obj is not None else load(once.object_id)), once.replayed


KEEP_DAYS = 7  # far longer than a session (10 h) or any client's retries


def prune_keys(*, now, keep_days: int = KEEP_DAYS) -> int:
    """Delete keys older than keep_days; returns how many. A request replayed after that is new."""
    if keep_days < 1:
        raise ValueError("keep_days must be at least 1")
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=now - timedelta(days=keep_days)).delete()
    return deleted
