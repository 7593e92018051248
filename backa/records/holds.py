"""Legal holds (a complaint, a JO or IVO review, a court case, a research study): they stop the purge.

A hold names a child (all of the child's record types, or one), or a record type across the
municipality. It has an owner and an end date; the purge skips everything an active hold covers.
Placing and releasing a hold are logged in the access log.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backa.audit.context import as_acting
from backa.audit.log import Action, log_access
from backa.audit.vocabulary import ObjectType
from backa.records.models import LegalHold, active_holds_q


@transaction.atomic
def do_place_hold(
    *,
    acting_user,
    municipality,
    child=None,
    record_type: str = "",
    reason: str,
    reference: str,
    owner,
    ends_on: date,
    starts_on: date | None = None,
) -> LegalHold:
    acting = as_acting(acting_user)
    if child is None and not record_type:
        raise ValidationError(_("A hold names a child, a record type, or both."))
    if child is not None and child.municipality_id != municipality.pk:
        raise ValidationError(_("The child is not in this municipality."))
    starts_on = starts_on or timezone.localdate()
    if ends_on < starts_on:
        raise ValidationError(_("The hold must end on or after the day it starts."))
    hold = LegalHold.objects.create(
        municipality=municipality,
        child=child,
        record_type=record_type,
        reason=reason,
        reference=reference,
        owner=owner,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=acting.user,
    )
    log_access(
        acting=acting,
        action=Action.CREATE,
        child=child,
        municipality_id=municipality.pk,
        object_type=ObjectType.LEGAL_HOLD,
        object_id=hold.pk,
    )
    return hold


@transaction.atomic
def do_release_hold(*, acting_user, hold: LegalHold) -> LegalHold:
    acting = as_acting(acting_user)
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.released_at is None:
        hold.released_at = timezone.now()
        hold.released_by = acting.user
        hold.save(update_fields=["released_at", "released_by"])
        log_access(
            acting=acting,
            action=Action.UPDATE,
            child_id=hold.child_id,
            municipality_id=hold.municipality_id,
            object_type=ObjectType.LEGAL_HOLD,
            object_id=hold.pk,
        )
    return hold


def held_children(municipality_id, record_type: str, day: date) -> set:
    """Children whose rows of `record_type` an active hold keeps (a hold on the child, all or this type)."""
    return set(
        LegalHold.objects.filter(active_holds_q(day), municipality_id=municipality_id, child__isnull=False)
        .filter(record_type__in=["", record_type])
        .values_list("child_id", flat=True)
    )


def type_held(municipality_id, record_type: str, day: date) -> bool:
    """A hold on the record type across the municipality (no child named)."""
    return LegalHold.objects.filter(
        active_holds_q(day), municipality_id=municipality_id, child__isnull=True, record_type=record_type
    ).exists()


def all_held_children(day: date) -> set:
    """Every child any active hold names (for the access log, whose partitions hold every municipality)."""
    return set(LegalHold.objects.filter(active_holds_q(day), child__isnull=False).values_list("child_id", flat=True))
