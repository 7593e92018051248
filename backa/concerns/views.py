"""Pages for noticing a concern, talking with the child and family, Behovskompassen and
the concern report. Child pages go through the access gate; a concern is also open to the
Upptäckare who registered it, and to no one else without a role."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backa.accounts.positions import current_position
from backa.audit.log import Action, log_access, log_access_many
from backa.children.access import (
    ChildNotFound, find_child_for_concern, get_child_for_request, visible_children, visible_entry_scope,
)
from backa.organisations.models import UnitType

from backa.operations import idempotency

from . import forms, secrecy, services
from .models import Assessment, Concern, ConcernReport, Conversation


def _sub_object(queryset, child, object_id, object_type):
    obj = queryset.filter(child=child, pk=object_id).first()
    if obj is None:
        raise ChildNotFound(child.pk, object_type=object_type, object_id=object_id)
    return obj


@login_required
def child_concerns(request, child_id):
    child = get_child_for_request(request, child_id, object_type="concerns")
    concerns = list(Concern.objects.filter(child=child).select_related("reported_by").order_by("-observed_on"))
    scope = visible_entry_scope(request, child)
    conversations, hidden = secrecy.split(
        list(Conversation.objects.filter(child=child).select_related("held_by").order_by("-held_on")), scope, secrecy.NOTES
    )
    reports = list(ConcernReport.objects.filter(child=child).select_related("reported_by").order_by("-reported_at"))
    return render(request, "concerns/child_concerns.html", {
        "child": child, "concerns": concerns, "conversations": conversations, "reports": reports, "hidden": hidden,
    })


@login_required
@require_http_methods(["GET", "POST"])
def new_concern(request, child_id):
    child = get_child_for_request(request, child_id, object_type="concern")
    form = forms.ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            # A double click or a resubmitted page registers the concern once (the form's one-time token).
            once = idempotency.run_once(
                user=request.user, scope="concern.create", key=idempotency.form_key(request),
                payload_fingerprint=idempotency.fingerprint_post(request), object_type="concern",
                create=lambda: services.do_register_concern(acting_user=request.user, child=child, request=request,
                                                            position=current_position(request), **form.cleaned_data))
        except ValidationError as error:
            form.apply_service_errors(error)
        except idempotency.IdempotencyMismatch:
            return idempotency.form_sent_before(request)
        else:
            messages.success(request, _("The concern is registered and the barnkontakt has been told."))
            return redirect("concerns:concern", concern_id=once.object_id)
    return render(request, "concerns/concern_form.html", {"child": child, "form": form})


def _find_child_for_upptackare(request, number):
    """A child this professional meets in their own work, found by exact number within the
    municipality of their active position (see children.access.find_child_for_concern)."""
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
            form.add_error("number", _("No child with that number lives in the municipality. Check the number. If you "
                                       "fear for the child, make a concern report to social services."))
            form.mark_fields()
        else:
            try:
                concern = services.do_register_concern(acting_user=request.user, child=child, request=request,
                                                       position=current_position(request), **data)
            except ValidationError as error:
                form.apply_service_errors(error)
            else:
                messages.success(request, _("The concern is registered and the barnkontakt has been told."))
                return redirect("concerns:concern", concern_id=concern.id)
    return render(request, "concerns/concern_form.html", {"child": None, "form": form})


def get_concern_for_request(request, concern_id):
    """The concern for its own Upptäckare, or through the gate for anyone with a role.
    Returns (concern, child_file_access)."""
    concern = Concern.objects.filter(pk=concern_id).select_related("child", "reported_by").first()
    if concern is not None and concern.reported_by_id == request.user.pk:
        if visible_children(request.user).filter(pk=concern.child_id).exists():
            get_child_for_request(request, concern.child_id, object_type="concern", object_id=concern.id)
            return concern, True
        log_access(request=request, action=Action.VIEW, child=concern.child, object_type="concern",
                   object_id=concern.id, purpose="upptackare")
        return concern, False
    if concern is None:
        raise ChildNotFound(None, object_type="concern", object_id=concern_id)
    get_child_for_request(request, concern.child_id, object_type="concern", object_id=concern.id)
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
                services.do_set_concern_status(acting_user=request.user, concern=concern, request=request,
                                               **status_form.cleaned_data)
            except ValidationError as error:
                status_form.apply_service_errors(error)
            else:
                messages.success(request, _("The status is changed."))
                return redirect("concerns:concern", concern_id=concern.id)
    elif request.method == "POST":
        raise ChildNotFound(concern.child_id, action=Action.UPDATE, object_type="concern", object_id=concern.id)
    reports = list(concern.reports.filter(reported_by=request.user) if not file_access else concern.reports.all())
    return render(request, "concerns/concern_detail.html", {
        "concern": concern, "child": concern.child, "file_access": file_access, "reports": reports,
        "is_reporter": concern.reported_by_id == request.user.pk, "status_form": status_form,
    })


@login_required
def my_concerns(request):
    concerns = list(Concern.objects.filter(reported_by=request.user).select_related("child").order_by("-created_at")[:100])
    log_access_many(request=request, action=Action.LIST, children=[c.child for c in concerns], purpose="my_concerns",
                    object_type="concern")
    return render(request, "concerns/my_concerns.html", {"concerns": concerns})


@login_required
@require_http_methods(["GET", "POST"])
def new_conversation(request, child_id):
    child = get_child_for_request(request, child_id, object_type="conversation")
    concerns = list(Concern.objects.filter(child=child).exclude(status="closed").order_by("-observed_on"))
    initial = {"concern": request.GET.get("oro", "")}
    form = forms.ConversationForm(request.POST or None, concerns=concerns, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        concern_id = data.pop("concern")
        concern = next((c for c in concerns if str(c.id) == concern_id), None)
        try:
            services.do_record_conversation(acting_user=request.user, child=child, concern=concern, request=request,
                                            **data)
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("The conversation is recorded."))
            return redirect("concerns:child_concerns", child_id=child.id)
    return render(request, "concerns/conversation_form.html", {"child": child, "form": form})


@login_required
def compass(request, child_id):
    from backa.plans.chart import compass_svg, legend
    from backa.plans.queries import compass_series

    child = get_child_for_request(request, child_id, object_type="assessment")
    scope = visible_entry_scope(request, child)
    assessments, rows = compass_series(child, scope=scope)
    svg = compass_svg(
        assessments, rows, title=_("Behovskompassen for %(name)s") % {"name": child.given_name},
        desc=_("Ratings per area for the latest assessments; the dashed line is the child's own rating. "
               "The same numbers are in the table."),
        child_label=_("The child's own rating"),
    )
    keys = legend(assessments, professionals_label=_("Professionals"), child_label=_("The child's own rating, latest"))
    all_assessments, hidden = secrecy.split(
        list(Assessment.objects.filter(child=child).select_related("assessed_by").order_by("-assessed_on")), scope,
        secrecy.ASSESSMENTS,
    )
    return render(request, "concerns/compass.html", {
        "child": child, "assessments": assessments, "rows": rows, "svg": svg, "legend": keys, "all_assessments": all_assessments,
        "hidden": hidden,
    })


@login_required
def assessment_detail(request, child_id, assessment_id):
    child = get_child_for_request(request, child_id, object_type="assessment", object_id=assessment_id)
    scope = visible_entry_scope(request, child)
    # Another organisation's assessment without consent or legal basis looks like no assessment at all.
    assessment = _sub_object(
        Assessment.objects.select_related("assessed_by").filter(secrecy.entries_q(scope, secrecy.ASSESSMENTS)),
        child, assessment_id, "assessment",
    )
    return render(request, "concerns/assessment_detail.html", {
        "child": child, "assessment": assessment, "areas": list(assessment.areas.all()),
    })


@login_required
@require_http_methods(["GET", "POST"])
def new_assessment(request, child_id):
    child = get_child_for_request(request, child_id, object_type="assessment")
    form = forms.AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_record_assessment(
                acting_user=request.user, child=child, assessed_on=form.cleaned_data["assessed_on"],
                summary=form.cleaned_data["summary"], areas=form.area_values(), request=request,
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("The assessment is recorded."))
            return redirect("concerns:compass", child_id=child.id)
    return render(request, "concerns/assessment_form.html", {"child": child, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def new_report(request, child_id):
    child = get_child_for_request(request, child_id, object_type="concern_report")
    return _report_form(request, child, None)


@login_required
@require_http_methods(["GET", "POST"])
def new_report_for_concern(request, concern_id):
    """From the Upptäckare's own concern: the duty to report needs no role and no consent."""
    concern, _file_access = get_concern_for_request(request, concern_id)
    return _report_form(request, concern.child, concern)


