"""The intake's pages (mottagning): the queue, one report's förhandsbedömning, an external report.

Only an intake position opens them (a logged 403 otherwise); a report outside the intake's
district is the same 404 as an unknown id. Opening a report opens its child with the purpose
`intake` — no role for the child is needed or created.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backa.access.lookups import find_child_for_intake, intake_scope
from backa.access.objects import reachable_object, require_tool
from backa.accounts.positions import current_position
from backa.audit.context import Acting
from backa.audit.log import Action, log_access_many
from backa.audit.vocabulary import ObjectType, Purpose
from backa.casefile import forms, intake
from backa.casefile.models import ReporterCategory, ReportStatus


def is_intake(request) -> bool:
    return intake_scope(current_position(request)) is not None


def scope_for(request, tool=ObjectType.INTAKE_QUEUE):
    require_tool(request, is_intake, tool=tool)
    return intake_scope(current_position(request))


def queue_rows(scope):
    """The open items, with what the start page shows; one query whatever the length."""
    today = timezone.localdate()
    items = list(intake.queue(scope))
    for item in items:
        item.days_left = (item.deadline - today).days  # type: ignore[attr-defined]
    return items


@login_required
def intake_queue(request):
    scope = scope_for(request)
    items = queue_rows(scope)
    log_access_many(
        request=request,
        action=Action.VIEW,
        children=[item.report.child for item in items],
        purpose=Purpose.INTAKE_QUEUE,
        object_type=ObjectType.INTAKE_QUEUE,
    )
    summary = {
        "open": len(items),
        "acute": sum(1 for i in items if i.acute),
        "overdue": sum(1 for i in items if i.days_left < 0),
        "second_look": sum(1 for i in items if i.report.status == ReportStatus.SECOND_LOOK),
        "unassigned": sum(1 for i in items if i.report.handler_id is None),
    }
    name = intake.scope_name(scope)
    return render(
        request,
        "casefile/intake_queue.html",
        {"items": items, "summary": summary, "scope": scope, "intake_name": name, "me": request.user.pk},
    )


STEPS = ("assign", "safety", "decide", "second_look", "feedback")


@login_required
@require_http_methods(["GET", "POST"])
def intake_item(request, intake_id):
    scope = scope_for(request, tool=ObjectType.INTAKE_ITEM)
    item = reachable_object(intake.queue(scope, include_closed=True), intake_id, ObjectType.INTAKE_ITEM)
    acting = Acting.of(request)
    intake.do_open_item(acting_user=acting, item=item)
    report = item.report
    colleagues = list(intake.colleagues(item))
    step = request.POST.get("step") if request.method == "POST" else None
    data = request.POST if step in STEPS else None
    step_forms = {
        "assign": forms.AssignForm(
            data if step == "assign" else None,
            colleagues=colleagues,
            prefix="assign",
            initial={"handler": report.handler_id},
        ),
        "safety": forms.SafetyForm(data if step == "safety" else None, prefix="safety"),
        "decide": forms.DecisionForm(data if step == "decide" else None, prefix="decide"),
        "second_look": forms.SecondLookForm(data if step == "second_look" else None, prefix="second_look"),
        "feedback": forms.FeedbackForm(data if step == "feedback" else None, prefix="feedback"),
    }
    if step in STEPS:
        form = step_forms[step]
        if form.is_valid():
            try:
                done = _do_step(step, acting, item, form.cleaned_data)
            except ValidationError as error:
                form.apply_service_errors(error)
            else:
                messages.success(request, done)
                return redirect("casefile:intake_item", intake_id=item.pk)
    is_open = item.closed_at is None
    is_handler = request.user.pk == report.handler_id
    waiting = report.status == ReportStatus.SECOND_LOOK
    show = {
        "assign": is_open,
        "safety": is_open and (report.acute or report.safety_assessed_at is not None),
        "decide": is_open and is_handler and not waiting,
        "second_look": is_open and waiting and request.user.pk not in (report.handler_id, report.decided_by_id),
        "feedback": bool(report.decision)
        and not waiting
        and not report.feedback_given_on
        and report.reporter_category != ReporterCategory.ANONYMOUS,
    }
    # A refused step whose form this person is not shown (a forged or stale POST): its message on top.
    hidden_errors = []
    if step in STEPS and not show[step] and step_forms[step].errors:
        hidden_errors = [m for ms in step_forms[step].errors.values() for m in ms]
    return render(
        request,
        "casefile/intake_item.html",
        {
            "item": item,
            "report": report,
            "child": report.child,
            "intake_name": intake.intake_name(item),
            "earlier": list(intake.earlier_reports(report).select_related("handler")),
            "forms": step_forms,
            "show": show,
            "hidden_errors": hidden_errors,
        },
    )


def _do_step(step, acting, item, data) -> str:
    if step == "assign":
        intake.do_assign(acting_user=acting, item=item, handler=data["handler"])
        return _("The report is assigned.")
    if step == "safety":
        intake.do_record_safety_assessment(
            acting_user=acting, item=item, child_safe=data["child_safe"], note=data["note"]
        )
        return _("The skyddsbedömning is recorded.")
    if step == "decide":
        decision = intake.Decision(
            decision=data["decision"],
            reason=data["reason"],
            decided_on=data["decided_on"],
            child_spoken_with=data["child_spoken_with"],
            child_heard_how=data["child_heard_how"],
            child_not_heard_reason=data["child_not_heard_reason"],
            note=data["note"],
        )
        item = intake.do_decide(acting_user=acting, item=item, decision=decision)
        if item.closed_at is None:
            return _(
                "The decision waits for a second look: a report about a child aged 0–12 is not closed "
                "without investigation, the child unheard, until another person approves."
            )
        return _("The förhandsbedömning is decided.")
    if step == "second_look":
        if data["approve"]:
            intake.do_approve_closure(acting_user=acting, item=item, reason=data["reason"])
            return _("The closure is approved.")
        intake.do_send_back(acting_user=acting, item=item, reason=data["reason"])
        return _("The decision is sent back to the handler.")
    intake.do_give_feedback(acting_user=acting, item=item, text=data["text"], given_on=data["given_on"])
    return _("The feedback is recorded and the reporter told.")


@login_required
@require_http_methods(["GET", "POST"])
def intake_new(request):
    """Register a report that reached the intake outside the platform."""
    scope = scope_for(request, tool=ObjectType.INTAKE_QUEUE)
    form = forms.ExternalReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        child = find_child_for_intake(scope, data.pop("number"))
        if child is None:
            form.add_error("number", _("No child with that number lives in the municipality. Check the number."))
        else:
            try:
                report = intake.do_register_external_report(
                    acting_user=Acting.of(request), scope=scope, child=child, **data
                )
            except ValidationError as error:
                form.apply_service_errors(error)
            else:
                item = report.intake_items.get(closed_at__isnull=True)
                messages.success(
                    request,
                    _("The report is registered in the queue of %(intake)s.") % {"intake": intake.intake_name(item)},
                )
                if item.district_id == scope.district_id:
                    return redirect("casefile:intake_item", intake_id=item.pk)
                return redirect("casefile:intake_queue")
    return render(request, "casefile/intake_new.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def intake_reviews(request):
    """The quality review sample assigned to me: closed reports, "should it have been investigated?"."""
    from backa.casefile.models import QualityReview

    scope_for(request, tool=ObjectType.QUALITY_REVIEW)
    pending = list(
        QualityReview.objects.filter(reviewer=request.user, reviewed_at__isnull=True)
        .select_related("report__child", "report__handler")
        .order_by("month", "pk")
    )
    current = pending[0] if pending else None
    form = forms.QualityReviewForm(request.POST or None, initial={"review": current.pk if current else None})
    if request.method == "POST" and form.is_valid():
        review = reachable_object(
            QualityReview.objects.filter(reviewer=request.user), form.cleaned_data["review"], ObjectType.QUALITY_REVIEW
        )
        try:
            intake.do_record_quality_review(
                acting_user=Acting.of(request),
                review=review,
                should_have_been_investigated=form.cleaned_data["should_have_been_investigated"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("The review is recorded."))
            return redirect("casefile:intake_reviews")
    log_access_many(
        request=request,
        action=Action.VIEW,
        children=[r.report.child for r in pending],
        purpose=Purpose.QUALITY_REVIEW,
        object_type=ObjectType.QUALITY_REVIEW,
    )
    return render(request, "casefile/intake_reviews.html", {"pending": pending[1:], "current": current, "form": form})
