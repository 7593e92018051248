"""Consent pages (child-scoped), emergency access, log extract and the review queue.

Child pages go through the access gate first; consent and disclosure rows are then read
with the child's id. A professional sees a consent only when their organisation is its
discloser or one of its recipients: that another organisation holds information about the
child is itself information.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backa.accounts.models import PositionKind
from backa.accounts.positions import administered_district_ids, current_position
from backa.audit.log import Action, Outcome, log_access
from backa.audit.models import LogReviewItem
from backa.audit.review import do_record_review, overdue_emergency_accesses
from backa.children.access import (
    find_child_for_emergency_access, find_child_for_log_extract, get_child_for_request, relationship_kinds,
)

from backa.operations import idempotency
from backa.pdf import render_pdf_ua

from . import extract, services
from .forms import (
    DisclosureForm, EmergencyAccessForm, ExtractPeriodForm, NewConsentForm, RecordGivenForm, ReviewForm, WithdrawConsentForm,
)
from .models import Consent, ConsentStatus, DisclosureRecord, EmergencyAccess

REVIEWER_KINDS = (PositionKind.DISTRICT_ADMIN, PositionKind.MANAGER)


def _own_organisation(request):
    position = current_position(request)
    return position.unit.organisation if position is not None else None


def _visible_consents(child, organisation):
    if organisation is None:
        return Consent.objects.none()
    return (
        Consent.objects.filter(child=child)
        .filter(Q(disclosing_organisation=organisation) | Q(recipients=organisation))
        .distinct()
        .select_related("disclosing_organisation")
        .prefetch_related("recipients")
        .order_by("-created_at")
    )


def _field_errors(error: ValidationError) -> list[str]:
    return [m for messages_ in getattr(error, "message_dict", {"": error.messages}).values() for m in messages_]


@login_required
def consent_list(request, child_id):
    child = get_child_for_request(request, child_id, object_type="consent_list")
    organisation = _own_organisation(request)
    consents = list(_visible_consents(child, organisation))
    now = timezone.now()
    today = timezone.localdate()
    for consent in consents:
        consent.state = consent.state_on(now)
        consent.expiring = consent.state == "valid" and (consent.valid_to - today).days <= services.REMINDER_DAYS_BEFORE_EXPIRY
    disclosures = list(
        DisclosureRecord.objects.filter(child=child)
        .filter(Q(from_organisation=organisation) | Q(to_organisation=organisation))
        .select_related("from_organisation", "to_organisation", "decided_by")[:100]
    ) if organisation else []
    return render(request, "consent/list.html", {"child": child, "consents": consents, "disclosures": disclosures,
                                                 "organisation": organisation})


def _guardians(child):
    return services.guardians_with_custody(child, timezone.localdate())


@login_required
@require_http_methods(["GET", "POST"])
def consent_new(request, child_id):
    child = get_child_for_request(request, child_id, object_type="consent_form")
    organisation = _own_organisation(request)
    guardians = _guardians(child)
    form = NewConsentForm(request.POST or None, own_organisation=organisation, municipality=child.municipality,
                          guardians=guardians)
    errors = []
    if request.method == "POST" and organisation is None:
        errors.append(_("You act in no active position, so no organisation can disclose."))
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def record():
            # One savepoint: a request that cannot be recorded as given is not kept either.
            with transaction.atomic():
                consent = services.do_request_consent(
                    acting_user=request.user, child=child, disclosing_organisation=organisation,
                    recipients=list(data["recipients"]), categories=data["categories"], purpose=data["purpose"],
                    valid_from=data["valid_from"], valid_to=data["valid_to"], request=request,
                )
                if data["given_now"]:
                    chosen = {str(g.pk) for g in guardians} & set(data["guardians"])
                    services.do_record_consent(
                        acting_user=request.user, consent=consent,
                        guardians=[g for g in guardians if str(g.pk) in chosen], by_child=data["by_child"],
                        child_judged_mature=data["child_judged_mature"], form=data["form"],
                        form_note=data["form_note"], request=request,
                    )
            return consent

        try:
            # Sent twice (double click, resubmit): recorded once, the second answer is the first's.
            once = idempotency.run_once(
                user=request.user, scope="consent.create", key=idempotency.form_key(request),
                payload_fingerprint=idempotency.fingerprint_post(request), object_type="consent", create=record)
        except ValidationError as error:
            errors = _field_errors(error)
        except idempotency.IdempotencyMismatch:
            return idempotency.form_sent_before(request)
        else:
            messages.success(request, _("The consent is recorded."))
            return redirect("consent:detail", child_id=child.pk, consent_id=once.object_id)
    return render(request, "consent/new.html", {"child": child, "form": form, "errors": errors,
                                                "organisation": organisation}, status=400 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def consent_detail(request, child_id, consent_id):
    child = get_child_for_request(request, child_id, object_type="consent", object_id=consent_id)
    organisation = _own_organisation(request)
    consent = _visible_consents(child, organisation).filter(pk=consent_id).first()
    if consent is None:
        raise Http404
    guardians = _guardians(child)
    action = request.POST.get("action") if request.method == "POST" else None
    withdraw_form = WithdrawConsentForm(request.POST if action == "withdraw" else None, guardians=guardians)
    given_form = RecordGivenForm(request.POST if action == "given" else None, guardians=guardians)
    errors = []
    if request.method == "POST":
        if consent.disclosing_organisation_id != getattr(organisation, "pk", None):
            raise PermissionDenied
        try:
            if action == "given" and given_form.is_valid():
                data = given_form.cleaned_data
                with transaction.atomic():
                    services.do_record_consent(
                        acting_user=request.user, consent=consent,
                        guardians=[g for g in guardians if str(g.pk) in set(data["guardians"])],
                        by_child=data["by_child"], child_judged_mature=data["child_judged_mature"], form=data["form"],
                        form_note=data["form_note"], request=request,
                    )
                messages.success(request, _("The consent is recorded."))
                return redirect("consent:detail", child_id=child.pk, consent_id=consent.pk)
            if action == "refused":
                services.do_refuse_consent(acting_user=request.user, consent=consent, request=request)
                messages.success(request, _("The decision is recorded."))
                return redirect("consent:detail", child_id=child.pk, consent_id=consent.pk)
            if action == "withdraw" and withdraw_form.is_valid():
                who = withdraw_form.cleaned_data["withdrawn_by"]
                guardian = next((g for g in guardians if str(g.pk) == who), None)
                services.do_withdraw_consent(acting_user=request.user, consent=consent, by_guardian=guardian,
                                             by_child=who == "child", note=withdraw_form.cleaned_data["note"],
                                             request=request)
                messages.success(request, _("The consent is withdrawn. Shared information is hidden from now on."))
                return redirect("consent:detail", child_id=child.pk, consent_id=consent.pk)
            if action == "renew":
                renewal = services.do_renew_consent(
                    acting_user=request.user, consent=consent,
                    valid_to=consent.valid_to + (consent.valid_to - consent.valid_from), request=request,
                )
                messages.success(request, _("A renewal is requested. Record it when the consent is given again."))
                return redirect("consent:detail", child_id=child.pk, consent_id=renewal.pk)
        except ValidationError as error:
            errors = _field_errors(error)
    consent.state = consent.state_on()
    return render(request, "consent/detail.html", status=400 if errors or given_form.errors else 200, context={
        "child": child, "consent": consent, "givers": list(consent.givers.select_related("guardian")),
        "withdraw_form": withdraw_form, "given_form": given_form, "errors": errors,
        "may_change": consent.disclosing_organisation_id == getattr(organisation, "pk", None),
    })


@login_required
@require_http_methods(["GET", "POST"])
def disclosure_new(request, child_id):
    child = get_child_for_request(request, child_id, object_type="disclosure_form")
    organisation = _own_organisation(request)
    form = DisclosureForm(request.POST or None, own_organisation=organisation, municipality=child.municipality)
    errors = []
    if request.method == "POST" and organisation is not None and form.is_valid():
        data = form.cleaned_data
        consent = None
        if data["basis"] == "consent":
            consent = _visible_consents(child, organisation).filter(
                disclosing_organisation=organisation, recipients=data["to_organisation"], status=ConsentStatus.ACTIVE,
                withdrawn_at__isnull=True,
            ).first()
        try:
            services.do_record_disclosure(
                acting_user=request.user, child=child, from_organisation=organisation,
                to_organisation=data["to_organisation"], shared=data["shared"], basis=data["basis"] if data["shared"] else "none",
                categories=data["categories"], what=data["what"], provision=data["provision"], consent=consent,
                justification=data["justification"], request=request,
            )
        except ValidationError as error:
            errors = _field_errors(error)
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect("consent:list", child_id=child.pk)
    return render(request, "consent/disclosure_new.html", {"child": child, "form": form, "errors": errors},
                  status=400 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def log_extract(request, child_id):
    """Loggutdrag for one child. Produced by the child's barnkontakt; others see who can."""
    child = get_child_for_request(request, child_id, object_type="log_extract_form")
    may_produce = "barnkontakt" in relationship_kinds(request.user, [child.pk]).get(child.pk, [])
    return _extract_response(request, child, may_produce, "consent:log_extract", {"child_id": child.pk})


