"""Barnets team meetings: invitations, minutes, whether the child was heard, decisions."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backa.audit.context import as_acting
from backa.audit.log import Action as LogAction
from backa.audit.vocabulary import ObjectType, Purpose
from backa.casefile.common import _log, writing_activity_id, writing_organisation_id
from backa.casefile.interpreters import interpreter_need, validate_interpreter
from backa.casefile.models import Action, ChildHeard, Decision, Meeting, Notification, Participant, Plan
from backa.casefile.notify import notify
from backa.casefile.plan import do_add_action


def _invite(meeting: Meeting, kind: str, *, exclude=None) -> None:
    """Tell the invited professionals (start page and e-mail with a calendar invitation).
    The payload is the meeting's id, times and sequence: nothing about the child."""
    ends_at = meeting.starts_at + timedelta(minutes=meeting.duration_minutes)
    payload = {
        "uid": f"meeting-{meeting.id}",
        "sequence": meeting.sequence,
        "starts_at": meeting.starts_at.isoformat(),
        "ends_at": ends_at.isoformat(),
        "method": "CANCEL" if kind == Notification.Kind.MEETING_CANCELLED else "REQUEST",
    }
    users = [
        p.user_id
        for p in meeting.participants.all()
        if p.kind == Participant.Kind.PROFESSIONAL and p.user_id and p.user_id != exclude
    ]
    notify(recipients=users, child=meeting.child, kind=kind, object_id=meeting.id, payload=payload)


# -- meetings -----------------------------------------------------------------------------------


def do_schedule_meeting(
    *,
    acting_user,
    child,
    starts_at: datetime,
    plan: Plan | None = None,
    place: str = "",
    agenda: str = "",
    professionals: Sequence = (),
    invite_child: bool = True,
    guardians: Sequence = (),
    others: Sequence[str] = (),
    network_members: Sequence = (),
    interpreter_language: str = "",
    interpreter_booked: bool = False,
    interpreter_needed: bool | None = None,
    position=None,
) -> Meeting:
    """Invite barnets team, the child and guardians to a meeting, and trusted adults from the
    child's network (`network_members`, casefile.network) as participants of their own kind.

    Whether an interpreter is needed comes from the family's languages (casefile.interpreters)
    unless the planner says so; the booking is recorded with its language."""
    acting = as_acting(acting_user)
    acting_user = acting.user
    errors = {}
    if not starts_at:
        errors["starts_at"] = _("Give the date and time.")
    if plan is not None and plan.child_id != child.pk:
        errors["plan"] = _("The plan belongs to another child.")
    if not professionals and not invite_child and not guardians and not network_members:
        errors["professionals"] = _("Invite at least one participant.")
    if any(m.child_id != child.pk or m.ended_on for m in network_members):
        errors["network_members"] = _("The person is not in this child's network.")
    validate_interpreter(
        interpreter_language=interpreter_language, interpreter_booked=interpreter_booked, errors=errors
    )
    if interpreter_needed is None:
        interpreter_needed = interpreter_need(child)[0]
    if errors:
        raise ValidationError(errors)
    professionals = list({u.pk: u for u in professionals}.values())  # each person invited once
    with transaction.atomic():
        meeting = Meeting.objects.create(
            child=child,
            municipality_id=child.municipality_id,
            plan=plan,
            starts_at=starts_at,
            place=place.strip(),
            agenda=agenda.strip(),
            interpreter_needed=bool(interpreter_needed or interpreter_booked),
            interpreter_language=interpreter_language if interpreter_booked else "",
            interpreter_booked=interpreter_booked,
            created_by=acting_user,
            organisation_id=writing_organisation_id(acting, position),
            activity_id=writing_activity_id(acting, position),
        )
        rows = [
            Participant(
                meeting=meeting, kind=Participant.Kind.PROFESSIONAL, user=u, name=u.get_full_name() or u.username
            )
            for u in professionals
        ]
        if invite_child:
            rows.append(Participant(meeting=meeting, kind=Participant.Kind.CHILD, name=child.given_name))
        rows += [Participant(meeting=meeting, kind=Participant.Kind.GUARDIAN, name=g.full_name) for g in guardians]
        rows += [
            Participant(meeting=meeting, kind=Participant.Kind.NETWORK, name=m.name, network_member=m)
            for m in network_members
        ]
        rows += [Participant(meeting=meeting, kind=Participant.Kind.OTHER, name=n.strip()) for n in others if n.strip()]
        Participant.objects.bulk_create(rows)
        _log(acting, child, LogAction.CREATE, ObjectType.MEETING, meeting.id)
        _invite(meeting, Notification.Kind.MEETING_INVITATION, exclude=acting_user.pk)
    return meeting


