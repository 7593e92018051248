"""Pages for the plan, barnets team, meetings, follow-up, chronology and the start page.
Every page fetches the child through the access gate first, then its own rows by child."""
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backa.audit.log import Action as LogAction, log_access_many
from backa.children.access import ChildNotFound, get_child_for_request, visible_entry_scope
from backa.concerns import secrecy
from backa.concerns.compass import area_label
from backa.concerns.models import Assessment, Concern, Notification
from backa.operations import idempotency
from backa.roles.models import RoleAssignment, RoleKind

from . import forms, services
from .models import Action, Decision, FollowUp, Meeting, Plan, PlanStatus, PlanVersion
from .queries import CATEGORIES, active_plan, chronology_with_hidden, due_reviews


def _object(queryset, gated_child, object_id, object_type, **filters):
    obj = queryset.filter(pk=object_id, **filters).first() if object_id else None
    if obj is None:
        raise ChildNotFound(gated_child.pk, object_type=object_type, object_id=object_id)
    return obj


def _plan(child, plan_id):
    return _object(Plan.objects.select_related("organisation", "coordinator__user", "child"), child, plan_id, "plan",
                   child=child)


@login_required
def plan_page(request, child_id):
    child = get_child_for_request(request, child_id, object_type="plan")
    plan = active_plan(child)
    past = list(Plan.objects.filter(child=child).exclude(status=PlanStatus.ACTIVE).order_by("-ended_on"))
    context = {"child": child, "plan": plan, "past_plans": past}
    if plan is not None:
        context.update(
            goals=list(plan.goals.all()),
            actions=list(plan.actions.select_related("owner", "owner_organisation", "goal")),
            versions=list(PlanVersion.objects.filter(plan=plan).select_related("created_by")[:20]),
            follow_ups=list(FollowUp.objects.filter(plan=plan)),
            overdue=plan.review_date < timezone.localdate(),
            action_statuses=Action.Status.choices,
        )
    return render(request, "plans/plan.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def new_plan(request, child_id):
    child = get_child_for_request(request, child_id, object_type="plan")
    existing = active_plan(child)
    # A start-plan form sent again after it was saved lands here, on the saved plan.
    if existing is not None:
        messages.info(request, _("This child already has an active plan. Open it and change it instead."))
        return redirect("plans:plan", child_id=child.id)
    concern_id = request.GET.get("oro") or request.POST.get("concern_id")
    concern = Concern.objects.filter(child=child, pk=concern_id).first() if _is_uuid(concern_id) else None
    form = forms.PlanForm(request.POST or None, municipality=child.municipality)
    if request.method == "POST" and form.is_valid():
        try:
            idempotency.run_once(
                user=request.user, scope="plan.create", key=idempotency.form_key(request),
                payload_fingerprint=idempotency.fingerprint_post(request), object_type="plan",
                create=lambda: services.do_create_plan(acting_user=request.user, child=child, concern=concern,
                                                       request=request, **form.plan_values()))
        except ValidationError as error:
            form.apply_service_errors(error)
        except idempotency.IdempotencyMismatch:
            return idempotency.form_sent_before(request)
        else:
            messages.success(request, _("The plan is saved."))
            return redirect("plans:plan", child_id=child.id)
    return render(request, "plans/plan_form.html", {"child": child, "form": form, "concern": concern})


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
    child = get_child_for_request(request, child_id, object_type="plan", object_id=plan_id)
    plan = _plan(child, plan_id)
    conflict = None
    form = forms.PlanForm(request.POST or None, municipality=child.municipality,
                          initial=forms.PlanForm.initial_from(plan))
    if request.method == "POST" and form.is_valid():
        based_on = form.cleaned_data.get("version") or 0
        try:
            services.do_update_plan(acting_user=request.user, plan=plan, based_on_version=based_on, request=request,
                                    **form.plan_values())
        except services.PlanConflict as exc:
            conflict = exc
            # Keep what this person typed; the next save is based on the version they have now seen.
            data = request.POST.copy()
            data["version"] = exc.plan.version
            form = forms.PlanForm(data, municipality=child.municipality)
            form.is_valid()
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("The plan is saved as a new version."))
            return redirect("plans:plan", child_id=child.id)
    return render(request, "plans/plan_form.html", {"child": child, "form": form, "plan": plan, "conflict": conflict})


