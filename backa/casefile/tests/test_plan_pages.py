"""The plan pages, the conflict message, meetings, follow-up, chronology and the start page."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from backa.audit.models import AccessLog
from backa.casefile.meetings import do_schedule_meeting
from backa.casefile.models import Action, Meeting, Plan, PlanStatus
from backa.casefile.plan import do_add_goal
from backa.casefile.tests.helpers import make_plan, share_plan

pytestmark = pytest.mark.django_db


def _plan_post(world, **changes):
    data = {
        "version": "1",
        "kind": "single",
        "organisation": str(world.units["school"].organisation.id),
        "reason": "Sigrid needs calm at school",
        "review_date": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "need-trygghet": "Feel safe at break",
    }
    data.update(changes)
    return data


def test_a_plan_is_started_from_the_page(world, client_for):
    response = client_for("rasmus").post(reverse("casefile:new_plan", args=[world.sigrid.id]), _plan_post(world))
    assert response.status_code == 302
    assert Plan.objects.get().needs == {"trygghet": "Feel safe at break"}


def test_missing_fields_give_clear_messages_and_nothing_is_saved(world, client_for):
    response = client_for("rasmus").post(
        reverse("casefile:new_plan", args=[world.sigrid.id]), _plan_post(world, reason="")
    )
    assert response.status_code == 200
    assert b'class="error-summary"' in response.content and b'aria-invalid="true"' in response.content
    assert not Plan.objects.exists()


def test_two_people_editing_different_fields_both_keep_their_change(world, client_for):
    plan = make_plan(world)
    share_plan(world)  # Sara (social services) may read the school's plan, so she may edit it
    url = reverse("casefile:edit_plan", args=[world.sigrid.id, plan.id])
    assert client_for("rasmus").post(url, _plan_post(world, reason="Calm at school and home")).status_code == 302
    # Sara's form still holds version 1's reason: saving it must not revert Rasmus's text.
    response = client_for("sara").post(url, _plan_post(world, guardian_view="Mamma håller med"), follow=True)
    assert response.status_code == 200
    plan.refresh_from_db()
    assert plan.version == 3 and plan.guardian_view == "Mamma håller med"
    assert plan.reason == "Calm at school and home"


def test_two_people_editing_the_same_field_choose_side_by_side(world, client_for):
    plan = make_plan(world)
    share_plan(world)  # Sara (social services) may read the school's plan, so she may edit it
    url = reverse("casefile:edit_plan", args=[world.sigrid.id, plan.id])
    assert client_for("rasmus").post(url, _plan_post(world, reason="Calm at school and home")).status_code == 302
    response = client_for("sara").post(url, _plan_post(world, reason="Calm breaks", guardian_view="Mamma håller med"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in html
    assert "Calm at school and home" in html and "Calm breaks" in html  # side by side
    assert 'name="version" value="2"' in html and 'name="merge_fields" value="reason"' in html
    assert 'name="keep-reason"' in html and "checked" not in html.split('name="keep-reason"')[1][:40]
    plan.refresh_from_db()
    assert plan.guardian_view == "" and plan.version == 2
    # Saving again without choosing is refused; nothing changes.
    again = _plan_post(
        world, version="2", reason="Calm breaks", guardian_view="Mamma håller med", merge_fields="reason"
    )
    assert client_for("sara").post(url, again).status_code == 200
    plan.refresh_from_db()
    assert plan.version == 2
    # Choosing theirs keeps Rasmus's reason and saves her other change.
    assert client_for("sara").post(url, {**again, "keep-reason": "theirs"}).status_code == 302
    plan.refresh_from_db()
    assert plan.version == 3 and plan.guardian_view == "Mamma håller med" and plan.reason == "Calm at school and home"


def test_plan_sub_pages_are_gated(world, client_for):
    plan = make_plan(world)
    for name in ("edit_plan", "add_goal", "add_action", "end_plan", "follow_up", "child_version"):
        url = reverse(f"casefile:{name}", args=[world.sigrid.id, plan.id])
        assert client_for("rasmus").get(url).status_code == 200, name
        # A team member sees the plan but changes only their own organisation's part
        # (casefile.authority): the shared parts' forms are a logged 403.
        lead_only = name in ("edit_plan", "add_goal", "end_plan")
        assert client_for("per").get(url).status_code == (403 if lead_only else 200), name
        assert client_for("olle").get(url).status_code == 404, name
        assert (
            client_for("per").get(reverse(f"casefile:{name}", args=[world.sigrid.id, uuid.uuid4()])).status_code == 404
        )
    assert AccessLog.objects.filter(user_id=world.olle.id, child_id=world.sigrid.id, outcome="denied").count() == 6


def test_an_action_without_owner_is_refused_on_the_page(world, client_for):
    plan = make_plan(world)
    response = client_for("rasmus").post(
        reverse("casefile:add_action", args=[world.sigrid.id, plan.id]),
        {"description": "Support", "owner_organisation": str(plan.organisation_id)},
    )
    assert response.status_code == 200 and b'id="id_owner_error"' in response.content
    assert not Action.objects.exists()


def test_a_meeting_records_the_childs_voice_and_decisions_become_actions(world, client_for):
    plan = make_plan(world)
    client = client_for("rasmus")
    response = client.post(
        reverse("casefile:new_meeting", args=[world.sigrid.id]),
        {
            "starts_at": (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "place": "Skolan",
            "agenda": "Rasterna",
            "professionals": [str(world.sara.id)],
            "invite_child": "on",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert {p.kind for p in meeting.participants.all()} == {"professional", "child"}
    url = reverse("casefile:meeting", args=[world.sigrid.id, meeting.id])
    held = {
        "minutes": "Talked",
        "child_heard": "other_way",
        "child_heard_how": "Drew a picture with her teacher",
        "decision-1-text": "Adult at breaks",
        "decision-1-owner": str(world.sara.id),
        "decision-1-owner_organisation": str(world.units["ifo"].organisation.id),
        "decision-1-starts_on": timezone.localdate().isoformat(),
        "decision-1-due_on": (timezone.localdate() + timedelta(days=40)).isoformat(),
    }
    # Two days ahead: it cannot be recorded as held yet.
    response = client.post(url, held)
    assert response.status_code == 200 and b'class="error-summary"' in response.content
    meeting.refresh_from_db()
    assert meeting.status == "planned" and not meeting.decisions.exists()
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=1))  # the day came
    response = client.post(url, {**held, "child_heard": "not_heard", "child_heard_how": ""})
    assert response.status_code == 200 and b'id="id_child_heard_how_error"' in response.content
    meeting.refresh_from_db()
    assert meeting.status == "planned"
    response = client.post(url, held)
    assert response.status_code == 302
    decision = meeting.decisions.get()
    form_page = client.get(reverse("casefile:add_action", args=[world.sigrid.id, plan.id]) + f"?beslut={decision.id}")
    html = form_page.content.decode()
    # The new action's form carries the decision's organisation, owner and dates.
    assert f'value="{world.sara.id}" selected' in html
    assert f'value="{held["decision-1-due_on"]}"' in html
    response = client.post(
        reverse("casefile:add_action", args=[world.sigrid.id, plan.id]),
        {
            "decision_id": str(decision.id),
            "description": decision.text,
            "owner_organisation": held["decision-1-owner_organisation"],
            "owner": str(world.sara.id),
            "starts_on": held["decision-1-starts_on"],
            "due_on": held["decision-1-due_on"],
        },
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert action.from_decision == decision and action.owner == world.sara
    assert action.due_on.isoformat() == held["decision-1-due_on"]
    # The meetings list counts the invited and those who came apart.
    listing = client.get(reverse("casefile:meetings", args=[world.sigrid.id])).content.decode()
    assert "Närvarande" in listing or "Attended" in listing


def test_a_person_with_two_roles_is_invited_once(world):
    from backa.casefile.forms import MeetingForm
    from backa.casefile.team import active_team

    team = active_team(world.sigrid)
    form = MeetingForm(team=team)
    values = [v for v, _label in form.fields["professionals"].choices]
    assert len(values) == len(set(values))
    meeting = do_schedule_meeting(
        acting_user=world.rasmus,
        child=world.sigrid,
        starts_at=timezone.now(),
        professionals=[world.sara, world.sara],
        invite_child=False,
    )
    assert meeting.participants.filter(user=world.sara).count() == 1


def test_the_database_refuses_a_held_meeting_without_the_childs_voice(world):
    from django.db import IntegrityError, transaction

    meeting = do_schedule_meeting(
        acting_user=world.rasmus, child=world.sigrid, starts_at=timezone.now(), professionals=[world.sara]
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.filter(pk=meeting.pk).update(status="held")


def test_a_follow_up_records_progress_and_sets_the_next_review(world, client_for):
    plan = make_plan(world)
    goal = do_add_goal(acting_user=world.rasmus, plan=plan, description="Calm breaks")
    url = reverse("casefile:follow_up", args=[world.sigrid.id, plan.id])
    client = client_for("sara")
    response = client.post(url, {"held_on": timezone.localdate().isoformat(), "outcome": "continue"})
    assert response.status_code == 200  # progress for the open goal and a next review date are missing
    next_review = (timezone.localdate() + timedelta(days=60)).isoformat()
    response = client.post(
        url,
        {
            "held_on": timezone.localdate().isoformat(),
            "outcome": "revise",
            f"goal-{goal.id}": "progress",
            "next_review_date": next_review,
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.review_date.isoformat() == next_review and plan.status == PlanStatus.ACTIVE
    response = client.post(
        url,
        {
            "held_on": timezone.localdate().isoformat(),
            "outcome": "close",
            f"goal-{goal.id}": "achieved",
            "summary": "All goals reached",
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED and plan.end_reason == "All goals reached"


def test_due_and_overdue_reviews_show_on_the_start_page(world, client_for):
    plan = make_plan(world)
    Plan.objects.filter(pk=plan.pk).update(review_date=timezone.localdate() - timedelta(days=3))
    for persona in ("rasmus", "sara"):  # barnkontakt and stödsamordnare
        page = client_for(persona).get(reverse("front:todo"))
        assert b"Sigrid" in page.content, persona
    assert b"Sigrid" not in client_for("per").get(reverse("front:todo")).content  # a team member is not responsible


def test_the_chronology_collects_events_and_filters(world, client_for):
    make_plan(world)
    client = client_for("rasmus")
    url = reverse("casefile:chronology", args=[world.sigrid.id])
    assert client.post(url, {"occurred_on": timezone.localdate().isoformat(), "title": "Flyttade"}).status_code == 302
    page = client.get(url).content.decode()
    assert "Flyttade" in page and "Sigrid needs calm" not in page and "Plan" in page
    filtered = client.get(url, {"kategori": "manual"}).content.decode()
    assert "Flyttade" in filtered


def test_the_team_page_invites_and_removes_a_member(world, client_for):
    from backa.casefile.models import TeamInvitation

    client = client_for("rasmus")
    url = reverse("casefile:team", args=[world.sigrid.id])
    assert client.post(url, {"do": "add", "member-position": str(world.positions["olle"].id)}).status_code == 302
    # Asked first: nothing opens until Olle accepts on his invitation page.
    olle = client_for("olle")
    assert olle.get(reverse("casefile:plan", args=[world.sigrid.id])).status_code == 404
    invitation = TeamInvitation.objects.get(position=world.positions["olle"])
    assert olle.post(reverse("casefile:invitation", args=[invitation.id]), {"answer": "accept"}).status_code == 302
    assert olle.get(reverse("casefile:plan", args=[world.sigrid.id])).status_code == 200
    assignment = world.positions["olle"].role_assignments.get()
    assert client.post(url, {"do": "leave", "assignment": str(assignment.id)}).status_code == 302
    assert client_for("olle").get(reverse("casefile:plan", args=[world.sigrid.id])).status_code == 404


def test_an_actions_status_is_changed_from_the_plan_page_as_a_new_version(world, client_for):
    from backa.casefile.plan import do_add_action

    plan = make_plan(world)
    action = do_add_action(
        acting_user=world.rasmus,
        plan=plan,
        description="Support",
        owner_organisation=plan.organisation,
        owner=world.olle,
    )
    url = reverse("casefile:action_status", args=[world.sigrid.id, plan.id, action.id])
    assert client_for("olle").post(url, {"status": "done"}).status_code == 404
    assert client_for("rasmus").post(url, {"status": "done"}).status_code == 302
    action.refresh_from_db()
    plan.refresh_from_db()
    assert action.status == "done" and plan.version == 3


def test_notifications_can_be_marked_read(world, client_for):
    from backa.casefile.concerns import do_register_concern
    from backa.casefile.models import Notification

    do_register_concern(
        acting_user=world.olle, child=world.sigrid, observed_on=timezone.localdate(), description="x", areas=[]
    )
    client = client_for("rasmus")
    assert client.post(reverse("front:todo"), {"do": "read"}).status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_the_chronology_of_a_child_with_protected_identity_names_no_unit(world, client_for):
    page = client_for("britta").get(reverse("casefile:chronology", args=[world.hemlig.id])).content.decode()
    assert "från BVC Järva" not in page and "från Region Stockholm" in page
