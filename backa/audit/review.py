"""Systematic log review: a daily random sample combined with rule-based hits (IMY's advice).

Rules: emergency access, access without a relationship to the child (a person whose rows on
the child that day name no relationship: barnkontakt, stödsamordnare or team member — whatever
the purpose, an upptäckare's concern or the intake's work included; the review's own rows are
not drawn again), the user sharing
the child's surname or address (the keyed hash of the professional's home address equals
that of a guardian with custody; see shared_addresses_for_log_review below), access out of
hours, a user opening unusually many children in one day, and refusals: a person refused on
children many times in one day, and any refusal on a child with protected personal data.
One item per person, child and day; drawing again adds nothing already drawn.
Names are compared in the database and never written anywhere.
"""

import logging
import random
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backa.accounts.models import User
from backa.audit.context import as_acting
from backa.audit.log import Action, log_access
from backa.audit.models import AccessLog, LogReviewItem, Outcome, ReviewReason
from backa.audit.vocabulary import ObjectType, Purpose
from backa.children.models import Child, Custody
from backa.lib import identity

logger = logging.getLogger("backa.audit.review")

SAMPLE_SIZE = 20
MANY_CHILDREN_PER_DAY = 30
MANY_DENIALS_PER_DAY = 5
WORKING_HOURS = (7, 19)  # local time, Monday to Friday
# The purposes that are a relationship to the child (the gate's role kinds).
RELATIONSHIP_PURPOSES = frozenset({Purpose.BARNKONTAKT, Purpose.STODSAMORDNARE, Purpose.TEAM_MEMBER})
# Rows of the review itself (a reviewer seeing who opened what) are not drawn again.
REVIEW_OBJECTS = frozenset({ObjectType.LOG_REVIEW, ObjectType.EMERGENCY_REVIEW})


def _is_relationship(purpose: str) -> bool:
    return any(part.split(":", 1)[0] in RELATIONSHIP_PURPOSES for part in (purpose or "").split(","))


def _day_bounds(day: date):
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def _out_of_hours(moment) -> bool:
    local = timezone.localtime(moment)
    return local.weekday() >= 5 or not (WORKING_HOURS[0] <= local.hour < WORKING_HOURS[1])


def draw_daily_sample(day: date, *, sample_size: int = SAMPLE_SIZE, seed=None) -> int:
    """Pick the day's accesses for review; returns how many new items were created.

    One item per person and child for the day, at that pair's first flagged row, carrying
    every rule reason the pair's rows gave ("Per opened Sigrid's page at 02:10 and again at
    02:40, without a relationship" is one question for the reviewer, not two). "Many
    children" counts children *opened* (action view: lists and searches show many children
    without opening them) and gives one item per person, at the row where the limit was
    passed. The random sample is drawn once per day: running the job again adds only rule
    hits not yet there. Items are written in batches of INSERT … ON CONFLICT DO NOTHING.
    """
    start, end = _day_bounds(day)
    rows = list(
        AccessLog.objects.filter(
            occurred_at__gte=start, occurred_at__lt=end, outcome=Outcome.ALLOWED, child_id__isnull=False
        )
        .order_by("occurred_at", "id")
        .values(
            "occurred_at",
            "id",
            "user_id",
            "child_id",
            "municipality_id",
            "emergency",
            "purpose",
            "action",
            "object_type",
        )
    )
    related = {(r["child_id"], r["user_id"]) for r in rows if _is_relationship(r["purpose"])}
    pairs = {(r["child_id"], r["user_id"]) for r in rows}
    surnames = family_names_for_log_review({c for c, _u in pairs}, {u for _c, u in pairs if u})
    addresses = shared_addresses_for_log_review({c for c, _u in pairs}, {u for _c, u in pairs if u})
    flagged: dict = {}  # (child, user) -> (first flagged row, reasons)
    _flag_denials(start, end, flagged)
    opened: dict = {}  # user -> children opened so far today
    for row in rows:
        why = set()
        if row["emergency"] or row["action"] == Action.EMERGENCY_ACCESS:
            why.add(ReviewReason.EMERGENCY)
        key = (row["child_id"], row["user_id"])
        if (
            key not in related
            and row["user_id"]
            and not row["emergency"]
            and row["action"] not in (Action.LIST, Action.SEARCH, Action.EMERGENCY_ACCESS)
            and row["object_type"] not in REVIEW_OBJECTS
        ):
            why.add(ReviewReason.NO_RELATIONSHIP)
        if _out_of_hours(row["occurred_at"]):
            why.add(ReviewReason.OUT_OF_HOURS)
        if row["action"] == Action.VIEW and row["user_id"]:
            seen = opened.setdefault(row["user_id"], set())
            if row["child_id"] not in seen:
                seen.add(row["child_id"])
                if len(seen) == MANY_CHILDREN_PER_DAY + 1:
                    why.add(ReviewReason.MANY_CHILDREN)
        if key in surnames:
            why.add(ReviewReason.SAME_SURNAME)
        if key in addresses:
            why.add(ReviewReason.SAME_ADDRESS)
        if why and row["object_type"] not in REVIEW_OBJECTS:
            flagged.setdefault(key, (row, set()))[1].update(why)
    drawn = LogReviewItem.objects.filter(sampled_on=day)
    already = set(drawn.values_list("child_id", "user_id"))
    for key in already:
        flagged.pop(key, None)
    if sample_size and not drawn.filter(reasons__contains=ReviewReason.SAMPLE).exists():
        taken = flagged.keys() | already
        rest: dict = {}  # the sample is of people and children, each at the pair's first row
        for row in rows:
            key = (row["child_id"], row["user_id"])
            if key not in taken and row["object_type"] not in REVIEW_OBJECTS:
                rest.setdefault(key, row)
        for key, row in random.Random(seed).sample(list(rest.items()), min(sample_size, len(rest))):
            flagged[key] = (row, {ReviewReason.SAMPLE})
    items = [
        LogReviewItem(
            sampled_on=day,
            log_occurred_at=row["occurred_at"],
            log_id=row["id"],
            user_id=row["user_id"],
            child_id=row["child_id"],
            municipality_id=row["municipality_id"],
            reasons=",".join(sorted(why)),
        )
        for row, why in flagged.values()
    ]
    with transaction.atomic():
        before = LogReviewItem.objects.filter(log_occurred_at__gte=start, log_occurred_at__lt=end).count()
        LogReviewItem.objects.bulk_create(items, batch_size=2000, ignore_conflicts=True)
        created = LogReviewItem.objects.filter(log_occurred_at__gte=start, log_occurred_at__lt=end).count() - before
    logger.info("log review sample drawn day=%s items=%s", day.isoformat(), created)
    return created