@login_required
@require_http_methods(["GET", "POST"])
def add_goal(request, child_id, plan_id):
    child = get_child_for_request(request, child_id, object_type="plan", object_id=plan_id)
    plan = _plan(child, plan_id)
    form = forms.GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_add_goal(acting_user=request.user, plan=plan, request=request, **form.cleaned_data)
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("The goal is added."))
            return redirect("plans:plan", child_id=child.id)
    return render(request, "plans/simple_form.html", {"child": child, "form": form, "title": _("Add a goal"),
                                                      "button": _("Add the goal")})


@login_required
@require_http_methods(["GET", "POST"])
def add_action(request, child_id, plan_id):
    child = get_child_for_request(request, child_id, object_type="plan", object_id=plan_id)
    plan = _plan(child, plan_id)
    decision = None
    decision_id = request.GET.get("beslut") or request.POST.get("decision_id")
    if _is_uuid(decision_id):
        decision = Decision.objects.filter(pk=decision_id, meeting__child=child).first()
    initial = {"description": decision.text} if decision else {}
    form = forms.ActionForm(request.POST or None, plan=plan, municipality=child.municipality, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if decision is not None:
                services.do_decision_to_action(acting_user=request.user, decision=decision, plan=plan,
                                               request=request, **form.action_values())
            else:
                services.do_add_action(acting_user=request.user, plan=plan, request=request, **form.action_values())
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("The action is added to the plan."))
            return redirect("plans:plan", child_id=child.id)
    return render(request, "plans/simple_form.html", {
        "child": child, "form": form, "title": _("Add an action"), "button": _("Add the action"),
        "hidden": {"decision_id": decision.id} if decision else {},
    })


@login_required
@require_http_methods(["GET", "POST"])
def end_plan(request, child_id, plan_id):
    child = get_child_for_request(request, child_id, object_type="plan", object_id=plan_id)
    plan = _plan(child, plan_id)
    form = forms.EndPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_end_plan(acting_user=request.user, plan=plan, request=request, **form.cleaned_data)
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("The plan is closed."))
            return redirect("plans:plan", child_id=child.id)
    return render(request, "plans/simple_form.html", {"child": child, "form": form,
                                                      "title": _("Close or hand over the plan"), "button": _("Save")})


@login_required
@require_http_methods(["GET", "POST"])
def follow_up(request, child_id, plan_id):
    child = get_child_for_request(request, child_id, object_type="follow_up", object_id=plan_id)
    plan = _plan(child, plan_id)
    goals = list(plan.goals.filter(status="open"))
    scope = visible_entry_scope(request, child)
    assessments = list(Assessment.objects.filter(secrecy.entries_q(scope, secrecy.ASSESSMENTS), child=child)
                       .order_by("-assessed_on")[:5])
    form = forms.FollowUpForm(request.POST or None, goals=goals, assessments=assessments)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.do_follow_up(
                acting_user=request.user, plan=plan, held_on=data["held_on"], outcome=data["outcome"],
                progress=form.progress(), summary=data["summary"], child_view=data["child_view"],
                next_review_date=data["next_review_date"], assessment=form.assessment_map.get(data["assessment"] or ""),
                request=request,
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("The follow-up is recorded."))
            return redirect("plans:plan", child_id=child.id)
    return render(request, "plans/follow_up_form.html", {"child": child, "plan": plan, "form": form})


@login_required
def plan_version(request, child_id, plan_id, number):
    """One saved version of the plan, as it was."""
    child = get_child_for_request(request, child_id, object_type="plan_version", object_id=plan_id)
    plan = _plan(child, plan_id)
    version = PlanVersion.objects.filter(plan=plan, number=number).select_related("created_by").first()
    if version is None:
        raise ChildNotFound(child.pk, object_type="plan_version", object_id=plan_id)
    previous = PlanVersion.objects.filter(plan=plan, number=number - 1).first()
    changes = services.diff_snapshots(previous.snapshot, version.snapshot) if previous else []
    snap = version.snapshot
    needs = [(area_label(code), text) for code, text in snap.get("needs", {}).items()]
    return render(request, "plans/plan_version.html", {
        "child": child, "plan": plan, "version": version, "snap": snap, "needs": needs, "changes": changes,
    })


