"""Follow-up (uppföljning) of the plan, and the reviews that are due."""

from collections.abc import Sequence
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from backa.access.gate import visible_children
from backa.audit.context import as_acting
from backa.audit.log import Action as LogAction
from backa.audit.vocabulary import ObjectType, Purpose
from backa.casefile.common import _log, writing_activity_id
from backa.casefile.models import (
    FollowUp,
    FollowUpOutcome,
    Goal,
    GoalProgress,
    GoalStatus,
    Plan,
    PlanChange,
    PlanStatus,
    Progress,
)
from backa.casefile.plan import _bump, _lock, _require_active
from backa.roles.models import RoleAssignment, RoleKind, role_active_on

# -- follow-up ----------------------------------------------------------------------------------


def do_follow_up(
    *,
    acting_user,
    plan: Plan,
    held_on: date,
    outcome: str,
    progress: dict,
    summary: str = "",
    child_view: str = "",
    next_review_date: date | None = None,
    assessment=None,
    end_reason: str = "",
) -> FollowUp:
    """Uppföljning: progress per goal, optionally a new assessment, then continue, revise
    (with a new review date) or close the plan."""
    acting = as_acting(acting_user)
    acting_user = acting.user
    errors = {}
    if not held_on:
        errors["held_on"] = _("Give the date of the follow-up.")
    elif held_on > timezone.localdate():
        errors["held_on"] = _("The date cannot be in the future.")
    if outcome not in FollowUpOutcome.values:
        errors["outcome"] = _("Choose continue, revise or close.")
    elif outcome == FollowUpOutcome.CLOSE:
        if not (end_reason or summary).strip():
            errors["summary"] = _("Give the reason for closing the plan.")
    elif not next_review_date:
        errors["next_review_date"] = _("Set the next review date.")
    elif held_on and next_review_date <= held_on:
        errors["next_review_date"] = _("The next review must come after this follow-up.")
    goals = {str(g.id): g for g in plan.goals.all()}
    for goal_id, (value, _comment) in progress.items():
        if str(goal_id) not in goals:
            errors["progress"] = _("Unknown goal.")
        elif value not in Progress.values:
            errors[f"progress-{goal_id}"] = _("Choose how the goal went.")
    missing = [g for gid, g in goals.items() if g.status == GoalStatus.OPEN and gid not in {str(k) for k in progress}]
    if missing:
        errors["progress"] = _("Record progress for every open goal.")
    if assessment is not None and assessment.child_id != plan.child_id:
        errors["assessment"] = _("The assessment belongs to another child.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock(plan)
        _require_active(locked)
        follow_up = FollowUp.objects.create(
            plan=locked,
            child_id=locked.child_id,
            municipality_id=locked.municipality_id,
            held_on=held_on,
            assessment=assessment,
            summary=summary.strip(),
            child_view=child_view.strip(),
            outcome=outcome,
            next_review_date=next_review_date if outcome != FollowUpOutcome.CLOSE else None,
            created_by=acting_user,
            activity_id=writing_activity_id(acting),
        )
        GoalProgress.objects.bulk_create(
            GoalProgress(follow_up=follow_up, goal=goals[str(gid)], progress=value, comment=(comment or "").strip())
            for gid, (value, comment) in progress.items()
        )
        achieved = [gid for gid, (value, _c) in progress.items() if value == Progress.ACHIEVED]
        Goal.objects.filter(pk__in=achieved).update(status=GoalStatus.ACHIEVED)
        if outcome == FollowUpOutcome.CLOSE:
            locked.status, locked.end_reason, locked.ended_on = (
                PlanStatus.CLOSED,
                (end_reason or summary).strip(),
                held_on,
            )
            _bump(locked, acting, PlanChange.FOLLOWED_UP_CLOSED, Purpose.FOLLOW_UP)
        else:
            assert next_review_date is not None  # required for "continue" by the checks above
            locked.review_date = next_review_date
            _bump(locked, acting, PlanChange.FOLLOWED_UP, Purpose.FOLLOW_UP)
        _log(acting, locked.child, LogAction.CREATE, ObjectType.FOLLOW_UP, follow_up.id)
    return follow_up


REVIEW_HORIZON = timedelta(days=14)


def due_reviews(user, *, today=None, horizon_days: int = 14) -> Sequence[Plan]:
    """Active plans whose review date is within the horizon or passed, for children where
    the user is barnkontakt or stödsamordnare today."""
    today = today or timezone.localdate()
    responsible = RoleAssignment.objects.filter(
        role_active_on(today), position__user=user, kind__in=(RoleKind.BARNKONTAKT, RoleKind.STODSAMORDNARE)
    ).values("child_id")
    plans = list(
        Plan.objects.filter(
            status=PlanStatus.ACTIVE,
            review_date__lte=today + timedelta(days=horizon_days),
            child__in=visible_children(user, on=today),
            child_id__in=responsible,
        )
        .select_related("child")
        .annotate(overdue=ExpressionWrapper(Q(review_date__lt=today), output_field=BooleanField()))
        .order_by("review_date")
    )
    return plans
