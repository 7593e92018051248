"""Secrecy runs between activities (verksamheter), not boards (issue 15, items 2 and 3).

The world: Utbildningsnämnden runs Ängsskolan, where Rasmus is rektor and barnkontakt for
Sigrid. Nora, the school nurse at the same school, writes for pupil health's medical part: an
activity of the same board whose notes are health care (OSL 25 kap.) and do not reach the
rektor without consent, a legal basis or a rule the board has drawn. Sara (social services,
Järva stadsdelsnämnd) is the stödsamordnare; Per (police) a team member."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from backa.accounts.models import PositionKind
from backa.casefile.concerns import do_register_concern
from backa.casefile.conversations import do_record_conversation
from backa.casefile.meetings import do_record_meeting, do_schedule_meeting
from backa.casefile.models import Concern, Conversation, Goal, Plan
from backa.casefile.plan import do_add_action, do_add_goal
from backa.casefile.reports import do_record_report_outcome, do_report_to_social_services
from backa.casefile.tests.helpers import make_plan
from backa.children.models import Custody
from backa.consent.models import ActivitySharingRule
from backa.consent.services import do_record_consent, do_request_consent, do_withdraw_consent
from backa.impact.tests.test_pdf import inflate
from backa.organisations.models import ActivityKind, activity_for
from backa.roles.models import RoleAssignment, RoleKind
from backa.testing import make_user

pytestmark = pytest.mark.django_db

NURSE_NOTE = "Nora-halsoanteckning-5521"
NURSE_CONCERN = "Nora-oro-6630"
REASON = "Plan-skal-8812"
POLICE_ACTION = "Polis-atgard-3371"
HEARD_HOW = "Hord-genom-ritning-4410"
NOTICE = "Content from another activity is not shown"


@pytest.fixture
def nora(world):
    user, position = make_user(
        "nora", "Nora", "Skolsköterska", world.units["school"], PositionKind.SCHOOL_NURSE, "Skolsköterska"
    )
    RoleAssignment.objects.create(
        child=world.sigrid,
        municipality=world.municipality,
        position=position,
        kind=RoleKind.TEAM_MEMBER,
        valid_from=timezone.localdate() - timedelta(days=30),
    )
    world.users["nora"] = user
    world.positions["nora"] = position
    return user


@pytest.fixture
def nurse_entries(world, nora):
    today = timezone.localdate()
    do_record_conversation(acting_user=nora, child=world.sigrid, held_on=today, professional_notes=NURSE_NOTE)
    concern = do_register_concern(
        acting_user=nora, child=world.sigrid, observed_on=today, description=NURSE_CONCERN, areas=["halsa"]
    )
    return concern


def _education(world):
    return world.units["school"].organisation


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _file(world, client, concern=None):
    child = world.sigrid.id
    pages = [
        _get(client, reverse("casefile:child_concerns", args=[child])),
        _get(client, reverse("casefile:chronology", args=[child])),
        _get(client, f"/api/children/{child}/concerns"),
        _get(client, f"/api/children/{child}/chronology"),
    ]
    if concern is not None:
        pages.append(_get(client, reverse("casefile:concern", args=[concern.id])))
        pages.append(_get(client, f"/api/concerns/{concern.id}"))
    return "\n".join(pages)


def test_a_school_nurse_writes_for_pupil_health_not_for_the_school(world, nora, nurse_entries):
    nurse, rektor = world.positions["nora"], world.positions["rasmus"]
    assert nurse.unit_id == rektor.unit_id and nurse.unit.organisation_id == rektor.unit.organisation_id
    assert nurse.activity.kind == ActivityKind.PUPIL_HEALTH_MEDICAL
    assert rektor.unit.activity.kind == ActivityKind.SCHOOL
    assert Conversation.objects.get(professional_notes=NURSE_NOTE).activity_id == nurse.activity_id
    assert Concern.objects.get(pk=nurse_entries.pk).activity_id == nurse.activity_id


def test_the_nurses_notes_do_not_reach_the_rektor_of_the_same_board(world, client_for, nora, nurse_entries):
    rektor = _file(world, client_for("rasmus", language="en"), nurse_entries)
    assert NURSE_NOTE not in rektor and NURSE_CONCERN not in rektor
    assert NOTICE in rektor  # the concern is there, its text replaced: nothing silently dropped
    own = _file(world, client_for("nora", language="en"), nurse_entries)
    assert NURSE_NOTE in own and NURSE_CONCERN in own


def test_a_rule_the_board_draws_lets_one_category_across_one_way(world, client_for, nora, nurse_entries):
    nurse_activity = world.positions["nora"].activity
    school_activity = world.units["school"].activity
    ActivitySharingRule.objects.create(
        from_activity=nurse_activity, to_activity=school_activity, categories=",notes,", basis="Test rule"
    )
    rektor = _file(world, client_for("rasmus", language="en"), nurse_entries)
    assert NURSE_NOTE in rektor and NURSE_CONCERN in rektor
    # One way only: the school's notes do not reach pupil health by that rule.
    do_record_conversation(
        acting_user=world.rasmus, child=world.sigrid, held_on=timezone.localdate(), professional_notes="Skola-99"
    )
    assert "Skola-99" not in _file(world, client_for("nora", language="en"))


def test_a_rule_naming_another_boards_activity_opens_nothing(world, client_for, nora, nurse_entries):
    social = world.units["ifo"].activity
    ActivitySharingRule.objects.create(
        from_activity=world.positions["nora"].activity, to_activity=social, categories=",notes,", basis="Wrong"
    )
    sara = _file(world, client_for("sara", language="en"))
    assert NURSE_NOTE not in sara and NURSE_CONCERN not in sara


def _consent(world, discloser, recipient, categories):
    guardians = [c.guardian for c in Custody.objects.filter(child=world.sigrid)]
    today = timezone.localdate()
    consent = do_request_consent(
        acting_user=world.rasmus,
        child=world.sigrid,
        disclosing_organisation=discloser,
        recipients=[recipient],
        categories=categories,
        purpose="Samordning",
        valid_from=today,
        valid_to=today + timedelta(days=90),
    )
    return do_record_consent(acting_user=world.rasmus, consent=consent, guardians=guardians, form="written")


def test_a_consent_to_the_own_board_opens_its_activities_until_withdrawn(world, client_for, nora, nurse_entries):
    consent = _consent(world, _education(world), _education(world), ["notes"])
    assert NURSE_NOTE in _file(world, client_for("rasmus", language="en"))
    guardian = Custody.objects.filter(child=world.sigrid).first().guardian
    do_withdraw_consent(acting_user=world.rasmus, consent=consent, by_guardian=guardian)
    assert NURSE_NOTE not in _file(world, client_for("rasmus", language="en"))


def _plan_outputs(world, client, plan):
    child = world.sigrid.id
    return "\n".join(
        [
            _get(client, reverse("casefile:plan", args=[child])),
            _get(client, reverse("casefile:child_version", args=[child, plan.id])),
            _get(client, reverse("casefile:plan_version", args=[child, plan.id, plan.version])),
            _get(client, f"/api/children/{child}/plan"),
            inflate(client.get(reverse("casefile:plan_pdf", args=[child, plan.id])).content).decode("latin-1"),
        ]
    )


def test_plan_contributions_are_enforced_per_part(world, client_for):
    plan = make_plan(world, reason=REASON)
    do_add_action(
        acting_user=world.per,
        plan=plan,
        description=POLICE_ACTION,
        owner_organisation=world.units["lpo"].organisation,
        owner=world.per,
    )
    do_add_goal(acting_user=world.rasmus, plan=plan, description="Mal-skolan-1177")
    plan = Plan.objects.get(pk=plan.pk)
    sara = _plan_outputs(world, client_for("sara", language="en"), plan)
    assert REASON not in sara and "Mal-skolan-1177" not in sara and POLICE_ACTION not in sara
    assert NOTICE in sara
    rasmus = _plan_outputs(world, client_for("rasmus", language="en"), plan)
    assert REASON in rasmus and "Mal-skolan-1177" in rasmus
    assert POLICE_ACTION not in rasmus  # the police's action is the police's
    # plan_contributions from the school to social services' board opens the school's parts only.
    _consent(world, _education(world), world.units["ifo"].organisation, ["plan_contributions"])
    sara = _plan_outputs(world, client_for("sara", language="en"), plan)
    assert REASON in sara and "Mal-skolan-1177" in sara and POLICE_ACTION not in sara


def test_a_reader_who_cannot_see_the_plan_cannot_rewrite_it(world, client_for):
    plan = make_plan(world, reason=REASON)
    response = client_for("sara").patch(
        f"/api/children/{world.sigrid.id}/plans/{plan.id}",
        data='{"version": 1, "reason": "Omskriven"}',
        content_type="application/json",
    )
    assert response.status_code == 404
    assert Plan.objects.get(pk=plan.pk).reason == REASON
    page = client_for("sara").get(reverse("casefile:edit_plan", args=[world.sigrid.id, plan.id]))
    assert page.status_code == 302 and REASON not in page.content.decode()


def test_how_the_child_was_heard_stays_with_the_activity_that_wrote_it(world, client_for):
    meeting = do_schedule_meeting(
        acting_user=world.sara, child=world.sigrid, starts_at=timezone.now() - timedelta(hours=2), agenda="Agenda-1"
    )
    do_record_meeting(
        acting_user=world.sara, meeting=meeting, minutes="Minutes-1", child_heard="other_way", child_heard_how=HEARD_HOW
    )
    child = world.sigrid.id
    for persona, sees in (("sara", True), ("rasmus", False), ("per", False)):
        client = client_for(persona, language="en")
        text = _get(client, reverse("casefile:meeting", args=[child, meeting.id])) + _get(
            client, f"/api/children/{child}/meetings"
        )
        assert (HEARD_HOW in text) is sees, persona


def test_the_report_reaches_social_services_and_its_outcome_the_reporter_only(world, client_for):
    report = do_report_to_social_services(acting_user=world.rasmus, child=world.sigrid, information="Anmalan-7070")
    do_record_report_outcome(
        acting_user=world.sara,
        report=report,
        received_on=timezone.localdate(),
        investigation_opened=True,
        investigation_decided_on=timezone.localdate(),
        feedback_to_reporter="Aterkoppling-8080",
        feedback_given_on=timezone.localdate(),
    )
    child = world.sigrid.id

    def text(persona):
        client = client_for(persona, language="en")
        return _get(client, reverse("casefile:report", args=[child, report.id])) + _get(
            client, f"/api/children/{child}/concern-reports"
        )

    assert "Anmalan-7070" in text("sara") and "Aterkoppling-8080" in text("sara")
    assert "Anmalan-7070" in text("rasmus") and "Aterkoppling-8080" in text("rasmus")
    police = text("per")
    assert "Anmalan-7070" not in police and "Aterkoppling-8080" not in police
    assert '"investigation_opened": true' not in police and "Feedback given" not in police
    # The concerns list names the report but not how social services handled it.
    listing = _get(client_for("per", language="en"), reverse("casefile:child_concerns", args=[child]))
    assert "their handling is not shown" in listing and "Investigation opened" not in listing
    assert "Investigation opened" in _get(
        client_for("sara", language="en"), reverse("casefile:child_concerns", args=[child])
    )


def test_the_backfill_gives_existing_rows_their_writers_activity(world, nora, nurse_entries):
    import importlib

    from django.apps import apps

    backfill = importlib.import_module("backa.casefile.migrations.0012_backfill_entry_activity").backfill
    plan = make_plan(world)
    do_add_goal(acting_user=world.rasmus, plan=plan, description="Ett mål")
    Conversation.objects.update(activity=None)
    Concern.objects.update(activity=None)
    Plan.objects.update(activity=None)
    Goal.objects.update(activity=None)
    backfill(apps, None)
    nurse_activity = world.positions["nora"].activity_id
    assert set(Conversation.objects.values_list("activity_id", flat=True)) == {nurse_activity}
    assert Concern.objects.get(pk=nurse_entries.pk).activity_id == nurse_activity
    school = activity_for(_education(world).pk, ActivityKind.SCHOOL).pk
    assert Plan.objects.get(pk=plan.pk).activity_id == school
    assert set(Goal.objects.values_list("activity_id", flat=True)) == {school}


def test_protected_identity_hides_unit_and_meeting_place_on_every_output(world, client_for):
    """Hedda has protected personal data: her barnkontakt's unit (BVC Järva) and the meeting's
    place tell where she is; pages and the kallelse PDF name the organisation and a neutral line."""
    hedda = world.hemlig
    meeting = do_schedule_meeting(
        acting_user=world.britta,
        child=hedda,
        starts_at=timezone.now() + timedelta(days=2),
        place="Motesrum-Lingonet-22",
    )
    client = client_for("britta", language="en")
    pages = [
        _get(client, reverse("casefile:barnkontakt", args=[hedda.id])),
        _get(client, reverse("casefile:meeting", args=[hedda.id, meeting.id])),
        _get(client, reverse("casefile:chronology", args=[hedda.id])),
        inflate(client.get(reverse("casefile:meeting_letter", args=[hedda.id, meeting.id])).content).decode("latin-1"),
    ]
    # The header names the viewer's own post (britta's unit); what is about Hedda is in <main>.
    pages = [text.split("<main", 1)[-1] for text in pages]
    for text in pages:
        assert "BVC Järva" not in text and "Motesrum-Lingonet-22" not in text
    assert "Region Stockholm" in pages[0]
    assert "The place is given separately" in pages[1]
