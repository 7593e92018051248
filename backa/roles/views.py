"""The barnkontakt's start page, handover tasks, choosing a child's barnkontakt, and the
district gap dashboard."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backa.accounts.models import Position
from backa.accounts.positions import administered_district_ids, current_position
from backa.audit.log import Action, log_access, log_access_many
from backa.children.access import ChildNotFound, get_child_for_request, visible_children
from backa.children.lifephase import LifePhase, life_phase

from . import dashboard, worklist
from .transitions import next_transition
from .forms import CompleteHandoverForm, OverrideForm, PrepareHandoverForm
from .models import Handover, HandoverStatus, RoleAssignment, RoleKind, active_on, role_active_on
from .services import (
    OVERRIDE_KINDS, do_accept_handover, do_close_handover, do_override_barnkontakt, do_prepare_handover,
)

PAGE_SIZE = 100


def _my_tasks(user):
    today = timezone.localdate()
    mine = Handover.objects.filter(status=HandoverStatus.PENDING).select_related(
        "child", "from_position__user", "from_position__unit", "to_position__user", "to_position__unit"
    )
    outgoing = [h for h in mine.filter(from_position__user=user).order_by("target_date", "id") if h.from_position.is_active_on(today)]
    incoming = [h for h in mine.filter(to_position__user=user).order_by("target_date", "id") if h.to_position.is_active_on(today)]
    return outgoing, incoming


@login_required
def start(request):
    """The barnkontakt's morning page: their children sorted by what needs doing (overdue
    follow-ups and urgent concerns first), open concerns, plans and reviews per child and in
    total, next transition, and open handover tasks. A fixed number of queries."""
    today = timezone.localdate()
    ordered = worklist.my_barnkontakt_children(request.user, today)
    children = list(ordered[:PAGE_SIZE])
    totals = worklist.summary(ordered, today)
    for child in children:
        child.next_date, next_phase = next_transition(child, today)
        child.next_phase = LifePhase(next_phase).label if next_phase else ""
        child.todo = worklist.what_to_do(child, today)
        child.review_overdue = child.plan_review_date is not None and child.plan_review_date < today
    log_access_many(request=request, action=Action.LIST, children=children, purpose="barnkontakt_start")
    outgoing, incoming = _my_tasks(request.user)
    return render(request, "roles/start.html", {
        "children": children, "limit": PAGE_SIZE, "outgoing": outgoing, "incoming": incoming, "summary": totals,
        "is_district_admin": bool(administered_district_ids(request)), "due_soon_days": worklist.DUE_SOON_DAYS,
    })


@login_required
def handover_list(request):
    outgoing, incoming = _my_tasks(request.user)
    # Only ids in the log: a handover names the child, so each row shown is a read of that child.
    with_child = [h.child for h in outgoing + incoming]
    log_access_many(request=request, action=Action.LIST, children=with_child, purpose="handover_tasks", object_type="handover")
    return render(request, "roles/handover_list.html", {"outgoing": outgoing, "incoming": incoming, "today": timezone.localdate()})


def _get_handover_for_request(request, handover_id):
    """A handover its sender or receiver (in an active position) may open; otherwise a logged 404.

    The receiver has no role for the child yet, so the access gate would refuse them; they see
    only what the handover page shows (name, birth date, life phase, units), logged as a read."""
    today = timezone.localdate()
    handover = (
        Handover.objects.select_related("child", "from_position__user", "from_position__unit", "to_position__user",
                                        "to_position__unit", "completed_by")
        .filter(Q(from_position__user=request.user) | Q(to_position__user=request.user), pk=handover_id).first()
    )
    if handover is None:
        raise ChildNotFound(None, object_type="handover", object_id=str(handover_id))
    as_sender = handover.from_position.user_id == request.user.pk and handover.from_position.is_active_on(today)
    as_receiver = handover.to_position is not None and handover.to_position.user_id == request.user.pk and handover.to_position.is_active_on(today)
    if not (as_sender or as_receiver):
        raise ChildNotFound(None, object_type="handover", object_id=str(handover_id))
    log_access(request=request, action=Action.VIEW, child=handover.child, object_type="handover", object_id=handover.id,
               purpose="handover_sender" if as_sender else "handover_receiver")
    return handover, as_sender, as_receiver


@login_required
@require_http_methods(["GET", "POST"])
def handover_detail(request, handover_id):
    handover, as_sender, as_receiver = _get_handover_for_request(request, handover_id)
    pending = handover.status == HandoverStatus.PENDING
    prepare_form = PrepareHandoverForm(initial={"basis": handover.basis or "contact_only", "items": handover.items,
                                                "consent_reference": handover.consent_reference, "legal_basis": handover.legal_basis})
    complete_form = CompleteHandoverForm()
    error = None
    if request.method == "POST" and pending:
        action = request.POST.get("action")
        try:
            if action == "prepare" and as_sender:
                prepare_form = PrepareHandoverForm(request.POST)
                if prepare_form.is_valid():
                    do_prepare_handover(acting_user=request.user, handover=handover, request=request, **prepare_form.cleaned_data)
                    messages.success(request, _("What is passed on, and why, is recorded."))
                    return redirect("roles:handover", handover_id=handover.id)
            elif action in ("accept", "close"):
                complete_form = CompleteHandoverForm(request.POST)
                if complete_form.is_valid():
                    how = complete_form.cleaned_data["family_informed_how"]
                    if action == "accept" and as_receiver:
                        accepted = do_accept_handover(acting_user=request.user, handover=handover,
                                                      family_informed_how=how, request=request)
                        if accepted.to_assignment.valid_from > timezone.localdate():
                            messages.success(request, _("You become the child's barnkontakt on %(day)s.")
                                             % {"day": accepted.to_assignment.valid_from.isoformat()})
                            return redirect("roles:handovers")
                        messages.success(request, _("You are now the child's barnkontakt."))
                        return redirect("children:overview", child_id=handover.child_id)
                    if action == "close" and as_sender and handover.to_position is None:
                        do_close_handover(acting_user=request.user, handover=handover, family_informed_how=how, request=request)
                        messages.success(request, _("The handover is closed and your barnkontakt role has ended."))
                        return redirect("roles:handovers")
                    raise PermissionDenied
            else:
                raise PermissionDenied
        except ValidationError as exc:
            error = " ".join(exc.messages)
    return render(request, "roles/handover_detail.html", {
        "handover": handover, "child": handover.child, "as_sender": as_sender, "as_receiver": as_receiver,
        "pending": pending, "prepare_form": prepare_form, "complete_form": complete_form, "error": error,
        "phase": LifePhase(life_phase(handover.child.birth_date, timezone.localdate())).label,
    })


def _override_positions(user):
    """Positions the user may name as barnkontakt: those at units where the user is manager or rektor."""
    today = timezone.localdate()
    units = [p.unit_id for p in Position.objects.filter(user=user, kind__in=OVERRIDE_KINDS) if p.is_active_on(today)]
    if not units:
        return []
    return list(
        Position.objects.filter(active_on(today), unit_id__in=units, user__is_active=True)
        .select_related("user", "unit").order_by("unit__name", "user__last_name", "id")
    )


@login_required
@require_http_methods(["GET", "POST"])
def child_barnkontakt(request, child_id):
    """Who is the child's barnkontakt, any handover under way, the history; a manager may choose another."""
    child = get_child_for_request(request, child_id, action=Action.VIEW, object_type="barnkontakt")
    positions = _override_positions(request.user)
    form = OverrideForm(positions=positions)
    if request.method == "POST" and positions:
        form = OverrideForm(request.POST, positions=positions)
        if form.is_valid():
            position = next(p for p in positions if str(p.id) == form.cleaned_data["position"])
            try:
                do_override_barnkontakt(acting_user=request.user, child=child, position=position,
                                        reason=form.cleaned_data["reason"], request=request)
                messages.success(request, _("The barnkontakt is changed."))
                return redirect("roles:child_barnkontakt", child_id=child.id)
            except ValidationError as exc:
                form.add_error("reason", " ".join(exc.messages))
    elif request.method == "POST":
        raise PermissionDenied
    today = timezone.localdate()
    history = list(
        RoleAssignment.objects.filter(child=child, kind=RoleKind.BARNKONTAKT)
        .select_related("position__user", "position__unit").order_by("-valid_from", "-created_at")
    )
    current = [a for a in history if a.ended_at is None and a.valid_from <= today and (a.valid_to is None or a.valid_to >= today)
               and a.position.is_active_on(today)]
    handovers = list(
        Handover.objects.filter(child=child).select_related("from_position__user", "from_position__unit",
                                                            "to_position__user", "to_position__unit")
        .order_by("-created_at")
    )
    return render(request, "roles/child_barnkontakt.html", {
        "child": child, "current": current, "history": history, "handovers": handovers, "form": form,
        "can_override": bool(positions),
    })


