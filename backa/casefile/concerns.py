"""Noticing a concern (Upptäckare): register it, its status, the barnkontakt's notifications."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from backa.audit.context import as_acting
from backa.audit.log import Action
from backa.audit.vocabulary import ObjectType, Purpose
from backa.casefile.common import _count, _log, _not_in_future, writing_activity_id
from backa.casefile.compass import AREA_CODES
from backa.casefile.models import Concern, ConcernStatus, Notification, Urgency
from backa.casefile.notify import notify
from backa.roles.models import RoleAssignment, RoleKind, role_active_on


def barnkontakt_users(child, on=None):
    on = on or timezone.localdate()
    return [
        a.position.user
        for a in RoleAssignment.objects.filter(
            role_active_on(on), child=child, kind=RoleKind.BARNKONTAKT
        ).select_related("position__user")
    ]


def do_register_concern(
    *,
    acting_user,
    child,
    observed_on: date,
    description: str,
    areas: list[str],
    urgency: str = Urgency.MEDIUM,
    position=None,
) -> Concern:
    """Register what a professional noticed (uppmärksamma). The child's barnkontakt is notified."""
    acting = as_acting(acting_user)
    acting_user = acting.user
    errors = {}
    if not (description or "").strip():
        errors["description"] = _("Describe what you saw or heard.")
    if not observed_on:
        errors["observed_on"] = _("Give the date you noticed it.")
    _not_in_future(observed_on, "observed_on", errors)
    unknown = [a for a in areas if a not in AREA_CODES]
    if unknown:
        errors["areas"] = _("Unknown compass area: %(codes)s") % {"codes": ", ".join(unknown)}
    if urgency not in Urgency.values:
        errors["urgency"] = _("Choose how urgent it is.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        concern = Concern.objects.create(
            child=child,
            municipality_id=child.municipality_id,
            reported_by=acting_user,
            reporter_position=position,
            activity_id=writing_activity_id(acting, position),
            observed_on=observed_on,
            description=description.strip(),
            areas=[a for a in AREA_CODES if a in areas],
            urgency=urgency,
        )
        _log(acting, child, Action.CREATE, ObjectType.CONCERN, concern.id, Purpose.UPPTACKARE)
        recipients = [u for u in barnkontakt_users(child) if u.pk != acting_user.pk]
        notify(recipients=recipients, child=child, kind=Notification.Kind.NEW_CONCERN, object_id=concern.id)
        if recipients or barnkontakt_users(child):
            concern.barnkontakt_notified_at = timezone.now()
            concern.save(update_fields=["barnkontakt_notified_at"])
    return concern


def do_set_concern_status(*, acting_user, concern: Concern, status: str, note: str = "") -> Concern:
    """Move a concern on (being looked into, led to a plan, closed); closing needs a note."""
    acting = as_acting(acting_user)
    if status not in ConcernStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status == ConcernStatus.CLOSED and not note.strip():
        raise ValidationError({"note": _("Say why the concern is closed.")})
    with transaction.atomic():
        concern = Concern.objects.select_for_update().get(pk=concern.pk)
        concern.status, concern.status_note = status, note.strip()[:300]
        concern.save(update_fields=["status", "status_note", "updated_at"])
        _log(acting, concern.child, Action.UPDATE, ObjectType.CONCERN, concern.id, status)
    return concern


def do_mark_notifications_read(*, acting_user, ids=None) -> int:
    """Mark the user's own notifications read (all, or the given ids). Holds no child data."""
    queryset = Notification.objects.filter(recipient=acting_user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(read_at=timezone.now())


# A concern is open until it has led to a plan or been closed.
OPEN_STATUSES = (ConcernStatus.NEW, ConcernStatus.IN_PROGRESS)


def with_open_concerns(children):
    """Annotate `open_concerns`, `new_concerns` (nobody has looked into them yet) and
    `urgent_concerns` (open, marked urgent) on a gate-filtered queryset of children."""
    open_ = Concern.objects.filter(child_id=OuterRef("pk"), status__in=OPEN_STATUSES)
    return children.annotate(
        open_concerns=_count(open_),
        new_concerns=_count(open_.filter(status=ConcernStatus.NEW)),
        urgent_concerns=_count(open_.filter(urgency=Urgency.HIGH)),
    )
