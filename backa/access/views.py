"""Pages for the purposes that open a child without a role: nödåtkomst, its review, log review, a district administrator's log extract."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backa.access.lookups import (
    child_for_log_extract_by_id,
    children_for_review,
    find_child_for_emergency_access,
    find_child_for_log_extract,
)
from backa.access.objects import (
    ToolRefused,
    is_district_admin,
    is_reviewer,
    may_open_in_emergency,
    reachable_object,
    tool_required,
)
from backa.accounts.models import User
from backa.accounts.positions import current_organisation, current_position
from backa.accounts.saml import freshly_authenticated, step_up_url, steps_up_with_saml
from backa.audit.context import Acting
from backa.audit.log import Action, Outcome, log_access, log_access_many
from backa.audit.models import LogReviewItem
from backa.audit.review import do_record_review, emergency_rows, first_rows, rows_of_item
from backa.audit.vocabulary import ObjectType, Purpose
from backa.children.forms import ChildSearchForm
from backa.consent import extract, services
from backa.consent.forms import EmergencyAccessForm, ExtractPeriodForm, ReviewForm
from backa.consent.models import EmergencyAccess
from backa.consent.services import overdue_emergency_accesses
from backa.lib.forms import error_messages
from backa.lib.pdf import render_pdf_ua


def _extract_response(request, child, may_produce, url_name, url_kwargs):
    form = ExtractPeriodForm(request.GET if "start" in request.GET else None)
    rows = None
    if may_produce and form.is_bound and form.is_valid():
        data = form.cleaned_data
        rows = extract.rows_for(child, data["start"], data["end"], names=data["names"])
        output = request.GET.get("format", "")
        log_access(
            request=request,
            action=Action.EXPORT if output in ("csv", "pdf") else Action.VIEW,
            child=child,
            object_type=ObjectType.LOG_EXTRACT,
            purpose=Purpose.LOG_EXTRACT,
        )
        if output == "csv":
            return extract.csv_response(rows, names=data["names"])
        if output == "pdf":
            return render_pdf_ua(
                request,
                "casefile/log_extract_print.html",
                {"child": child, "form": form, "rows": rows},
                filename=f"loggutdrag-{child.pk}-{data['start']:%Y%m%d}-{data['end']:%Y%m%d}.pdf",
            )
    return render(
        request,
        "casefile/log_extract.html",
        {
            "child": child,
            "form": form,
            "rows": rows,
            "may_produce": may_produce,
            "csv_query": request.GET.urlencode(),
            "action_url": reverse(url_name, kwargs=url_kwargs),
        },
    )


@login_required
@tool_required(may_open_in_emergency, tool=ObjectType.EMERGENCY_ACCESS)
@require_http_methods(["GET", "POST"])
def emergency_access(request):
    """Nödåtkomst: the child's number, a written reason and the user's password again — or,
    for a SAML e-ID login, a fresh authentication at the IdP (ForceAuthn) minutes ago."""
    by_e_id = steps_up_with_saml(request)
    form = EmergencyAccessForm(request.POST or None, step_up_by_e_id=by_e_id)
    if request.method == "POST" and form.is_valid():
        if by_e_id and not freshly_authenticated(request):
            form.add_error(None, _("Confirm who you are with e-legitimation first, then fill in the form again."))
        elif not by_e_id and not services.reauthenticate(request, form.cleaned_data["password"]):
            form.add_error("password", _("The password is wrong. Emergency access needs you to sign in again."))
        else:
            position = current_position(request)
            assert position is not None  # may_open_in_emergency needs an active position
            child = find_child_for_emergency_access(
                form.cleaned_data["number"], municipality_id=position.unit.organisation.municipality_id
            )
            if child is None:
                log_access(
                    request=request,
                    action=Action.EMERGENCY_ACCESS,
                    object_type=ObjectType.EMERGENCY_ACCESS,
                    outcome=Outcome.DENIED,
                    emergency=True,
                    object_id="",
                )
                form.add_error("q", _("No child with that number is registered here."))
            else:
                services.do_grant_emergency_access(
                    acting_user=Acting.of(request),
                    child=child,
                    reason=form.cleaned_data["reason"],
                    organisation=current_organisation(request),
                )
                messages.warning(
                    request,
                    _("Emergency access is open for %(hours)s hours and will be reviewed.")
                    % {"hours": services.EMERGENCY_ACCESS_HOURS},
                )
                return redirect("casefile:overview", child_id=child.pk)
    return render(
        request,
        "access/emergency.html",
        {
            "form": form,
            "hours": services.EMERGENCY_ACCESS_HOURS,
            "by_e_id": by_e_id,
            "fresh": by_e_id and freshly_authenticated(request),
            "step_up_url": step_up_url(reverse("access:emergency")) if by_e_id else "",
        },
        status=400 if form.errors else 200,
    )


@login_required
@tool_required(is_reviewer, tool=ObjectType.LOG_REVIEW)
def review_queue(request):
    position = current_position(request)
    assert position is not None  # a reviewer acts in a position (is_reviewer)
    municipality_id = position.unit.organisation.municipality_id
    grants = list(
        EmergencyAccess.objects.filter(municipality_id=municipality_id, reviewed_at__isnull=True)
        .exclude(user=request.user)
        .select_related("user", "organisation", "child")
        .order_by("granted_at")[:100]
    )
    overdue_ids = set(overdue_emergency_accesses().filter(municipality_id=municipality_id).values_list("id", flat=True))
    items = list(
        LogReviewItem.objects.filter(municipality_id=municipality_id, reviewed_at__isnull=True)
        .exclude(user_id=request.user.pk)
        .order_by("sampled_on", "log_occurred_at")[:200]
    )
    children = _children_for_review(request, position, [g.child_id for g in grants] + [i.child_id for i in items])
    rows = first_rows(items)
    people = {u.pk: u for u in User.objects.filter(pk__in={i.user_id for i in items if i.user_id})}
    for item in items:  # what the page shows of each item (B010: plain attributes for the template)
        setattr(item, "child", children.get(item.child_id))  # noqa: B010
        setattr(item, "row", rows.get(item.pk))  # noqa: B010
        setattr(item, "person", people.get(item.user_id) if item.user_id else None)  # noqa: B010
    opened = emergency_rows(grants)
    for grant in grants:
        setattr(grant, "rows", opened.get(grant.pk, []))  # noqa: B010
    return render(
        request,
        "access/review_queue.html",
        {
            "grants": grants,
            "overdue_ids": overdue_ids,
            "items": items,
            "form": ReviewForm(),
        },
    )


def _children_for_review(request, position, child_ids) -> dict:
    """The review's children, each logged once with the purpose log_review (through the access
    package's lookup: a reviewer has no relationship to them)."""
    children = children_for_review(position, set(child_ids))
    if children:
        log_access_many(
            request=request,
            action=Action.LIST,
            children=list(children.values()),
            purpose=Purpose.LOG_REVIEW,
            object_type=ObjectType.LOG_REVIEW,
        )
    return children


