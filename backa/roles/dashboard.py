"""The district gap dashboard: numbers and per-unit breakdowns, never children's names.

A district administrator has no relationship with any child, so the dashboard shows
counts and breaks them down by unit, phase and professional. The names behind a number
are seen only by those who hold a role for the child (through the access gate), such
as the barnkontakt on their own start page.
"""

from collections import Counter
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef

from backa.children.lifephase import LifePhase, add_years, life_phase
from backa.children.models import Enrolment
from backa.roles.models import Handover, HandoverStatus, active_on
from backa.roles.population import barnkontakt_now, children_in_district, without_barnkontakt

HORIZON_DAYS = 90


def next_school_year(today: date) -> date:
    return date(today.year + (1 if today.month >= 8 else 0), 8, 1)


def transition_filters(today: date) -> dict:
    """{kind: (label key, queryset filter kwargs)} for the upcoming transitions shown."""
    august = next_school_year(today)
    horizon = today + timedelta(days=HORIZON_DAYS)
    return {
        "forskoleklass": {"birth_date__year": august.year - 6},
        "gymnasium": {"birth_date__year": august.year - 16},
        "age_18": {"birth_date__gt": add_years(today, -18), "birth_date__lte": add_years(horizon, -18)},
        "birth": {"birth_date__isnull": True, "expected_birth_date__lte": horizon},
    }


def district_summary(district, today: date) -> dict:
    base = children_in_district(district.id, today)
    handovers = Handover.objects.filter(status=HandoverStatus.PENDING, child__home_district=district)
    counts = {
        "children": base.count(),
        "without": without_barnkontakt(base, today).count(),
        "pending": handovers.count(),
        "overdue": handovers.filter(target_date__lt=today).count(),
    }
    counts["coverage"] = (
        round(100 * (counts["children"] - counts["without"]) / counts["children"], 1) if counts["children"] else None
    )
    transitions = {kind: base.filter(**filters).count() for kind, filters in transition_filters(today).items()}
    return {"counts": counts, "transitions": transitions, "august": next_school_year(today)}


def caseload(district, today: date) -> list[dict]:
    """Barnkontakt roles per position at the district's units, largest first."""
    return list(
        barnkontakt_now(today)
        .filter(position__unit__district=district)
        .values(
            "position_id",
            "position__user__first_name",
            "position__user__last_name",
            "position__role_title",
            "position__unit__name",
        )
        .annotate(children=Count("child_id", distinct=True))
        .order_by("-children", "position__unit__name", "position__user__last_name")
    )


def by_unit(children_queryset, today: date) -> tuple[list[dict], int]:
    """(rows of unit and count by current enrolment, count with no current enrolment)."""
    current = Enrolment.objects.filter(active_on(today))
    rows = list(
        current.filter(child__in=children_queryset)
        .values("unit__name", "unit__unit_type")
        .annotate(children=Count("child_id", distinct=True))
        .order_by("-children", "unit__name")
    )
    unenrolled = children_queryset.exclude(Exists(current.filter(child_id=OuterRef("pk")))).count()
    return rows, unenrolled


def by_phase(children_queryset, today: date) -> list[tuple[str, int]]:
    counts = Counter(life_phase(born, today) for born in children_queryset.values_list("birth_date", flat=True))
    return [(LifePhase(phase).label, counts[phase]) for phase in LifePhase.values if counts.get(phase)]


def without_barnkontakt_breakdown(district, today: date):
    queryset = without_barnkontakt(children_in_district(district.id, today), today)
    rows, unenrolled = by_unit(queryset, today)
    return {"units": rows, "unenrolled": unenrolled, "phases": by_phase(queryset, today)}


def transition_breakdown(district, kind: str, today: date):
    queryset = children_in_district(district.id, today).filter(**transition_filters(today)[kind])
    rows, unenrolled = by_unit(queryset, today)
    return {"units": rows, "unenrolled": unenrolled, "total": queryset.count()}


def overdue_handovers(district, today: date):
    return list(
        Handover.objects.filter(status=HandoverStatus.PENDING, target_date__lt=today, child__home_district=district)
        .select_related("from_position__user", "from_position__unit", "to_position__user", "to_position__unit")
        .order_by("target_date", "id")
    )
