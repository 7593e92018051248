"""What every step of the file shares: the log call, the writing organisation, date checks."""

from django.db.models import Count, IntegerField, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from backa.audit.context import as_acting
from backa.audit.log import log_access


def _log(acting, child, action, object_type, object_id, purpose=""):
    log_access(acting=acting, child=child, action=action, object_type=object_type, object_id=object_id, purpose=purpose)


def writing_organisation_id(acting, position=None):
    """The organisation an entry belongs to: that of the position written in when the caller
    names one, else the writer's active position (the session's choice on a request)."""
    if position is not None:
        return position.unit.organisation_id
    return as_acting(acting).organisation_id


def writing_activity_id(acting, position=None):
    """The activity (verksamhet) an entry belongs to, chosen as writing_organisation_id chooses."""
    if position is not None:
        return position.writing_activity_id
    return as_acting(acting).activity_id


def owner_activity_id(acting, owner, owner_organisation_id):
    """The activity an action belongs to: its owner's position in the owning organisation,
    else the writer's if the writer is of that organisation; else unknown (shown to no one)."""
    from backa.accounts.positions import active_positions

    for position in active_positions(owner) if owner is not None else []:
        if position.unit.organisation_id == owner_organisation_id:
            return position.writing_activity_id
    acting = as_acting(acting)
    return acting.activity_id if acting.organisation_id == owner_organisation_id else None


def _not_in_future(day, field, errors):
    if day and day > timezone.localdate():
        errors[field] = _("The date cannot be in the future.")


def _count(queryset):
    per_child = queryset.order_by().values("child_id").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(per_child, output_field=IntegerField()), Value(0))
