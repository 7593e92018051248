"""Systematic log review: a daily random sample combined with rule-based hits (IMY's advice).

Rules: emergency access, access without a relationship to the child, the user sharing
the child's surname or address (the keyed hash of the professional's home address equals
that of a guardian with custody; children/access.py), access out of hours, and a user opening unusually many children in
one day. Drawing is idempotent per log row. Names are compared in the database and
never written anywhere.
"""
import logging
import random
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from .log import Action, log_access
from .models import AccessLog, LogReviewItem, Outcome, ReviewReason

logger = logging.getLogger("backa.audit.review")

SAMPLE_SIZE = 20
MANY_CHILDREN_PER_DAY = 30
WORKING_HOURS = (7, 19)  # local time, Monday to Friday
EMERGENCY_REVIEW_DAYS = 3


def _day_bounds(day: date):
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def _out_of_hours(moment) -> bool:
    local = timezone.localtime(moment)
    return local.weekday() >= 5 or not (WORKING_HOURS[0] <= local.hour < WORKING_HOURS[1])


def draw_daily_sample(day: date, *, sample_size: int = SAMPLE_SIZE, seed=None) -> int:
    """Pick the day's rows for review; returns how many new items were created."""
    from backa.children.access import family_names_for_log_review, shared_addresses_for_log_review

    start, end = _day_bounds(day)
    rows = list(
        AccessLog.objects.filter(occurred_at__gte=start, occurred_at__lt=end, outcome=Outcome.ALLOWED, child_id__isnull=False)
        .values("occurred_at", "id", "user_id", "child_id", "municipality_id", "emergency", "purpose", "action")
    )
    reasons: dict = {}

    def hit(row, reason):
        reasons.setdefault((row["occurred_at"], row["id"]), (row, set()))[1].add(reason)

    busy = {
        r["user_id"] for r in AccessLog.objects.filter(occurred_at__gte=start, occurred_at__lt=end, outcome=Outcome.ALLOWED)
        .values("user_id").annotate(n=Count("child_id", distinct=True)).filter(n__gt=MANY_CHILDREN_PER_DAY)
    }
    surnames = family_names_for_log_review(
        {r["child_id"] for r in rows}, {r["user_id"] for r in rows if r["user_id"]}
    )
    addresses = shared_addresses_for_log_review(
        {r["child_id"] for r in rows}, {r["user_id"] for r in rows if r["user_id"]}
    )
    for row in rows:
        if row["emergency"] or row["action"] == Action.EMERGENCY_ACCESS:
            hit(row, ReviewReason.EMERGENCY)
        if not row["purpose"] and row["action"] in (Action.VIEW, Action.EXPORT, Action.PRINT):
            hit(row, ReviewReason.NO_RELATIONSHIP)
        if _out_of_hours(row["occurred_at"]):
            hit(row, ReviewReason.OUT_OF_HOURS)
        if row["user_id"] in busy:
            hit(row, ReviewReason.MANY_CHILDREN)
        if (row["child_id"], row["user_id"]) in surnames:
            hit(row, ReviewReason.SAME_SURNAME)
        if (row["child_id"], row["user_id"]) in addresses:
            hit(row, ReviewReason.SAME_ADDRESS)
    rest = [r for r in rows if (r["occurred_at"], r["id"]) not in reasons]
    for row in random.Random(seed).sample(rest, min(sample_size, len(rest))):
        hit(row, ReviewReason.SAMPLE)
    created = 0
    with transaction.atomic():
        for (occurred_at, log_id), (row, why) in reasons.items():
            _, made = LogReviewItem.objects.get_or_create(
                log_occurred_at=occurred_at, log_id=log_id,
                defaults={
                    "sampled_on": day, "user_id": row["user_id"], "child_id": row["child_id"],
                    "municipality_id": row["municipality_id"], "reasons": ",".join(sorted(why)),
                },
            )
            created += made
    logger.info("log review sample drawn day=%s items=%s", day.isoformat(), created)
    return created


@transaction.atomic
def do_record_review(*, acting_user, item: LogReviewItem, outcome: str, note: str = "", request=None) -> LogReviewItem:
    """The reviewer's finding on one item. Nobody reviews their own access."""
    item = LogReviewItem.objects.select_for_update().get(pk=item.pk)
    if item.user_id == acting_user.pk:
        raise PermissionDenied(_("Nobody may review their own access."))
    if outcome not in LogReviewItem.Outcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    item.reviewer_id, item.reviewed_at, item.outcome, item.note = acting_user.pk, timezone.now(), outcome, note
    item.save()
    log_access(request=request, user=acting_user, child_id=item.child_id, municipality_id=item.municipality_id,
               action=Action.UPDATE, object_type="log_review", object_id=item.pk, purpose=outcome)
    return item


def overdue_emergency_accesses(*, now=None, days: int = EMERGENCY_REVIEW_DAYS):
    """Emergency accesses still unreviewed more than `days` after they were granted."""
    from backa.consent.models import EmergencyAccess

    now = now or timezone.now()
    return EmergencyAccess.objects.filter(reviewed_at__isnull=True, granted_at__lt=now - timedelta(days=days))


def raise_emergency_review_alerts(*, now=None) -> int:
    """Warn (ids only) about unreviewed emergency accesses; returns how many are overdue."""
    overdue = list(overdue_emergency_accesses(now=now).values_list("id", flat=True))
    if overdue:
        logger.warning("ALERT unreviewed emergency accesses overdue count=%s ids=%s", len(overdue),
                       ",".join(str(i) for i in overdue[:50]))
    return len(overdue)
