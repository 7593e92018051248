"""Writes for consent, legal bases, disclosure records and emergency access.

Every function takes keyword-only `acting_user`, runs in one transaction and writes its
access-log row in it. Free text (purpose, notes, reasons) goes to the database only,
never to the access log or the application log.
"""

import logging
from datetime import date, timedelta

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backa.accounts import events
from backa.accounts.models import SecurityEventKind
from backa.accounts.positions import may_use_emergency_access
from backa.audit.context import as_acting
from backa.audit.log import Action, log_access
from backa.audit.vocabulary import ObjectType, Purpose
from backa.children.lifephase import age_in_years
from backa.children.models import Custody
from backa.consent.models import (
    Consent,
    ConsentGiver,
    ConsentReminder,
    ConsentStatus,
    DisclosureBasis,
    DisclosureRecord,
    EmergencyAccess,
    LegalBasis,
    encode_categories,
)
from backa.organisations.models import legal_citation

EMERGENCY_ACCESS_HOURS = 4
EMERGENCY_REASON_MIN_LENGTH = 20
# Below this age the child's own consent is never enough on its own.
MIN_AGE_TO_DECIDE_ALONE = 12
REMINDER_DAYS_BEFORE_EXPIRY = 30


def guardians_with_custody(child, on: date):
    """Guardians holding custody of the child on a day: each must consent for the child."""
    custodies = Custody.objects.filter(child=child, has_custody=True).select_related("guardian")
    return [
        c.guardian
        for c in custodies
        if (c.valid_from is None or c.valid_from <= on) and (c.valid_to is None or c.valid_to >= on)
    ]


def _check_scope(child, recipients, categories, valid_from, valid_to, disclosing_organisation):
    errors = {}
    if not recipients:
        errors["recipients"] = _("Name at least one recipient organisation.")
    # The disclosing organisation may be a recipient itself: such a consent opens its own
    # activities (verksamheter) to each other, e.g. pupil health's notes to the school.
    if not categories:
        errors["categories"] = _("Choose at least one information category.")
    if valid_to < valid_from:
        errors["valid_to"] = _("The end date must not be before the start date.")
    if errors:
        raise ValidationError(errors)


def _check_givers(child, guardians, by_child, child_judged_mature, on):
    holders = guardians_with_custody(child, on)
    holder_ids = {g.pk for g in holders}
    errors = {}
    if any(g.pk not in holder_ids for g in guardians):
        errors["guardians"] = _("Only a guardian with custody of the child can consent for the child.")
    if child_judged_mature:
        age = age_in_years(child.birth_date, on) or 0
        if age < MIN_AGE_TO_DECIDE_ALONE:
            errors["child_judged_mature"] = _("A child under 12 cannot consent alone.")
        elif not by_child:
            errors["by_child"] = _("A child judged mature enough must give the consent themself.")
    else:
        missing = holder_ids - {g.pk for g in guardians}
        if not holders:
            errors["guardians"] = _("No guardian with custody is recorded; record custody first.")
        elif missing:
            errors["guardians"] = _("Every guardian with custody must consent.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_request_consent(
    *,
    acting_user,
    child,
    disclosing_organisation,
    recipients,
    categories,
    purpose: str,
    valid_from: date,
    valid_to: date,
) -> Consent:
    """Open a consent request for the disclosing organisation; it opens nothing until given."""
    acting = as_acting(acting_user)
    acting_user = acting.user
    _check_scope(child, recipients, categories, valid_from, valid_to, disclosing_organisation)
    consent = Consent.objects.create(
        child=child,
        municipality_id=child.municipality_id,
        disclosing_organisation=disclosing_organisation,
        purpose=purpose,
        categories=encode_categories(categories),
        valid_from=valid_from,
        valid_to=valid_to,
        status=ConsentStatus.REQUESTED,
        created_by=acting_user,
    )
    consent.recipients.set(recipients)
    log_access(
        acting=acting,
        child=child,
        action=Action.CREATE,
        object_type=ObjectType.CONSENT,
        object_id=consent.pk,
        purpose=Purpose.CONSENT_REQUEST,
    )
    return consent


