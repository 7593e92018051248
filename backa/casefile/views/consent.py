"""The child's consents, disclosures and log extract."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backa.access.gate import get_child_for_request, relationship_kinds
from backa.access.objects import child_object
from backa.access.views import _extract_response
from backa.accounts.positions import current_organisation
from backa.audit.context import Acting
from backa.audit.vocabulary import ObjectType
from backa.consent import services
from backa.consent.forms import DisclosureForm, NewConsentForm, RecordGivenForm, WithdrawConsentForm
from backa.consent.models import Consent, ConsentStatus, DisclosureRecord
from backa.lib.forms import error_messages
from backa.operations import idempotency


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


@login_required
def consent_list(request, child_id):
    child = get_child_for_request(request, child_id, object_type=ObjectType.CONSENT_LIST)
    organisation = current_organisation(request)
    consents = list(_visible_consents(child, organisation))
    now = timezone.now()
    today = timezone.localdate()
    for consent in consents:
        consent.state = consent.state_on(now)
        consent.expiring = (
            consent.state == "valid" and (consent.valid_to - today).days <= services.REMINDER_DAYS_BEFORE_EXPIRY
        )
    disclosures = (
        list(
            DisclosureRecord.objects.filter(child=child)
            .filter(Q(from_organisation=organisation) | Q(to_organisation=organisation))
            .select_related("from_organisation", "to_organisation", "decided_by")[:100]
        )
        if organisation
        else []
    )
    return render(
        request,
        "casefile/consent_list.html",
        {"child": child, "consents": consents, "disclosures": disclosures, "organisation": organisation},
    )


def _guardians(child):
    return services.guardians_with_custody(child, timezone.localdate())


@login_required
@require_http_methods(["GET", "POST"])
def consent_new(request, child_id):
    child = get_child_for_request(request, child_id, object_type=ObjectType.CONSENT_FORM)
    organisation = current_organisation(request)
    guardians = _guardians(child)
    form = NewConsentForm(
        request.POST or None, own_organisation=organisation, municipality=child.municipality, guardians=guardians
    )
    errors = []
    if request.method == "POST" and organisation is None:
        errors.append(_("You act in no active position, so no organisation can disclose."))
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def record():
            # One savepoint: a request that cannot be recorded as given is not kept either.
            with transaction.atomic():
                consent = services.do_request_consent(
                    acting_user=Acting.of(request),
                    child=child,
                    disclosing_organisation=organisation,
                    recipients=list(data["recipients"]),
                    categories=data["categories"],
                    purpose=data["purpose"],
                    valid_from=data["valid_from"],
                    valid_to=data["valid_to"],
                )
                if data["given_now"]:
                    chosen = {str(g.pk) for g in guardians} & set(data["guardians"])
                    services.do_record_consent(
                        acting_user=Acting.of(request),
                        consent=consent,
                        guardians=[g for g in guardians if str(g.pk) in chosen],
                        by_child=data["by_child"],
                        child_judged_mature=data["child_judged_mature"],
                        form=data["form"],
                        form_note=data["form_note"],
                    )
            return consent

        try:
            # Sent twice (double click, resubmit): recorded once, the second answer is the first's.
            once = idempotency.run_once(
                user=request.user,
                scope="consent.create",
                key=idempotency.form_key(request),
                payload_fingerprint=idempotency.fingerprint_post(request),
                object_type="consent",
                create=record,
            )
        except ValidationError as error:
            errors = error_messages(error)
        except idempotency.IdempotencyMismatch:
            return idempotency.form_sent_before(request)
        else:
            messages.success(request, _("The consent is recorded."))
            return redirect("casefile:consent_detail", child_id=child.pk, consent_id=once.object_id)
    return render(
        request,
        "casefile/consent_new.html",
        {"child": child, "form": form, "errors": errors, "organisation": organisation},
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def consent_detail(request, child_id, consent_id):
    child = get_child_for_request(request, child_id, object_type=ObjectType.CONSENT, object_id=consent_id)
    organisation = current_organisation(request)
    consent = child_object(_visible_consents(child, organisation), child, consent_id, ObjectType.CONSENT)
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
                        acting_user=Acting.of(request),
                        consent=consent,
                        guardians=[g for g in guardians if str(g.pk) in set(data["guardians"])],
                        by_child=data["by_child"],
                        child_judged_mature=data["child_judged_mature"],
                        form=data["form"],
                        form_note=data["form_note"],
                    )
                messages.success(request, _("The consent is recorded."))
                return redirect("casefile:consent_detail", child_id=child.pk, consent_id=consent.pk)
            if action == "refused":
                services.do_refuse_consent(acting_user=Acting.of(request), consent=consent)
                messages.success(request, _("The decision is recorded."))
                return redirect("casefile:consent_detail", child_id=child.pk, consent_id=consent.pk)
            if action == "withdraw" and withdraw_form.is_valid():
                who = withdraw_form.cleaned_data["withdrawn_by"]
                guardian = next((g for g in guardians if str(g.pk) == who), None)
                services.do_withdraw_consent(
                    acting_user=Acting.of(request),
                    consent=consent,
                    by_guardian=guardian,
                    by_child=who == "child",
                    note=withdraw_form.cleaned_data["note"],
                )
                messages.success(request, _("The consent is withdrawn. Shared information is hidden from now on."))
                return redirect("casefile:consent_detail", child_id=child.pk, consent_id=consent.pk)
            if action == "renew":
                renewal = services.do_renew_consent(
                    acting_user=Acting.of(request),
                    consent=consent,
                    valid_to=consent.valid_to + (consent.valid_to - consent.valid_from),
                )
                messages.success(request, _("A renewal is requested. Record it when the consent is given again."))
                return redirect("casefile:consent_detail", child_id=child.pk, consent_id=renewal.pk)
        except ValidationError as error:
            errors = error_messages(error)
    consent.state = consent.state_on()
    return render(
        request,
        "casefile/consent_detail.html",
        status=400 if errors or given_form.errors else 200,
        context={
            "child": child,
            "consent": consent,
            "givers": list(consent.givers.select_related("guardian")),
            "withdraw_form": withdraw_form,
            "given_form": given_form,
            "errors": errors,
            "may_change": consent.disclosing_organisation_id == getattr(organisation, "pk", None),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def disclosure_new(request, child_id):
    child = get_child_for_request(request, child_id, object_type=ObjectType.DISCLOSURE_FORM)
    organisation = current_organisation(request)
    form = DisclosureForm(request.POST or None, own_organisation=organisation, municipality=child.municipality)
    errors = []
    if request.method == "POST" and organisation is not None and form.is_valid():
        data = form.cleaned_data
        consent = None
        if data["basis"] == "consent":
            consent = (
                _visible_consents(child, organisation)
                .filter(
                    disclosing_organisation=organisation,
                    recipients=data["to_organisation"],
                    status=ConsentStatus.ACTIVE,
                    withdrawn_at__isnull=True,
                )
                .first()
            )
        try:
            services.do_record_disclosure(
                acting_user=Acting.of(request),
                child=child,
                from_organisation=organisation,
                to_organisation=data["to_organisation"],
                shared=data["shared"],
                basis=data["basis"] if data["shared"] else "none",
                categories=data["categories"],
                what=data["what"],
                provision=data["provision"],
                consent=consent,
                justification=data["justification"],
            )
        except ValidationError as error:
            errors = error_messages(error)
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect("casefile:consent_list", child_id=child.pk)
    return render(
        request,
        "casefile/disclosure_new.html",
        {"child": child, "form": form, "errors": errors},
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def log_extract(request, child_id):
    """Loggutdrag for one child. Produced by the child's barnkontakt; others see who can."""
    child = get_child_for_request(request, child_id, object_type=ObjectType.LOG_EXTRACT_FORM)
    may_produce = "barnkontakt" in relationship_kinds(request.user, [child.pk]).get(child.pk, [])
    return _extract_response(request, child, may_produce, "casefile:log_extract", {"child_id": child.pk})
