"""Barnets team and the stödsamordnare are role assignments: access appears and disappears."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from backa.access.gate import visible_children
from backa.audit.models import AccessLog
from backa.casefile.team import do_add_team_member, do_appoint_coordinator, do_leave_team
from backa.casefile.tests.helpers import make_plan
from backa.roles.models import RoleAssignment, RoleKind

pytestmark = pytest.mark.django_db


def test_joining_the_team_opens_the_child_and_leaving_closes_it_on_the_next_request(world, client_for):
    client = client_for("olle")
    url = reverse("casefile:overview", args=[world.sigrid.id])
    assert client.get(url).status_code == 404
    assignment = do_add_team_member(acting_user=world.rasmus, child=world.sigrid, position=world.positions["olle"])
    assert client.get(url).status_code == 200
    do_leave_team(acting_user=world.rasmus, assignment=assignment)
    assert client.get(url).status_code == 404
    assert AccessLog.objects.filter(user_id=world.olle.id, child_id=world.sigrid.id, outcome="denied").count() == 2


def test_a_member_is_not_added_twice(world):
    do_add_team_member(acting_user=world.rasmus, child=world.sigrid, position=world.positions["olle"])
    with pytest.raises(ValidationError):
        do_add_team_member(acting_user=world.rasmus, child=world.sigrid, position=world.positions["olle"])


def test_appointing_a_coordinator_gives_access_and_replaces_the_previous_one(world):
    plan = make_plan(world)
    do_appoint_coordinator(acting_user=world.rasmus, plan=plan, position=world.positions["olle"])
    plan.refresh_from_db()
    assert plan.coordinator == world.positions["olle"] and plan.kind == "team"
    assert world.sigrid in visible_children(world.olle)
    active = RoleAssignment.objects.filter(child=world.sigrid, kind=RoleKind.STODSAMORDNARE, ended_at__isnull=True)
    assert [a.position for a in active] == [world.positions["olle"]]
    assert world.sigrid not in visible_children(world.sara)  # Sara's coordinator role ended
