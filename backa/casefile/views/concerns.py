"""Pages for noticing a concern; a concern is also open to the Upptäckare who registered it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backa.access.gate import ChildNotFound, get_child_for_request, visible_children, visible_entry_scope
from backa.access.lookups import find_child_for_concern
from backa.access.objects import NotFound
from backa.accounts.positions import current_position
from backa.audit.context import Acting
from backa.audit.log import Action, log_access
from backa.audit.vocabulary import ObjectType, Purpose
from backa.casefile import forms, secrecy
from backa.casefile.concerns import do_register_concern, do_set_concern_status
from backa.casefile.models import Concern, ConcernReport, Conversation
from backa.operations import idempotency


@login_required
def child_concerns(request, child_id):
    child = get_child_for_request(request, child_id, object_type=ObjectType.CONCERNS)
    scope = visible_entry_scope(request, child)
    concerns = secrecy.mask_all(
        list(Concern.objects.filter(child=child).select_related("reported_by").order_by("-observed_on")), scope
    )
    conversations, hidden = secrecy.split(
        list(Conversation.objects.filter(child=child).select_related("held_by").order_by("-held_on")),
        scope,
        secrecy.NOTES,
    )
    reports = secrecy.mask_all(
        list(ConcernReport.objects.filter(child=child).select_related("reported_by").order_by("-reported_at")), scope
    )
    return render(
        request,
        "casefile/child_concerns.html",
        {
            "child": child,
            "concerns": concerns,
            "conversations": conversations,
            "reports": reports,
            "hidden": hidden,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_concern(request, child_id):
    child = get_child_for_request(request, child_id, object_type=ObjectType.CONCERN)
    form = forms.ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            # A double click or a resubmitted page registers the concern once (the form's one-time token).
            once = idempotency.run_once(
                user=request.user,
                scope="concern.create",
                key=idempotency.form_key(request),
                payload_fingerprint=idempotency.fingerprint_post(request),
                object_type="concern",
                create=lambda: do_register_concern(
                    acting_user=Acting.of(request), child=child, position=current_position(request), **form.cleaned_data
                ),
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        except idempotency.IdempotencyMismatch:
            return idempotency.form_sent_before(request)
        else:
            messages.success(request, _("The concern is registered and the barnkontakt has been told."))
            return redirect("casefile:concern", concern_id=once.object_id)
    return render(request, "casefile/concern_form.html", {"child": child, "form": form})


def _find_child_for_upptackare(request, number):
    """A child this professional meets in their own work, found by exact number within the
    municipality of their active position (see backa.access.lookups.find_child_for_concern)."""
    position = current_position(request)
    if position is None:
        return None
    return find_child_for_concern(request.user, number, municipality_id=position.unit.organisation.municipality_id)


@login_required
@require_http_methods(["GET", "POST"])
def new_concern_by_number(request):
    form = forms.FindChildForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        child = _find_child_for_upptackare(request, data.pop("number"))
        if child is None:
            form.add_error(
                "number",
                _(
                    "No child with that number lives in the municipality. Check the number. If you "
                    "fear for the child, make a concern report to social services."
                ),
            )
        else:
            try:
                concern = do_register_concern(
                    acting_user=Acting.of(request), child=child, position=current_position(request), **data
                )
            except ValidationError as error:
                form.apply_service_errors(error)
            else:
                messages.success(request, _("The concern is registered and the barnkontakt has been told."))
                return redirect("casefile:concern", concern_id=concern.id)
    return render(request, "casefile/concern_form.html", {"child": None, "form": form})


def get_concern_for_request(request, concern_id):
    """The concern for its own Upptäckare, or through the gate for anyone with a role.
    Returns (concern, child_file_access)."""
    concern = Concern.objects.filter(pk=concern_id).select_related("child", "reported_by").first()
    if concern is not None and concern.reported_by_id == request.user.pk:
        if visible_children(request.user).filter(pk=concern.child_id).exists():
            get_child_for_request(request, concern.child_id, object_type=ObjectType.CONCERN, object_id=concern.id)
            return concern, True
        log_access(
            request=request,
            action=Action.VIEW,
            child=concern.child,
            object_type=ObjectType.CONCERN,
            object_id=concern.id,
            purpose=Purpose.UPPTACKARE,
        )
        return concern, False
    if concern is None:
        raise NotFound(object_type=ObjectType.CONCERN, object_id=str(concern_id))
    get_child_for_request(request, concern.child_id, object_type=ObjectType.CONCERN, object_id=concern.id)
    return concern, True


@login_required
@require_http_methods(["GET", "POST"])
def concern_detail(request, concern_id):
    concern, file_access = get_concern_for_request(request, concern_id)
    status_form = None
    if file_access:
        # Only those around the child move a concern on; the Upptäckare follows its status.
        status_form = forms.ConcernStatusForm(request.POST or None, initial={"status": concern.status})
        if request.method == "POST" and status_form.is_valid():
            try:
                do_set_concern_status(acting_user=Acting.of(request), concern=concern, **status_form.cleaned_data)
            except ValidationError as error:
                status_form.apply_service_errors(error)
            else:
                messages.success(request, _("The status is changed."))
                return redirect("casefile:concern", concern_id=concern.id)
    elif request.method == "POST":
        raise ChildNotFound(
            concern.child_id, action=Action.UPDATE, object_type=ObjectType.CONCERN, object_id=concern.id
        )
    reports = list(concern.reports.filter(reported_by=request.user) if not file_access else concern.reports.all())
    if file_access:
        scope = visible_entry_scope(request, concern.child)
        secrecy.mask(concern, scope)
        reports = secrecy.mask_all(reports, scope)
    return render(
        request,
        "casefile/concern_detail.html",
        {
            "concern": concern,
            "child": concern.child,
            "file_access": file_access,
            "reports": reports,
            "is_reporter": concern.reported_by_id == request.user.pk,
            "status_form": status_form,
        },
    )
