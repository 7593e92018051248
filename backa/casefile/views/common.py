"""Fetching a row of the child's file for a page: through the gate, then by child."""

from backa.audit.vocabulary import ObjectType
from backa.access.gate import ChildNotFound




def _sub_object(queryset, child, object_id, object_type):
    obj = queryset.filter(child=child, pk=object_id).first()
    if obj is None:
        raise ChildNotFound(child.pk, object_type=object_type, object_id=object_id)
    return obj





from backa.casefile.models import Plan


def _object(queryset, gated_child, object_id, object_type, **filters):
    obj = queryset.filter(pk=object_id, **filters).first() if object_id else None
    if obj is None:
        raise ChildNotFound(gated_child.pk, object_type=object_type, object_id=object_id)
    return obj


def _plan(child, plan_id):
    return _object(Plan.objects.select_related("organisation", "coordinator__user", "child"), child, plan_id,
                   ObjectType.PLAN,
                   child=child)