def _extract_response(request, child, may_produce, url_name, url_kwargs):
    form = ExtractPeriodForm(request.GET if "start" in request.GET else None)
    rows = None
    if may_produce and form.is_bound and form.is_valid():
        data = form.cleaned_data
        rows = extract.rows_for(child, data["start"], data["end"], names=data["names"])
        output = request.GET.get("format", "")
        log_access(request=request, action=Action.EXPORT if output in ("csv", "pdf") else Action.VIEW, child=child,
                   object_type="log_extract", purpose="log_extract")
        if output == "csv":
            return extract.csv_response(rows, names=data["names"])
        if output == "pdf":
            return render_pdf_ua(request, "consent/log_extract_print.html", {"child": child, "form": form, "rows": rows},
                                 filename=f"loggutdrag-{child.pk}-{data['start']:%Y%m%d}-{data['end']:%Y%m%d}.pdf")
    return render(request, "consent/log_extract.html", {
        "child": child, "form": form, "rows": rows, "may_produce": may_produce,
        "csv_query": request.GET.urlencode(), "action_url": reverse(url_name, kwargs=url_kwargs),
    })


def _reviewer(request):
    position = current_position(request)
    return position is not None and position.kind in REVIEWER_KINDS


@login_required
@require_http_methods(["GET", "POST"])
def emergency_access(request):
    """Nödåtkomst: the child's number, a written reason and the user's password again."""
    form = EmergencyAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not services.reauthenticate(request, form.cleaned_data["password"]):
            form.add_error("password", _("The password is wrong. Emergency access needs you to sign in again."))
        else:
            child = find_child_for_emergency_access(form.cleaned_data["number"])
            if child is None:
                log_access(request=request, action=Action.EMERGENCY_ACCESS, object_type="emergency_access",
                           outcome=Outcome.DENIED, emergency=True, object_id="")
                form.add_error("q", _("No child with that number is registered here."))
            else:
                services.do_grant_emergency_access(acting_user=request.user, child=child,
                                                   reason=form.cleaned_data["reason"],
                                                   organisation=_own_organisation(request), request=request)
                messages.warning(request, _("Emergency access is open for %(hours)s hours and will be reviewed.")
                                 % {"hours": services.EMERGENCY_ACCESS_HOURS})
                return redirect("children:overview", child_id=child.pk)
    return render(request, "consent/emergency.html", {"form": form, "hours": services.EMERGENCY_ACCESS_HOURS},
                  status=400 if form.errors else 200)


