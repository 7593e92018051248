"""Barnets team and the stödsamordnare."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backa.access.gate import get_child_for_request
from backa.access.objects import child_object, reachable_object
from backa.audit.context import Acting
from backa.audit.log import Action as LogAction
from backa.audit.log import log_access
from backa.audit.vocabulary import ObjectType, Purpose
from backa.casefile import authority, forms
from backa.casefile.models import TeamInvitation
from backa.casefile.plan import active_plan
from backa.casefile.team import (
    active_team,
    do_answer_invitation,
    do_invite,
    do_leave_team,
    do_withdraw_invitation,
    invitations_for_child,
)
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
                do_invite(acting_user=Acting.of(request), child=child, **member_form.cleaned_data)
                messages.success(request, _("The invitation is sent. Access starts when the person accepts."))
                return redirect("casefile:team", child_id=child.id)
            if action == "coordinator" and coordinator_form.is_valid():
                sent = do_invite(
                    acting_user=Acting.of(request),
                    child=child,
                    position=coordinator_form.cleaned_data["coordinator"],
                    kind=TeamInvitation.Kind.STODSAMORDNARE,
                    plan=plan,
                )
                messages.success(
                    request,
                    _("The invitation is sent. The role starts when the person accepts.")
                    if sent
                    else _("You are now the stödsamordnare."),
                )
                return redirect("casefile:team", child_id=child.id)
            if action == "withdraw":
                invitation = child_object(
                    TeamInvitation.objects.all(),
                    child,
                    request.POST.get("invitation") if _is_uuid(request.POST.get("invitation")) else None,
                    ObjectType.TEAM_INVITATION,
                )
                do_withdraw_invitation(acting_user=Acting.of(request), invitation=invitation)
                messages.success(request, _("The invitation is withdrawn."))
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
            "invitations": invitations_for_child(child),
            "member_form": member_form,
            "coordinator_form": coordinator_form,
            "may_add": standing.lead,
            "may_appoint": authority.may_appoint_coordinator(standing),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation(request, invitation_id):
    """The invitee's page: who asks, for which role, what they will and will not see; yes or no.
    Only the invitee reaches it; showing the child's name is a logged access."""
    invitation = reachable_object(
        TeamInvitation.objects.filter(position__user=request.user).select_related(
            "child", "position__unit__organisation", "invited_by", "plan"
        ),
        invitation_id,
        ObjectType.TEAM_INVITATION,
    )
    form = forms.AnswerInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accept = request.POST.get("answer") == "accept"
        try:
            do_answer_invitation(
                acting_user=Acting.of(request), invitation=invitation, accept=accept, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            if accept:
                messages.success(request, _("You have joined. The child's file is open to you from now on."))
                return redirect("casefile:overview", child_id=invitation.child_id)
            messages.success(request, _("Your answer is sent to the person who invited you."))
            return redirect("front:todo")
    log_access(
        request=request,
        child=invitation.child,
        action=LogAction.VIEW,
        object_type=ObjectType.TEAM_INVITATION,
        object_id=invitation.id,
        purpose=Purpose.INVITATION,
    )
    inviter_position = invitation.invited_by.positions.select_related("unit__organisation").first()
    return render(
        request,
        "casefile/invitation.html",
        {
            "invitation": invitation,
            "form": form,
            "inviter_organisation": inviter_position.unit.organisation if inviter_position else None,
        },
        status=400 if form.errors else 200,
    )
