"""Demo data for the concern-to-plan flow: children of the demo personas at every stage.

Runs after the synthetic pilot is built. It writes through the same service functions as
the pages (so every demo record has its access-log row), then moves dates back so the
stages look lived-in: some reviews are due, some overdue, some plans closed.
"""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from backa.accounts.models import Position
from backa.casefile.assessments import do_record_assessment
from backa.casefile.compass import AREA_CODES
from backa.casefile.concerns import do_register_concern
from backa.casefile.conversations import do_record_conversation
from backa.casefile.followups import do_follow_up
from backa.casefile.interpreters import do_set_language_need
from backa.casefile.meetings import do_decision_to_action, do_record_meeting, do_schedule_meeting
from backa.casefile.models import (
    Assessment,
    Concern,
    ConcernReport,
    Conversation,
    IntakeDuty,
    IntakeItem,
    Meeting,
    Plan,
    PlanStatus,
    PlanVersion,
)
from backa.casefile.network import do_add_network_member, do_rank_network
from backa.casefile.plan import do_add_action, do_add_goal, do_create_plan
from backa.casefile.reminders import send_reminders
from backa.casefile.reports import do_record_report_outcome, do_report_to_social_services
from backa.casefile.team import active_team, do_add_team_member, do_appoint_coordinator, do_invite
from backa.children.models import Custody
from backa.consent.services import do_record_consent, do_request_consent
from backa.roles.models import RoleAssignment, RoleKind

OBSERVATIONS = [
    ("Often alone at break and says no one wants to play.", ["tillhorighet", "trygghet"]),
    ("Comes to school hungry and tired several days a week.", ["halsa", "omsorg"]),
    ("Has stopped doing homework and seems worried.", ["utveckling", "trygghet"]),
    ("Has been seen late in the evening at the centre with older youths.", ["trygghet", "ansvar"]),
    ("Large absence this term; the guardians do not answer calls.", ["utveckling", "omsorg"]),
]


def _position(username):
    return Position.objects.select_related("user", "unit__organisation").filter(user__username=username).first()


def _ratings(rng, base):
    return {
        code: {
            "rating": max(1, min(5, base + rng.choice((-1, 0, 0, 1)))),
            "child_rating": max(1, min(5, base + rng.choice((0, 1, 1)))),
            "guardian_rating": max(1, min(5, base + rng.choice((-1, 0, 1)))),
            "needs": "" if base > 3 else "Behöver stöd",
            "child_view": "Det är okej" if base > 2 else "Jobbigt",
        }
        for code in AREA_CODES
    }


def _notes_consent(writer, child, recipient, today, categories=("notes",)):
    guardians = [c.guardian for c in Custody.objects.filter(child=child, has_custody=True).select_related("guardian")]
    if not guardians:
        return
    consent = do_request_consent(
        acting_user=writer.user,
        child=child,
        disclosing_organisation=writer.unit.organisation,
        recipients=[recipient],
        categories=list(categories),
        purpose="Samordning i barnets team",
        valid_from=today,
        valid_to=today + timedelta(days=180),
    )
    do_record_consent(acting_user=writer.user, consent=consent, guardians=guardians, form="written")


def _backdate(days, *querysets_and_fields):
    for queryset, fields in querysets_and_fields:
        for obj in queryset:
            changes = {f: getattr(obj, f) - timedelta(days=days) for f in fields if getattr(obj, f)}
            type(obj).objects.filter(pk=obj.pk).update(**changes)


