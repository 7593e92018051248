"""The child's overview: the entry to the file."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from backa.access.gate import get_child_for_request
from backa.audit.log import Action, log_access
from backa.audit.vocabulary import ObjectType, Purpose
from backa.roles.models import RoleAssignment, role_active_on


@login_required
@require_http_methods(["GET", "POST"])
def child_overview(request, child_id):
    child = get_child_for_request(request, child_id, action=Action.VIEW)
    show_number = False
    if request.method == "POST" and request.POST.get("show") == "identity_number":
        # Showing the whole number is its own, separately logged read.
        log_access(
            request=request,
            action=Action.VIEW,
            child=child,
            object_type=ObjectType.IDENTITY_NUMBER,
            purpose=Purpose.VERIFY_IDENTITY,
        )
        show_number = True
    today = timezone.localdate()
    custodies = list(
        child.custodies.select_related("guardian").order_by("guardian__family_name", "guardian__given_name")
    )
    enrolments = list(child.enrolments.select_related("unit__organisation").order_by("-valid_from"))
    roles = list(
        RoleAssignment.objects.filter(role_active_on(today), child=child)
        .select_related("position__user", "position__unit__organisation")
        .order_by("kind")
    )
    number = child.identity_number
    return render(
        request,
        "casefile/overview.html",
        {
            "child": child,
            "number": number,
            "show_number": show_number,
            "custodies": custodies,
            "current_enrolments": [e for e in enrolments if e.valid_to is None or e.valid_to >= today],
            "past_enrolments": [e for e in enrolments if e.valid_to is not None and e.valid_to < today],
            "roles": roles,
        },
    )
