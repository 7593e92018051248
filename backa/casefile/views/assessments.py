"""Behovskompassen: the compass over time and single assessments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backa.access.gate import get_child_for_request, visible_entry_scope
from backa.access.objects import child_object
from backa.audit.context import Acting
from backa.audit.vocabulary import ObjectType
from backa.casefile import forms, secrecy
from backa.casefile.assessments import do_record_assessment
from backa.casefile.models import Assessment


@login_required
def compass(request, child_id):
    from backa.casefile.assessments import compass_series, compass_svg, legend

    child = get_child_for_request(request, child_id, object_type=ObjectType.ASSESSMENT)
    scope = visible_entry_scope(request, child)
    assessments, rows = compass_series(child, scope=scope)
    svg = compass_svg(
        assessments,
        rows,
        title=_("Behovskompassen for %(name)s") % {"name": child.given_name},
        desc=_(
            "Ratings per area for the latest assessments; the dashed line is the child's own rating. "
            "The same numbers are in the table."
        ),
        child_label=_("The child's own rating"),
    )
    keys = legend(assessments, professionals_label=_("Professionals"), child_label=_("The child's own rating, latest"))
    all_assessments, hidden = secrecy.split(
        list(Assessment.objects.filter(child=child).select_related("assessed_by").order_by("-assessed_on")),
        scope,
        secrecy.ASSESSMENTS,
    )
    return render(
        request,
        "casefile/compass.html",
        {
            "child": child,
            "assessments": assessments,
            "rows": rows,
            "svg": svg,
            "legend": keys,
            "all_assessments": all_assessments,
            "hidden": hidden,
        },
    )


@login_required
def assessment_detail(request, child_id, assessment_id):
    child = get_child_for_request(request, child_id, object_type=ObjectType.ASSESSMENT, object_id=assessment_id)
    scope = visible_entry_scope(request, child)
    # Another organisation's assessment without consent or legal basis looks like no assessment at all.
    assessment = child_object(
        Assessment.objects.select_related("assessed_by").filter(secrecy.entries_q(scope, secrecy.ASSESSMENTS)),
        child,
        assessment_id,
        ObjectType.ASSESSMENT,
    )
    return render(
        request,
        "casefile/assessment_detail.html",
        {
            "child": child,
            "assessment": assessment,
            "areas": list(assessment.areas.all()),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_assessment(request, child_id):
    child = get_child_for_request(request, child_id, object_type=ObjectType.ASSESSMENT)
    form = forms.AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_record_assessment(
                acting_user=Acting.of(request),
                child=child,
                assessed_on=form.cleaned_data["assessed_on"],
                summary=form.cleaned_data["summary"],
                areas=form.area_values(),
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("The assessment is recorded."))
            return redirect("casefile:compass", child_id=child.id)
    return render(request, "casefile/assessment_form.html", {"child": child, "form": form})
