"""Read models for pages and the API: the chronology, due reviews, compass comparison.
Callers have already passed the child through the access gate."""
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from backa.children.access import visible_children
from backa.concerns import secrecy
from backa.concerns.compass import AREA_CODES, CompassArea
from backa.concerns.models import Assessment, Concern, ConcernReport, Conversation
from backa.roles.models import RoleAssignment, RoleKind, role_active_on

from .models import ChronologyEntry, FollowUp, Meeting, Plan, PlanStatus, PlanVersion

CATEGORIES = {
    "concern": gettext_lazy("Concern"),
    "conversation": gettext_lazy("Conversation"),
    "assessment": gettext_lazy("Assessment"),
    "plan": gettext_lazy("Plan"),
    "meeting": gettext_lazy("Meeting"),
    "follow_up": gettext_lazy("Follow-up"),
    "report": gettext_lazy("Concern report"),
    "role": gettext_lazy("Roles and handovers"),
    "manual": gettext_lazy("Other event"),
}


@dataclass
class Event:
    day: date
    category: str
    title: str
    detail: str = ""

    @property
    def category_label(self):
        return CATEGORIES[self.category]


def chronology(child, *, scope, categories=None, since=None, until=None) -> list[Event]:
    """Significant events from the records plus manual entries, newest first.
    A fixed number of queries whatever the length."""
    return chronology_with_hidden(child, scope=scope, categories=categories, since=since, until=until)[0]


def chronology_with_hidden(child, *, scope, categories=None, since=None, until=None) -> tuple[list[Event], bool]:
    """The chronology as `scope` (from visible_entry_scope) may see it, and whether other
    organisations' conversations or assessments were left out (told without a count)."""
    events: list[Event] = []
    for c in Concern.objects.filter(child=child).select_related("reported_by"):
        events.append(Event(c.observed_on, "concern", _("Concern noticed (%(urgency)s)") % {"urgency": c.get_urgency_display()},
                            ", ".join(str(label) for label in c.area_labels())))
    conversations, hidden_notes = secrecy.split(list(Conversation.objects.filter(child=child)), scope, secrecy.NOTES)
    assessments, hidden_assessments = secrecy.split(list(Assessment.objects.filter(child=child)), scope,
                                                    secrecy.ASSESSMENTS)
    for c in conversations:
        events.append(Event(c.held_on, "conversation", _("Conversation with the child and family"),
                            _("Consent: %(s)s") % {"s": c.get_consent_status_display()}))
    for a in assessments:
        events.append(Event(a.assessed_on, "assessment", _("Behovskompassen assessment")))
    for v in PlanVersion.objects.filter(plan__child=child).select_related("created_by"):
        events.append(Event(timezone.localdate(v.created_at), "plan",
                            _("Plan version %(n)s") % {"n": v.number}, v.change))
    for m in Meeting.objects.filter(child=child):
        events.append(Event(timezone.localdate(m.starts_at), "meeting",
                            _("Meeting of barnets team (%(status)s)") % {"status": m.get_status_display()},
                            m.get_child_heard_display() if m.child_heard else ""))
    for f in FollowUp.objects.filter(child=child):
        events.append(Event(f.held_on, "follow_up", _("Follow-up: %(o)s") % {"o": f.get_outcome_display()}))
    for r in ConcernReport.objects.filter(child=child):
        events.append(Event(timezone.localdate(r.reported_at), "report", _("Concern report to social services"),
                            r.get_status_display()))
    for ra in RoleAssignment.objects.filter(child=child).select_related("position__unit__organisation"):
        # A unit's name can tell where a child with protected identity goes: show the organisation only.
        where = ra.position.unit.organisation.name if child.protected_identity else ra.position.unit.name
        events.append(Event(ra.valid_from, "role", _("%(role)s from %(unit)s") % {
            "role": ra.get_kind_display(), "unit": where}))
    for e in ChronologyEntry.objects.filter(child=child):
        events.append(Event(e.occurred_on, "manual", e.title, e.description))
    if categories:
        events = [e for e in events if e.category in categories]
    if since:
        events = [e for e in events if e.day >= since]
    if until:
        events = [e for e in events if e.day <= until]
    events.sort(key=lambda e: (e.day, e.category), reverse=True)
    return events, hidden_notes or hidden_assessments


def due_reviews(user, *, today=None, horizon_days: int = 14) -> list[Plan]:
    """Active plans whose review date is within the horizon or passed, for children where
    the user is barnkontakt or stödsamordnare today."""
    today = today or timezone.localdate()
    responsible = RoleAssignment.objects.filter(
        role_active_on(today), position__user=user, kind__in=(RoleKind.BARNKONTAKT, RoleKind.STODSAMORDNARE)
    ).values("child_id")
    plans = list(
        Plan.objects.filter(
            status=PlanStatus.ACTIVE, review_date__lte=today + timedelta(days=horizon_days),
            child__in=visible_children(user, on=today), child_id__in=responsible,
        ).select_related("child").order_by("review_date")
    )
    for plan in plans:
        plan.overdue = plan.review_date < today
    return plans


def with_open_plan(children):
    """Annotate `open_plans` (0 or 1: one active plan per child) and `plan_review_date` (the
    active plan's next review) on a gate-filtered queryset of children; two subqueries,
    whatever the number of children."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    active = Plan.objects.filter(child_id=OuterRef("pk"), status=PlanStatus.ACTIVE).order_by()
    count = active.values("child_id").annotate(n=Count("pk")).values("n")[:1]
    return children.annotate(
        open_plans=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
        plan_review_date=Subquery(active.order_by("review_date").values("review_date")[:1]),
    )


def compass_series(child, limit: int = 4, *, scope):
    """The latest assessments `scope` may see (oldest first) with per-area ratings, for the
    chart and table. Filtered before the limit, so a hidden assessment leaves no gap or point."""
    assessments = list(
        Assessment.objects.filter(secrecy.entries_q(scope, secrecy.ASSESSMENTS), child=child)
        .order_by("-assessed_on", "-created_at")[:limit]
    )
    assessments.reverse()
    areas = {}
    if assessments:
        from backa.concerns.models import AssessmentArea

        for row in AssessmentArea.objects.filter(assessment__in=assessments):
            areas[(row.assessment_id, row.area)] = row
    rows = []
    for code in AREA_CODES:
        rows.append({
            "code": code, "label": CompassArea(code).label,
            "cells": [areas.get((a.id, code)) for a in assessments],
        })
    return assessments, rows


def active_plan(child):
    return Plan.objects.filter(child=child, status=PlanStatus.ACTIVE).select_related(
        "organisation", "coordinator__user", "coordinator__unit"
    ).first()
