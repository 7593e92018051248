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
    client_for("rasmus").get(reverse("children:overview", args=[world.sigrid.id]))
    do_grant_emergency_access(acting_user=world.olle, child=world.sigrid, reason="Akut fara för barnet, polisen ringde")
    # A professional with the child's surname, and a read without a relationship.
    world.olle.last_name = "Nilsson"
    world.olle.save()
    from django.db import transaction

    with transaction.atomic():
        log_access(user=world.olle, action=Action.VIEW, child=world.sigrid)
    day = timezone.localdate()
    created = draw_daily_sample(day, sample_size=1, seed=1)
    assert created >= 3
    reasons = {r for item in LogReviewItem.objects.all() for r in item.reasons.split(",")}
    assert {"emergency", "no_relationship", "same_surname", "sample"} <= reasons
    assert draw_daily_sample(day, sample_size=1, seed=1) == 0  # idempotent


def test_out_of_hours_and_many_children_are_flagged(world, settings, monkeypatch):
    from backa.audit import review

    monkeypatch.setattr(review, "MANY_CHILDREN_PER_DAY", 1)
    night = timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=1), time(2, 0)))
    AccessLog.objects.create(user_id=world.britta.id, child_id=world.ivar.id, action="view", outcome="allowed",
                             purpose="barnkontakt", object_type="child", occurred_at=night)
    AccessLog.objects.create(user_id=world.britta.id, child_id=world.hemlig.id, action="view", outcome="allowed",
                             purpose="barnkontakt", object_type="child", occurred_at=night + timedelta(minutes=1))
    draw_daily_sample(night.date(), sample_size=0)
    reasons = [set(i.reasons.split(",")) for i in LogReviewItem.objects.all()]
    assert len(reasons) == 2 and all({"out_of_hours", "many_children"} <= r for r in reasons)


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
    assert str(item.id).encode() in client.get(reverse("consent:review_queue")).content
    client.post(reverse("consent:review_item", args=[item.id]), {"outcome": "unclear"})
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
        client_for(persona).get(reverse("children:overview", args=[world.sigrid.id]))
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
        client_for(persona).get(reverse("children:overview", args=[world.sigrid.id]))
    draw_daily_sample(timezone.localdate(), sample_size=0, seed=1)
    assert not [i for i in LogReviewItem.objects.all() if "same_address" in i.reasons.split(",")]
