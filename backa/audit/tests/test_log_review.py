"""Log review: a daily random sample plus rule hits, outcomes recorded, nobody reviews their own."""

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from backa.audit.log import Action, log_access
from backa.audit.models import AccessLog, LogReviewItem
from backa.audit.review import do_record_review, draw_daily_sample
from backa.consent.services import do_grant_emergency_access

pytestmark = pytest.mark.django_db


def _at(hour):
    return timezone.make_aware(datetime.combine(timezone.localdate(), time(hour, 0)))


def test_rule_hits_and_a_random_sample_are_drawn_once(world, client_for, monkeypatch):
    client_for("rasmus").get(reverse("casefile:overview", args=[world.sigrid.id]))
    do_grant_emergency_access(
        acting_user=world.britta, child=world.sigrid, reason="Akut fara för barnet, polisen ringde"
    )
    # A professional with the child's surname, and a read without a relationship.
    world.britta.last_name = "Nilsson"
    world.britta.save()
    from django.db import transaction

    with transaction.atomic():
        log_access(user=world.britta, action=Action.VIEW, child=world.sigrid)
    day = timezone.localdate()
    created = draw_daily_sample(day, sample_size=1, seed=1)
    # Britta's emergency access and her read without a relationship are one question for the
    # reviewer: one item for Britta and Sigrid with every reason; plus one sampled person-child pair.
    assert created == 2
    britta = LogReviewItem.objects.get(user_id=world.britta.id, child_id=world.sigrid.id)
    assert {"emergency", "no_relationship", "same_surname"} <= set(britta.reasons.split(","))
    sampled = LogReviewItem.objects.exclude(pk=britta.pk).get()
    assert sampled.reasons == "sample" and sampled.user_id != world.britta.id
    assert draw_daily_sample(day, sample_size=1, seed=1) == 0  # idempotent
    assert draw_daily_sample(day, sample_size=5) == 0  # the day's sample is drawn once, whatever the seed


def test_out_of_hours_and_many_children_are_flagged(world, settings, monkeypatch):
    from backa.audit import review

    monkeypatch.setattr(review, "MANY_CHILDREN_PER_DAY", 1)
    night = timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=1), time(2, 0)))
    AccessLog.objects.create(
        user_id=world.britta.id,
        child_id=world.ivar.id,
        action="view",
        outcome="allowed",
        purpose="barnkontakt",
        object_type="child",
        occurred_at=night,
    )
    AccessLog.objects.create(
        user_id=world.britta.id,
        child_id=world.hemlig.id,
        action="view",
        outcome="allowed",
        purpose="barnkontakt",
        object_type="child",
        occurred_at=night + timedelta(minutes=1),
    )
    draw_daily_sample(night.date(), sample_size=0)
    reasons = {i.child_id: set(i.reasons.split(",")) for i in LogReviewItem.objects.all()}
    # Both night reads are out of hours; "many children" is one item, at the child past the limit.
    assert reasons == {world.ivar.id: {"out_of_hours"}, world.hemlig.id: {"out_of_hours", "many_children"}}


def _last_weekday():
    day = timezone.localdate() - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _rows(user, children, *, action="view", hour=10):
    """Log rows on the last weekday (out of hours only when `hour` is)."""
    moment = timezone.make_aware(datetime.combine(_last_weekday(), time(hour, 0)))
    AccessLog.objects.bulk_create(
        [
            AccessLog(
                user_id=user.id,
                child_id=child_id,
                action=action,
                outcome="allowed",
                purpose="barnkontakt",
                object_type="child",
                occurred_at=moment + timedelta(seconds=i),
            )
            for i, child_id in enumerate(children)
        ]
    )
    return moment.date()


def _children(world, n):
    """The world's children, then ids that only the log knows (a child since removed by gallring)."""
    import uuid

    have = [world.ivar.id, world.sigrid.id, world.hemlig.id, world.nobody.id]
    return (have + [uuid.uuid4() for _ in range(n)])[:n]


def test_many_children_counts_children_opened_not_children_listed(world, monkeypatch):
    from backa.audit import review

    monkeypatch.setattr(review, "MANY_CHILDREN_PER_DAY", 3)
    kids = _children(world, 6)
    day = _rows(world.britta, kids, action="list")  # a class list shows six children: not opening them
    _rows(world.britta, kids[:3], action="view", hour=11)  # three opened: at the limit, not past it
    assert draw_daily_sample(day, sample_size=0) == 0
    _rows(world.per, kids[:5], action="view", hour=12)  # five opened: past the limit at the fourth
    _rows(world.per, kids[:5], action="view", hour=13)  # opening them again adds no item
    assert draw_daily_sample(day, sample_size=0) == 1
    item = LogReviewItem.objects.get()
    assert (item.user_id, item.child_id, item.reasons) == (world.per.id, kids[3], "many_children")