def _report_form(request, child, concern):
    form = forms.ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.do_report_to_social_services(
                acting_user=request.user, child=child, concern=concern, position=current_position(request),
                request=request, **form.cleaned_data,
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("The concern report is sent to social services."))
            if concern is not None:
                return redirect("concerns:concern", concern_id=concern.id)
            return redirect("concerns:report", child_id=child.id, report_id=report.id)
    return render(request, "concerns/report_form.html", {"child": child, "concern": concern, "form": form})


def is_social_services(request) -> bool:
    position = current_position(request)
    return position is not None and position.unit.unit_type == UnitType.SOCIALTJANST


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request, child_id, report_id):
    child = get_child_for_request(request, child_id, object_type="concern_report", object_id=report_id)
    report = _sub_object(ConcernReport.objects.select_related("reported_by", "outcome_recorded_by"), child, report_id,
                         "concern_report")
    can_record = is_social_services(request)
    form = None
    if can_record:
        initial = {f: getattr(report, f) for f in forms.ReportOutcomeForm.base_fields}
        for f in ("investigation_opened", "child_spoken_with"):
            initial[f] = {True: "yes", False: "no"}.get(initial[f], "")
        form = forms.ReportOutcomeForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.do_record_report_outcome(acting_user=request.user, report=report, request=request,
                                                  **form.cleaned_data)
            except ValidationError as error:
                form.apply_service_errors(error)
            else:
                messages.success(request, _("The outcome is recorded."))
                return redirect("concerns:report", child_id=child.id, report_id=report.id)
    elif request.method == "POST":
        raise ChildNotFound(child.pk, action=Action.UPDATE, object_type="concern_report", object_id=report_id)
    return render(request, "concerns/report_detail.html", {"child": child, "report": report, "form": form})

