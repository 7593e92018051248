"""Read models over concerns for pages that list many children at once.

The caller passes a queryset of children that came from the access gate
(`children.access.visible_children`); these functions only add per-child numbers to it,
as subqueries, so the page's query count does not grow with the number of children.
"""
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from .models import Concern, ConcernStatus, Urgency

# A concern is open until it has led to a plan or been closed.
OPEN_STATUSES = (ConcernStatus.NEW, ConcernStatus.IN_PROGRESS)


def _count(queryset):
    per_child = queryset.order_by().values("child_id").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(per_child, output_field=IntegerField()), Value(0))


def with_open_concerns(children):
    """Annotate `open_concerns`, `new_concerns` (nobody has looked into them yet) and
    `urgent_concerns` (open, marked urgent) on a gate-filtered queryset of children."""
    open_ = Concern.objects.filter(child_id=OuterRef("pk"), status__in=OPEN_STATUSES)
    return children.annotate(
        open_concerns=_count(open_),
        new_concerns=_count(open_.filter(status=ConcernStatus.NEW)),
        urgent_concerns=_count(open_.filter(urgency=Urgency.HIGH)),
    )