def do_reschedule_meeting(*, acting_user, meeting: Meeting, starts_at: datetime) -> Meeting:
    """Move a planned meeting: the invited get an updated invitation (same UID, higher SEQUENCE)."""
    acting = as_acting(acting_user)
    if not starts_at:
        raise ValidationError({"starts_at": _("Give the date and time.")})
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().select_related("child").get(pk=meeting.pk)
        if locked.status != Meeting.Status.PLANNED:
            raise ValidationError({"__all__": _("Only a planned meeting can be moved.")})
        locked.starts_at, locked.sequence = starts_at, locked.sequence + 1
        locked.save(update_fields=["starts_at", "sequence"])
        _log(acting, locked.child, LogAction.UPDATE, ObjectType.MEETING, locked.id)
        _invite(locked, Notification.Kind.MEETING_UPDATED, exclude=acting.user.pk)
    return locked


def do_cancel_meeting(*, acting_user, meeting: Meeting) -> Meeting:
    """Cancel a planned meeting: the invited get a cancellation (same UID, higher SEQUENCE)."""
    acting = as_acting(acting_user)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().select_related("child").get(pk=meeting.pk)
        if locked.status != Meeting.Status.PLANNED:
            raise ValidationError({"__all__": _("Only a planned meeting can be cancelled.")})
        locked.status, locked.sequence = Meeting.Status.CANCELLED, locked.sequence + 1
        locked.save(update_fields=["status", "sequence"])
        _log(acting, locked.child, LogAction.UPDATE, ObjectType.MEETING, locked.id)
        _invite(locked, Notification.Kind.MEETING_CANCELLED, exclude=acting.user.pk)
    return locked


def do_record_meeting(
    *,
    acting_user,
    meeting: Meeting,
    minutes: str,
    child_heard: str,
    child_heard_how: str = "",
    attended_ids: Sequence = (),
    decisions: Sequence[str | dict] = (),
    position=None,
) -> Meeting:
    """Record a held meeting: minutes, who attended, decisions, and always whether and how
    the child was heard (or why not)."""
    acting = as_acting(acting_user)
    errors = {}
    if child_heard not in ChildHeard.values:
        errors["child_heard"] = _("Record whether the child took part, was heard another way, or was not heard.")
    elif child_heard != ChildHeard.TOOK_PART and not child_heard_how.strip():
        errors["child_heard_how"] = (
            _("Say how the child was heard.")
            if child_heard == ChildHeard.OTHER_WAY
            else _("Say why the child was not heard.")
        )
    if meeting.status == Meeting.Status.CANCELLED:
        errors["__all__"] = _("The meeting was cancelled.")
    elif meeting.starts_at > timezone.now():
        errors["__all__"] = _("The meeting has not started yet: it can be recorded as held once it has begun.")
    rows: list[dict[str, Any]] = [{"text": d} if isinstance(d, str) else dict(d) for d in decisions]
    rows = [d for d in rows if (d.get("text") or "").strip()]
    for d in rows:
        if d.get("starts_on") and d.get("due_on") and d["due_on"] < d["starts_on"]:
            errors["decisions"] = _("A decision cannot end before it starts.")
        if d.get("owner") is not None and d.get("owner_organisation") is None:
            errors["decisions"] = _("Give the organisation of the person responsible for a decision.")
    if errors:
        raise ValidationError(errors)
    attended = {str(i) for i in attended_ids}
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        locked.minutes, locked.child_heard, locked.child_heard_how = (
            minutes.strip(),
            child_heard,
            child_heard_how.strip(),
        )
        locked.status = Meeting.Status.HELD
        # Whoever writes the minutes owns the meeting's record (agenda and minutes) from now on.
        locked.organisation_id = writing_organisation_id(acting, position)
        locked.activity_id = writing_activity_id(acting, position)
        locked.save()
        for participant in locked.participants.all():
            participant.attended = str(participant.id) in attended
            participant.save(update_fields=["attended"])
        Decision.objects.bulk_create(
            Decision(
                meeting=locked,
                text=d["text"].strip(),
                owner=d.get("owner"),
                owner_organisation=d.get("owner_organisation"),
                starts_on=d.get("starts_on"),
                due_on=d.get("due_on"),
            )
            for d in rows
        )
        _log(acting, meeting.child, LogAction.UPDATE, ObjectType.MEETING, meeting.id, Purpose.MINUTES)
    return locked


def do_decision_to_action(
    *, acting_user, decision: Decision, owner_organisation, owner, plan: Plan | None = None, **fields
) -> Action:
    """Turn a meeting decision into a plan action in one step."""
    acting = as_acting(acting_user)
    plan = plan or decision.meeting.plan
    if plan is None:
        raise ValidationError({"__all__": _("The meeting is not linked to a plan. Start the plan first.")})
    if hasattr(decision, "action") and Action.objects.filter(from_decision=decision).exists():
        raise ValidationError({"__all__": _("This decision is already a plan action.")})
    # What the meeting decided (organisation, owner, dates) is the action's unless changed here.
    for name in ("starts_on", "due_on"):
        if fields.get(name) is None and getattr(decision, name) is not None:
            fields[name] = getattr(decision, name)
    return do_add_action(
        acting_user=acting,
        plan=plan,
        description=fields.pop("description", decision.text),
        owner_organisation=owner_organisation or decision.owner_organisation,
        owner=owner or decision.owner,
        from_decision=decision,
        **fields,
    )
