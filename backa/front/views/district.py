"""The district gap dashboard for district administrators."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from backa.access.objects import NotFound, is_district_admin, require_tool
from backa.accounts.positions import current_position
from backa.audit.vocabulary import ObjectType
from backa.casefile.intake import district_intake_summary
from backa.roles import dashboard

# -- the district gap dashboard -----------------------------------------------------------------


def _district_for(request):
    require_tool(request, is_district_admin, tool=ObjectType.DISTRICT_DASHBOARD)
    return current_position(request).unit.district


@login_required
def district_dashboard(request):
    district = _district_for(request)
    today = timezone.localdate()
    return render(
        request,
        "front/dashboard.html",
        {
            "district": district,
            "today": today,
            **dashboard.district_summary(district, today),
            "caseload": dashboard.caseload(district, today),
            "intake": district_intake_summary(district, today),
        },
    )


@login_required
def district_without(request):
    district = _district_for(request)
    today = timezone.localdate()
    return render(
        request,
        "front/dashboard_breakdown.html",
        {
            "district": district,
            "title": _("Children without a barnkontakt"),
            **dashboard.without_barnkontakt_breakdown(district, today),
        },
    )


TRANSITION_TITLES = {
    "forskoleklass": lambda august: _("Starting förskoleklass in August %(year)s") % {"year": august.year},
    "gymnasium": lambda august: _("Starting upper secondary school in August %(year)s") % {"year": august.year},
    "age_18": lambda august: _("Turning 18 within %(days)s days") % {"days": dashboard.HORIZON_DAYS},
    "birth": lambda august: _("Expected births within %(days)s days") % {"days": dashboard.HORIZON_DAYS},
}


@login_required
def district_transition(request, kind):
    district = _district_for(request)
    if kind not in TRANSITION_TITLES:
        raise NotFound(object_type=ObjectType.DISTRICT_TRANSITION, object_id=kind[:64])
    today = timezone.localdate()
    return render(
        request,
        "front/dashboard_breakdown.html",
        {
            "district": district,
            "title": TRANSITION_TITLES[kind](dashboard.next_school_year(today)),
            **dashboard.transition_breakdown(district, kind, today),
        },
    )


@login_required
def district_overdue(request):
    district = _district_for(request)
    today = timezone.localdate()
    rows = dashboard.overdue_handovers(district, today)
    for row in rows:
        row.days_over = (today - row.target_date).days
    return render(request, "front/dashboard_overdue.html", {"district": district, "handovers": rows})