@login_required
def child_version(request, child_id, plan_id):
    """The plan in plain Swedish for the child and family."""
    child = get_child_for_request(request, child_id, object_type="plan", object_id=plan_id, action=LogAction.PRINT)
    plan = _plan(child, plan_id)
    return render(request, "plans/child_version.html", {
        "child": child, "plan": plan, "goals": list(plan.goals.all()),
        "actions": list(plan.actions.select_related("owner", "owner_organisation")),
    })


@login_required
@require_http_methods(["POST"])
def action_status(request, child_id, plan_id, action_id):
    child = get_child_for_request(request, child_id, action=LogAction.UPDATE, object_type="plan", object_id=plan_id)
    plan = _plan(child, plan_id)
    action = _object(Action.objects.select_related("plan"), child, action_id, "action", plan=plan)
    try:
        services.do_set_action_status(acting_user=request.user, action=action, status=request.POST.get("status", ""),
                                      request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The action's status is changed."))
    return redirect("plans:plan", child_id=child.id)


# -- team ---------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def team(request, child_id):
    child = get_child_for_request(request, child_id, object_type="team")
    plan = active_plan(child)
    member_form = forms.TeamMemberForm(request.POST if request.POST.get("do") == "add" else None,
                                       municipality=child.municipality, prefix="member")
    coordinator_form = forms.CoordinatorForm(request.POST if request.POST.get("do") == "coordinator" else None,
                                             municipality=child.municipality, prefix="coord")
    if request.method == "POST":
        action = request.POST.get("do")
        try:
            if action == "add" and member_form.is_valid():
                services.do_add_team_member(acting_user=request.user, child=child, request=request,
                                            **member_form.cleaned_data)
                messages.success(request, _("The member is added and can now see the child."))
                return redirect("plans:team", child_id=child.id)
            if action == "coordinator" and coordinator_form.is_valid():
                if plan is None:
                    raise ValidationError({"coordinator": _("Start the plan before appointing a stödsamordnare.")})
                services.do_appoint_coordinator(acting_user=request.user, plan=plan, request=request,
                                                position=coordinator_form.cleaned_data["coordinator"])
                messages.success(request, _("The stödsamordnare is appointed."))
                return redirect("plans:team", child_id=child.id)
            if action == "leave":
                assignment = _object(RoleAssignment.objects.select_related("position"), child,
                                     request.POST.get("assignment") if _is_uuid(request.POST.get("assignment")) else None,
                                     "role_assignment", child=child,
                                     kind__in=(RoleKind.TEAM_MEMBER, RoleKind.STODSAMORDNARE))
                services.do_leave_team(acting_user=request.user, assignment=assignment, request=request)
                messages.success(request, _("The role has ended. The person no longer sees the child."))
                return redirect("plans:team", child_id=child.id)
        except ValidationError as error:
            (coordinator_form if action == "coordinator" else member_form).apply_service_errors(error)
    return render(request, "plans/team.html", {
        "child": child, "plan": plan, "members": services.active_team(child), "member_form": member_form,
        "coordinator_form": coordinator_form,
    })


# -- meetings -----------------------------------------------------------------------------------

@login_required
def meetings(request, child_id):
    child = get_child_for_request(request, child_id, object_type="meeting")
    items = list(Meeting.objects.filter(child=child).prefetch_related("participants"))
    return render(request, "plans/meetings.html", {"child": child, "meetings": items})


@login_required
@require_http_methods(["GET", "POST"])
def new_meeting(request, child_id):
    child = get_child_for_request(request, child_id, object_type="meeting")
    team_members = services.active_team(child)
    guardians = [c.guardian for c in child.custodies.select_related("guardian") if c.has_custody]
    form = forms.MeetingForm(request.POST or None, team=team_members, guardians=guardians)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.do_schedule_meeting(
                acting_user=request.user, child=child, plan=active_plan(child), starts_at=data["starts_at"],
                place=data["place"], agenda=data["agenda"],
                professionals=list({uid: form.users[uid] for uid in data["professionals"]}.values()),
                invite_child=data["invite_child"], guardians=[form.guardian_map[g] for g in data["guardians"]],
                others=data["others"].splitlines(), request=request,
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("The meeting is planned and the participants are invited."))
            return redirect("plans:meeting", child_id=child.id, meeting_id=meeting.id)
    return render(request, "plans/simple_form.html", {"child": child, "form": form,
                                                      "title": _("Plan a meeting of barnets team"),
                                                      "button": _("Plan the meeting")})


@login_required
@require_http_methods(["GET", "POST"])
def meeting(request, child_id, meeting_id):
    child = get_child_for_request(request, child_id, object_type="meeting", object_id=meeting_id)
    item = _object(Meeting.objects.select_related("plan"), child, meeting_id, "meeting", child=child)
    participants = list(item.participants.all())
    # The meeting is the team's; its agenda and minutes belong to the organisation that wrote them.
    record_visible = visible_entry_scope(request, child).allows(item.organisation_id, secrecy.MEETING_MINUTES)
    # Writing minutes over a record one may not read would overwrite it unseen (and take it over).
    can_record = record_visible or not (item.agenda or item.minutes)
    form = None
    if can_record:
        initial = {"minutes": item.minutes if record_visible else "", "child_heard": item.child_heard,
                   "child_heard_how": item.child_heard_how, "attended": [str(p.id) for p in participants if p.attended]}
        form = forms.MinutesForm(request.POST or None, participants=participants, initial=initial)
    elif request.method == "POST":
        raise ChildNotFound(child.pk, action=LogAction.UPDATE, object_type="meeting", object_id=item.id)
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.do_record_meeting(acting_user=request.user, meeting=item, minutes=data["minutes"],
                                       child_heard=data["child_heard"], child_heard_how=data["child_heard_how"],
                                       attended_ids=data["attended"], decisions=data["decisions"].splitlines(),
                                       request=request)
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("The minutes are saved."))
            return redirect("plans:meeting", child_id=child.id, meeting_id=item.id)
    decisions = list(item.decisions.all())
    made = set(Action.objects.filter(from_decision__in=decisions).values_list("from_decision_id", flat=True))
    for d in decisions:
        d.has_action = d.id in made
    return render(request, "plans/meeting.html", {"child": child, "meeting": item, "participants": participants,
                                                  "form": form, "decisions": decisions,
                                                  "plan": item.plan or active_plan(child),
                                                  "record_visible": record_visible,
                                                  "hidden": not record_visible and bool(item.agenda or item.minutes)})


