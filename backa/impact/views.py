"""Child impact assessments: list, create, versioned edit, send for decision, decide, print."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backa.access.objects import NotFound, is_district_admin
from backa.accounts.positions import current_position
from backa.audit.vocabulary import ObjectType
from backa.impact.access import can_decide, can_edit, get_assessment, visible_assessments
from backa.impact.forms import AssessmentForm, DecideForm, SendForm, VersionForm
from backa.impact.indicators import LABELS
from backa.impact.models import STEP_FIELDS, Status
from backa.impact.services import (
    VersionConflict,
    do_create_assessment,
    do_decide,
    do_save_version,
    do_send_for_decision,
    missing_for_decision,
)
from backa.lib.pdf import render_pdf_ua


@login_required
def assessment_list(request):
    assessments = list(
        visible_assessments(request).select_related("district", "decision_maker").order_by("-created_at")
    )
    return render(request, "impact/list.html", {"assessments": assessments, "can_create": is_district_admin(request)})


@login_required
@require_http_methods(["GET", "POST"])
def assessment_create(request):
    if not is_district_admin(request):
        raise NotFound(object_type=ObjectType.IMPACT_ASSESSMENT)
    municipality_id = current_position(request).unit.organisation.municipality_id
    form = AssessmentForm(request.POST or None, municipality_id=municipality_id)
    version_form = VersionForm(request.POST or None, prefix="v")
    if request.method == "POST" and form.is_valid() and version_form.is_valid():
        district = form.cleaned_data["district"]
        position = current_position(request)
        if district is not None and district.pk != position.unit.district_id:
            form.add_error("district", _("You can start assessments for your own district or for the whole city."))
        else:
            assessment = do_create_assessment(
                acting_user=request.user,
                municipality=position.unit.organisation.municipality,
                district=district,
                title=form.cleaned_data["title"],
                decision_kind=form.cleaned_data["decision_kind"],
                steps={f: version_form.cleaned_data[f] for f in STEP_FIELDS},
            )
            messages.success(request, _("The assessment was saved as version 1."))
            return redirect("impact:detail", assessment_id=assessment.id)
    return render(request, "impact/form.html", {"form": form, "version_form": version_form, "assessment": None})


def _version(assessment, number=None):
    versions = assessment.versions.select_related("created_by")
    version = (
        versions.filter(number=number).first() if number else versions.filter(number=assessment.current_version).first()
    )
    if version is None:
        raise NotFound(object_type=ObjectType.IMPACT_ASSESSMENT_VERSION, object_id=str(assessment.pk))
    return version


def _indicator_rows(version):
    return [(LABELS.get(key, key), version.indicator_values.get(key)) for key in version.indicators]


@login_required
def assessment_detail(request, assessment_id):
    assessment = get_assessment(request, assessment_id)
    try:
        number = int(request.GET.get("version", "")) if request.GET.get("version") else None
    except ValueError:
        raise NotFound(object_type=ObjectType.IMPACT_ASSESSMENT_VERSION, object_id=str(assessment.pk)) from None
    version = _version(assessment, number)
    editable = can_edit(request, assessment)
    send_form = None
    if editable and assessment.status == Status.DRAFT:
        send_form = SendForm(municipality_id=assessment.municipality_id, exclude_user=request.user)
    return render(
        request,
        "impact/detail.html",
        {
            "assessment": assessment,
            "version": version,
            "indicator_rows": _indicator_rows(version),
            "versions": list(assessment.versions.select_related("created_by").order_by("-number")),
            "can_edit": editable and assessment.status == Status.DRAFT,
            "send_form": send_form,
            "missing": missing_for_decision(version) if assessment.status == Status.DRAFT else [],
            "decide_form": DecideForm()
            if can_decide(request, assessment) and assessment.status == Status.IN_REVIEW
            else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_edit(request, assessment_id):
    assessment = get_assessment(request, assessment_id)
    if not can_edit(request, assessment):
        raise NotFound(object_type=ObjectType.IMPACT_ASSESSMENT, object_id=str(assessment.pk))
    current = _version(assessment)
    initial = {f: getattr(current, f) for f in STEP_FIELDS}
    initial["expected_version"] = assessment.current_version
    version_form = VersionForm(request.POST or None, prefix="v", initial=initial)
    if request.method == "POST" and version_form.is_valid():
        try:
            saved = do_save_version(
                acting_user=request.user,
                assessment=assessment,
                steps={f: version_form.cleaned_data[f] for f in STEP_FIELDS},
                expected_version=version_form.cleaned_data.get("expected_version") or 0,
                keep_theirs=version_form.fields_to_take_from_theirs(),
            )
        except VersionConflict as conflict:
            # Three-way merge (decision 0018): the newest version's steps, with this person's own
            # changes as typed; each step both changed asks for a choice.
            latest = conflict.assessment.versions.get(number=conflict.assessment.current_version)
            current = VersionForm(prefix="v", initial={f: getattr(latest, f) for f in STEP_FIELDS})
            posted = request.POST.copy()
            for name in STEP_FIELDS:
                if name in conflict.mine:
                    continue
                key, value = current.add_prefix(name), current[name].value()
                if isinstance(value, list):
                    posted.setlist(key, [str(v) for v in value])
                else:
                    posted[key] = (
                        "" if value is None else (value.isoformat() if hasattr(value, "isoformat") else str(value))
                    )
            posted[current.add_prefix("expected_version")] = str(conflict.assessment.current_version)
            version_form = VersionForm(posted, prefix="v")
            version_form.setup_merge_choices(conflict.conflicts)
            version_form.is_valid()
            version_form.add_error(
                None, _("Someone else saved a newer version while you were editing. Choose below which text is kept.")
            )
        except ValidationError as error:
            version_form.add_error(None, error)
        else:
            messages.success(request, _("Saved as version %(n)s.") % {"n": saved.number})
            return redirect("impact:detail", assessment_id=assessment.id)
    return render(request, "impact/form.html", {"form": None, "version_form": version_form, "assessment": assessment})


@login_required
@require_POST
def assessment_send(request, assessment_id):
    assessment = get_assessment(request, assessment_id)
    if not can_edit(request, assessment):
        raise NotFound(object_type=ObjectType.IMPACT_ASSESSMENT, object_id=str(assessment.pk))
    form = SendForm(request.POST, municipality_id=assessment.municipality_id, exclude_user=request.user)
    if form.is_valid():
        try:
            do_send_for_decision(
                acting_user=request.user, assessment=assessment, decision_maker=form.cleaned_data["decision_maker"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Sent for decision."))
    else:
        messages.error(request, _("Choose a decision-maker."))
    return redirect("impact:detail", assessment_id=assessment.id)


@login_required
@require_POST
def assessment_decide(request, assessment_id):
    assessment = get_assessment(request, assessment_id)
    if not can_decide(request, assessment):
        raise NotFound(object_type=ObjectType.IMPACT_ASSESSMENT, object_id=str(assessment.pk))
    form = DecideForm(request.POST)
    form.is_valid()
    try:
        do_decide(
            acting_user=request.user,
            assessment=assessment,
            approve=request.POST.get("decision") == "approve",
            comment=form.cleaned_data.get("comment", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your decision was recorded."))
    return redirect("impact:detail", assessment_id=assessment.id)


def _print_context(request, assessment_id):
    assessment = get_assessment(request, assessment_id)
    # Once approved, the printout is the version that was decided, even if shown later.
    number = assessment.approved_version if assessment.status == Status.APPROVED else None
    version = _version(assessment, number)
    return {
        "assessment": assessment,
        "version": version,
        "indicator_rows": _indicator_rows(version),
        "printed_at": timezone.localtime(),
    }


@login_required
def assessment_print(request, assessment_id):
    return render(request, "impact/print.html", _print_context(request, assessment_id))


@login_required
def assessment_pdf(request, assessment_id):
    """The assessment as a tagged PDF (PDF/UA-1): headings, tables and language carried over from the HTML."""
    context = _print_context(request, assessment_id)
    filename = f"barnkonsekvensanalys-{context['assessment'].id}-v{context['version'].number}.pdf"
    return render_pdf_ua(request, "impact/print.html", context, filename=filename)