def add_demo_flow(rng, today):
    """Put the demo personas' children at the stages of the flow (see the module docstring)."""
    rektor, social, nurse, police, teacher = (
        _position(u) for u in ("rektor", "socialsekreterare", "skolskoterska", "polis", "larare")
    )
    if not all((rektor, social, nurse, police, teacher)):
        return
    real_today = timezone.localdate()
    team_children = [
        a.child
        for a in RoleAssignment.objects.filter(position=social, kind=RoleKind.STODSAMORDNARE)
        .select_related("child")
        .order_by("child_id")
    ]
    team_ids = {c.id for c in team_children}
    own_children = [
        a.child
        for a in RoleAssignment.objects.filter(position=rektor, kind=RoleKind.BARNKONTAKT)
        .select_related("child")
        .order_by("child_id")[:40]
        if a.child_id not in team_ids
    ][:9]
    school = rektor.unit.organisation
    with transaction.atomic():
        # Rektor's own children: concern -> conversation -> assessment -> single-organisation plan.
        for index, child in enumerate(own_children):
            text, areas = OBSERVATIONS[index % len(OBSERVATIONS)]
            concern = do_register_concern(
                acting_user=teacher.user,
                child=child,
                observed_on=real_today,
                description=text,
                areas=areas,
                urgency=rng.choice(("low", "medium")),
                position=teacher,
            )
            if index >= 2:
                do_record_conversation(
                    acting_user=rektor.user,
                    child=child,
                    concern=concern,
                    held_on=real_today,
                    child_words="Jag vet inte riktigt.",
                    guardian_words="Vi har också märkt det.",
                    consent_status=rng.choice(("given", "asked", "refused")),
                    position=rektor,
                )
            if index >= 4:
                do_record_assessment(
                    acting_user=rektor.user,
                    child=child,
                    assessed_on=real_today,
                    concern=concern,
                    areas=_ratings(rng, 3),
                    position=rektor,
                )
            if index >= 6:
                plan = do_create_plan(
                    acting_user=rektor.user,
                    child=child,
                    concern=concern,
                    organisation=school,
                    reason=text,
                    needs={areas[0]: "Stöd i skolan"},
                    review_date=real_today + timedelta(days=20),
                    child_view="Jag vill ha någon att vara med.",
                )
                goal = do_add_goal(acting_user=rektor.user, plan=plan, area=areas[0], description="Trivs i skolan")
                do_add_action(
                    acting_user=rektor.user,
                    plan=plan,
                    goal=goal,
                    description="Rastvärd som ser barnet",
                    owner_organisation=school,
                    owner=rektor.user,
                    how="Varje rast",
                    expected_improvement="Barnet är med i lek",
                )
                if index == 8:
                    Plan.objects.filter(pk=plan.pk).update(review_date=today - timedelta(days=4))  # overdue
            _backdate(
                45 - index,
                (Concern.objects.filter(child=child), ["observed_on", "created_at"]),
                (Conversation.objects.filter(child=child), ["held_on"]),
            )

        # Children with a stödsamordnare: barnets team, meetings, compass over time, reports, follow-up.
        for index, child in enumerate(team_children[:8]):
            text, areas = OBSERVATIONS[(index + 2) % len(OBSERVATIONS)]
            concern = do_register_concern(
                acting_user=nurse.user,
                child=child,
                observed_on=real_today,
                description=text,
                areas=areas,
                urgency="high" if index < 2 else "medium",
                position=nurse,
            )
            do_record_conversation(
                acting_user=social.user,
                child=child,
                concern=concern,
                held_on=real_today,
                child_words="Det är jobbigt hemma ibland.",
                guardian_words="Vi behöver hjälp.",
                consent_status="given" if index % 3 else "refused",
                position=social,
            )
            if index % 3 == 0:
                # Consent refused, yet the duty to report goes through.
                report = do_report_to_social_services(
                    acting_user=nurse.user,
                    child=child,
                    concern=concern,
                    information=text,
                    acute=index == 0,
                    position=nurse,
                )
                if index == 0:
                    do_record_report_outcome(
                        acting_user=social.user,
                        report=report,
                        received_on=real_today,
                        pre_assessment_decided_on=real_today,
                        investigation_opened=True,
                        investigation_decided_on=real_today,
                        child_spoken_with=True,
                        feedback_to_reporter="Utredning inledd.",
                        feedback_given_on=real_today,
                    )
            do_record_assessment(
                acting_user=social.user, child=child, assessed_on=real_today, areas=_ratings(rng, 2), position=social
            )
            plan = do_create_plan(
                acting_user=social.user,
                child=child,
                concern=concern,
                kind="team",
                organisation=social.unit.organisation,
                reason=text,
                needs={a: "Samordnat stöd" for a in areas},
                review_date=real_today + timedelta(days=10 + 5 * index),
                child_view="Jag vill att det blir lugnare.",
                guardian_view="Vi är med på planen.",
                external_kind="sip" if index == 1 else "",
                external_ref="SIP-2026-0042" if index == 1 else "",
            )
            do_appoint_coordinator(acting_user=rektor.user, plan=plan, position=social)
            # The guardians let social services' plan and minutes reach the school's board (the
            # rektor, the nurse); the nurse's own notes and concerns stay pupil health's: the
            # rektor of the same board sees the notice instead (issue 15, decision 0015).
            _notes_consent(
                social,
                child,
                rektor.unit.organisation,
                real_today,
                categories=("plan_contributions", "meeting_minutes"),
            )
            goal = do_add_goal(acting_user=social.user, plan=plan, area=areas[0], description="Känna sig trygg")
            do_add_action(
                acting_user=social.user,
                plan=plan,
                goal=goal,
                description="Stödsamtal varannan vecka",
                owner_organisation=social.unit.organisation,
                owner=social.user,
                expected_improvement="Barnet kan sätta ord på oron",
            )
            do_add_action(
                acting_user=social.user,
                plan=plan,
                goal=goal,
                description="Hälsosamtal",
                owner_organisation=nurse.unit.organisation,
                owner=nurse.user,
            )
            if index == 0:
                # Mitt nätverk: the child's trusted adults, in the child's own order; the
                # grandfather carries out an action and his number is kept with his agreement.
                morfar = do_add_network_member(
                    acting_user=rektor.user,
                    child=child,
                    name="Morfar Karl",
                    relation="grandparent",
                    go_to_when="när jag vill prata om något jobbigt",
                    child_words="Han lyssnar alltid.",
                    contact="070-000 00 01",
                    contact_consent_on=real_today,
                    contact_consent_how="Muntligt, i telefon med barnkontakten",
                )
                coach = do_add_network_member(
                    acting_user=rektor.user,
                    child=child,
                    name="Tränaren Ali",
                    relation="coach",
                    go_to_when="när jag har en dålig dag i skolan",
                )
                do_rank_network(acting_user=rektor.user, child=child, order=[coach.pk, morfar.pk])
                do_add_action(
                    acting_user=social.user,
                    plan=plan,
                    goal=goal,
                    description="Hämtar på fredagar",
                    owner_organisation=social.unit.organisation,
                    owner=social.user,
                    network_member=morfar,
                )
            if index == 1:
                # A guardian who needs an interpreter in Somali (booked for the meeting below).
                for custody in child.custodies.select_related("guardian")[:1]:
                    do_set_language_need(
                        acting_user=rektor.user,
                        child=child,
                        guardian=custody.guardian,
                        languages=["so"],
                        interpreter_needed=True,
                        interpreter_language="so",
                    )
            meeting = do_schedule_meeting(
                acting_user=social.user,
                child=child,
                plan=plan,
                place="Skolan",
                agenda="Planen och nästa steg",
                # Held today (or yesterday, before nine): a meeting is recorded only once it has begun.
                starts_at=timezone.make_aware(
                    datetime.combine(real_today - timedelta(days=1 if timezone.localtime().hour < 10 else 0), time(9))
                ),
                professionals=[social.user, nurse.user, rektor.user],
                invite_child=True,
                position=social,
            )
            heard = ("not_heard", "other_way", "took_part")[index % 3]
            do_record_meeting(
                acting_user=social.user,
                meeting=meeting,
                minutes="Vi gick igenom planen.",
                child_heard=heard,
                child_heard_how={
                    "other_way": "Barnet ritade och berättade för skolsköterskan före mötet.",
                    "not_heard": "Barnet var sjukt; vi pratar med barnet nästa vecka.",
                }.get(heard, ""),
                attended_ids=[p.id for p in meeting.participants.all()],
                decisions=["Extra vuxenstöd på rasterna"],
                position=social,
            )
            do_decision_to_action(
                acting_user=social.user,
                decision=meeting.decisions.get(),
                plan=plan,
                owner_organisation=school,
                owner=rektor.user,
            )
            if index in (0, 1, 2, 3) and not any(a.position_id == police.pk for a in active_team(child)):
                do_add_team_member(acting_user=social.user, child=child, position=police)
            if index == 4 and not any(a.position_id == police.pk for a in active_team(child)):
                # The police officer's invitation waits on his Att göra: he sees the child after yes.
                do_invite(acting_user=social.user, child=child, position=police)
            if index == 0:
                # The police in this team see social services' conversation notes under a consent;
                # in the other teams they see none of them (nor any assessment or minutes).
                _notes_consent(social, child, police.unit.organisation, real_today)
            if index % 2 == 1:
                # A follow-up with a second assessment, so the compass shows change over time.
                second = do_record_assessment(
                    acting_user=social.user,
                    child=child,
                    assessed_on=real_today,
                    areas=_ratings(rng, 3),
                    position=social,
                )
                outcome = "close" if index == 1 else "revise"
                do_follow_up(
                    acting_user=social.user,
                    plan=plan,
                    held_on=real_today,
                    outcome=outcome,
                    progress={str(goal.id): ("progress" if outcome == "revise" else "achieved", "")},
                    summary="Det går bättre.",
                    assessment=second,
                    next_review_date=real_today + timedelta(days=60) if outcome == "revise" else None,
                )
            if index == 2:
                Plan.objects.filter(pk=plan.pk).update(review_date=today - timedelta(days=2))  # overdue
            if index == 3:
                Plan.objects.filter(pk=plan.pk, status=PlanStatus.ACTIVE).update(review_date=today + timedelta(days=3))
            first = Assessment.objects.filter(child=child).order_by("created_at").first()
            if first is not None:
                Assessment.objects.filter(pk=first.pk).update(assessed_on=today - timedelta(days=120))
            _backdate(
                140,
                (Concern.objects.filter(child=child), ["observed_on", "created_at"]),
                (Conversation.objects.filter(child=child), ["held_on"]),
            )
            _backdate(
                100,
                (Meeting.objects.filter(child=child), ["starts_at"]),
                (PlanVersion.objects.filter(plan=plan, number__lte=6), ["created_at"]),
                (IntakeItem.objects.filter(report__child=child), ["created_at", "deadline"]),
                (
                    ConcernReport.objects.filter(child=child),
                    [
                        "reported_at",
                        "received_at",
                        "feedback_due_on",
                        "received_on",
                        "pre_assessment_decided_on",
                        "investigation_decided_on",
                        "feedback_given_on",
                    ],
                ),
            )
    # A meeting ahead for the first team, so the invitation is on the start pages (and in the
    # outbox), and the reminders that are due now (the overdue and due-soon follow-ups above).
    if team_children:
        with transaction.atomic():
            do_schedule_meeting(
                acting_user=social.user,
                child=team_children[0],
                place="Skolan",
                starts_at=timezone.make_aware(datetime.combine(real_today + timedelta(days=7), time(13))),
                professionals=[social.user, nurse.user, rektor.user],
                invite_child=True,
                position=social,
            )
    send_reminders()