@transaction.atomic
def do_record_consent(
    *,
    acting_user,
    consent: Consent,
    guardians=(),
    by_child: bool = False,
    child_judged_mature: bool = False,
    form: str,
    form_note: str = "",
) -> Consent:
    """Record that the consent was given: by every guardian with custody, or by a mature child.

    The child may also consent alongside the guardians; that is recorded but not required.
    """
    acting = as_acting(acting_user)
    consent = Consent.objects.select_for_update().select_related("child").get(pk=consent.pk)
    if consent.status != ConsentStatus.REQUESTED:
        raise ValidationError(_("Only a requested consent can be recorded as given."))
    if not form:
        raise ValidationError({"form": _("Say whether the consent was given orally or in writing.")})
    today = timezone.localdate()
    _check_givers(consent.child, list(guardians), by_child, child_judged_mature, today)
    for guardian in guardians:
        ConsentGiver.objects.create(consent=consent, guardian=guardian, given_on=today)
    if by_child:
        ConsentGiver.objects.create(consent=consent, is_child=True, given_on=today)
    consent.status = ConsentStatus.ACTIVE
    consent.form, consent.form_note = form, form_note
    consent.child_judged_mature = child_judged_mature
    consent.given_at = timezone.now()
    consent.version += 1
    consent.save()
    log_access(
        acting=acting,
        child=consent.child,
        action=Action.UPDATE,
        object_type=ObjectType.CONSENT,
        object_id=consent.pk,
        purpose=Purpose.CONSENT_GIVEN,
    )
    return consent


@transaction.atomic
def do_refuse_consent(*, acting_user, consent: Consent, note: str = "") -> Consent:
    """The guardians or the child said no: the request closes and nothing is shared."""
    acting = as_acting(acting_user)
    consent = Consent.objects.select_for_update().select_related("child").get(pk=consent.pk)
    if consent.status != ConsentStatus.REQUESTED:
        raise ValidationError(_("Only a requested consent can be refused."))
    consent.status = ConsentStatus.REFUSED
    consent.form_note = note
    consent.version += 1
    consent.save()
    log_access(
        acting=acting,
        child=consent.child,
        action=Action.UPDATE,
        object_type=ObjectType.CONSENT,
        object_id=consent.pk,
        purpose=Purpose.CONSENT_REFUSED,
    )
    return consent


@transaction.atomic
def do_withdraw_consent(
    *,
    acting_user,
    consent: Consent,
    by_guardian=None,
    by_child: bool = False,
    note: str = "",
) -> Consent:
    """Withdraw now. Other organisations' entries are hidden from the next request on.

    The row lock makes a concurrent read either finish first (and be logged) or see the
    withdrawal; the time of withdrawal is taken after the lock is held.
    """
    acting = as_acting(acting_user)
    consent = Consent.objects.select_for_update().select_related("child").get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        return consent
    if consent.status not in (ConsentStatus.ACTIVE, ConsentStatus.REQUESTED):
        raise ValidationError(_("This consent cannot be withdrawn."))
    if by_guardian is None and not by_child:
        raise ValidationError(_("Say who withdrew the consent."))
    if by_guardian is not None and by_guardian.pk not in {
        g.pk for g in guardians_with_custody(consent.child, timezone.localdate())
    }:
        raise ValidationError(_("Only a guardian with custody can withdraw the consent."))
    consent.status = ConsentStatus.WITHDRAWN
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by_guardian = by_guardian
    consent.withdrawn_by_child = by_child
    consent.withdrawal_note = note
    consent.version += 1
    consent.save()
    log_access(
        acting=acting,
        child=consent.child,
        action=Action.UPDATE,
        object_type=ObjectType.CONSENT,
        object_id=consent.pk,
        purpose=Purpose.CONSENT_WITHDRAWN,
    )
    return consent


