"""Authority inside the file (casefile.authority): a team member cannot take over.

The world: Rasmus (rektor) is Sigrid's barnkontakt, Sara (social services) her stödsamordnare,
Per (police) a team member, Olle (teacher) has no role, Ada administers the Järva district.
Each refusal is a logged 403 that changes nothing."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from backa.audit.models import AccessLog, Outcome
from backa.casefile.authority import AuthorityRefused
from backa.casefile.models import Plan, PlanStatus
from backa.casefile.plan import do_add_action, do_end_plan, do_set_action_status, do_update_plan
from backa.casefile.team import active_team, do_add_team_member, do_appoint_coordinator, do_leave_team
from backa.casefile.tests.helpers import make_plan
from backa.roles.models import EndReason, RoleAssignment, RoleKind

pytestmark = pytest.mark.django_db


def _role(world, key, kind):
    return RoleAssignment.objects.get(child=world.sigrid, position=world.positions[key], kind=kind, ended_at=None)


def test_a_police_officer_on_the_team_cannot_reshape_it(world):
    plan = make_plan(world)
    coordinator_role = _role(world, "sara", RoleKind.STODSAMORDNARE)
    team_before = sorted(a.pk for a in active_team(world.sigrid))
    version_before = Plan.objects.get(pk=plan.pk).version
    per = world.per
    with pytest.raises(AuthorityRefused):
        do_add_team_member(acting_user=per, child=world.sigrid, position=world.positions["olle"])
    with pytest.raises(AuthorityRefused):
        do_leave_team(acting_user=per, assignment=coordinator_role)
    with pytest.raises(AuthorityRefused):
        do_appoint_coordinator(acting_user=per, plan=plan, position=world.positions["per"])
    with pytest.raises(AuthorityRefused):
        do_update_plan(acting_user=per, plan=plan, based_on_version=plan.version, reason="Rewritten by police")
    with pytest.raises(AuthorityRefused):
        do_end_plan(acting_user=per, plan=plan, status=PlanStatus.CLOSED, reason="Done")
    with pytest.raises(AuthorityRefused):
        do_add_action(
            acting_user=per,
            plan=plan,
            description="Skolan ordnar rastvakt",
            owner_organisation=world.units["school"].organisation,
            owner=world.rasmus,
        )
    assert sorted(a.pk for a in active_team(world.sigrid)) == team_before
    plan.refresh_from_db()
    assert plan.version == version_before and plan.status == PlanStatus.ACTIVE
    assert plan.reason == "Sigrid needs calm at school"


def test_each_member_owns_their_organisations_actions_and_may_leave(world):
    plan = make_plan(world)
    police_action = do_add_action(
        acting_user=world.per,
        plan=plan,
        description="Kommunpolisen besöker skolan",
        owner_organisation=world.units["lpo"].organisation,
        owner=world.per,
    )
    school_action = do_add_action(
        acting_user=world.rasmus,
        plan=plan,
        description="Rastvakt vid fotbollsplanen",
        owner_organisation=world.units["school"].organisation,
        owner=world.rasmus,
    )
    do_set_action_status(acting_user=world.per, action=police_action, status="ongoing")
    with pytest.raises(AuthorityRefused):
        do_set_action_status(acting_user=world.per, action=school_action, status="done")
    # The lead may change any action's status.
    do_set_action_status(acting_user=world.sara, action=police_action, status="done")
    ended = do_leave_team(acting_user=world.per, assignment=_role(world, "per", RoleKind.TEAM_MEMBER))
    assert ended.end_reason == EndReason.LEFT


def test_only_the_coordinator_the_barnkontakt_or_the_district_removes_the_coordinator(world):
    make_plan(world)
    ended = do_leave_team(acting_user=world.rasmus, assignment=_role(world, "sara", RoleKind.STODSAMORDNARE))
    assert ended.end_reason == EndReason.REMOVED
    plan = Plan.objects.get(child=world.sigrid, status=PlanStatus.ACTIVE)
    assert plan.coordinator is None
    # The district administrator appoints a new one; a team member could not.
    do_appoint_coordinator(acting_user=world.ada, plan=plan, position=world.positions["sara"])
    assert _role(world, "sara", RoleKind.STODSAMORDNARE)


def test_closing_the_plan_ends_the_team_and_the_coordinator_but_not_the_barnkontakt(world, client_for):
    plan = make_plan(world)
    do_end_plan(acting_user=world.sara, plan=plan, status=PlanStatus.CLOSED, reason="Målen är nådda")
    ends = dict(
        RoleAssignment.objects.filter(child=world.sigrid, ended_at__isnull=False).values_list("kind", "end_reason")
    )
    assert ends == {RoleKind.STODSAMORDNARE: EndReason.PLAN_CLOSED, RoleKind.TEAM_MEMBER: EndReason.PLAN_CLOSED}
    assert _role(world, "rasmus", RoleKind.BARNKONTAKT)
    overview = reverse("casefile:overview", args=[world.sigrid.id])
    assert client_for("per").get(overview).status_code == 404
    assert client_for("sara").get(overview).status_code == 404
    assert client_for("rasmus").get(overview).status_code == 200


def test_the_pages_show_a_member_only_what_they_may_do_and_refuse_the_rest(world, client_for):
    plan = make_plan(world)
    per = client_for("per")
    page = per.get(reverse("casefile:plan", args=[world.sigrid.id])).content.decode()
    assert reverse("casefile:edit_plan", args=[world.sigrid.id, plan.id]) not in page
    assert reverse("casefile:end_plan", args=[world.sigrid.id, plan.id]) not in page
    assert reverse("casefile:add_action", args=[world.sigrid.id, plan.id]) in page
    team_page = per.get(reverse("casefile:team", args=[world.sigrid.id])).content.decode()
    assert 'value="add"' not in team_page and 'value="coordinator"' not in team_page
    assert per.get(reverse("casefile:edit_plan", args=[world.sigrid.id, plan.id])).status_code == 403
    before = RoleAssignment.objects.filter(child=world.sigrid, ended_at=None).count()
    response = per.post(
        reverse("casefile:team", args=[world.sigrid.id]),
        {"do": "leave", "assignment": str(_role(world, "sara", RoleKind.STODSAMORDNARE).pk)},
    )
    assert response.status_code == 403
    assert RoleAssignment.objects.filter(child=world.sigrid, ended_at=None).count() == before
    denied = AccessLog.objects.filter(user_id=world.per.id, child_id=world.sigrid.id, outcome=Outcome.DENIED)
    assert denied.count() == 2
    lead_page = client_for("rasmus").get(reverse("casefile:team", args=[world.sigrid.id])).content.decode()
    assert 'value="add"' in lead_page and 'value="coordinator"' in lead_page


def test_a_refused_api_write_is_one_denied_row_and_no_allowed_row(world, client_for):
    plan = make_plan(world)
    per = client_for("per")
    started = timezone.now() - timedelta(seconds=1)
    response = per.patch(
        f"/api/children/{world.sigrid.id}/plans/{plan.id}",
        data=json.dumps({"version": plan.version, "reason": "Rewritten by police"}),
        content_type="application/json",
    )
    assert response.status_code == 403, response.content
    assert response.json() == {"detail": "Forbidden"}
    plan.refresh_from_db()
    assert plan.reason == "Sigrid needs calm at school"
    rows = AccessLog.objects.filter(user_id=world.per.id, occurred_at__gte=started)
    assert [r.outcome for r in rows] == [Outcome.DENIED]
