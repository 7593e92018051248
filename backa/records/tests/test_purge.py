"""The purge job against the default rules: exactly what has passed its rule goes, holds stop it,
the purge records add up to the rows that went, a second run removes nothing."""

from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import ProtectedError
from django.utils import timezone

from backa.audit.models import AccessLog
from backa.casefile.concerns import do_register_concern
from backa.children.models import Child, Guardian
from backa.consent.models import Consent
from backa.records.holds import do_place_hold, do_release_hold
from backa.records.models import HoldReason, PurgeRecord, PurgeRun
from backa.records.purge import months_before, plan_purge, run_purge
from backa.records.rules import ensure_default_rules
from backa.records.tests.helpers import full_file, row_counts

pytestmark = pytest.mark.django_db


def purge_and_check(batch_size=500):
    """Run the purge; check its records add up to the rows that went. Returns {label: rows gone}."""
    before = row_counts()
    run = run_purge(batch_size=batch_size)
    after = row_counts()
    gone = {label: before[label] - after[label] for label in before if before[label] != after[label]}
    recorded: Counter = Counter()
    for record in PurgeRecord.objects.filter(run=run):
        recorded.update(record.counts)
        assert record.count == record.counts[record_model(record.record_type)]
    assert dict(recorded) == gone
    assert run.finished_at is not None
    return gone


def record_model(key):
    from backa.records.registry import BY_KEY

    return BY_KEY[key].model


def present(child) -> set[str]:
    return {label for label, n in row_counts([child.pk]).items() if n}


def test_every_kind_of_record_goes_when_its_rule_has_passed_and_a_held_child_loses_nothing(world, frozen_clock):
    ensure_default_rules(world.municipality)
    start = timezone.now()
    sigrid, ivar = world.sigrid, world.ivar
    full_file(world, sigrid)
    do_register_concern(
        acting_user=world.users["britta"],
        child=ivar,
        observed_on=timezone.localdate(),
        description="Väger lite",
        areas=["halsa"],
    )
    do_place_hold(
        acting_user=world.users["ada"],
        municipality=world.municipality,
        child=ivar,
        reason=HoldReason.COMPLAINT,
        reference="Dnr 2026/123",
        owner=world.users["ada"],
        ends_on=timezone.localdate() + timedelta(days=365 * 20),
    )
    ivar_before = row_counts([ivar.pk])
    everything = present(sigrid)
    assert {"casefile.Concern", "consent.DisclosureRecord", "forums.ForumMeeting", "roles.Handover"} <= everything

    # Nothing has passed its rule yet.
    assert purge_and_check() == {}

    # 13 months: only notifications (one year).
    frozen_clock.move_to(months_before(start, -13))
    gone = purge_and_check()
    assert set(gone) <= {"casefile.Notification"}
    assert present(sigrid) == everything - {"casefile.Notification"}

    # 61 months: everything from school, social services, police and the platform (five years); the
    # health-care consent (ten years) and the child stay.
    frozen_clock.move_to(months_before(start, -61))
    purge_and_check()
    assert present(sigrid) == {
        "children.Child",
        "children.Custody",
        "children.Enrolment",
        "consent.Consent",
    }

    # Nine years: past 18 and one year, but the consent is still within its rule: the child stays.
    frozen_clock.move_to(months_before(start, -108))
    assert purge_and_check() == {}
    assert "children.Child" in present(sigrid)

    # Ten years and a month: the consent goes, and with it the last part: the child, its custody and
    # enrolment, and the guardian no other child has.
    frozen_clock.move_to(months_before(start, -121))
    gone = purge_and_check()
    assert gone["consent.Consent"] == 1 and gone["children.Child"] == 1
    assert not Child.objects.filter(pk=sigrid.pk).exists()
    assert not Guardian.objects.filter(given_name="Anna").exists()

    # The held child lost nothing, not even its log rows.
    assert row_counts([ivar.pk]) == ivar_before
    assert AccessLog.objects.filter(child_id=ivar.pk, occurred_at__lt=start + timedelta(hours=1)).exists()
    # A second run finds nothing.
    assert purge_and_check() == {}


