"""Who is the child's barnkontakt, and a manager's choice of another."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backa.access.gate import get_child_for_request
from backa.accounts.models import Position
from backa.audit.context import Acting
from backa.audit.log import Action
from backa.audit.vocabulary import ObjectType
from backa.roles.forms import OverrideForm
from backa.roles.models import Handover, RoleAssignment, RoleKind, active_on
from backa.roles.services import OVERRIDE_KINDS, do_override_barnkontakt


def _override_positions(user):
    """Positions the user may name as barnkontakt: those at units where the user is manager or rektor."""
    today = timezone.localdate()
    units = [p.unit_id for p in Position.objects.filter(user=user, kind__in=OVERRIDE_KINDS) if p.is_active_on(today)]
    if not units:
        return []
    return list(
        Position.objects.filter(active_on(today), unit_id__in=units, user__is_active=True)
        .select_related("user", "unit")
        .order_by("unit__name", "user__last_name", "id")
    )


@login_required
@require_http_methods(["GET", "POST"])
def child_barnkontakt(request, child_id):
    """Who is the child's barnkontakt, any handover under way, the history; a manager may choose another."""
    child = get_child_for_request(request, child_id, action=Action.VIEW, object_type=ObjectType.BARNKONTAKT)
    positions = _override_positions(request.user)
    form = OverrideForm(positions=positions)
    if request.method == "POST" and positions:
        form = OverrideForm(request.POST, positions=positions)
        if form.is_valid():
            position = next(p for p in positions if str(p.id) == form.cleaned_data["position"])
            try:
                do_override_barnkontakt(
                    acting_user=Acting.of(request), child=child, position=position, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("The barnkontakt is changed."))
                return redirect("casefile:barnkontakt", child_id=child.id)
            except ValidationError as exc:
                form.add_error("reason", " ".join(exc.messages))
    elif request.method == "POST":
        raise PermissionDenied
    today = timezone.localdate()
    history = list(
        RoleAssignment.objects.filter(child=child, kind=RoleKind.BARNKONTAKT)
        .select_related("position__user", "position__unit")
        .order_by("-valid_from", "-created_at")
    )
    current = [
        a
        for a in history
        if a.ended_at is None
        and a.valid_from <= today
        and (a.valid_to is None or a.valid_to >= today)
        and a.position.is_active_on(today)
    ]
    handovers = list(
        Handover.objects.filter(child=child)
        .select_related("from_position__user", "from_position__unit", "to_position__user", "to_position__unit")
        .order_by("-created_at")
    )
    return render(
        request,
        "casefile/barnkontakt.html",
        {
            "child": child,
            "current": current,
            "history": history,
            "handovers": handovers,
            "form": form,
            "can_override": bool(positions),
        },
    )