def test_one_item_per_person_and_child_however_many_rows(world):
    kids = _children(world, 2)
    day = _rows(world.britta, [kids[0]] * 12, hour=2)  # twelve night reads of one child
    _rows(world.britta, [kids[1]], hour=3)
    assert draw_daily_sample(day, sample_size=0) == 2
    first = AccessLog.objects.filter(user_id=world.britta.id, child_id=kids[0]).order_by("occurred_at").first()
    item = LogReviewItem.objects.get(child_id=kids[0])
    assert (item.log_id, item.reasons) == (first.id, "out_of_hours")


def test_the_draw_costs_the_same_few_queries_for_many_items(world, django_assert_max_num_queries):
    kids = _children(world, 40)
    day = _rows(world.britta, kids, hour=22)  # forty out-of-hours items
    with django_assert_max_num_queries(12):
        assert draw_daily_sample(day, sample_size=5, seed=3) == 40


def test_the_reviewer_records_an_outcome_but_never_on_their_own_access(world):
    with __import__("django.db").db.transaction.atomic():
        log_access(user=world.ada, action=Action.VIEW, child=world.sigrid)
        log_access(user=world.per, action=Action.VIEW, child=world.sigrid, purpose="team_member")
    draw_daily_sample(timezone.localdate(), sample_size=10)
    own = LogReviewItem.objects.get(user_id=world.ada.id)
    other = LogReviewItem.objects.get(user_id=world.per.id)
    with pytest.raises(PermissionDenied):
        do_record_review(acting_user=world.ada, item=own, outcome="justified")
    do_record_review(acting_user=world.ada, item=other, outcome="justified", note="Teammedlem")
    other.refresh_from_db()
    assert other.reviewer_id == world.ada.id and other.reviewed_at is not None


def test_the_review_page_lists_items_for_the_district_admin(world, client_for):
    with __import__("django.db").db.transaction.atomic():
        log_access(user=world.per, action=Action.VIEW, child=world.sigrid, purpose="team_member")
    draw_daily_sample(timezone.localdate(), sample_size=10)
    item = LogReviewItem.objects.get(user_id=world.per.id)
    client = client_for("ada")
    assert str(item.id).encode() in client.get(reverse("access:review_queue")).content
    client.post(reverse("access:review_item", args=[item.id]), {"outcome": "unclear"})
    item.refresh_from_db()
    assert item.outcome == "unclear"


def test_a_professional_living_at_the_childs_address_is_flagged(world, client_for):
    """Same address: the professional's provisioned home-address hash equals a custodial guardian's."""
    from backa.children.models import Guardian

    guardian = Guardian.objects.get(custodies__child=world.sigrid)
    guardian.address = "Storgatan 1 B, 123 45 Stockholm"
    guardian.save()
    world.per.set_home_address("STORGATAN 1B  12345 stockholm")  # same address, written differently
    world.per.save()
    world.sara.set_home_address("Storgatan 3, 123 45 Stockholm")  # a neighbour is not a hit
    world.sara.save()
    assert world.per.home_address_hash and "Storgatan" not in world.per.home_address_hash
    for persona in ("per", "sara", "rasmus"):
        client_for(persona).get(reverse("casefile:overview", args=[world.sigrid.id]))
    draw_daily_sample(timezone.localdate(), sample_size=0, seed=1)
    flagged = {item.user_id for item in LogReviewItem.objects.all() if "same_address" in item.reasons.split(",")}
    assert flagged == {world.per.id}
    labels = [item.reason_labels for item in LogReviewItem.objects.filter(user_id=world.per.id)]
    assert any("Samma adress som barnet" in str(label) or "Same address as the child" in str(label) for label in labels)


def test_a_guardian_without_custody_or_without_an_address_gives_no_address_hit(world, client_for):
    from backa.children.models import Custody, Guardian

    guardian = Guardian.objects.get(custodies__child=world.sigrid)
    guardian.address = "Storgatan 1, 123 45 Stockholm"
    guardian.save()
    Custody.objects.filter(guardian=guardian).update(has_custody=False)
    world.per.set_home_address("Storgatan 1, 123 45 Stockholm")
    world.per.save()
    world.sara.set_home_address("")  # no address provisioned matches nothing
    world.sara.save()
    for persona in ("per", "sara"):
        client_for(persona).get(reverse("casefile:overview", args=[world.sigrid.id]))
    draw_daily_sample(timezone.localdate(), sample_size=0, seed=1)
    assert not [i for i in LogReviewItem.objects.all() if "same_address" in i.reasons.split(",")]


