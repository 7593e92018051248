"""What the family view (backa.family) shows of the child's file, and the family's own words.

The family version of the plan: why, the goals, who does what, the next follow-up — never the
professionals' notes, assessments or minutes. Upcoming meetings: time and place (no agenda).
The family's own words before a meeting are stored apart (FamilyView) and shown to the
professionals on the meeting page. Which child and what at all the family person may see is
decided by access.family before any of this is called.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backa.access.family import CHILD, GUARDIAN
from backa.audit.log import Action as LogAction
from backa.audit.log import log_family_access
from backa.audit.vocabulary import ObjectType
from backa.casefile.models import FamilyView, Meeting, Plan, PlanStatus


def family_plan(child) -> dict | None:
    plan = Plan.objects.filter(child=child, status=PlanStatus.ACTIVE).select_related("organisation").first()
    if plan is None:
        return None
    actions = []
    for a in plan.actions.select_related("owner", "owner_organisation", "network_member"):
        who = a.network_member.name if a.network_member else a.owner.get_full_name()
        actions.append({"description": a.description, "who": who, "status": a.get_status_display(), "due_on": a.due_on})
    return {
        "plan": plan,
        "goals": list(plan.goals.filter(status="open")),
        "actions": actions,
        "review_date": plan.review_date,
    }


def upcoming_meetings(child) -> list[Meeting]:
    return list(
        Meeting.objects.filter(child=child, status=Meeting.Status.PLANNED, starts_at__gte=timezone.now()).order_by(
            "starts_at"
        )
    )


def do_give_family_view(*, person, meeting: Meeting, text: str, request=None) -> FamilyView:
    """A guardian's or the child's own words before a meeting (a planned one of their child)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write what you want to say.")})
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError({"__all__": _("The meeting has already been held or was cancelled.")})
    with transaction.atomic():
        view = FamilyView.objects.create(
            meeting=meeting,
            child_id=meeting.child_id,
            municipality_id=meeting.municipality_id,
            author=FamilyView.Author.CHILD if person.kind == CHILD else FamilyView.Author.GUARDIAN,
            guardian_id=person.id if person.kind == GUARDIAN else None,
            text=text,
        )
        log_family_access(
            request=request,
            person_kind=person.kind,
            person_id=person.id,
            action=LogAction.CREATE,
            child=meeting.child,
            object_type=ObjectType.FAMILY_VIEW,
            object_id=view.id,
        )
    return view
