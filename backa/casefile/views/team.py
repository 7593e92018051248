"""Barnets team and the stödsamordnare."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backa.access.gate import get_child_for_request
from backa.access.objects import child_object
from backa.audit.context import Acting
from backa.audit.vocabulary import ObjectType
from backa.casefile import authority, forms
from backa.casefile.plan import active_plan
from backa.casefile.team import active_team, do_add_team_member, do_appoint_coordinator, do_leave_team
from backa.casefile.views.plan import _is_uuid
from backa.roles.models import RoleAssignment, RoleKind

# -- team ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def team(request, child_id):
    child = get_child_for_request(request, child_id, object_type=ObjectType.TEAM)
    plan = active_plan(child)
    member_form = forms.TeamMemberForm(
        request.POST if request.POST.get("do") == "add" else None, municipality=child.municipality, prefix="member"
    )
    coordinator_form = forms.CoordinatorForm(
        request.POST if request.POST.get("do") == "coordinator" else None,
        municipality=child.municipality,
        prefix="coord",
    )
    if request.method == "POST":
        action = request.POST.get("do")
        try:
            if action == "add" and member_form.is_valid():
                do_add_team_member(acting_user=Acting.of(request), child=child, **member_form.cleaned_data)
                messages.success(request, _("The member is added and can now see the child."))
                return redirect("casefile:team", child_id=child.id)
            if action == "coordinator" and coordinator_form.is_valid():
                if plan is None:
                    raise ValidationError({"coordinator": _("Start the plan before appointing a stödsamordnare.")})
                do_appoint_coordinator(
                    acting_user=Acting.of(request), plan=plan, position=coordinator_form.cleaned_data["coordinator"]
                )
                messages.success(request, _("The stödsamordnare is appointed."))
                return redirect("casefile:team", child_id=child.id)
            if action == "leave":
                assignment = child_object(
                    RoleAssignment.objects.select_related("position"),
                    child,
                    request.POST.get("assignment") if _is_uuid(request.POST.get("assignment")) else None,
                    ObjectType.ROLE_ASSIGNMENT,
                    child=child,
                    kind__in=(RoleKind.TEAM_MEMBER, RoleKind.STODSAMORDNARE),
                )
                do_leave_team(acting_user=Acting.of(request), assignment=assignment)
                messages.success(request, _("The role has ended. The person no longer sees the child."))
                return redirect("casefile:team", child_id=child.id)
        except ValidationError as error:
            (coordinator_form if action == "coordinator" else member_form).apply_service_errors(error)
    acting = Acting.of(request)
    standing = authority.standing(acting, child)
    members = active_team(child)
    for member in members:
        member.may_end = authority.may_end_role(standing, member, acting_user_id=request.user.pk)
    return render(
        request,
        "casefile/team.html",
        {
            "child": child,
            "plan": plan,
            "members": members,
            "member_form": member_form,
            "coordinator_form": coordinator_form,
            "may_add": standing.lead,
            "may_appoint": authority.may_appoint_coordinator(standing),
        },
    )