@login_required
@require_http_methods(["GET"])
@tool_required(is_reviewer, tool=ObjectType.LOG_REVIEW)
def review_item_page(request, item_id):
    """One review item: who, which child, every row of theirs on the child that day, and why."""
    position = current_position(request)
    assert position is not None  # a reviewer acts in a position (is_reviewer)
    item = reachable_object(
        LogReviewItem.objects.filter(municipality_id=position.unit.organisation.municipality_id).exclude(
            user_id=request.user.pk
        ),
        item_id,
        ObjectType.LOG_REVIEW,
    )
    child = children_for_review(position, [item.child_id]).get(item.child_id)
    log_access(
        request=request,
        action=Action.VIEW,
        child=child,
        object_type=ObjectType.LOG_REVIEW,
        object_id=item.pk,
        purpose=Purpose.LOG_REVIEW,
    )
    return render(
        request,
        "access/review_item.html",
        {
            "item": item,
            "child": child,
            "person": User.objects.filter(pk=item.user_id).first(),
            "rows": rows_of_item(item),
            "form": ReviewForm(),
        },
    )


@login_required
@require_http_methods(["GET"])
@tool_required(is_reviewer, tool=ObjectType.LOG_REVIEW)
def review_emergency_page(request, grant_id):
    """One emergency access: who, which child, why, and everything opened under it."""
    position = current_position(request)
    assert position is not None  # a reviewer acts in a position (is_reviewer)
    grant = reachable_object(
        EmergencyAccess.objects.filter(municipality_id=position.unit.organisation.municipality_id)
        .exclude(user=request.user)
        .select_related("user", "organisation", "child"),
        grant_id,
        ObjectType.EMERGENCY_ACCESS,
    )
    log_access(
        request=request,
        action=Action.VIEW,
        child=grant.child,
        object_type=ObjectType.EMERGENCY_REVIEW,
        object_id=grant.pk,
        purpose=Purpose.LOG_REVIEW,
    )
    return render(
        request,
        "access/review_emergency.html",
        {"grant": grant, "rows": emergency_rows([grant])[grant.pk], "form": ReviewForm()},
    )


