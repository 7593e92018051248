"""Whole-population queries for background jobs and aggregate counts.

The periodic barnkontakt derivation must reach every child, including those nobody has
a role for yet (that is the point: no child falls between chairs), and the district gap
dashboard counts such children. Neither shows a child's data to a person: the job writes
role assignments, and the dashboard returns numbers and per-unit breakdowns only. This
module is therefore allowed past the access gate, like the synthetic generator and the
register import; nothing in a request path may return its rows to a template.
"""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from backa.children.lifephase import add_years
from backa.children.models import Child, Enrolment
from backa.roles.models import Handover, HandoverStatus, RoleAssignment, RoleKind, active_on, role_active_on


def children_for_derivation(on, *, municipality_id=None, child_ids=None) -> QuerySet[Child]:
    """Children under 18 (or with an active barnkontakt to hand over at 18), with what derivation reads prefetched."""
    queryset = Child.objects.all()
    if municipality_id is not None:
        queryset = queryset.filter(municipality_id=municipality_id)
    if child_ids is not None:
        queryset = queryset.filter(pk__in=list(child_ids))
    else:
        # Adults matter only while a barnkontakt role is still open.
        # Nor do children who moved out of the municipality (no new barnkontakt for them).
        queryset = queryset.filter(
            (Q_under_18(on) & Q(moved_out_on__isnull=True, deceased_on__isnull=True))
            | Exists(barnkontakt_now(on).filter(child_id=OuterRef("pk")))
        )
    return queryset.select_related("home_district").prefetch_related(
        Prefetch(
            "enrolments",
            queryset=Enrolment.objects.filter(active_on(on)).select_related("unit").order_by("-valid_from", "id"),
            to_attr="current_enrolments",
        ),
        Prefetch(
            "role_assignments",
            queryset=barnkontakt_now(on).select_related("position__unit").order_by("-valid_from", "-created_at"),
            to_attr="current_barnkontakt",
        ),
        Prefetch(
            "handovers", queryset=Handover.objects.filter(status=HandoverStatus.PENDING), to_attr="pending_handovers"
        ),
    )


def barnkontakt_now(on) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(role_active_on(on), kind=RoleKind.BARNKONTAKT)


def Q_under_18(on):  # noqa: N802 - reads as a Q object
    from django.db.models import Q

    return Q(birth_date__isnull=True) | Q(birth_date__gt=add_years(on, -18))


def children_in_district(district_id, on) -> QuerySet[Child]:
    """Children under 18 (and expected children) whose home district is this one and who
    still live in the municipality."""
    return Child.objects.filter(
        Q_under_18(on), home_district_id=district_id, moved_out_on__isnull=True, deceased_on__isnull=True
    )


def without_barnkontakt(queryset: QuerySet[Child], on) -> QuerySet[Child]:
    return queryset.exclude(Exists(barnkontakt_now(on).filter(child_id=OuterRef("pk"))))


def children_for_transitions(on, where, *, municipality_id=None) -> QuerySet[Child]:
    """Children matching `where` who have a barnkontakt today, with current and future
    enrolments, the current barnkontakt and any pending handover prefetched (for
    roles.transitions: handovers ahead of a foreseen life-phase change)."""
    queryset = Child.objects.filter(where).filter(Exists(barnkontakt_now(on).filter(child_id=OuterRef("pk"))))
    if municipality_id is not None:
        queryset = queryset.filter(municipality_id=municipality_id)
    from django.db.models import Q

    return queryset.prefetch_related(
        Prefetch(
            "enrolments",
            queryset=Enrolment.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
            .select_related("unit")
            .order_by("-valid_from", "id"),
            to_attr="future_enrolments",
        ),
        Prefetch(
            "role_assignments",
            queryset=barnkontakt_now(on).select_related("position__unit").order_by("-valid_from", "-created_at"),
            to_attr="current_barnkontakt",
        ),
        Prefetch(
            "handovers", queryset=Handover.objects.filter(status=HandoverStatus.PENDING), to_attr="pending_handovers"
        ),
        Prefetch(
            "handovers",
            queryset=Handover.objects.filter(transition_on__gte=on).exclude(status=HandoverStatus.CANCELLED),
            to_attr="ahead_handovers",
        ),
    )
