"""The barnkontakt's start page and handover tasks."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backa.access.objects import NotFound, is_district_admin, reachable_object
from backa.audit.context import Acting
from backa.audit.log import Action, log_access, log_access_many
from backa.audit.vocabulary import ObjectType, Purpose
from backa.casefile.network import active_network
from backa.children.lifephase import LifePhase, life_phase
from backa.front import worklist
from backa.organisations.models import legal_citation
from backa.roles.forms import CompleteHandoverForm, PrepareHandoverForm
from backa.roles.models import Handover, HandoverItem, HandoverStatus, SharingBasis
from backa.roles.services import do_accept_handover, do_close_handover, do_prepare_handover
from backa.roles.transitions import next_transition

PAGE_SIZE = 100


def _my_tasks(user):
    today = timezone.localdate()
    mine = Handover.objects.filter(status=HandoverStatus.PENDING).select_related(
        "child", "from_position__user", "from_position__unit", "to_position__user", "to_position__unit"
    )
    outgoing = [
        h
        for h in mine.filter(from_position__user=user).order_by("target_date", "id")
        if h.from_position.is_active_on(today)
    ]
    incoming = [
        h
        for h in mine.filter(to_position__user=user).order_by("target_date", "id")
        if h.to_position.is_active_on(today)
    ]
    return outgoing, incoming


@login_required
def barnkontakt_start(request):
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
    log_access_many(request=request, action=Action.LIST, children=children, purpose=Purpose.BARNKONTAKT_START)
    outgoing, incoming = _my_tasks(request.user)
    return render(
        request,
        "front/barnkontakt.html",
        {
            "children": children,
            "limit": PAGE_SIZE,
            "outgoing": outgoing,
            "incoming": incoming,
            "summary": totals,
            "is_district_admin": is_district_admin(request),
            "due_soon_days": worklist.DUE_SOON_DAYS,
        },
    )


@login_required
def handover_list(request):
    outgoing, incoming = _my_tasks(request.user)
    # Only ids in the log: a handover names the child, so each row shown is a read of that child.
    with_child = [h.child for h in outgoing + incoming]
    log_access_many(
        request=request,
        action=Action.LIST,
        children=with_child,
        purpose=Purpose.HANDOVER_TASKS,
        object_type=ObjectType.HANDOVER,
    )
    return render(
        request, "front/handover_list.html", {"outgoing": outgoing, "incoming": incoming, "today": timezone.localdate()}
    )


def _get_handover_for_request(request, handover_id):
    """A handover its sender or receiver (in an active position) may open; otherwise a logged 404.

    The receiver has no role for the child yet, so the access gate would refuse them; they see
    only what the handover page shows (name, birth date, life phase, units), logged as a read."""
    today = timezone.localdate()
    handover = reachable_object(
        Handover.objects.select_related(
            "child",
            "from_position__user",
            "from_position__unit",
            "to_position__user",
            "to_position__unit",
            "completed_by",
        ).filter(Q(from_position__user=request.user) | Q(to_position__user=request.user)),
        handover_id,
        ObjectType.HANDOVER,
    )
    as_sender = handover.from_position.user_id == request.user.pk and handover.from_position.is_active_on(today)
    as_receiver = (
        handover.to_position is not None
        and handover.to_position.user_id == request.user.pk
        and handover.to_position.is_active_on(today)
    )
    if not (as_sender or as_receiver):
        raise NotFound(object_type=ObjectType.HANDOVER, object_id=str(handover_id))
    log_access(
        request=request,
        action=Action.VIEW,
        child=handover.child,
        object_type=ObjectType.HANDOVER,
        object_id=handover.id,
        purpose=Purpose.HANDOVER_SENDER if as_sender else Purpose.HANDOVER_RECEIVER,
    )
    return handover, as_sender, as_receiver


def _passed_on_network(request, handover, as_sender):
    """The child's network, when the handover passes it on (HandoverItem.NETWORK): the receiver
    sees the people themselves, not a ticked box. Shown to the sender and the receiver; one
    row in the access log for reading it."""
    if HandoverItem.NETWORK not in handover.items or handover.basis not in (
        SharingBasis.CONSENT,
        SharingBasis.LEGAL_BASIS,
    ):
        return None
    members = active_network(handover.child)
    log_access(
        request=request,
        action=Action.VIEW,
        child=handover.child,
        object_type=ObjectType.NETWORK,
        object_id=handover.child_id,
        purpose=Purpose.HANDOVER_SENDER if as_sender else Purpose.HANDOVER_RECEIVER,
    )
    return members


@login_required
@require_http_methods(["GET", "POST"])
def handover_detail(request, handover_id):
    handover, as_sender, as_receiver = _get_handover_for_request(request, handover_id)
    pending = handover.status == HandoverStatus.PENDING
    prepare_form = PrepareHandoverForm(
        initial={
            "basis": handover.basis or "contact_only",
            "items": handover.items,
            "consent_reference": handover.consent_reference,
            "legal_basis": handover.legal_basis,
        }
    )
    complete_form = CompleteHandoverForm()
    error = None
    if request.method == "POST" and pending:
        action = request.POST.get("action")
        try:
            if action == "prepare" and as_sender:
                prepare_form = PrepareHandoverForm(request.POST)
                if prepare_form.is_valid():
                    do_prepare_handover(acting_user=Acting.of(request), handover=handover, **prepare_form.cleaned_data)
                    messages.success(request, _("What is passed on, and why, is recorded."))
                    return redirect("front:handover", handover_id=handover.id)
            elif action in ("accept", "close"):
                complete_form = CompleteHandoverForm(request.POST)
                if complete_form.is_valid():
                    how = complete_form.cleaned_data["family_informed_how"]
                    if action == "accept" and as_receiver:
                        accepted = do_accept_handover(
                            acting_user=Acting.of(request), handover=handover, family_informed_how=how
                        )
                        if accepted.to_assignment.valid_from > timezone.localdate():
                            messages.success(
                                request,
                                _("You become the child's barnkontakt on %(day)s.")
                                % {"day": accepted.to_assignment.valid_from.isoformat()},
                            )
                            return redirect("front:handovers")
                        messages.success(request, _("You are now the child's barnkontakt."))
                        return redirect("casefile:overview", child_id=handover.child_id)
                    if action == "close" and as_sender and handover.to_position is None:
                        do_close_handover(acting_user=Acting.of(request), handover=handover, family_informed_how=how)
                        messages.success(request, _("The handover is closed and your barnkontakt role has ended."))
                        return redirect("front:handovers")
                    raise PermissionDenied
            else:
                raise PermissionDenied
        except ValidationError as exc:
            error = " ".join(exc.messages)
    return render(
        request,
        "front/handover_detail.html",
        {
            "network": _passed_on_network(request, handover, as_sender),
            "handover": handover,
            "child": handover.child,
            "as_sender": as_sender,
            "as_receiver": as_receiver,
            "pending": pending,
            "prepare_form": prepare_form,
            "complete_form": complete_form,
            "error": error,
            "phase": LifePhase(life_phase(handover.child.birth_date, timezone.localdate())).label,
            # The provision as the legal-reference table cites it (a lawyer corrects it there).
            "legal_citation": legal_citation(handover.legal_basis, handover.get_legal_basis_display())
            if handover.legal_basis
            else "",
        },
    )
