"""Reminders: nothing waits for someone to look. Each reminder is sent once per occasion
(ReminderSent's unique constraint, written in the transaction of its notifications) and
lands on the start page and, as the recipient chose, in e-mail (through notify()).

Occasions and recipients (days and hours from settings, REMINDER_*):
- a plan's follow-up due within N days, and overdue: the child's barnkontakt and
  stödsamordnare; a moved review date is a new occasion;
- a handover pending more than N days: the receiver (or, without one, the one handing over);
- a consent in force ending within N days, not renewed: the child's barnkontakt;
- an emergency access unreviewed more than N hours: the reviewers (district administrators
  and managers) of the municipality, never the one who used it.
Feedback on a concern report is the intake's (issue 14), which notifies through notify()."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from backa.access.objects import REVIEWER_KINDS
from backa.accounts.models import Position
from backa.casefile.models import Notification, Plan, PlanStatus, ReminderSent
from backa.casefile.notify import notify
from backa.consent.models import Consent, ConsentStatus, EmergencyAccess
from backa.roles.models import Handover, HandoverStatus, RoleAssignment, RoleKind, active_on, role_active_on

K = Notification.Kind


def _send_once(*, kind: str, object_id, occasion: str, child, recipients: Iterable) -> bool:
    recipients = [r for r in recipients if r is not None]
    if not recipients or child.deceased_on is not None:  # the register says the child has died: nothing to remind of
        return False
    try:
        with transaction.atomic():
            ReminderSent.objects.create(
                kind=kind,
                object_id=object_id,
                occasion=occasion,
                child_id=child.pk,
                municipality_id=child.municipality_id,
            )
            notify(recipients=recipients, child=child, kind=kind, object_id=object_id)
    except IntegrityError:
        return False  # sent before (or by a run at the same moment)
    return True


def _responsible(child_ids, today) -> dict:
    found: dict = {}
    for child_id, user_id in RoleAssignment.objects.filter(
        role_active_on(today), child_id__in=child_ids, kind__in=(RoleKind.BARNKONTAKT, RoleKind.STODSAMORDNARE)
    ).values_list("child_id", "position__user_id"):
        found.setdefault(child_id, []).append(user_id)
    return found


def _barnkontakt(child_ids, today) -> dict:
    found: dict = {}
    for child_id, user_id in RoleAssignment.objects.filter(
        role_active_on(today), child_id__in=child_ids, kind=RoleKind.BARNKONTAKT
    ).values_list("child_id", "position__user_id"):
        found.setdefault(child_id, []).append(user_id)
    return found


def followups(today) -> int:
    horizon = today + timedelta(days=settings.REMINDER_FOLLOWUP_DUE_DAYS)
    plans = list(Plan.objects.filter(status=PlanStatus.ACTIVE, review_date__lte=horizon).select_related("child"))
    who = _responsible([p.child_id for p in plans], today)
    sent = 0
    for plan in plans:
        late = plan.review_date < today
        sent += _send_once(
            kind=K.REMIND_FOLLOWUP_LATE if late else K.REMIND_FOLLOWUP_DUE,
            object_id=plan.id,
            occasion=f"{'late' if late else 'due'}:{plan.review_date.isoformat()}",
            child=plan.child,
            recipients=who.get(plan.child_id, []),
        )
    return sent


def handovers(now) -> int:
    older = now - timedelta(days=settings.REMINDER_HANDOVER_PENDING_DAYS)
    pending = Handover.objects.filter(status=HandoverStatus.PENDING, created_at__lt=older).select_related(
        "child", "to_position", "from_position"
    )
    sent = 0
    for handover in pending:
        receiver = handover.to_position.user_id if handover.to_position else handover.from_position.user_id
        sent += _send_once(
            kind=K.REMIND_HANDOVER,
            object_id=handover.id,
            occasion="pending",
            child=handover.child,
            recipients=[receiver],
        )
    return sent


def consents(today) -> int:
    horizon = today + timedelta(days=settings.REMINDER_CONSENT_EXPIRING_DAYS)
    due = list(
        Consent.objects.filter(
            status=ConsentStatus.ACTIVE,
            valid_to__gte=today,
            valid_to__lte=horizon,
            withdrawn_at__isnull=True,
            renewals__isnull=True,
        ).select_related("child")
    )
    who = _barnkontakt([c.child_id for c in due], today)
    sent = 0
    for consent in due:
        sent += _send_once(
            kind=K.REMIND_CONSENT,
            object_id=consent.id,
            occasion=f"expiry:{consent.valid_to.isoformat()}",
            child=consent.child,
            recipients=who.get(consent.child_id, []),
        )
    return sent


def emergency_accesses(now, today) -> int:
    older = now - timedelta(hours=settings.REMINDER_EMERGENCY_UNREVIEWED_HOURS)
    grants = list(
        EmergencyAccess.objects.filter(reviewed_at__isnull=True, granted_at__lt=older).select_related("child")
    )
    if not grants:
        return 0
    reviewers: dict = {}
    for municipality_id, user_id in Position.objects.filter(
        active_on(today), kind__in=REVIEWER_KINDS, user__is_active=True
    ).values_list("unit__organisation__municipality_id", "user_id"):
        reviewers.setdefault(municipality_id, []).append(user_id)
    sent = 0
    for grant in grants:
        sent += _send_once(
            kind=K.REMIND_EMERGENCY,
            object_id=grant.id,
            occasion="unreviewed",
            child=grant.child,
            recipients=[u for u in reviewers.get(grant.municipality_id, []) if u != grant.user_id],
        )
    return sent


def send_reminders(*, now=None) -> dict:
    """Every kind of reminder that is due; returns how many occasions were sent per kind."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    return {
        "followups": followups(today),
        "handovers": handovers(now),
        "consents": consents(today),
        "emergency_accesses": emergency_accesses(now, today),
    }