@login_required
@require_POST
@tool_required(is_reviewer, tool=ObjectType.LOG_REVIEW)
def review_emergency(request, grant_id):
    position = current_position(request)
    assert position is not None  # a reviewer acts in a position (is_reviewer)
    grant = reachable_object(
        EmergencyAccess.objects.filter(municipality_id=position.unit.organisation.municipality_id),
        grant_id,
        ObjectType.EMERGENCY_ACCESS,
    )
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.do_review_emergency_access(acting_user=Acting.of(request), grant=grant, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error_messages(error)))
        else:
            messages.success(request, _("The review is recorded."))
    else:
        messages.error(request, _("Choose an outcome."))
    return redirect("access:review_queue")


@login_required
@require_POST
@tool_required(is_reviewer, tool=ObjectType.LOG_REVIEW)
def review_item(request, item_id):
    position = current_position(request)
    assert position is not None  # a reviewer acts in a position (is_reviewer)
    item = reachable_object(
        LogReviewItem.objects.filter(municipality_id=position.unit.organisation.municipality_id),
        item_id,
        ObjectType.LOG_REVIEW,
    )
    form = ReviewForm(request.POST)
    if form.is_valid():
        do_record_review(acting_user=Acting.of(request), item=item, **form.cleaned_data)
        messages.success(request, _("The review is recorded."))
    else:
        messages.error(request, _("Choose an outcome."))
    return redirect("access:review_queue")


@login_required
@require_http_methods(["GET", "POST"])
@tool_required(is_district_admin, tool=ObjectType.LOG_EXTRACT)
def admin_log_extract(request):
    """A district administrator answers a guardian's or child's request, found by number (POST)."""
    form = ChildSearchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data.get("number")
        child = find_child_for_log_extract(request.user, number) if number is not None else None
        if child is None:
            form.add_error("q", _("No child with that number lives in your district."))
        else:
            log_access(
                request=request,
                action=Action.VIEW,
                child=child,
                object_type=ObjectType.LOG_EXTRACT_LOOKUP,
                purpose=Purpose.LOG_EXTRACT_REQUEST,
            )
            request.session["log_extract_child"] = str(child.pk)
            return redirect("access:admin_log_extract_show")
    return render(request, "access/admin_extract_lookup.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@tool_required(is_district_admin, tool=ObjectType.LOG_EXTRACT)
def admin_log_extract_show(request):
    child_id = request.session.get("log_extract_child")
    child = child_for_log_extract_by_id(request.user, child_id) if child_id else None
    if child is None:
        # The lookup page was skipped or the child left the district: nothing to show.
        raise ToolRefused(ObjectType.LOG_EXTRACT)
    return _extract_response(request, child, True, "access:admin_log_extract_show", {})
