"""Handovers started ahead of each foreseen transition, idempotently, never leaving zero."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from backa.children.lifephase import add_years
from backa.roles.models import Handover, HandoverStatus, HandoverTrigger, RoleAssignment, RoleKind, role_active_on
from backa.roles.services import Outcome, do_accept_handover, do_close_handover, do_derive_barnkontakt
from backa.roles.tests.helpers import add_life_phase_units, child_at, enrol
from backa.roles.transitions import Ahead, start_handovers_ahead

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
JUNE = date(TODAY.year + 1, 6, 1)  # a reference date two months before a school start
AUGUST = date(TODAY.year + 1, 8, 1)


@pytest.fixture
def w(world):
    return add_life_phase_units(world)


def barnkontakt_on(child, day):
    return set(
        RoleAssignment.objects.filter(role_active_on(day), child=child, kind=RoleKind.BARNKONTAKT).values_list(
            "position__user__username", flat=True
        )
    )


def pending(child):
    return Handover.objects.get(child=child, status=HandoverStatus.PENDING)


def test_birth_hands_over_from_bmm_to_the_districts_bvc_ahead_and_only_once(w):
    child = child_at(
        w,
        "Väntad",
        None,
        "bmm",
        barnkontakt="maja",
        since=TODAY - timedelta(days=100),
        expected_birth_date=TODAY + timedelta(days=20),
    )
    counts = start_handovers_ahead(window_days=30)
    assert counts[Ahead.CREATED] == 1
    handover = pending(child)
    assert handover.to_position.user.username == "britta"  # no listing yet: the one BVC of Järva
    assert (handover.trigger, handover.target_date, handover.transition_on) == (
        HandoverTrigger.PHASE_CHANGE,
        TODAY + timedelta(days=20),
        TODAY + timedelta(days=20),
    )
    assert barnkontakt_on(child, TODAY) == {"maja"}  # never zero: the midwife keeps the child
    assert start_handovers_ahead(window_days=30).get(Ahead.CREATED, 0) == 0
    assert Handover.objects.filter(child=child).count() == 1


def test_a_birth_outside_the_window_is_not_due(w):
    child_at(
        w,
        "Sen",
        None,
        "bmm",
        barnkontakt="maja",
        since=TODAY - timedelta(days=10),
        expected_birth_date=TODAY + timedelta(days=120),
    )
    assert start_handovers_ahead(window_days=30) == {}
    assert not Handover.objects.exists()


def test_first_birthday_hands_over_to_the_preschool_where_a_place_starts(w):
    born = add_years(TODAY, -1) + timedelta(days=14)
    child = child_at(w, "Ettåring", born, "bvc", barnkontakt="britta", serial=988)
    enrol(w, child, "forskola", born + timedelta(days=365 + 20))
    assert start_handovers_ahead(window_days=30)[Ahead.CREATED] == 1
    assert pending(child).to_position.user.username == "fiona"
    assert pending(child).transition_on == add_years(born, 1)


def test_first_birthday_without_a_preschool_place_keeps_the_bvc_nurse(w):
    born = add_years(TODAY, -1) + timedelta(days=14)
    child_at(w, "Hemma", born, "bvc", barnkontakt="britta", serial=988)
    assert start_handovers_ahead(window_days=30) == {Ahead.UNCHANGED: 1}
    assert not Handover.objects.exists()


def test_leaving_preschool_for_forskoleklass_in_august(w):
    child = child_at(w, "Sexåring", date(AUGUST.year - 6, 3, 3), "forskola", barnkontakt="fiona", serial=989)
    enrol(w, child, "farsta_school", date(AUGUST.year, 8, 19))  # the first day of term, after 1 August
    counts = start_handovers_ahead(on=JUNE, window_days=90)
    assert counts == {Ahead.CREATED: 1}
    handover = pending(child)
    assert (handover.to_position.user.username, handover.target_date, handover.transition_on) == (
        "fredrik",
        AUGUST,
        AUGUST,
    )
    assert start_handovers_ahead(on=JUNE, window_days=90) == {Ahead.PENDING: 1}


def test_a_school_start_without_a_school_place_waits_for_one(w):
    child = child_at(w, "Oplacerad", date(AUGUST.year - 6, 3, 3), "forskola", barnkontakt="fiona", serial=989)
    assert start_handovers_ahead(on=JUNE, window_days=90) == {Ahead.NO_RECEIVER: 1}
    enrol(w, child, "school", date(AUGUST.year, 8, 19))
    assert start_handovers_ahead(on=JUNE, window_days=90) == {Ahead.CREATED: 1}
    assert pending(child).to_position.user.username == "rasmus"


def test_grade_nine_to_gymnasium(w):
    child = child_at(w, "Niondeklass", date(AUGUST.year - 16, 5, 5), "school", barnkontakt="rasmus", serial=991)
    enrol(w, child, "gymnasium", date(AUGUST.year, 8, 19))
    assert start_handovers_ahead(on=JUNE, window_days=90) == {Ahead.CREATED: 1}
    assert pending(child).to_position.user.username == "gustav"


def test_turning_18_gives_a_closing_task_and_closing_early_keeps_the_role_until_the_birthday(w):
    birthday = TODAY + timedelta(days=10)
    child = child_at(w, "Snart vuxen", add_years(birthday, -18), "gymnasium", barnkontakt="gustav", serial=992)
    assert start_handovers_ahead(window_days=30) == {Ahead.CLOSING: 1}
    handover = pending(child)
    assert (handover.trigger, handover.to_position, handover.target_date) == (HandoverTrigger.AGE_18, None, birthday)
    # Derivation in the meantime leaves it alone.
    assert do_derive_barnkontakt(child) == Outcome.HANDOVER_PENDING
    do_close_handover(acting_user=w.users["gustav"], handover=handover, family_informed_how="Samtal med eleven")
    assert barnkontakt_on(child, TODAY) == {"gustav"}
    assert barnkontakt_on(child, birthday - timedelta(days=1)) == {"gustav"}
    assert barnkontakt_on(child, birthday) == set()
    assert start_handovers_ahead(window_days=30) == {Ahead.DONE: 1}  # closed ahead: nothing new
    assert Handover.objects.filter(child=child).count() == 1


def test_accepting_ahead_starts_the_receivers_role_on_the_transition_day_never_zero(w):
    born = add_years(TODAY, -1) + timedelta(days=14)
    child = child_at(w, "Ettåring", born, "bvc", barnkontakt="britta", serial=988)
    enrol(w, child, "forskola", add_years(born, 1))
    start_handovers_ahead(window_days=30)
    # The nightly derivation does not cancel it while the child is still 0 years old.
    assert do_derive_barnkontakt(child) == Outcome.HANDOVER_PENDING
    handover = do_accept_handover(acting_user=w.users["fiona"], handover=pending(child), family_informed_how="Brev")
    day = add_years(born, 1)
    assert handover.to_assignment.valid_from == day
    for offset in range(-1, 16):
        on = TODAY + timedelta(days=offset)
        expected = {"britta"} if on < day else {"fiona"}
        assert barnkontakt_on(child, on) == expected, on
    assert do_derive_barnkontakt(child) == Outcome.UNCHANGED  # no handover back before the birthday
    assert start_handovers_ahead(window_days=30) == {Ahead.DONE: 1}  # and no second handover forward
    assert do_derive_barnkontakt(child, on=day) == Outcome.UNCHANGED


def test_a_child_without_a_barnkontakt_gets_no_handover_and_the_command_is_idempotent(w, capsys):
    child_at(w, "Ingen", None, "bmm", since=TODAY - timedelta(days=10), expected_birth_date=TODAY + timedelta(days=5))
    child = child_at(
        w,
        "Väntad",
        None,
        "bmm",
        barnkontakt="maja",
        since=TODAY - timedelta(days=100),
        expected_birth_date=TODAY + timedelta(days=20),
        serial=993,
    )
    call_command("start_transition_handovers", "--days", "30", "--quiet-progress")
    first = capsys.readouterr().out
    assert "handover_created: 1" in first
    call_command("start_transition_handovers", "--days", "30", "--quiet-progress")
    second = capsys.readouterr().out
    assert "handover_created" not in second and "handover_pending: 1" in second
    assert Handover.objects.filter(child=child).count() == 1
    with pytest.raises(CommandError):
        call_command("start_transition_handovers", "--days", "-1")
