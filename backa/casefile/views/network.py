"""The child's network (Mitt nätverk): the list, the map, adding, changing, the child's order."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backa.access.gate import get_child_for_request
from backa.access.objects import child_object
from backa.audit.context import Acting
from backa.audit.log import Action as LogAction
from backa.audit.vocabulary import ObjectType
from backa.casefile import authority, forms
from backa.casefile.models import NetworkMember
from backa.casefile.network import (
    active_network,
    do_add_network_member,
    do_end_network_member,
    do_rank_network,
    do_update_network_member,
    network_map_svg,
)


def _may_change(request, child) -> bool:
    return authority.standing(Acting.of(request), child).member


@login_required
@require_http_methods(["GET", "POST"])
def network(request, child_id):
    action = LogAction.CREATE if request.method == "POST" else LogAction.VIEW
    child = get_child_for_request(request, child_id, action=action, object_type=ObjectType.NETWORK)
    may_change = _may_change(request, child)
    form = forms.NetworkMemberForm(request.POST or None)
    if request.method == "POST":
        if not may_change:
            raise authority.AuthorityRefused("network")
        if form.is_valid():
            try:
                do_add_network_member(acting_user=Acting.of(request), child=child, **form.cleaned_data)
            except ValidationError as error:
                form.apply_service_errors(error)
            else:
                messages.success(request, _("The person is added to the child's network."))
                return redirect("casefile:network", child_id=child.id)
    members = active_network(child)
    former = list(NetworkMember.objects.filter(child=child, ended_on__isnull=False).order_by("-ended_on"))
    return render(
        request,
        "casefile/network.html",
        {
            "child": child,
            "members": members,
            "former": former,
            "map": network_map_svg(child.given_name, members),
            "form": form,
            "may_change": may_change,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def network_member(request, child_id, member_id):
    action = LogAction.UPDATE if request.method == "POST" else LogAction.VIEW
    child = get_child_for_request(
        request, child_id, action=action, object_type=ObjectType.NETWORK_MEMBER, object_id=member_id
    )
    member = child_object(NetworkMember.objects.all(), child, member_id, ObjectType.NETWORK_MEMBER)
    may_change = _may_change(request, child) and member.is_active
    initial = {f: getattr(member, f) for f in forms.NetworkMemberForm.base_fields}
    form = forms.NetworkMemberForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not may_change:
            raise authority.AuthorityRefused("network")
        try:
            if request.POST.get("end"):
                do_end_network_member(acting_user=Acting.of(request), member=member)
                messages.success(request, _("The person is no longer in the child's network."))
                return redirect("casefile:network", child_id=child.id)
            if form.is_valid():
                do_update_network_member(acting_user=Acting.of(request), member=member, **form.cleaned_data)
                messages.success(request, _("The changes are saved."))
                return redirect("casefile:network", child_id=child.id)
        except ValidationError as error:
            form.apply_service_errors(error)
    return render(
        request,
        "casefile/network_member.html",
        {
            "child": child,
            "member": member,
            "form": form,
            "may_change": may_change,
            "actions": list(member.actions.select_related("plan")),
            "meetings": list(member.meeting_participations.select_related("meeting")),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def network_order(request, child_id):
    action = LogAction.UPDATE if request.method == "POST" else LogAction.VIEW
    child = get_child_for_request(request, child_id, action=action, object_type=ObjectType.NETWORK)
    if not _may_change(request, child):
        raise authority.AuthorityRefused("network")
    members = active_network(child)
    form = forms.NetworkRankForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        order = form.order()
        try:
            if not order:
                raise ValidationError({"__all__": _("Give each person their own place: two people share one now.")})
            do_rank_network(acting_user=Acting.of(request), child=child, order=order)
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("The child's order is saved."))
            return redirect("casefile:network", child_id=child.id)
    return render(
        request,
        "casefile/simple_form.html",
        {
            "child": child,
            "form": form,
            "title": _("Who does the child go to first?"),
            "button": _("Save the order"),
        },
    )