# -- chronology ---------------------------------------------------------------------------------

def _date_param(value):
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def chronology_page(request, child_id):
    child = get_child_for_request(request, child_id, object_type="chronology")
    form = forms.ChronologyEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_add_chronology_entry(acting_user=request.user, child=child, request=request, **form.cleaned_data)
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("The event is added to the chronology."))
            return redirect("plans:chronology", child_id=child.id)
    chosen = [c for c in request.GET.getlist("kategori") if c in CATEGORIES]
    since, until = _date_param(request.GET.get("fran")), _date_param(request.GET.get("till"))
    events, hidden = chronology_with_hidden(child, scope=visible_entry_scope(request, child), categories=chosen,
                                            since=since, until=until)
    return render(request, "plans/chronology.html", {
        "child": child, "events": events, "categories": CATEGORIES.items(), "chosen": chosen,
        "since": since, "until": until, "form": form, "hidden": hidden,
    })


# -- start page ---------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def start(request):
    """Due and overdue reviews for the barnkontakt and stödsamordnare, and new notifications."""
    if request.method == "POST" and request.POST.get("do") == "read":
        from backa.concerns.services import do_mark_notifications_read

        do_mark_notifications_read(acting_user=request.user)
        return redirect("plans:start")
    reviews = due_reviews(request.user)
    notes = list(Notification.objects.filter(recipient=request.user, read_at__isnull=True)
                 .select_related("child").order_by("-created_at")[:50])
    log_access_many(request=request, action=LogAction.LIST, children=[p.child for p in reviews], purpose="due_reviews",
                    object_type="plan")
    log_access_many(request=request, action=LogAction.LIST, children=[n.child for n in notes], purpose="notifications",
                    object_type="notification")
    return render(request, "plans/start.html", {"reviews": reviews, "notifications": notes,
                                                "today": timezone.localdate()})
