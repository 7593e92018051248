"""Barnets team meetings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backa.access.gate import ChildNotFound, get_child_for_request, visible_entry_scope
from backa.access.objects import child_object
from backa.audit.context import Acting
from backa.audit.log import Action as LogAction
from backa.audit.vocabulary import ObjectType
from backa.casefile import forms, secrecy
from backa.casefile.interpreters import interpreter_notice
from backa.casefile.languages import INTERPRETER_WARNING
from backa.casefile.meetings import do_cancel_meeting, do_record_meeting, do_reschedule_meeting, do_schedule_meeting
from backa.casefile.models import Action, Meeting
from backa.casefile.network import active_network
from backa.casefile.plan import active_plan
from backa.casefile.team import active_team
from backa.lib.pdf import render_pdf_ua

# -- meetings -----------------------------------------------------------------------------------


@login_required
def meetings(request, child_id):
    child = get_child_for_request(request, child_id, object_type=ObjectType.MEETING)
    items = secrecy.mask_all(
        list(Meeting.objects.filter(child=child).prefetch_related("participants")), visible_entry_scope(request, child)
    )
    for m in items:  # invitation and attendance are counted apart
        setattr(m, "attended_count", sum(1 for p in m.participants.all() if p.attended))  # noqa: B010
    return render(request, "casefile/meetings.html", {"child": child, "meetings": items})


@login_required
@require_http_methods(["GET", "POST"])
def new_meeting(request, child_id):
    child = get_child_for_request(request, child_id, object_type=ObjectType.MEETING)
    team_members = active_team(child)
    guardians = [c.guardian for c in child.custodies.select_related("guardian") if c.has_custody]
    form = forms.MeetingForm(
        request.POST or None, team=team_members, guardians=guardians, network=active_network(child)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = do_schedule_meeting(
                acting_user=Acting.of(request),
                child=child,
                plan=active_plan(child),
                starts_at=data["starts_at"],
                place=data["place"],
                agenda=data["agenda"],
                professionals=list({uid: form.users[uid] for uid in data["professionals"]}.values()),
                invite_child=data["invite_child"],
                guardians=[form.guardian_map[g] for g in data["guardians"]],
                others=data["others"].splitlines(),
                network_members=[form.network_map[m] for m in data["network_members"]],
                interpreter_booked=data["interpreter_booked"],
                interpreter_language=data["interpreter_language"],
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("The meeting is planned and the participants are invited."))
            return redirect("casefile:meeting", child_id=child.id, meeting_id=meeting.id)
    return render(
        request,
        "casefile/simple_form.html",
        {
            "child": child,
            "form": form,
            "title": _("Plan a meeting of barnets team"),
            "button": _("Plan the meeting"),
            "interpreter": interpreter_notice(child),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting(request, child_id, meeting_id):
    child = get_child_for_request(request, child_id, object_type=ObjectType.MEETING, object_id=meeting_id)
    item = child_object(Meeting.objects.select_related("plan"), child, meeting_id, ObjectType.MEETING, child=child)
    participants = list(item.participants.select_related("user"))
    # The meeting is the team's; its agenda, minutes and how the child was heard belong to the
    # activity that wrote them.
    scope = visible_entry_scope(request, child)
    record_visible = secrecy.visible(scope, item)
    # Writing minutes over a record one may not read would overwrite it unseen (and take it over).
    can_record = record_visible or not (item.agenda or item.minutes)
    form = None
    if can_record:
        initial = {
            "minutes": item.minutes if record_visible else "",
            "child_heard": item.child_heard,
            "child_heard_how": item.child_heard_how if record_visible else "",
            "attended": [str(p.id) for p in participants if p.attended],
        }
        form = forms.MinutesForm(
            request.POST or None, participants=participants, initial=initial, municipality=child.municipality
        )
    elif request.method == "POST":
        raise ChildNotFound(child.pk, action=LogAction.UPDATE, object_type=ObjectType.MEETING, object_id=item.id)
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            do_record_meeting(
                acting_user=Acting.of(request),
                meeting=item,
                minutes=data["minutes"],
                child_heard=data["child_heard"],
                child_heard_how=data["child_heard_how"],
                attended_ids=data["attended"],
                decisions=form.decision_rows(),
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("The minutes are saved."))
            return redirect("casefile:meeting", child_id=child.id, meeting_id=item.id)
    decisions = list(item.decisions.select_related("owner", "owner_organisation"))
    made = set(Action.objects.filter(from_decision__in=decisions).values_list("from_decision_id", flat=True))
    for d in decisions:
        d.has_action = d.id in made
        if not record_visible:
            d.text = str(secrecy.HIDDEN_NOTICE)  # the decisions are the minutes' writer's too
    secrecy.mask(item, scope)
    return render(
        request,
        "casefile/meeting.html",
        {
            "child": child,
            "meeting": item,
            "participants": participants,
            "form": form,
            "decisions": decisions,
            "plan": item.plan or active_plan(child),
            "record_visible": record_visible,
            "hidden": not record_visible and bool(item.agenda or item.minutes),
            "move_form": forms.MoveMeetingForm(initial={"starts_at": item.starts_at}),
            "cancel_form": forms.CancelMeetingForm(),
            "interpreter_warning": INTERPRETER_WARNING,
            # The family's own words (the family view): theirs, shown to everyone at the meeting.
            "family_views": list(item.family_views.select_related("guardian")),
        },
    )


def _meeting_for_update(request, child_id, meeting_id):
    child = get_child_for_request(
        request, child_id, action=LogAction.UPDATE, object_type=ObjectType.MEETING, object_id=meeting_id
    )
    return child, child_object(Meeting.objects.all(), child, meeting_id, ObjectType.MEETING, child=child)


@login_required
@require_POST
def move_meeting(request, child_id, meeting_id):
    """A new time: the invited get an updated calendar invitation."""
    child, item = _meeting_for_update(request, child_id, meeting_id)
    form = forms.MoveMeetingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the new date and time."))
    else:
        try:
            do_reschedule_meeting(
                acting_user=Acting.of(request), meeting=item, starts_at=form.cleaned_data["starts_at"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The meeting is moved and the invited are told."))
    return redirect("casefile:meeting", child_id=child.id, meeting_id=item.id)


@login_required
@require_POST
def cancel_meeting(request, child_id, meeting_id):
    """Cancel: the invited get a cancellation of the calendar invitation."""
    child, item = _meeting_for_update(request, child_id, meeting_id)
    form = forms.CancelMeetingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the box to cancel the meeting."))
    else:
        try:
            do_cancel_meeting(acting_user=Acting.of(request), meeting=item)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The meeting is cancelled and the invited are told."))
    return redirect("casefile:meeting", child_id=child.id, meeting_id=item.id)


@login_required
def meeting_letter(request, child_id, meeting_id):
    """The family's kallelse, a printable letter (PDF/UA); ?for=barn: the child's own
    invitation in plain Swedish."""
    child = get_child_for_request(
        request, child_id, action=LogAction.PRINT, object_type=ObjectType.MEETING, object_id=meeting_id
    )
    item = child_object(
        Meeting.objects.select_related("created_by"), child, meeting_id, ObjectType.MEETING, child=child
    )
    for_child = request.GET.get("for") == "barn"
    secrecy.mask(item, visible_entry_scope(request, child))
    context = {
        "child": child,
        "meeting": item,
        "for_child": for_child,
        "participants": [p for p in item.participants.all() if p.kind != "child"],
        "organiser": item.created_by,
    }
    name = "din-inbjudan" if for_child else "kallelse"
    return render_pdf_ua(
        request, "casefile/meeting_letter.html", context, filename=f"{name}-{item.id}-{item.sequence}.pdf"
    )