@transaction.atomic
def do_renew_consent(*, acting_user, consent: Consent, valid_to: date) -> Consent:
    """Ask again with the same scope, continuing from the old consent's end; it must be given anew."""
    acting = as_acting(acting_user)
    old = Consent.objects.select_related("child", "disclosing_organisation").get(pk=consent.pk)
    if old.status != ConsentStatus.ACTIVE:
        raise ValidationError(_("Only a consent in force can be renewed."))
    valid_from = max(old.valid_to + timedelta(days=1), timezone.localdate())
    renewal = do_request_consent(
        acting_user=acting,
        child=old.child,
        disclosing_organisation=old.disclosing_organisation,
        recipients=list(old.recipients.all()),
        categories=old.category_list,
        purpose=old.purpose,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    renewal.renews = old
    renewal.save(update_fields=["renews"])
    return renewal


# The legal reference (organisations.LegalReference, decision 0010) each basis kind cites.
LEGAL_REFERENCE_OF_KIND = {
    "duty_to_report": "duty_to_report",
    "osl_10_28": "osl_10_28",
    "osl_25_13a": "osl_25_13a",
    "osl_25_12": "osl_25_12",
}


@transaction.atomic
def do_record_legal_basis(
    *,
    acting_user,
    child,
    disclosing_organisation,
    recipient,
    kind: str,
    provision: str,
    reason: str,
    categories,
    valid_from: date,
    valid_to: date,
) -> LegalBasis:
    """Record a statutory ground for sharing without consent (e.g. OSL 10 kap. 28 §)."""
    acting = as_acting(acting_user)
    acting_user = acting.user
    _check_scope(child, [recipient], categories, valid_from, valid_to, disclosing_organisation)
    if not provision.strip():
        # The provision the kind stands for, from the table of legal references (kept as data).
        provision = legal_citation(LEGAL_REFERENCE_OF_KIND.get(kind, ""), "")
    if not provision.strip() or not reason.strip():
        raise ValidationError(_("Name the provision and give the reason."))
    basis = LegalBasis.objects.create(
        child=child,
        municipality_id=child.municipality_id,
        disclosing_organisation=disclosing_organisation,
        recipient=recipient,
        kind=kind,
        provision=provision,
        reason=reason,
        categories=encode_categories(categories),
        valid_from=valid_from,
        valid_to=valid_to,
        recorded_by=acting_user,
    )
    log_access(
        acting=acting,
        child=child,
        action=Action.CREATE,
        object_type=ObjectType.LEGAL_BASIS,
        object_id=basis.pk,
        purpose=kind,
    )
    return basis


@transaction.atomic
def do_record_disclosure(
    *,
    acting_user,
    child,
    from_organisation,
    to_organisation,
    shared: bool,
    basis: str,
    categories,
    what: str,
    provision: str = "",
    consent: Consent | None = None,
    justification: str = "",
) -> DisclosureRecord:
    """Record one crossing of an organisation boundary, or a decision not to share.

    A disclosure on consent is refused unless that consent covers the recipient and every
    category today: the record proves a lawful crossing, so it cannot be made for an unlawful one.
    """
    acting = as_acting(acting_user)
    acting_user = acting.user
    if from_organisation.pk == to_organisation.pk:
        raise ValidationError(_("A disclosure crosses an organisation boundary; choose another recipient."))
    if not categories:
        raise ValidationError({"categories": _("Choose at least one information category.")})
    if shared and basis == DisclosureBasis.NONE:
        raise ValidationError({"basis": _("A disclosure needs a basis.")})
    if not shared:
        basis, consent = DisclosureBasis.NONE, None
    if basis == DisclosureBasis.CONSENT:
        from backa.consent.access import may_see

        if (
            consent is None
            or consent.child_id != child.pk
            or consent.disclosing_organisation_id != from_organisation.pk
        ):
            raise ValidationError({"consent": _("Choose the consent that covers this disclosure.")})
        if not all(may_see(to_organisation, from_organisation, c, child) for c in categories):
            raise ValidationError({"consent": _("No consent in force covers this recipient and these categories.")})
    if basis == DisclosureBasis.OSL_PROVISION and not provision.strip():
        raise ValidationError({"provision": _("Name the provision.")})
    record = DisclosureRecord.objects.create(
        child=child,
        municipality_id=child.municipality_id,
        from_organisation=from_organisation,
        to_organisation=to_organisation,
        shared=shared,
        basis=basis,
        provision=provision,
        consent=consent,
        categories=encode_categories(categories),
        what=what,
        justification=justification,
        decided_by=acting_user,
    )
    log_access(
        acting=acting,
        child=child,
        action=Action.DISCLOSE,
        object_type=ObjectType.DISCLOSURE,
        object_id=record.pk,
        purpose=basis if shared else Purpose.NOT_SHARED,
    )
    return record


def reauthenticate(request, password: str) -> bool:
    """Step-up: the user proves again, with their password, that they are at the keyboard."""
    user = request.user
    again = authenticate(request, username=user.get_username(), password=password)
    return again is not None and again.pk == user.pk


@transaction.atomic
def do_grant_emergency_access(
    *, acting_user, child, reason: str, organisation=None, hours: int = EMERGENCY_ACCESS_HOURS
) -> EmergencyAccess:
    """Open one child to acting_user for a few hours; flagged in the log and queued for review.
    Only a position with a duty of care or protection, only a child of that position's municipality."""
    acting = as_acting(acting_user)
    acting_user = acting.user
    position = acting.position
    if position is None or not may_use_emergency_access(position):
        raise PermissionDenied("emergency access is not part of this position")
    if position.unit.organisation.municipality_id != child.municipality_id:
        raise PermissionDenied("emergency access reaches only children of the position's municipality")
    if len(reason.strip()) < EMERGENCY_REASON_MIN_LENGTH:
        raise ValidationError({"reason": _("Describe the emergency in at least 20 characters.")})
    now = timezone.now()
    grant = EmergencyAccess.objects.create(
        child=child,
        municipality_id=child.municipality_id,
        user=acting_user,
        organisation=organisation,
        reason=reason.strip(),
        granted_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    log_access(
        acting=acting,
        child=child,
        action=Action.EMERGENCY_ACCESS,
        object_type=ObjectType.EMERGENCY_ACCESS,
        object_id=grant.pk,
        purpose=Purpose.EMERGENCY,
        emergency=True,
    )
    events.record(
        SecurityEventKind.EMERGENCY_ACCESS_GRANTED,
        actor=acting_user,
        subject=acting_user,
        request_id=acting.request_id,
        detail={"child_id": child.pk, "grant_id": grant.pk},
    )
    return grant


@transaction.atomic
def do_review_emergency_access(*, acting_user, grant: EmergencyAccess, outcome: str, note: str = "") -> EmergencyAccess:
    """Record the review of an emergency access. Nobody reviews their own."""
    acting = as_acting(acting_user)
    acting_user = acting.user
    grant = EmergencyAccess.objects.select_for_update().get(pk=grant.pk)
    if grant.user_id == acting_user.pk:
        raise PermissionDenied(_("Nobody may review their own emergency access."))
    if grant.reviewed_at is not None:
        raise ValidationError(_("This emergency access has already been reviewed."))
    if not outcome:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    grant.reviewed_by, grant.reviewed_at = acting_user, timezone.now()
    grant.review_outcome, grant.review_note = outcome, note
    grant.save()
    log_access(
        acting=acting,
        child_id=grant.child_id,
        municipality_id=grant.municipality_id,
        action=Action.UPDATE,
        object_type=ObjectType.EMERGENCY_REVIEW,
        object_id=grant.pk,
        purpose=outcome,
    )
    return grant


def create_expiry_reminders(*, today: date | None = None) -> int:
    """One reminder per consent in force that ends within 30 days and has no renewal yet. Idempotent."""
    today = today or timezone.localdate()
    due = Consent.objects.filter(
        status=ConsentStatus.ACTIVE,
        valid_to__gte=today,
        valid_to__lte=today + timedelta(days=REMINDER_DAYS_BEFORE_EXPIRY),
        withdrawn_at__isnull=True,
        renewals__isnull=True,
    ).exclude(reminders__kind="expiry_30")
    created = 0
    for consent in due:
        _, made = ConsentReminder.objects.get_or_create(
            consent=consent,
            kind="expiry_30",
            defaults={"child_id": consent.child_id, "municipality_id": consent.municipality_id},
        )
        created += made
    return created


logger = logging.getLogger("backa.audit.review")


# -- emergency access still unreviewed --------------------------------------------------------

EMERGENCY_REVIEW_DAYS = 3


def overdue_emergency_accesses(*, now=None, days: int = EMERGENCY_REVIEW_DAYS):
    """Emergency accesses still unreviewed more than `days` after they were granted."""
    now = now or timezone.now()
    return EmergencyAccess.objects.filter(reviewed_at__isnull=True, granted_at__lt=now - timedelta(days=days))


def raise_emergency_review_alerts(*, now=None) -> int:
    """Warn (ids only) about unreviewed emergency accesses; returns how many are overdue."""
    overdue = list(overdue_emergency_accesses(now=now).values_list("id", flat=True))
    if overdue:
        logger.warning(
            "ALERT unreviewed emergency accesses overdue count=%s ids=%s",
            len(overdue),
            ",".join(str(i) for i in overdue[:50]),
        )
    return len(overdue)
