"""The plan: page, versions, the child's version, goals, actions, ending, PDF."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backa.access.gate import ChildNotFound, get_child_for_request, visible_entry_scope
from backa.access.objects import child_object
from backa.audit.context import Acting
from backa.audit.log import Action as LogAction
from backa.audit.vocabulary import ObjectType
from backa.casefile import authority, forms, secrecy
from backa.casefile.compass import area_label
from backa.casefile.meetings import do_decision_to_action
from backa.casefile.models import Action, Concern, Decision, Plan, PlanStatus, PlanVersion
from backa.casefile.network import active_network
from backa.casefile.plan import (
    PlanConflict,
    active_plan,
    diff_snapshots,
    do_add_action,
    do_add_goal,
    do_create_plan,
    do_end_plan,
    do_set_action_status,
    do_update_plan,
    merge_key,
)
from backa.casefile.views.common import _plan
from backa.lib.pdf import render_pdf_ua
from backa.operations import idempotency


@login_required
def plan_page(request, child_id):
    child = get_child_for_request(request, child_id, object_type=ObjectType.PLAN)
    plan = active_plan(child)
    scope = visible_entry_scope(request, child)
    past = secrecy.mask_all(
        list(Plan.objects.filter(child=child).exclude(status=PlanStatus.ACTIVE).order_by("-ended_on")), scope
    )
    standing = authority.standing(Acting.of(request), child)
    context = {
        "child": child,
        "plan": plan,
        "past_plans": past,
        "may_lead": standing.lead,
        "is_member": standing.member,
    }
    if plan is not None:
        parts = secrecy.plan_parts(plan, scope)
        actions = parts["actions"]
        for action in actions:
            action.may_change = authority.may_set_action_status(standing, action, acting_user_id=request.user.pk)
        context.update(
            goals=parts["goals"],
            actions=actions,
            versions=list(PlanVersion.objects.filter(plan=plan).select_related("created_by")[:20]),
            follow_ups=parts["follow_ups"],
            overdue=plan.review_date < timezone.localdate(),
            action_statuses=Action.Status.choices,
        )
    return render(request, "casefile/plan.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def new_plan(request, child_id):
    child = get_child_for_request(request, child_id, object_type=ObjectType.PLAN)
    existing = active_plan(child)
    if existing is None:
        authority.require_lead(Acting.of(request), child, "create_plan")
    # A start-plan form sent again after it was saved lands here, on the saved plan.
    if existing is not None:
        messages.info(request, _("This child already has an active plan. Open it and change it instead."))
        return redirect("casefile:plan", child_id=child.id)
    concern_id = request.GET.get("oro") or request.POST.get("concern_id")
    concern = Concern.objects.filter(child=child, pk=concern_id).first() if _is_uuid(concern_id) else None
    form = forms.PlanForm(request.POST or None, municipality=child.municipality)
    if request.method == "POST" and form.is_valid():
        try:
            idempotency.run_once(
                user=request.user,
                scope="plan.create",
                key=idempotency.form_key(request),
                payload_fingerprint=idempotency.fingerprint_post(request),
                object_type="plan",
                create=lambda: do_create_plan(
                    acting_user=Acting.of(request), child=child, concern=concern, **form.plan_values()
                ),
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        except idempotency.IdempotencyMismatch:
            return idempotency.form_sent_before(request)
        else:
            messages.success(request, _("The plan is saved."))
            return redirect("casefile:plan", child_id=child.id)
    return render(request, "casefile/plan_form.html", {"child": child, "form": form, "concern": concern})


def _is_uuid(value):
    import uuid

    try:
        uuid.UUID(str(value))
        return True
    except ValueError:
        return False


@login_required
@require_http_methods(["GET", "POST"])
def edit_plan(request, child_id, plan_id):
    child = get_child_for_request(request, child_id, object_type=ObjectType.PLAN, object_id=plan_id)
    plan = _plan(child, plan_id)
    authority.require_lead(Acting.of(request), child, "edit_plan")
    if not secrecy.visible(visible_entry_scope(request, child), plan):
        # Editing the shared parts shows them: only for a reader who may see them.
        messages.error(request, str(secrecy.HIDDEN_NOTICE))
        return redirect("casefile:plan", child_id=child.id)
    conflict = None
    form = forms.PlanForm(
        request.POST or None, municipality=child.municipality, initial=forms.PlanForm.initial_from(plan)
    )
    if request.method == "POST" and form.is_valid():
        based_on = form.cleaned_data.get("version") or 0
        try:
            saved = do_update_plan(
                acting_user=Acting.of(request),
                plan=plan,
                based_on_version=based_on,
                keep_theirs=[merge_key(name) for name in form.fields_to_take_from_theirs()],
                **form.plan_values(),
            )
        except PlanConflict as exc:
            conflict = exc
            # Three-way merge (decision 0018): the form shows the plan as saved now, with this
            # person's own changes as typed; the fields both changed get a choice. The next save
            # is based on the version they have now seen.
            current = {
                k: ("" if v is None else str(v.isoformat() if hasattr(v, "isoformat") else v))
                for k, v in forms.PlanForm.initial_from(exc.plan).items()
            }
            data = request.POST.copy()
            for name, value in current.items():
                if name not in exc.mine:
                    data[name] = value
            for name in [n for n in data if n.startswith("need-") and n not in exc.mine and n not in current]:
                data[name] = ""
            data["version"] = str(exc.plan.version)
            form = forms.PlanForm(data, municipality=child.municipality)
            form.setup_merge_choices(exc.conflicts)
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("The plan is saved as a new version."))
            merged = getattr(saved, "merged_theirs", [])
            if merged:
                messages.info(
                    request,
                    _("Someone else had changed the plan meanwhile; their changes were kept: %(fields)s.")
                    % {"fields": ", ".join(merged)},
                )
            return redirect("casefile:plan", child_id=child.id)
    return render(
        request, "casefile/plan_form.html", {"child": child, "form": form, "plan": plan, "conflict": conflict}
    )


@login_required
@require_http_methods(["GET", "POST"])
def add_goal(request, child_id, plan_id):
    child = get_child_for_request(request, child_id, object_type=ObjectType.PLAN, object_id=plan_id)
    plan = _plan(child, plan_id)
    authority.require_lead(Acting.of(request), child, "add_goal")
    form = forms.GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_add_goal(acting_user=Acting.of(request), plan=plan, **form.cleaned_data)
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("The goal is added."))
            return redirect("casefile:plan", child_id=child.id)
    return render(
        request,
        "casefile/simple_form.html",
        {"child": child, "form": form, "title": _("Add a goal"), "button": _("Add the goal")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def add_action(request, child_id, plan_id):
    child = get_child_for_request(request, child_id, object_type=ObjectType.PLAN, object_id=plan_id)
    plan = _plan(child, plan_id)
    if not authority.standing(Acting.of(request), child).member:
        raise authority.AuthorityRefused("add_action")
    decision = None
    decision_id = request.GET.get("beslut") or request.POST.get("decision_id")
    if _is_uuid(decision_id):
        decision = Decision.objects.filter(pk=decision_id, meeting__child=child).first()
    scope = visible_entry_scope(request, child)
    if decision is not None and not secrecy.visible(scope, decision.meeting):
        decision = None  # another activity's minutes: not a decision this reader may turn into an action
    initial = {}
    if decision is not None:  # what the meeting decided: text, organisation, owner and dates
        initial = {
            "description": decision.text,
            "owner_organisation": decision.owner_organisation_id,
            "owner": decision.owner_id,
            "starts_on": decision.starts_on,
            "due_on": decision.due_on,
        }
    # Goal labels as this reader may see them; the goals themselves stay unmasked for the service.
    goals = list(plan.goals.all())
    labels = secrecy.mask_all([copy.copy(g) for g in goals], scope)
    form = forms.ActionForm(
        request.POST or None,
        plan=plan,
        municipality=child.municipality,
        initial=initial,
        network=active_network(child),
        goals=labels,
    )
    form.goals = {str(g.id): g for g in goals}
    if request.method == "POST" and form.is_valid():
        try:
            if decision is not None:
                do_decision_to_action(
                    acting_user=Acting.of(request), decision=decision, plan=plan, **form.action_values()
                )
            else:
                do_add_action(acting_user=Acting.of(request), plan=plan, **form.action_values())
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("The action is added to the plan."))
            return redirect("casefile:plan", child_id=child.id)
    return render(
        request,
        "casefile/simple_form.html",
        {
            "child": child,
            "form": form,
            "title": _("Add an action"),
            "button": _("Add the action"),
            "hidden": {"decision_id": decision.id} if decision else {},
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def end_plan(request, child_id, plan_id):
    child = get_child_for_request(request, child_id, object_type=ObjectType.PLAN, object_id=plan_id)
    plan = _plan(child, plan_id)
    authority.require_lead(Acting.of(request), child, "end_plan")
    form = forms.EndPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_end_plan(acting_user=Acting.of(request), plan=plan, **form.cleaned_data)
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(
                request,
                _("The plan is handed over.")
                if form.cleaned_data.get("status") == PlanStatus.HANDED_OVER
                else _("The plan is closed."),
            )
            return redirect("casefile:plan", child_id=child.id)
    return render(
        request,
        "casefile/simple_form.html",
        {"child": child, "form": form, "title": _("Close or hand over the plan"), "button": _("Save")},
    )


@login_required
def plan_version(request, child_id, plan_id, number):
    """One saved version of the plan, as it was."""
    child = get_child_for_request(request, child_id, object_type=ObjectType.PLAN_VERSION, object_id=plan_id)
    plan = _plan(child, plan_id)
    version = PlanVersion.objects.filter(plan=plan, number=number).select_related("created_by").first()
    if version is None:
        raise ChildNotFound(child.pk, object_type=ObjectType.PLAN_VERSION, object_id=plan_id)
    previous = PlanVersion.objects.filter(plan=plan, number=number - 1).first()
    scope = visible_entry_scope(request, child)
    before = secrecy.mask_snapshot(previous.snapshot, scope, plan) if previous else None
    snap = secrecy.mask_snapshot(version.snapshot, scope, plan)
    secrecy.mask(plan, scope)
    changes = diff_snapshots(before, snap) if before is not None else []
    needs = [(area_label(code), text) for code, text in snap.get("needs", {}).items()]
    return render(
        request,
        "casefile/plan_version.html",
        {
            "child": child,
            "plan": plan,
            "version": version,
            "snap": snap,
            "needs": needs,
            "changes": changes,
        },
    )


@login_required
def child_version(request, child_id, plan_id):
    """The plan in plain Swedish for the child and family."""
    child = get_child_for_request(
        request, child_id, object_type=ObjectType.PLAN, object_id=plan_id, action=LogAction.PRINT
    )
    plan = _plan(child, plan_id)
    parts = secrecy.plan_parts(plan, visible_entry_scope(request, child))
    return render(
        request,
        "casefile/child_version.html",
        {"child": child, "plan": plan, "goals": parts["goals"], "actions": parts["actions"]},
    )


@login_required
@require_http_methods(["POST"])
def action_status(request, child_id, plan_id, action_id):
    child = get_child_for_request(
        request, child_id, action=LogAction.UPDATE, object_type=ObjectType.PLAN, object_id=plan_id
    )
    plan = _plan(child, plan_id)
    action = child_object(Action.objects.select_related("plan"), child, action_id, ObjectType.ACTION, plan=plan)
    try:
        do_set_action_status(acting_user=Acting.of(request), action=action, status=request.POST.get("status", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The action's status is changed."))
    return redirect("casefile:plan", child_id=child.id)


@login_required
def plan_pdf(request, child_id, plan_id):
    child = get_child_for_request(
        request, child_id, object_type=ObjectType.PLAN, object_id=plan_id, action=LogAction.PRINT
    )
    plan = _plan(child, plan_id)
    for_child = request.GET.get("for") == "barn"
    parts = secrecy.plan_parts(plan, visible_entry_scope(request, child))
    context = {
        "child": child,
        "plan": plan,
        "for_child": for_child,
        "goals": parts["goals"],
        "actions": parts["actions"],
    }
    name = "din-plan" if for_child else "barnets-plan"
    return render_pdf_ua(request, "casefile/plan_print.html", context, filename=f"{name}-{plan.id}-v{plan.version}.pdf")
