"""The child's network (Mitt nätverk): written down with consent for contact details, ranked by
the child, invited to meetings, carrying out plan actions, kept when the plan closes, passed on
at a handover, behind the gate and logged."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from backa.access.objects import ToolRefused
from backa.audit.models import AccessLog
from backa.casefile.meetings import do_schedule_meeting
from backa.casefile.models import NetworkMember, Participant
from backa.casefile.network import (
    active_network,
    do_add_network_member,
    do_end_network_member,
    do_rank_network,
    do_update_network_member,
    network_map_svg,
)
from backa.casefile.plan import do_add_action, do_end_plan
from backa.casefile.tests.helpers import make_plan
from backa.roles.models import Handover, HandoverTrigger, RoleAssignment
from backa.roles.services import do_prepare_handover

pytestmark = pytest.mark.django_db


def add(world, name="Morfar Karl", **kw):
    values = {"relation": "grandparent", "go_to_when": "när jag är ledsen"} | kw
    return do_add_network_member(acting_user=world.rasmus, child=world.sigrid, name=name, **values)


def test_contact_details_are_kept_only_with_the_persons_agreement(world):
    with pytest.raises(ValidationError) as error:
        add(world, contact="070-1234567")
    assert "contact_consent_on" in error.value.message_dict and "contact_consent_how" in error.value.message_dict
    assert not NetworkMember.objects.exists()
    member = add(
        world, contact="070-1234567", contact_consent_on=timezone.localdate(), contact_consent_how="Muntligt i telefon"
    )
    assert member.contact == "070-1234567"
    # The database itself refuses contact details without the agreement.
    with pytest.raises(IntegrityError), transaction.atomic():
        NetworkMember.objects.filter(pk=member.pk).update(contact_consent_on=None)
    # Clearing the contact clears the agreement with it.
    member = do_update_network_member(acting_user=world.rasmus, member=member, contact="")
    assert (member.contact, member.contact_consent_on, member.contact_consent_how) == ("", None, "")


def test_a_name_and_a_relation_are_needed(world):
    with pytest.raises(ValidationError) as error:
        do_add_network_member(acting_user=world.rasmus, child=world.sigrid, name=" ", relation="boss")
    assert set(error.value.message_dict) == {"name", "relation"}


def test_the_child_ranks_the_network_and_a_bad_order_changes_nothing(world):
    karl, eva, coach = add(world), add(world, "Mormor Eva"), add(world, "Tränaren Ali", relation="coach")
    do_rank_network(acting_user=world.rasmus, child=world.sigrid, order=[eva.id, coach.id, karl.id])
    assert [m.name for m in active_network(world.sigrid)] == ["Mormor Eva", "Tränaren Ali", "Morfar Karl"]
    with pytest.raises(ValidationError):
        do_rank_network(acting_user=world.rasmus, child=world.sigrid, order=[karl.id, eva.id])
    assert [m.rank for m in active_network(world.sigrid)] == [1, 2, 3]
    assert (
        AccessLog.objects.filter(child_id=world.sigrid.id, object_type="network", purpose="network_ranking").count()
        == 1
    )


def test_only_the_childs_team_changes_the_network(world):
    with pytest.raises(ToolRefused):
        do_add_network_member(acting_user=world.olle, child=world.sigrid, name="Granne", relation="neighbour")
    # A team member (the police officer in Sigrid's team) may.
    assert do_add_network_member(acting_user=world.per, child=world.sigrid, name="Granne", relation="neighbour")


def test_a_network_member_is_invited_to_a_meeting_and_carries_out_an_action(world):
    karl = add(world)
    plan = make_plan(world)
    meeting = do_schedule_meeting(
        acting_user=world.rasmus,
        child=world.sigrid,
        starts_at=timezone.now() + timedelta(days=2),
        plan=plan,
        professionals=[world.rasmus],
        network_members=[karl],
    )
    invited = meeting.participants.get(kind=Participant.Kind.NETWORK)
    assert (invited.name, invited.network_member) == ("Morfar Karl", karl)
    action = do_add_action(
        acting_user=world.rasmus,
        plan=plan,
        description="Hämtar på fredagar",
        owner=world.rasmus,
        owner_organisation=world.units["school"].organisation,
        network_member=karl,
    )
    assert action.network_member == karl and action.owner == world.rasmus
    assert plan.versions.first().snapshot["actions"][0]["network_member_id"] == str(karl.id)
    # Someone from another child's network cannot be named.
    other = do_add_network_member(acting_user=world.britta, child=world.ivar, name="Farmor", relation="grandparent")
    with pytest.raises(ValidationError):
        do_add_action(
            acting_user=world.rasmus,
            plan=plan,
            description="X",
            owner=world.rasmus,
            owner_organisation=world.units["school"].organisation,
            network_member=other,
        )
    with pytest.raises(ValidationError):
        do_schedule_meeting(
            acting_user=world.rasmus, child=world.sigrid, starts_at=timezone.now(), network_members=[other]
        )


def test_the_network_stays_when_the_plan_closes(world):
    karl = add(world)
    plan = make_plan(world)
    do_end_plan(acting_user=world.rasmus, plan=plan, status="closed", reason="Målen nådda")
    assert active_network(world.sigrid) == [karl]


def test_ending_a_member_keeps_the_row_and_drops_the_contact(world):
    karl = add(world, contact="karl@example.org", contact_consent_on=timezone.localdate(), contact_consent_how="Mejl")
    do_end_network_member(acting_user=world.rasmus, member=karl)
    karl.refresh_from_db()
    assert karl.ended_on == timezone.localdate() and karl.contact == "" and active_network(world.sigrid) == []
    with pytest.raises(ValidationError):
        do_update_network_member(acting_user=world.rasmus, member=karl, name="Karl")


def test_the_network_map_is_an_image_with_a_name_and_the_list_holds_the_same_people(world, client_for):
    karl = add(world)
    add(world, "Mormor Eva")
    do_rank_network(
        acting_user=world.rasmus,
        child=world.sigrid,
        order=[karl.id, NetworkMember.objects.exclude(pk=karl.pk).get().id],
    )
    svg = network_map_svg("Sigrid", active_network(world.sigrid))
    assert 'role="img"' in svg and 'aria-labelledby="network-map-title network-map-desc"' in svg
    assert "style=" not in svg
    response = client_for("rasmus").get(reverse("casefile:network", args=[world.sigrid.id]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Morfar Karl" in html and "Mormor Eva" in html and "Plats 1 i barnets ordning" in html
    assert AccessLog.objects.filter(user_id=world.rasmus.id, child_id=world.sigrid.id, object_type="network").exists()


def test_the_pages_add_and_order_the_network(world, client_for):
    client = client_for("rasmus")
    url = reverse("casefile:network", args=[world.sigrid.id])
    response = client.post(url, {"name": "Mormor Eva", "relation": "grandparent", "contact": "070-1"})
    assert response.status_code == 200 and "har gått med på" in response.content.decode()
    assert not NetworkMember.objects.exists()
    client.post(url, {"name": "Mormor Eva", "relation": "grandparent"})
    client.post(url, {"name": "Ali", "relation": "coach"})
    eva, ali = NetworkMember.objects.get(name="Mormor Eva"), NetworkMember.objects.get(name="Ali")
    order_url = reverse("casefile:network_order", args=[world.sigrid.id])
    same = client.post(order_url, {f"place_{eva.id}": "1", f"place_{ali.id}": "1"})
    assert same.status_code == 200 and NetworkMember.objects.filter(rank__isnull=False).count() == 0
    client.post(order_url, {f"place_{eva.id}": "2", f"place_{ali.id}": "1"})
    assert [m.name for m in active_network(world.sigrid)] == ["Ali", "Mormor Eva"]


def test_out_of_scope_is_the_childs_404_and_a_reader_outside_the_team_cannot_change_it(world, client_for):
    karl = add(world)
    for name in ("network", "network_order"):
        response = client_for("olle").get(reverse(f"casefile:{name}", args=[world.sigrid.id]))
        assert response.status_code == 404
    response = client_for("olle").get(reverse("casefile:network_member", args=[world.sigrid.id, karl.id]))
    assert response.status_code == 404
    # A member of another child's file: the row is not this child's.
    response = client_for("britta").get(reverse("casefile:network_member", args=[world.ivar.id, karl.id]))
    assert response.status_code == 404
    assert AccessLog.objects.filter(user_id=world.olle.id, child_id=world.sigrid.id, outcome="denied").count() == 3


def test_a_handover_that_passes_on_the_network_shows_it_to_the_receiver(world, client_for):
    do_add_network_member(acting_user=world.britta, child=world.ivar, name="Farmor Lena", relation="grandparent")
    handover = Handover.objects.create(
        child=world.ivar,
        municipality=world.municipality,
        trigger=HandoverTrigger.PHASE_CHANGE,
        from_assignment=RoleAssignment.objects.get(child=world.ivar, position=world.positions["britta"]),
        from_position=world.positions["britta"],
        to_position=world.positions["rasmus"],
        target_date=timezone.localdate(),
    )
    url = reverse("front:handover", args=[handover.id])
    assert "Farmor Lena" not in client_for("rasmus").get(url).content.decode()
    do_prepare_handover(
        acting_user=world.britta, handover=handover, basis="consent", items=["network"], consent_reference="S-1"
    )
    html = client_for("rasmus").get(url).content.decode()
    assert "Farmor Lena" in html
    assert AccessLog.objects.filter(
        user_id=world.rasmus.id, child_id=world.ivar.id, object_type="network", purpose="handover_receiver"
    ).exists()
