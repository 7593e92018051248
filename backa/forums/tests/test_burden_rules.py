"""The overlap and burden rules on hand-built meetings."""

from datetime import UTC, date

import pytest

from backa.children.models import Custody, Guardian
from backa.forums import burden
from backa.forums.burden import MeetingEvent, Term
from backa.forums.models import BurdenSettings
from backa.forums.tests.helpers import make_forum, meet
from backa.testing import make_child

pytestmark = pytest.mark.django_db


def event(child, forum, day, *, invited=False):
    return MeetingEvent(
        child_id=child,
        forum_key=forum,
        forum_name=forum.upper(),
        held_on=day,
        guardians_invited=invited,
        child_took_part=False,
        professionals=3,
        minutes=60,
    )


def test_it_flags_a_child_discussed_in_two_forums_in_the_same_month():
    events = [
        event("a", "sspf", date(2026, 3, 2)),
        event("a", "eht", date(2026, 3, 30)),
        event("b", "sspf", date(2026, 3, 2)),
    ]
    assert burden.children_in_several_forums(events) == {("a", (2026, 3)): ["EHT", "SSPF"]}


def test_it_does_not_flag_two_forums_in_different_months_or_one_forum_twice():
    events = [
        event("a", "sspf", date(2026, 3, 31)),
        event("a", "eht", date(2026, 4, 1)),
        event("b", "sspf", date(2026, 5, 2)),
        event("b", "sspf", date(2026, 5, 20)),
    ]
    assert burden.children_in_several_forums(events) == {}


def test_it_flags_a_family_invited_to_more_meetings_than_the_limit():
    days = [date(2026, 2, d) for d in (2, 9, 16, 23)]
    events = [event("a", "sip", d, invited=True) for d in days] + [event("a", "sspf", date(2026, 2, 5), invited=False)]
    assert burden.families_over_limit(events, limit=4) == {}
    assert burden.families_over_limit(events, limit=3) == {("child", "a"): 4}


def test_siblings_with_the_same_guardians_are_one_family_and_one_joint_meeting_counts_once():
    family = frozenset({"mum", "dad"})
    events = [
        event("a", "sip", date(2026, 2, 2), invited=True),
        event("b", "sip", date(2026, 2, 2), invited=True),
        event("a", "eht", date(2026, 2, 9), invited=True),
        event("b", "bus", date(2026, 2, 16), invited=True),
    ]
    flagged = burden.families_over_limit(events, limit=2, family_of={"a": family, "b": family})
    assert flagged == {family: 3}


def test_it_flags_forums_that_discuss_the_same_children():
    events = [event(c, "sspf", date(2026, 3, 2)) for c in "abcd"] + [event(c, "eht", date(2026, 4, 2)) for c in "abcx"]
    events += [event("a", "bus", date(2026, 4, 9))]
    assert burden.forum_pairs_sharing_children(events, min_shared=3) == {("EHT", "SSPF"): 3}
    assert burden.forum_pairs_sharing_children(events, min_shared=1) == {
        ("BUS", "EHT"): 1,
        ("BUS", "SSPF"): 1,
        ("EHT", "SSPF"): 3,
    }


def test_terms_follow_the_school_year_halves():
    assert Term.of(date(2026, 6, 30)) == Term(2026, "vt")
    assert Term.of(date(2026, 7, 1)) == Term(2026, "ht")
    assert Term(2026, "vt").previous() == Term(2025, "ht")
    assert Term.parse("ht2025", Term(2000, "vt")) == Term(2025, "ht")
    assert Term.parse("x<script>", Term(2000, "vt")) == Term(2000, "vt")


def test_district_signals_count_from_stored_meetings_and_use_the_district_thresholds(world):
    sspf, eht = make_forum(world, "SSPF Järva"), make_forum(world, "EHT Ängsskolan", kind="elevhalsoteam")
    other_district = make_forum(world, "SSPF Farsta", district=world.farsta)
    pupils = [
        make_child(world.municipality, world.jarva, f"Elev{i}", "Test", date(2015, 1, 1 + i), serial=990 + i)
        for i in range(6)
    ]
    guardian = Guardian.objects.create(municipality=world.municipality, given_name="G", family_name="Test")
    for pupil in pupils[:2]:  # siblings
        Custody.objects.create(child=pupil, municipality=world.municipality, guardian=guardian)
    for pupil in pupils:
        meet(world, pupil, sspf, date(2026, 3, 3), guardians_invited=True)
        meet(world, pupil, eht, date(2026, 3, 17), guardians_invited=True)
        meet(world, pupil, other_district, date(2026, 3, 18), guardians_invited=True)
    meet(world, pupils[0], sspf, date(2026, 9, 1))  # next term
    BurdenSettings.objects.create(district=world.jarva, family_meetings_per_term=1, shared_children_per_forum_pair=6)

    signals = burden.district_signals(world.jarva, Term(2026, "vt"))

    assert signals["meetings"] == 12
    assert signals["children"] == 6
    assert signals["children_in_several_forums"] == 6
    # Two siblings share guardians: five families, each invited twice (> 1).
    assert signals["families_over_limit"] == 5
    assert signals["forum_pairs"] == {("EHT Ängsskolan", "SSPF Järva"): 6}
    indicators = burden.evaluation_indicators(world.jarva, Term(2026, "vt"))
    assert indicators["children_in_several_forums_same_month"] == 6
    assert indicators["families_over_limit"] == 5
    assert indicators["meetings_per_child"] == 2.0


def test_barnets_team_meetings_count_as_a_forum_in_the_burden_signals(world):
    from datetime import datetime

    from backa.casefile.models import Meeting, Participant

    sspf = make_forum(world, "SSPF Järva")
    meet(world, world.sigrid, sspf, date(2026, 3, 3))
    team = Meeting.objects.create(
        child=world.sigrid,
        municipality=world.municipality,
        created_by=world.sara,
        status=Meeting.Status.HELD,
        starts_at=datetime(2026, 3, 20, 9, 0, tzinfo=UTC),
        child_heard="took_part",
    )
    for kind, user in [("professional", world.sara), ("professional", world.rasmus), ("guardian", None)]:
        Participant.objects.create(meeting=team, kind=kind, user=user, name="x")
    # A planned (not held) meeting is not a burden yet.
    Meeting.objects.create(
        child=world.sigrid,
        municipality=world.municipality,
        created_by=world.sara,
        starts_at=datetime(2026, 3, 25, 9, 0, tzinfo=UTC),
    )

    events = burden.meeting_events(start=date(2026, 1, 1), end=date(2026, 6, 30), child=world.sigrid)
    team_events = [e for e in events if e.source == "team"]
    assert len(events) == 2 and len(team_events) == 1
    assert team_events[0].professionals == 2 and team_events[0].guardians_invited and team_events[0].child_took_part

    signals = burden.district_signals(world.jarva, Term(2026, "vt"))
    assert signals["meetings"] == 2
    assert signals["children_in_several_forums"] == 1