def test_refusals_are_drawn_into_the_review(world, client_for):
    # Olle (no role) is refused once on a child with protected identity; Per is refused on
    # Ivar six times in a day. Both are questions for the reviewer; one refusal is not.
    client_for("olle").get(reverse("casefile:overview", args=[world.children["hemlig"].id]))
    per = client_for("per")
    for _ in range(6):
        per.get(reverse("casefile:overview", args=[world.children["ivar"].id]))
    client_for("rasmus").get(reverse("casefile:overview", args=[world.children["ivar"].id]))
    draw_daily_sample(timezone.localdate(), sample_size=0)
    items = {(i.user_id, i.child_id): set(i.reasons.split(",")) for i in LogReviewItem.objects.all()}
    assert items[(world.olle.id, world.children["hemlig"].id)] == {"denied_protected"}
    assert items[(world.per.id, world.children["ivar"].id)] == {"many_denials"}
    assert (world.rasmus.id, world.children["ivar"].id) not in items


def test_any_purpose_that_is_not_a_relationship_is_flagged_no_relationship(world):
    from django.db import transaction

    with transaction.atomic():
        # A police officer's concern about a child he has no role for (purpose: upptäckare).
        log_access(
            user=world.britta, action=Action.CREATE, child=world.ivar, object_type="concern", purpose="upptackare"
        )
        # The barnkontakt opens the file (a relationship) and then edits the plan (purpose "edit").
        log_access(user=world.rasmus, action=Action.VIEW, child=world.sigrid, purpose="barnkontakt")
        log_access(user=world.rasmus, action=Action.UPDATE, child=world.sigrid, object_type="plan", purpose="edit")
        # The reviewer looking at the review is not drawn again.
        log_access(user=world.ada, action=Action.VIEW, child=world.ivar, object_type="log_review", purpose="log_review")
    draw_daily_sample(timezone.localdate(), sample_size=0)
    flagged = {(i.user_id, i.child_id): i.reasons for i in LogReviewItem.objects.all()}
    assert "no_relationship" in flagged[(world.britta.id, world.ivar.id)]
    assert (world.rasmus.id, world.sigrid.id) not in flagged
    assert (world.ada.id, world.ivar.id) not in flagged


def test_a_review_item_shows_who_which_child_what_and_why_and_nothing_is_preselected(world, client_for):
    from django.db import transaction

    with transaction.atomic():
        log_access(user=world.per, action=Action.VIEW, child=world.sigrid, object_type="plan", purpose="team_member")
    draw_daily_sample(timezone.localdate(), sample_size=10)
    item = LogReviewItem.objects.get(user_id=world.per.id)
    client = client_for("ada")
    html = client.get(reverse("access:review_queue")).content.decode()
    assert world.per.get_full_name() in html and "Sigrid Nilsson" in html
    assert "Slumpmässigt stickprov" in html and "Plan" in html
    assert "selected" not in html  # no outcome chosen in advance
    # The reviewer saw the child's name: logged with the purpose log_review.
    assert AccessLog.objects.filter(user_id=world.ada.id, child_id=world.sigrid.id, purpose="log_review").exists()
    detail = client.get(reverse("access:review_item_page", args=[item.id])).content.decode()
    assert "Sigrid Nilsson" in detail and "Med i barnets team" in detail
    # Recording without choosing an outcome records nothing.
    client.post(reverse("access:review_item", args=[item.id]), {"outcome": ""})
    item.refresh_from_db()
    assert item.reviewed_at is None


def test_an_emergency_review_shows_the_child_and_what_was_opened(world, client_for):
    grant = do_grant_emergency_access(
        acting_user=world.britta, child=world.sigrid, reason="Polisen ringde om akut fara för barnet"
    )
    client_for("britta").get(reverse("casefile:overview", args=[world.sigrid.id]))
    client = client_for("ada")
    queue = client.get(reverse("access:review_queue")).content.decode()
    assert "Sigrid Nilsson" in queue and "Polisen ringde om akut fara" in queue
    page = client.get(reverse("access:review_emergency_page", args=[grant.id])).content.decode()
    assert "Sigrid Nilsson" in page and "Barnets akt" in page  # what was opened under the access
    assert AccessLog.objects.filter(
        user_id=world.ada.id, child_id=world.sigrid.id, purpose="log_review", object_type="emergency_review"
    ).exists()
