"""Fetching a row of the child's file for a page: through the gate first, then by child
(backa.access.objects.child_object: a row of another child is the child's 404)."""

from backa.access.objects import child_object
from backa.audit.vocabulary import ObjectType
from backa.casefile.models import Plan


def _plan(child, plan_id):
    return child_object(
        Plan.objects.select_related("organisation", "coordinator__user", "child"), child, plan_id, ObjectType.PLAN
    )