def _flag_denials(start, end, flagged: dict) -> None:
    """Refusals on children: everyone refused more than MANY_DENIALS_PER_DAY times (one item
    per child, at the first refusal), and every refusal on a child with protected identity."""
    denied = list(
        AccessLog.objects.filter(
            occurred_at__gte=start,
            occurred_at__lt=end,
            outcome=Outcome.DENIED,
            child_id__isnull=False,
            user_id__isnull=False,
        )
        .order_by("occurred_at", "id")
        .values("occurred_at", "id", "user_id", "child_id", "municipality_id")
    )
    if not denied:
        return
    per_user: dict = {}
    for row in denied:
        per_user[row["user_id"]] = per_user.get(row["user_id"], 0) + 1
    protected = set(
        Child.objects.filter(pk__in={r["child_id"] for r in denied}, protected_identity=True).values_list(
            "pk", flat=True
        )
    )
    for row in denied:
        why = set()
        if per_user[row["user_id"]] > MANY_DENIALS_PER_DAY:
            why.add(ReviewReason.MANY_DENIALS)
        if row["child_id"] in protected:
            why.add(ReviewReason.DENIED_PROTECTED)
        if why:
            flagged.setdefault((row["child_id"], row["user_id"]), (row, set()))[1].update(why)


@transaction.atomic
def do_record_review(*, acting_user, item: LogReviewItem, outcome: str, note: str = "") -> LogReviewItem:
    """The reviewer's finding on one item. Nobody reviews their own access."""
    acting = as_acting(acting_user)
    acting_user = acting.user
    item = LogReviewItem.objects.select_for_update().get(pk=item.pk)
    if item.user_id == acting_user.pk:
        raise PermissionDenied(_("Nobody may review their own access."))
    if outcome not in LogReviewItem.Outcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    item.reviewer_id, item.reviewed_at, item.outcome, item.note = acting_user.pk, timezone.now(), outcome, note
    item.save()
    log_access(
        acting=acting,
        child_id=item.child_id,
        municipality_id=item.municipality_id,
        action=Action.UPDATE,
        object_type=ObjectType.LOG_REVIEW,
        object_id=item.pk,
        purpose=outcome,
    )
    return item


# -- what the reviewer sees: who, what was opened, when, why --------------------------------------


def purpose_text(purpose: str) -> str:
    """A stored (possibly composed) purpose in words: "Barnkontakt, Member of the child's team"."""
    labels = dict(Purpose.choices)
    return ", ".join(str(labels.get(part.split(":", 1)[0], part)) for part in (purpose or "").split(",") if part)


