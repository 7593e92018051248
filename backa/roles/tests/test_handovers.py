"""Barnkontakt derivation and handovers: each transition, moves, turning 18, overrides,
and the never-zero rule (the sender keeps the child until the receiver accepts)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from backa.access.gate import visible_children
from backa.accounts.models import PositionKind
from backa.children.lifephase import add_years
from backa.organisations.models import UnitType
from backa.roles.models import (
    AssignmentSource,
    Handover,
    HandoverStatus,
    HandoverTrigger,
    LifePhaseConfig,
    RoleAssignment,
    RoleKind,
    role_active_on,
)
from backa.roles.services import (
    Outcome,
    derive_all,
    do_accept_handover,
    do_close_handover,
    do_derive_barnkontakt,
    do_override_barnkontakt,
    do_prepare_handover,
    do_start_handover,
)
from backa.roles.tests.helpers import add_life_phase_units, child_at, enrol

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def w(world):
    return add_life_phase_units(world)


def barnkontakt_users(child):
    return set(
        RoleAssignment.objects.filter(role_active_on(TODAY), child=child, kind=RoleKind.BARNKONTAKT).values_list(
            "position__user__username", flat=True
        )
    )


def accept(w, child, receiver):
    handover = Handover.objects.get(child=child, status=HandoverStatus.PENDING)
    return do_accept_handover(
        acting_user=w.users[receiver], handover=handover, family_informed_how="Brev till vårdnadshavarna"
    )


def test_it_seeds_the_default_life_phase_rules():
    rules = {
        (r.phase, r.priority): (r.unit_type, r.position_kind) for r in LifePhaseConfig.objects.filter(municipality=None)
    }
    assert rules == {
        ("expected", 1): ("bmm", "midwife"),
        ("infant", 1): ("bvc", "bvc_nurse"),
        ("preschool", 1): ("forskola", "rektor"),
        ("preschool", 2): ("bvc", "bvc_nurse"),
        ("school", 1): ("grundskola", "rektor"),
        ("gymnasium", 1): ("gymnasium", "rektor"),
    }


def test_it_gives_a_child_without_a_barnkontakt_one_at_once_and_nothing_the_second_time(w):
    child = child_at(w, "Ny", date(TODAY.year - 9, 2, 2), "farsta_school", district=w.farsta, serial=987)
    assert do_derive_barnkontakt(child) == Outcome.ASSIGNED
    assert barnkontakt_users(child) == {"fredrik"}
    assignment = RoleAssignment.objects.get(child=child)
    assert assignment.source == AssignmentSource.DERIVED
    assert do_derive_barnkontakt(child) == Outcome.UNCHANGED
    assert RoleAssignment.objects.filter(child=child).count() == 1


def test_a_child_with_no_enrolment_is_a_gap_not_an_error(w):
    assert do_derive_barnkontakt(w.nobody) == Outcome.GAP
    assert barnkontakt_users(w.nobody) == set()


def test_it_hands_over_before_birth_from_bmm_to_bvc(w):
    child = child_at(
        w,
        "Nyfödd",
        None,
        "bmm",
        barnkontakt="maja",
        since=TODAY - timedelta(days=100),
        expected_birth_date=TODAY + timedelta(days=10),
    )
    assert do_derive_barnkontakt(child) == Outcome.UNCHANGED
    child.birth_date = TODAY - timedelta(days=3)
    child.save()
    enrol(w, child, "bvc", child.birth_date)
    assert do_derive_barnkontakt(child) == Outcome.HANDOVER_CREATED
    handover = Handover.objects.get(child=child)
    assert (handover.trigger, handover.to_position.user.username) == (HandoverTrigger.PHASE_CHANGE, "britta")
    assert handover.target_date == TODAY + timedelta(days=60)  # the infant rule's handover time


def test_it_hands_over_from_bvc_to_preschool_and_the_sender_keeps_the_child_until_accepted(w):
    child = child_at(w, "Liten", TODAY - timedelta(days=800), "bvc", barnkontakt="britta", serial=988)
    enrol(w, child, "forskola", TODAY - timedelta(days=2))
    assert do_derive_barnkontakt(child) == Outcome.HANDOVER_CREATED
    # Never zero: until the receiver accepts, the BVC nurse is still the barnkontakt.
    assert barnkontakt_users(child) == {"britta"}
    assert visible_children(w.britta).filter(pk=child.pk).exists()
    assert not visible_children(w.users["fiona"]).filter(pk=child.pk).exists()
    assert do_derive_barnkontakt(child) == Outcome.HANDOVER_PENDING  # rerunning changes nothing
    assert Handover.objects.filter(child=child).count() == 1
    accepted = accept(w, child, "fiona")
    assert accepted.status == HandoverStatus.ACCEPTED and accepted.basis == "contact_only"
    assert barnkontakt_users(child) == {"fiona"}
    assert not visible_children(w.britta).filter(pk=child.pk).exists()
    assert do_derive_barnkontakt(child) == Outcome.UNCHANGED


def test_a_preschool_child_without_a_preschool_place_stays_with_the_bvc_nurse(w):
    child = child_at(w, "Hemma", TODAY - timedelta(days=900), "bvc", serial=989)
    assert do_derive_barnkontakt(child) == Outcome.ASSIGNED
    assert barnkontakt_users(child) == {"britta"}


def test_it_hands_over_from_preschool_to_forskoleklass(w):
    born = date(TODAY.year - 7, 1, 10)
    child = child_at(
        w, "Skolstart", born, "forskola", barnkontakt="fiona", since=born + timedelta(days=400), serial=990
    )
    enrol(w, child, "school", date(born.year + 6, 8, 15))
    assert do_derive_barnkontakt(child) == Outcome.HANDOVER_CREATED
    handover = Handover.objects.get(child=child)
    assert (handover.trigger, handover.from_position.user.username, handover.to_position.user.username) == (
        HandoverTrigger.PHASE_CHANGE,
        "fiona",
        "rasmus",
    )
    accept(w, child, "rasmus")
    assert barnkontakt_users(child) == {"rasmus"}


def test_it_hands_over_from_grade_nine_to_gymnasium(w):
    born = date(TODAY.year - 17, 1, 10)
    child = child_at(w, "Gymnasist", born, "school", barnkontakt="rasmus", since=date(born.year + 6, 8, 15), serial=991)
    enrol(w, child, "gymnasium", date(born.year + 16, 8, 15))
    assert do_derive_barnkontakt(child) == Outcome.HANDOVER_CREATED
    accept(w, child, "gustav")
    assert barnkontakt_users(child) == {"gustav"}


def test_it_hands_over_when_the_child_moves_to_another_district(w):
    child = child_at(w, "Flyttar", date(TODAY.year - 10, 5, 5), "school", barnkontakt="rasmus", serial=992)
    child.home_district = w.farsta
    child.save()
    enrol(w, child, "farsta_school", TODAY)
    assert do_derive_barnkontakt(child) == Outcome.HANDOVER_CREATED
    handover = Handover.objects.get(child=child)
    assert handover.trigger == HandoverTrigger.MOVE_DISTRICT
    assert barnkontakt_users(child) == {"rasmus"}
    accept(w, child, "fredrik")
    assert barnkontakt_users(child) == {"fredrik"}


def test_a_move_out_of_the_municipality_is_closed_by_the_sender(w):
    handover = do_start_handover(acting_user=w.rasmus, child=w.sigrid, trigger=HandoverTrigger.MOVE_MUNICIPALITY)
    assert barnkontakt_users(w.sigrid) == {"rasmus"}
    with pytest.raises(PermissionDenied):
        do_close_handover(acting_user=w.olle, handover=handover, family_informed_how="Telefon")
    do_close_handover(acting_user=w.rasmus, handover=handover, family_informed_how="Telefonsamtal med vårdnadshavare")
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.CLOSED
    assert barnkontakt_users(w.sigrid) == set()


def test_turning_18_creates_a_closing_handover_without_receiver(w):
    born = add_years(TODAY, -18) - timedelta(days=1)
    child = child_at(w, "Vuxen", born, "gymnasium", barnkontakt="gustav", since=date(born.year + 16, 8, 15), serial=993)
    assert do_derive_barnkontakt(child) == Outcome.HANDOVER_CREATED
    handover = Handover.objects.get(child=child)
    assert handover.trigger == HandoverTrigger.AGE_18 and handover.to_position is None
    assert barnkontakt_users(child) == {"gustav"}  # until the sender closes it
    with pytest.raises(ValidationError):
        do_close_handover(acting_user=w.users["gustav"], handover=handover, family_informed_how=" ")
    do_close_handover(acting_user=w.users["gustav"], handover=handover, family_informed_how="Samtal med eleven")
    assert barnkontakt_users(child) == set()
    assert do_derive_barnkontakt(child) == Outcome.UNCHANGED


def test_only_the_receiver_can_accept_and_a_refused_accept_changes_nothing(w):
    child = child_at(w, "Väntar", TODAY - timedelta(days=800), "bvc", barnkontakt="britta", serial=994)
    enrol(w, child, "forskola", TODAY)
    do_derive_barnkontakt(child)
    handover = Handover.objects.get(child=child)
    for user in (w.britta, w.rasmus, w.ada):
        with pytest.raises(PermissionDenied):
            do_accept_handover(acting_user=user, handover=handover, family_informed_how="Brev")
    with pytest.raises(ValidationError):
        do_accept_handover(acting_user=w.users["fiona"], handover=handover, family_informed_how="")
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.PENDING
    assert barnkontakt_users(child) == {"britta"}


def test_the_sender_records_what_is_passed_on_and_on_which_basis(w):
    child = child_at(w, "Underlag", TODAY - timedelta(days=800), "bvc", barnkontakt="britta", serial=995)
    enrol(w, child, "forskola", TODAY)
    do_derive_barnkontakt(child)
    handover = Handover.objects.get(child=child)
    with pytest.raises(ValidationError):
        do_prepare_handover(acting_user=w.britta, handover=handover, basis="contact_only", items=["plan"])
    with pytest.raises(ValidationError):
        do_prepare_handover(
            acting_user=w.britta, handover=handover, basis="consent", items=["plan"], consent_reference=" "
        )
    with pytest.raises(PermissionDenied):
        do_prepare_handover(acting_user=w.users["fiona"], handover=handover, basis="contact_only", items=[])
    do_prepare_handover(
        acting_user=w.britta,
        handover=handover,
        basis="consent",
        items=["plan", "concerns"],
        consent_reference="Samtycke 2026-11-01, båda vårdnadshavarna",
    )
    accepted = accept(w, child, "fiona")
    assert (accepted.basis, accepted.items, accepted.legal_basis) == ("consent", ["concerns", "plan"], "")
    assert accepted.consent_reference.startswith("Samtycke")


def test_a_new_enrolment_during_a_pending_handover_redirects_it(w):
    child = child_at(w, "Byter", date(TODAY.year - 10, 5, 6), "school", barnkontakt="rasmus", serial=996)
    enrol(w, child, "farsta_school", TODAY)
    child.home_district = w.farsta
    child.save()
    do_derive_barnkontakt(child)
    # The Farsta place is withdrawn; the child stays at Ängsskolan: the handover is moot.
    from backa.children.models import Enrolment

    Enrolment.objects.filter(child=child, unit=w.units["farsta_school"]).update(valid_from=TODAY + timedelta(days=30))
    assert do_derive_barnkontakt(child) == Outcome.HANDOVER_CANCELLED
    assert not Handover.objects.filter(child=child, status=HandoverStatus.PENDING).exists()
    assert barnkontakt_users(child) == {"rasmus"}


def test_a_manager_override_is_immediate_and_kept_while_the_child_stays(w):
    assignment = do_override_barnkontakt(
        acting_user=w.rasmus, child=w.sigrid, position=w.positions["olle"], reason="Mentor och delegat"
    )
    assert assignment.source == AssignmentSource.OVERRIDE
    assert barnkontakt_users(w.sigrid) == {"olle"}
    assert do_derive_barnkontakt(w.sigrid) == Outcome.UNCHANGED
    with pytest.raises(PermissionDenied):  # a teacher is not a manager
        do_override_barnkontakt(acting_user=w.olle, child=w.sigrid, position=w.positions["rasmus"], reason="x")
    with pytest.raises(ValidationError):
        do_override_barnkontakt(acting_user=w.rasmus, child=w.sigrid, position=w.positions["rasmus"], reason="")


def test_a_municipality_rule_replaces_the_default_for_its_phase(w):
    LifePhaseConfig.objects.create(
        municipality=w.municipality,
        phase="school",
        priority=1,
        unit_type=UnitType.GRUNDSKOLA,
        position_kind=PositionKind.TEACHER,
    )
    child = child_at(w, "Regel", date(TODAY.year - 9, 3, 3), "school", serial=997)
    do_derive_barnkontakt(child)
    assert barnkontakt_users(child) == {"olle"}


def test_the_periodic_command_is_idempotent(w, capsys):
    child_at(w, "Ny", date(TODAY.year - 9, 2, 2), "farsta_school", district=w.farsta, serial=998)
    counts = derive_all()
    assert counts.get(Outcome.ASSIGNED) == 1
    roles_before = RoleAssignment.objects.count()
    call_command("assign_barnkontakt", "--quiet-progress")
    out = capsys.readouterr().out
    assert "assigned" not in out and "handover_created" not in out
    assert RoleAssignment.objects.count() == roles_before


def test_the_generator_and_the_derivation_agree(db):
    from backa.synthetic.generator import Generator

    Generator(children=300, seed=5, today=TODAY).run()
    counts = derive_all(on=TODAY)
    assert not counts.get(Outcome.HANDOVER_CREATED) and not counts.get(Outcome.ASSIGNED), counts