@login_required
def review_queue(request):
    if not _reviewer(request):
        raise PermissionDenied
    position = current_position(request)
    municipality_id = position.unit.organisation.municipality_id
    grants = list(
        EmergencyAccess.objects.filter(municipality_id=municipality_id, reviewed_at__isnull=True)
        .exclude(user=request.user).select_related("user", "organisation").order_by("granted_at")[:100]
    )
    overdue_ids = set(overdue_emergency_accesses().filter(municipality_id=municipality_id).values_list("id", flat=True))
    items = list(
        LogReviewItem.objects.filter(municipality_id=municipality_id, reviewed_at__isnull=True)
        .exclude(user_id=request.user.pk).order_by("sampled_on", "log_occurred_at")[:200]
    )
    return render(request, "consent/review_queue.html", {
        "grants": grants, "overdue_ids": overdue_ids, "items": items, "form": ReviewForm(),
    })


@login_required
@require_POST
def review_emergency(request, grant_id):
    if not _reviewer(request):
        raise PermissionDenied
    position = current_position(request)
    grant = EmergencyAccess.objects.filter(pk=grant_id, municipality_id=position.unit.organisation.municipality_id).first()
    if grant is None:
        raise Http404
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.do_review_emergency_access(acting_user=request.user, grant=grant, request=request,
                                                **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(_field_errors(error)))
        else:
            messages.success(request, _("The review is recorded."))
    else:
        messages.error(request, _("Choose an outcome."))
    return redirect("consent:review_queue")


@login_required
@require_POST
def review_item(request, item_id):
    if not _reviewer(request):
        raise PermissionDenied
    position = current_position(request)
    item = LogReviewItem.objects.filter(pk=item_id, municipality_id=position.unit.organisation.municipality_id).first()
    if item is None:
        raise Http404
    form = ReviewForm(request.POST)
    if form.is_valid():
        do_record_review(acting_user=request.user, item=item, request=request, **form.cleaned_data)
        messages.success(request, _("The review is recorded."))
    else:
        messages.error(request, _("Choose an outcome."))
    return redirect("consent:review_queue")


@login_required
@require_http_methods(["GET", "POST"])
def admin_log_extract(request):
    """A district administrator answers a guardian's or child's request, found by number (POST)."""
    if not administered_district_ids(request):
        raise PermissionDenied
    from backa.children.forms import ChildSearchForm

    form = ChildSearchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data.get("number")
        child = find_child_for_log_extract(request.user, number) if number is not None else None
        if child is None:
            form.add_error("q", _("No child with that number lives in your district."))
        else:
            log_access(request=request, action=Action.VIEW, child=child, object_type="log_extract_lookup",
                       purpose="log_extract_request")
            request.session["log_extract_child"] = str(child.pk)
            return redirect("consent:admin_log_extract_show")
    return render(request, "consent/admin_extract_lookup.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def admin_log_extract_show(request):
    child_id = request.session.get("log_extract_child")
    if not administered_district_ids(request) or not child_id:
        raise PermissionDenied
    from backa.children.access import child_for_log_extract_by_id

    child = child_for_log_extract_by_id(request.user, child_id)
    if child is None:
        raise PermissionDenied
    return _extract_response(request, child, True, "consent:admin_log_extract_show", {})

