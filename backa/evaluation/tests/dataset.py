"""A small hand-built dataset on top of the test world (backa.testing), September–November 2026.

Järva (pilot): ivar (boy, 0-5), sigrid (girl, 6-12), hemlig (girl, 0-5). Farsta (comparison): nobody (boy).
Every right answer in test_indicators.py is worked out by hand from the rows below, on WRITTEN_FOR:
the world's dates (ages, roles since 30 days ago) are relative to the clock, so a test using this
dataset asks for the `on_dataset_day` fixture before `world` (the clock stays there for the test).
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from backa.casefile.models import (
    Action,
    Assessment,
    AssessmentArea,
    Concern,
    ConcernReport,
    Conversation,
    FollowUp,
    Meeting,
    Participant,
    Plan,
    PlanVersion,
)
from backa.consent.models import Consent
from backa.forums.tests.helpers import make_forum, meet
from backa.roles.models import Handover, RoleAssignment

SE = ZoneInfo("Europe/Stockholm")


WRITTEN_FOR = datetime(2026, 11, 23, 10, 0, tzinfo=SE)  # a Monday; the rollup's "today" in test_indicators.py


def at(y, m, d, hour=12):
    return datetime(y, m, d, hour, tzinfo=SE)


NOTE_TEXTS = [
    "Sigrid sover dåligt och verkar ledsen",
    "Ivar går inte upp i vikt",
    "Hedda har blåmärken",
    "Jag vill spela fotboll",
    "Mamma oroar sig för skolan",
    "Anmälan om oro för Sigrid hemma",
    "Mål: sova bättre",
    "Stödsamtal varje vecka",
]


def build(world):
    w, m = world, world.municipality
    region = w.units["bvc"].organisation
    school_org = w.units["school"].organisation

    def concern(child, day, text):
        return Concern.objects.create(
            child=child, municipality=m, reported_by=w.rasmus, observed_on=day, description=text
        )

    c1 = concern(w.sigrid, date(2026, 9, 1), NOTE_TEXTS[0])
    c2 = concern(w.ivar, date(2026, 9, 10), NOTE_TEXTS[1])
    c3 = concern(w.hemlig, date(2026, 9, 5), NOTE_TEXTS[2])
    for c, day in [(c1, date(2026, 9, 4)), (c2, date(2026, 9, 20)), (c3, date(2026, 9, 6))]:
        Conversation.objects.create(
            child=c.child,
            municipality=m,
            concern=c,
            held_on=day,
            held_by=w.rasmus,
            child_words=NOTE_TEXTS[3],
            guardian_words=NOTE_TEXTS[4],
        )
    a1 = Assessment.objects.create(
        child=w.sigrid,
        municipality=m,
        concern=c1,
        assessed_on=date(2026, 9, 11),
        assessed_by=w.sara,
        summary=NOTE_TEXTS[0],
    )
    AssessmentArea.objects.create(assessment=a1, area="halsa", rating=2, child_view=NOTE_TEXTS[3])
    AssessmentArea.objects.create(assessment=a1, area="utveckling", rating=3)
    a2 = Assessment.objects.create(
        child=w.ivar, municipality=m, concern=c2, assessed_on=date(2026, 9, 15), assessed_by=w.britta
    )
    AssessmentArea.objects.create(assessment=a2, area="halsa", rating=3)
    a3 = Assessment.objects.create(child=w.sigrid, municipality=m, assessed_on=date(2026, 10, 20), assessed_by=w.sara)
    AssessmentArea.objects.create(assessment=a3, area="halsa", rating=4)
    AssessmentArea.objects.create(assessment=a3, area="utveckling", rating=2)
    AssessmentArea.objects.create(assessment=a3, area="fritid", rating=5)

    p1 = Plan.objects.create(
        child=w.sigrid,
        municipality=m,
        concern=c1,
        kind="single",
        organisation=school_org,
        reason=NOTE_TEXTS[6],
        child_view=NOTE_TEXTS[3],
        review_date=date(2026, 11, 15),
        created_by=w.rasmus,
        created_at=at(2026, 9, 21),
    )
    PlanVersion.objects.create(
        plan=p1, number=1, snapshot={"review_date": "2026-10-01"}, change_code="created", created_by=w.rasmus
    )
    Action.objects.create(
        plan=p1, description=NOTE_TEXTS[7], owner_organisation=school_org, owner=w.rasmus, starts_on=date(2026, 9, 25)
    )
    p2 = Plan.objects.create(
        child=w.ivar,
        municipality=m,
        concern=c2,
        kind="team",
        organisation=region,
        reason=NOTE_TEXTS[1],
        review_date=date(2026, 12, 1),
        created_by=w.britta,
        created_at=at(2026, 9, 12),
        status="handed_over",
        ended_on=date(2026, 9, 30),
    )
    Action.objects.create(
        plan=p2, description=NOTE_TEXTS[7], owner_organisation=region, owner=w.britta, created_at=at(2026, 9, 30)
    )
    Plan.objects.create(
        child=w.nobody,
        municipality=m,
        kind="single",
        organisation=school_org,
        reason="x",
        review_date=date(2026, 10, 1),
        created_by=w.rasmus,
        created_at=at(2026, 8, 1),
        status="closed",
        ended_on=date(2026, 9, 15),
    )
    FollowUp.objects.create(
        plan=p1,
        child=w.sigrid,
        municipality=m,
        held_on=date(2026, 9, 28),
        outcome="revise",
        next_review_date=date(2026, 10, 20),
        created_by=w.rasmus,
    )
    FollowUp.objects.create(
        plan=p1,
        child=w.sigrid,
        municipality=m,
        held_on=date(2026, 10, 25),
        outcome="revise",
        next_review_date=date(2026, 11, 15),
        created_by=w.rasmus,
    )

    team = Meeting.objects.create(
        child=w.sigrid,
        municipality=m,
        plan=p1,
        starts_at=at(2026, 9, 15),
        status="held",
        child_heard="took_part",
        created_by=w.rasmus,
    )
    for kind, name in [("professional", "Rasmus"), ("professional", "Sara"), ("guardian", "Anna")]:
        Participant.objects.create(meeting=team, kind=kind, name=name)
    Meeting.objects.create(
        child=w.sigrid, municipality=m, plan=p1, starts_at=at(2026, 9, 29), status="planned", created_by=w.rasmus
    )  # not held: not counted
    forum = make_forum(world, "SSPF Järva")
    meet(world, w.sigrid, forum, date(2026, 9, 20), professionals=4)
    fm = meet(world, w.ivar, forum, date(2026, 10, 2), professionals=3)
    fm.child_took_part = True
    fm.save()

    bk = {a.child_id: a for a in RoleAssignment.objects.filter(kind="barnkontakt", ended_at__isnull=True)}
    for child, target, done, status in [
        (w.sigrid, date(2026, 9, 10), at(2026, 9, 8), "accepted"),
        (w.ivar, date(2026, 9, 20), at(2026, 9, 25), "accepted"),
        (w.hemlig, date(2026, 9, 25), None, "pending"),
    ]:
        a = bk[child.id]
        Handover.objects.create(
            child=child,
            municipality=m,
            trigger="enrolment_change",
            status=status,
            from_assignment=a,
            from_position=a.position,
            target_date=target,
            completed_at=done,
        )

    def consent(child, status, given=None, withdrawn=None):
        Consent.objects.create(
            child=child,
            municipality=m,
            disclosing_organisation=school_org,
            purpose="Samverkan",
            status=status,
            categories="notes",
            valid_from=date(2026, 9, 1),
            valid_to=date(2027, 9, 1),
            given_at=given,
            withdrawn_at=withdrawn,
            form="written" if given else "",
            created_by=w.rasmus,
            created_at=at(2026, 9, 3),
        )

    consent(w.sigrid, "active", given=at(2026, 9, 4))
    consent(w.ivar, "refused")
    consent(w.hemlig, "requested")
    consent(w.sigrid, "withdrawn", given=at(2026, 9, 4), withdrawn=at(2026, 9, 20))

    ConcernReport.objects.create(
        child=w.sigrid, municipality=m, reported_by=w.rasmus, reported_at=at(2025, 12, 1), information=NOTE_TEXTS[5]
    )
    ConcernReport.objects.create(
        child=w.sigrid,
        municipality=m,
        concern=c1,
        reported_by=w.rasmus,
        reported_at=at(2026, 9, 3),
        information=NOTE_TEXTS[5],
        status="investigation_opened",
        investigation_opened=True,
        child_spoken_with=True,
    )
    ConcernReport.objects.create(
        child=w.ivar,
        municipality=m,
        concern=c2,
        reported_by=w.britta,
        reported_at=at(2026, 9, 5),
        information=NOTE_TEXTS[1],
        status="not_opened",
        investigation_opened=False,
    )