def describe_rows(rows) -> list[dict]:
    """Access-log rows (dicts with the AccessLog fields) in words, for a reviewer."""
    from backa.organisations.models import Organisation, Unit

    rows = list(rows)
    orgs = dict(Organisation.objects.filter(pk__in={r["organisation_id"] for r in rows}).values_list("pk", "name"))
    units = dict(Unit.objects.filter(pk__in={r["unit_id"] for r in rows}).values_list("pk", "name"))
    people = {u.pk: u for u in User.objects.filter(pk__in={r["user_id"] for r in rows if r["user_id"]})}
    actions, objects = dict(Action.choices), dict(ObjectType.choices)
    out = []
    for r in rows:
        person = people.get(r["user_id"])
        out.append(
            {
                **r,
                "person": (person.get_full_name() or person.username) if person else "",
                "organisation": orgs.get(r["organisation_id"], ""),
                "unit": units.get(r["unit_id"], ""),
                "action_text": str(actions.get(r["action"], r["action"])),
                "object_text": str(objects.get(r["object_type"], r["object_type"])),
                "purpose_text": purpose_text(r["purpose"]),
            }
        )
    return out


ROW_FIELDS = (
    "occurred_at",
    "id",
    "user_id",
    "organisation_id",
    "unit_id",
    "role",
    "child_id",
    "object_type",
    "object_id",
    "action",
    "purpose",
    "outcome",
    "emergency",
)


def rows_of_item(item: LogReviewItem) -> list[dict]:
    """Every row of the item's person on the item's child that day, in words."""
    start, end = _day_bounds(item.sampled_on)
    return describe_rows(
        AccessLog.objects.filter(
            user_id=item.user_id, child_id=item.child_id, occurred_at__gte=start, occurred_at__lt=end
        )
        .order_by("occurred_at", "id")
        .values(*ROW_FIELDS)[:500]
    )


def first_rows(items) -> dict:
    """{item id: its drawn row in words} for a page of items, in one query."""
    items = list(items)
    if not items:
        return {}
    rows = describe_rows(
        AccessLog.objects.filter(
            occurred_at__in={i.log_occurred_at for i in items}, id__in={i.log_id for i in items}
        ).values(*ROW_FIELDS)
    )
    by_key = {(r["occurred_at"], r["id"]): r for r in rows}
    return {i.pk: by_key.get((i.log_occurred_at, i.log_id)) for i in items}


def emergency_rows(grants) -> dict:
    """{grant id: the rows written under that emergency access, in words}, in one query."""
    grants = list(grants)
    if not grants:
        return {}
    rows = describe_rows(
        AccessLog.objects.filter(
            emergency=True,
            user_id__in={g.user_id for g in grants},
            child_id__in={g.child_id for g in grants},
            occurred_at__gte=min(g.granted_at for g in grants),
            occurred_at__lte=max(g.expires_at for g in grants),
        )
        .order_by("occurred_at", "id")
        .values(*ROW_FIELDS)[:5000]
    )
    return {
        g.pk: [
            r
            for r in rows
            if r["user_id"] == g.user_id
            and r["child_id"] == g.child_id
            and g.granted_at <= r["occurred_at"] <= g.expires_at
        ]
        for g in grants
    }


# -- the surname and address rules: compared in memory, never stored or logged ----------------------


def family_names_for_log_review(child_ids, user_ids) -> set:
    """{(child_id, user_id)} pairs where the professional shares the child's surname.

    Log review only: the names are compared in memory and never stored or logged.
    """
    from django.db.models.functions import Lower

    if not child_ids or not user_ids:
        return set()
    users = User.objects.filter(pk__in=list(user_ids)).annotate(ln=Lower("last_name")).exclude(ln="")
    pairs: set[tuple] = set()
    by_name: dict = {}
    for child_id, name in (
        Child.objects.filter(pk__in=list(child_ids))
        .annotate(fn=Lower("family_name"))
        .filter(fn__in=users.values("ln"))
        .values_list("pk", "fn")
    ):
        by_name.setdefault(name, []).append(child_id)
    for user_id, name in users.filter(ln__in=list(by_name)).values_list("pk", "ln"):
        pairs.update((child_id, user_id) for child_id in by_name[name])
    return pairs


def shared_addresses_for_log_review(child_ids, user_ids) -> set:
    """{(child_id, user_id)} pairs where the professional lives at the child's address.

    The child's address is its guardians' (with custody): the platform stores no address on
    the child. Each guardian address is normalised and keyed-hashed in memory
    (children.identity.address_hash) and compared with the professional's provisioned
    home_address_hash. Log review only: nothing is stored or logged.
    """

    if not child_ids or not user_ids:
        return set()
    by_hash: dict = {}
    for user_id, digest in (
        User.objects.filter(pk__in=list(user_ids)).exclude(home_address_hash="").values_list("pk", "home_address_hash")
    ):
        by_hash.setdefault(digest, []).append(user_id)
    if not by_hash:
        return set()
    pairs = set()
    for child_id, address in (
        Custody.objects.filter(child_id__in=list(child_ids), has_custody=True)
        .exclude(guardian__address="")
        .values_list("child_id", "guardian__address")
    ):
        for user_id in by_hash.get(identity.address_hash(address), ()):
            pairs.add((child_id, user_id))
    return pairs
