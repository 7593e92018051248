"""The concern report to social services (orosanmälan)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backa.access.gate import ChildNotFound, get_child_for_request, visible_entry_scope
from backa.access.objects import child_object
from backa.accounts.positions import current_position
from backa.audit.context import Acting
from backa.audit.log import Action
from backa.audit.vocabulary import ObjectType
from backa.casefile import forms, secrecy
from backa.casefile.intake import receipt
from backa.casefile.models import ConcernReport
from backa.casefile.reports import do_record_report_outcome, do_report_to_social_services
from backa.casefile.views.concerns import get_concern_for_request
from backa.organisations.models import UnitType


@login_required
@require_http_methods(["GET", "POST"])
def new_report(request, child_id):
    child = get_child_for_request(request, child_id, object_type=ObjectType.CONCERN_REPORT)
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
            report = do_report_to_social_services(
                acting_user=Acting.of(request),
                child=child,
                concern=concern,
                position=current_position(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            got = receipt(report)
            when = timezone.localtime(got["at"]) if got else timezone.localtime()
            messages.success(
                request,
                _("The report was received by %(intake)s on %(day)s at %(time)s.")
                % {
                    "intake": got["name"] if got else _("social services"),
                    "day": when.strftime("%Y-%m-%d"),
                    "time": when.strftime("%H:%M"),
                },
            )
            if report.acute:
                phone = child.municipality.socialjour_phone
                messages.warning(
                    request,
                    (
                        _(
                            "If the child is in danger now, call 112. Outside office hours call socialjouren on %(phone)s."
                        )
                        % {"phone": phone}
                    )
                    if phone
                    else _("If the child is in danger now, call 112. Outside office hours call socialjouren."),
                )
            if concern is not None:
                return redirect("casefile:concern", concern_id=concern.id)
            return redirect("casefile:report", child_id=child.id, report_id=report.id)
    return render(
        request,
        "casefile/report_form.html",
        {"child": child, "concern": concern, "form": form, "phone": child.municipality.socialjour_phone},
    )


def is_social_services(request) -> bool:
    position = current_position(request)
    return position is not None and position.unit.unit_type == UnitType.SOCIALTJANST


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request, child_id, report_id):
    child = get_child_for_request(request, child_id, object_type=ObjectType.CONCERN_REPORT, object_id=report_id)
    report = child_object(
        ConcernReport.objects.select_related("reported_by", "outcome_recorded_by"),
        child,
        report_id,
        ObjectType.CONCERN_REPORT,
    )
    can_record = is_social_services(request)
    form = None
    if can_record:
        initial = {f: getattr(report, f) for f in forms.ReportOutcomeForm.base_fields}
        for f in ("investigation_opened", "child_spoken_with"):
            initial[f] = {True: "yes", False: "no"}.get(initial[f], "")
        form = forms.ReportOutcomeForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                do_record_report_outcome(acting_user=Acting.of(request), report=report, **form.cleaned_data)
            except ValidationError as error:
                form.apply_service_errors(error)
            else:
                messages.success(request, _("The outcome is recorded."))
                return redirect("casefile:report", child_id=child.id, report_id=report.id)
    elif request.method == "POST":
        raise ChildNotFound(child.pk, action=Action.UPDATE, object_type=ObjectType.CONCERN_REPORT, object_id=report_id)
    secrecy.mask(report, visible_entry_scope(request, child))
    return render(
        request,
        "casefile/report_detail.html",
        {"child": child, "report": report, "form": form, "receipt": receipt(report)},
    )