def test_a_released_hold_lets_the_purge_go_on(world, frozen_clock):
    ensure_default_rules(world.municipality)
    start = timezone.now()
    full_file(world, world.sigrid)
    hold = do_place_hold(
        acting_user=world.users["ada"],
        municipality=world.municipality,
        record_type="concern",
        reason=HoldReason.JO,
        reference="JO 1234-26",
        owner=world.users["ada"],
        ends_on=timezone.localdate() + timedelta(days=365 * 10),
    )
    assert AccessLog.objects.filter(object_type="legal_hold", object_id=str(hold.pk), action="create").count() == 1
    frozen_clock.move_to(months_before(start, -61))
    purge_and_check()
    assert "casefile.Concern" in present(world.sigrid)
    assert "casefile.Assessment" not in present(world.sigrid)
    do_release_hold(acting_user=world.users["ada"], hold=hold)
    assert AccessLog.objects.filter(object_type="legal_hold", object_id=str(hold.pk), action="update").count() == 1
    gone = purge_and_check()
    assert gone["casefile.Concern"] == 1


def test_the_dry_run_lists_what_would_go_and_deletes_nothing(world, frozen_clock):
    ensure_default_rules(world.municipality)
    start = timezone.now()
    full_file(world, world.sigrid)
    frozen_clock.move_to(months_before(start, -61))
    before = row_counts()
    plan = plan_purge()
    assert row_counts() == before
    listed = {p.kind.key: p.rows for p in plan.rules if p.rows}
    assert listed["concern"] == 1 and listed["disclosure"] == 1 and "consent" not in listed
    assert all(p.children == 1 for p in plan.rules if p.rows and p.kind.key != "notification")
    gone = purge_and_check()
    assert sum(gone[label] for label in ("casefile.Concern", "consent.DisclosureRecord")) == 2
    assert plan.total_rows >= 2


def test_batches_each_write_a_record_and_the_run_is_idempotent(world, frozen_clock):
    ensure_default_rules(world.municipality)
    start = timezone.now()
    for _ in range(3):
        do_register_concern(
            acting_user=world.rasmus,
            child=world.sigrid,
            observed_on=timezone.localdate(),
            description="Orolig",
            areas=["trygghet"],
        )
    frozen_clock.move_to(months_before(start, -61))
    purge_and_check(batch_size=2)
    run = PurgeRun.objects.filter(dry_run=False).order_by("-started_at").first()
    concern_batches = [r.count for r in run.records.filter(record_type="concern").order_by("batch")]
    assert concern_batches == [2, 1]
    assert purge_and_check(batch_size=2) == {}


def test_research_sample_children_are_kept(world, frozen_clock):
    """Social-services files on children born on the 5th, 15th or 25th are kept (SoF 7 kap. 2 §)."""
    ensure_default_rules(world.municipality)
    start = timezone.now()
    sigrid = world.sigrid
    Child.objects.filter(pk=sigrid.pk).update(birth_date=sigrid.birth_date.replace(day=15))
    full_file(world, sigrid)
    frozen_clock.move_to(months_before(start, -61))
    purge_and_check()
    kept = present(sigrid)
    assert {"consent.DisclosureRecord", "consent.LegalBasis"} <= kept  # from social services
    assert "casefile.Concern" not in kept  # from the school


PROTECTED = ["consents", "legal_bases", "disclosures", "emergency_accesses", "role_assignments", "handovers"]


def test_deleting_a_child_with_audit_relevant_records_is_refused(world):
    full_file(world, world.sigrid)
    before = row_counts([world.sigrid.pk])
    with pytest.raises(ProtectedError) as refused:
        Child.objects.get(pk=world.sigrid.pk).delete()
    blocking = {type(o)._meta.label for o in refused.value.protected_objects}
    assert {
        "consent.Consent",
        "consent.LegalBasis",
        "consent.DisclosureRecord",
        "consent.EmergencyAccess",
        "roles.RoleAssignment",
        "roles.Handover",
        "forums.ForumMeeting",
    } <= blocking
    assert row_counts([world.sigrid.pk]) == before
    assert Consent.objects.filter(child=world.sigrid).exists()
