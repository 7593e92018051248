"""One plan per child, a new version on every change, and no silent overwrites."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from backa.casefile.models import Action, Goal, Plan, PlanStatus, PlanVersion
from backa.casefile.plan import PlanConflict, do_add_action, do_add_goal, do_end_plan, do_update_plan
from backa.casefile.tests.helpers import make_plan, share_plan

pytestmark = pytest.mark.django_db


def test_it_starts_a_plan_at_version_one_with_a_snapshot(world):
    plan = make_plan(world)
    assert plan.version == 1
    assert PlanVersion.objects.get(plan=plan).snapshot["needs"] == {"trygghet": "Feel safe at break"}


def test_a_child_has_at_most_one_active_plan(world):
    make_plan(world)
    with pytest.raises(ValidationError) as exc:
        make_plan(world, user=world.sara)
    assert "__all__" in exc.value.message_dict
    assert Plan.objects.filter(child=world.sigrid).count() == 1


def test_the_database_itself_refuses_a_second_active_plan(world):
    plan = make_plan(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.create(
            child=world.sigrid,
            municipality=world.municipality,
            organisation=plan.organisation,
            reason="again",
            review_date=plan.review_date,
            created_by=world.sara,
        )


def test_a_closed_plan_makes_room_for_a_new_one(world):
    plan = make_plan(world)
    do_end_plan(acting_user=world.rasmus, plan=plan, status=PlanStatus.CLOSED, reason="Goals reached")
    assert make_plan(world).is_active


def test_each_save_makes_a_new_version(world):
    plan = make_plan(world)
    plan = do_update_plan(acting_user=world.rasmus, plan=plan, based_on_version=1, child_view="Jag vill ha lugn")
    assert plan.version == 2
    assert PlanVersion.objects.filter(plan=plan).count() == 2
    version = PlanVersion.objects.get(plan=plan, number=2)
    assert (version.change_code, version.change_args, version.legacy_change) == (
        "edited",
        {"fields": ["child_view"]},
        "",
    )


def test_two_concurrent_edits_of_different_fields_merge_and_neither_is_lost(world):
    plan = make_plan(world)
    # Both Rasmus and Sara opened version 1; Rasmus saves first, Sara changes another field.
    do_update_plan(acting_user=world.rasmus, plan=plan, based_on_version=1, reason="Calm at school and at home")
    with translation.override("en"):
        saved = do_update_plan(
            acting_user=world.sara,
            plan=plan,
            based_on_version=1,
            reason="Sigrid needs calm at school",  # unchanged from version 1: Rasmus's text stays
            guardian_view="Agree",
        )
    assert saved.merged_theirs == ["why the plan exists"]
    plan.refresh_from_db()
    assert plan.version == 3 and plan.guardian_view == "Agree" and plan.reason == "Calm at school and at home"


def test_two_edits_of_the_same_field_conflict_and_nothing_is_saved_until_one_is_chosen(world):
    plan = make_plan(world)
    do_update_plan(acting_user=world.rasmus, plan=plan, based_on_version=1, reason="Calm at school and at home")
    with translation.override("en"), pytest.raises(PlanConflict) as exc:
        do_update_plan(
            acting_user=world.sara,
            plan=plan,
            based_on_version=1,
            reason="Calm breaks",
            needs={"trygghet": "Feel safe at break", "halsa": "Sleep"},
        )
    conflict = exc.value
    assert conflict.changed_by == world.rasmus
    assert conflict.conflicts == [("reason", "why the plan exists", "Calm breaks", "Calm at school and at home")]
    assert [(label, old, new) for label, old, new in conflict.changes] == [
        ("why the plan exists", "Sigrid needs calm at school", "Calm at school and at home")
    ]
    assert set(conflict.mine) == {"reason", "need-halsa"}
    plan.refresh_from_db()
    assert plan.version == 2 and plan.needs == {"trygghet": "Feel safe at break"}
    # Sara chooses Rasmus's text for the reason; her new need is saved alongside it.
    do_update_plan(
        acting_user=world.sara,
        plan=plan,
        based_on_version=2,
        keep_theirs=["reason"],
        reason="Calm breaks",
        needs={"trygghet": "Feel safe at break", "halsa": "Sleep"},
    )
    plan.refresh_from_db()
    assert plan.version == 3 and plan.reason == "Calm at school and at home"
    assert plan.needs == {"trygghet": "Feel safe at break", "halsa": "Sleep"}


def test_an_edit_from_an_unknown_version_overwrites_nothing_that_differs(world):
    plan = make_plan(world)
    with pytest.raises(PlanConflict) as exc:
        do_update_plan(acting_user=world.sara, plan=plan, based_on_version=99, reason="Mine")
    assert [c[0] for c in exc.value.conflicts] == ["reason"]
    plan.refresh_from_db()
    assert plan.version == 1


def test_review_date_and_required_fields_are_validated(world):
    with pytest.raises(ValidationError) as exc:
        make_plan(world, reason="", review_date=timezone.localdate() - timedelta(days=1), external_kind="sip")
    assert {"reason", "review_date", "external_ref"} <= set(exc.value.message_dict)
    assert not Plan.objects.exists()


def test_an_action_must_have_an_owner_in_its_organisation(world):
    plan = make_plan(world)
    school = world.units["school"].organisation
    with pytest.raises(ValidationError) as exc:
        do_add_action(
            acting_user=world.rasmus, plan=plan, description="Extra support", owner_organisation=school, owner=None
        )
    assert "owner" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        do_add_action(
            acting_user=world.rasmus, plan=plan, description="Extra support", owner_organisation=school, owner=world.per
        )
    assert len(exc.value.message_dict["owner"]) == 1
    assert not Action.objects.exists()
    plan.refresh_from_db()
    assert plan.version == 1


def test_goals_and_actions_are_versioned_and_linked(world):
    plan = make_plan(world)
    goal = do_add_goal(acting_user=world.rasmus, plan=plan, area="trygghet", description="Calm breaks")
    action = do_add_action(
        acting_user=world.rasmus,
        plan=plan,
        goal=goal,
        description="Adult at break",
        owner_organisation=world.units["school"].organisation,
        owner=world.olle,
        how="Rota",
        starts_on=timezone.localdate(),
        due_on=timezone.localdate() + timedelta(days=60),
        expected_improvement="Fewer conflicts",
    )
    plan.refresh_from_db()
    assert plan.version == 3
    snap = PlanVersion.objects.get(plan=plan, number=3).snapshot
    assert snap["goals"][0]["description"] == "Calm breaks" and snap["actions"][0]["id"] == str(action.id)
    assert Goal.objects.get().actions.get() == action


def test_closing_or_handing_over_needs_a_reason(world):
    plan = make_plan(world)
    with pytest.raises(ValidationError) as exc:
        do_end_plan(acting_user=world.rasmus, plan=plan, status=PlanStatus.HANDED_OVER, reason="")
    assert {"reason", "handed_over_to"} <= set(exc.value.message_dict)
    plan = do_end_plan(
        acting_user=world.rasmus,
        plan=plan,
        status=PlanStatus.HANDED_OVER,
        reason="Moving",
        handed_over_to="Skolan i Farsta",
    )
    assert plan.status == PlanStatus.HANDED_OVER and plan.ended_on == timezone.localdate()
    with pytest.raises(ValidationError):
        do_update_plan(acting_user=world.rasmus, plan=plan, based_on_version=plan.version, reason="x")


def test_each_version_can_be_read_with_what_changed(world, client_for):
    from django.urls import reverse

    plan = make_plan(world)
    share_plan(world)  # the school's plan reaches Sara (social services) under a legal basis
    do_update_plan(acting_user=world.rasmus, plan=plan, based_on_version=1, child_view="Jag vill ha lugn")
    page = client_for("sara").get(reverse("casefile:plan_version", args=[world.sigrid.id, plan.id, 2]))
    assert page.status_code == 200 and "Jag vill ha lugn" in page.content.decode()
    assert (
        client_for("sara").get(reverse("casefile:plan_version", args=[world.sigrid.id, plan.id, 9])).status_code == 404
    )
    assert (
        client_for("olle").get(reverse("casefile:plan_version", args=[world.sigrid.id, plan.id, 2])).status_code == 404
    )


def test_a_save_takes_a_fixed_number_of_queries_and_snapshots_the_plan_it_saved(world, django_assert_max_num_queries):
    plan = make_plan(world)
    for i in range(3):
        do_add_goal(acting_user=world.rasmus, plan=plan, description=f"Goal {i}")
    plan.refresh_from_db()
    # savepoint, lock, goals + actions once (an edit changes neither), update, version, position, log row
    with django_assert_max_num_queries(9):
        saved = do_update_plan(acting_user=world.rasmus, plan=plan, based_on_version=plan.version, child_view="Lugnare")
    stored = PlanVersion.objects.get(plan=plan, number=saved.version).snapshot
    assert stored["child_view"] == "Lugnare" and len(stored["goals"]) == 3
    assert [g["description"] for g in stored["goals"]] == ["Goal 0", "Goal 1", "Goal 2"]