# -- the district gap dashboard -----------------------------------------------------------------


def _district_for(request):
    if not administered_district_ids(request):
        raise PermissionDenied
    return current_position(request).unit.district


@login_required
def district_dashboard(request):
    district = _district_for(request)
    today = timezone.localdate()
    return render(request, "roles/dashboard.html", {
        "district": district, "today": today, **dashboard.district_summary(district, today),
        "caseload": dashboard.caseload(district, today),
    })


@login_required
def district_without(request):
    district = _district_for(request)
    today = timezone.localdate()
    return render(request, "roles/dashboard_breakdown.html", {
        "district": district, "title": _("Children without a barnkontakt"),
        **dashboard.without_barnkontakt_breakdown(district, today),
    })


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
        raise Http404
    today = timezone.localdate()
    return render(request, "roles/dashboard_breakdown.html", {
        "district": district, "title": TRANSITION_TITLES[kind](dashboard.next_school_year(today)),
        **dashboard.transition_breakdown(district, kind, today),
    })


@login_required
def district_overdue(request):
    district = _district_for(request)
    today = timezone.localdate()
    rows = dashboard.overdue_handovers(district, today)
    for row in rows:
        row.days_over = (today - row.target_date).days
    return render(request, "roles/dashboard_overdue.html", {"district": district, "handovers": rows})

