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


def _not_in_future(day, field, errors):
    if day and day > timezone.localdate():
        errors[field] = _("The date cannot be in the future.")


def _count(queryset):
    per_child = queryset.order_by().values("child_id").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(per_child, output_field=IntegerField()), Value(0))
