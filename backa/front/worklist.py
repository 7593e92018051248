"""The barnkontakt's morning list: their children with what needs doing, most pressing first.

Reads children through the access gate (`visible_children`), then lets the owning apps add
their numbers as subqueries (concerns: open, new, urgent; plans: open plan and its review
date) and adds the pending handover here. Sorting happens in SQL on those numbers, so the
page costs the same few queries for 3 children or 3,000, and the first page shown is the
most pressing one.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Case, DateField, Exists, IntegerField, OuterRef, Q, Subquery, UUIDField, Value, When
from django.db.models.functions import Coalesce, Least
from django.utils.translation import gettext as _

from backa.access.gate import visible_children
from backa.casefile.concerns import with_open_concerns
from backa.casefile.plan import with_open_plan
from backa.roles.models import Handover, HandoverStatus, RoleAssignment, RoleKind, role_active_on

DUE_SOON_DAYS = 14


class Priority:
    """Lower comes first. The order is what a barnkontakt should act on first."""

    OVERDUE_OR_URGENT = 0  # follow-up date passed, or an urgent concern is open
    HANDOVER_OVERDUE = 1  # a handover task past its target date
    NEW_CONCERN = 2  # a concern nobody has looked into yet
    DUE_SOON = 3  # follow-up within two weeks
    HANDOVER_PENDING = 4  # a handover under way, in time
    OPEN_WORK = 5  # an open concern or plan, nothing due
    NOTHING = 6


def my_barnkontakt_children(user, today: date):
    """Gate-filtered children the user is barnkontakt for today, annotated and sorted by need."""
    mine = RoleAssignment.objects.filter(role_active_on(today), kind=RoleKind.BARNKONTAKT, position__user=user)
    children = visible_children(user, on=today).filter(Exists(mine.filter(child_id=OuterRef("pk"))))
    children = with_open_plan(with_open_concerns(children))
    pending = Handover.objects.filter(child_id=OuterRef("pk"), status=HandoverStatus.PENDING).order_by()
    children = children.annotate(
        handover_id=Subquery(pending.values("id")[:1], output_field=UUIDField()),
        handover_target=Subquery(pending.values("target_date")[:1], output_field=DateField()),
    )
    soon = today + timedelta(days=DUE_SOON_DAYS)
    children = children.annotate(
        priority=Case(
            When(Q(plan_review_date__lt=today) | Q(urgent_concerns__gt=0), then=Value(Priority.OVERDUE_OR_URGENT)),
            When(handover_target__lt=today, then=Value(Priority.HANDOVER_OVERDUE)),
            When(new_concerns__gt=0, then=Value(Priority.NEW_CONCERN)),
            When(plan_review_date__lte=soon, then=Value(Priority.DUE_SOON)),
            When(handover_id__isnull=False, then=Value(Priority.HANDOVER_PENDING)),
            When(Q(open_concerns__gt=0) | Q(open_plans__gt=0), then=Value(Priority.OPEN_WORK)),
            default=Value(Priority.NOTHING),
            output_field=IntegerField(),
        ),
        next_due=Least(
            Coalesce("plan_review_date", "handover_target"), Coalesce("handover_target", "plan_review_date")
        ),
    )
    return children.order_by("priority", "next_due", "family_name", "given_name", "id")


@dataclass
class Summary:
    children: int = 0
    needs_action: int = 0
    open_concerns: int = 0
    new_concerns: int = 0
    urgent_concerns: int = 0
    open_plans: int = 0
    reviews_overdue: int = 0
    reviews_due_soon: int = 0
    handovers_pending: int = 0


def summary(children, today: date) -> Summary:
    """Totals over all the barnkontakt's children (not only the page shown): one query of
    small rows (numbers and dates, no names)."""
    soon = today + timedelta(days=DUE_SOON_DAYS)
    totals = Summary()
    rows = children.values_list(
        "priority", "open_concerns", "new_concerns", "urgent_concerns", "open_plans", "plan_review_date", "handover_id"
    )
    for priority, open_concerns, new, urgent, plans, review, handover in rows:
        totals.children += 1
        totals.needs_action += priority <= Priority.DUE_SOON
        totals.open_concerns += open_concerns
        totals.new_concerns += new
        totals.urgent_concerns += urgent
        totals.open_plans += plans
        totals.reviews_overdue += review is not None and review < today
        totals.reviews_due_soon += review is not None and today <= review <= soon
        totals.handovers_pending += handover is not None
    return totals


def what_to_do(child, today: date) -> list[str]:
    """Plain-language reasons, most pressing first, from the annotations."""
    notes = []
    review = child.plan_review_date
    if review is not None and review < today:
        notes.append(_("Follow-up overdue by %(days)s days") % {"days": (today - review).days})
    if child.urgent_concerns:
        notes.append(_("Urgent concern"))
    if child.handover_target is not None and child.handover_target < today:
        notes.append(_("Handover overdue"))
    if child.new_concerns:
        notes.append(_("New concern to look into"))
    if review is not None and today <= review <= today + timedelta(days=DUE_SOON_DAYS):
        notes.append(_("Follow-up on %(date)s") % {"date": review.isoformat()})
    if child.handover_target is not None and child.handover_target >= today:
        notes.append(_("Handover under way"))
    return notes