def add_demo_intake(rng, today):
    """The intake of the first pilot district: the rektor's report about a pupil waits in the
    queue of `mottagning` (one acute, one overdue, one awaiting a second look by
    `mottagning.ledare`), a phone report from the police, and the on-duty list."""
    from backa.access.lookups import intake_scope
    from backa.casefile import intake

    rektor, worker, lead = (_position(u) for u in ("rektor", "mottagning", "mottagning.ledare"))
    if not all((rektor, worker, lead)):
        return
    municipality = rektor.unit.organisation.municipality
    municipality.socialjour_phone = municipality.socialjour_phone or "08-000 00 00 (demo)"
    municipality.save(update_fields=["socialjour_phone"])
    district = worker.unit.district
    with transaction.atomic():
        for rank, position in enumerate((worker, lead)):
            IntakeDuty.objects.get_or_create(
                municipality=municipality, district=district, rank=rank, defaults={"position": position}
            )
        pupils = [
            a.child
            for a in RoleAssignment.objects.filter(position=rektor, kind=RoleKind.BARNKONTAKT)
            .select_related("child__municipality")
            .order_by("-child__birth_date", "-child_id")[:4]
        ]
        if len(pupils) < 4:
            return
        texts = [
            ("Eleven berättar att pappa slår henne när han är full. Hon vill inte gå hem i dag.", True),
            ("Eleven kommer ofta hungrig till skolan och har samma kläder flera veckor.", False),
            ("Eleven har varit frånvarande tre veckor; vårdnadshavarna svarar inte.", False),
            ("Eleven har berättat om bråk hemma; mamma ringer och är orolig.", False),
        ]
        reports = [
            do_report_to_social_services(
                acting_user=rektor.user, child=child, information=text, acute=acute, position=rektor
            )
            for child, (text, acute) in zip(pupils, texts, strict=True)
        ]
        # Overdue: received 20 days ago, assigned, not decided.
        overdue = IntakeItem.objects.get(report=reports[2])
        _backdate(
            20,
            (IntakeItem.objects.filter(pk=overdue.pk), ["created_at", "deadline"]),
            (
                ConcernReport.objects.filter(pk=reports[2].pk),
                ["reported_at", "received_at", "received_on", "feedback_due_on"],
            ),
        )
        intake.do_assign(acting_user=lead.user, item=overdue, handler=worker.user)
        # Awaiting a second look: closed without investigation, the child not spoken with.
        waiting = IntakeItem.objects.get(report=reports[3])
        intake.do_assign(acting_user=lead.user, item=waiting, handler=worker.user)
        intake.do_decide(
            acting_user=worker.user,
            item=waiting,
            decision=intake.Decision(
                decision="no_investigation",
                reason="family_support",
                decided_on=timezone.localdate(),
                child_spoken_with=False,
                child_not_heard_reason="not_reached",
                note="Familjen har kontakt med BUP.",
            ),
        )
        police_child = pupils[1]
        scope = intake_scope(worker)
        if scope is None:
            return
        intake.do_register_external_report(
            acting_user=worker.user,
            scope=scope,
            child=police_child,
            reporter_category="police",
            reporter_description="Polisen, LPO Järva",
            received_via="phone",
            information="Polisen ringde efter ett larm om bråk i familjens lägenhet i natt.",
        )
