"""Invitations to barnets team and to the stödsamordnare role: the invitee is asked, sees the
child only after yes, may say no with a reason the inviter reads; nobody else answers."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from backa.audit.models import AccessLog
from backa.casefile.authority import AuthorityRefused
from backa.casefile.models import Notification, Plan, PlanStatus, TeamInvitation
from backa.casefile.plan import do_end_plan
from backa.casefile.team import do_answer_invitation, do_invite, do_withdraw_invitation
from backa.casefile.tests.helpers import make_plan
from backa.outbox.models import Message
from backa.roles.models import EndReason, RoleAssignment, RoleKind

pytestmark = pytest.mark.django_db


def _invite_olle(world, **kwargs):
    return do_invite(acting_user=world.rasmus, child=world.sigrid, position=world.positions["olle"], **kwargs)


def test_the_invitee_is_told_sees_the_child_only_after_yes_and_the_inviter_hears_back(world, client_for):
    invitation = _invite_olle(world)
    note = Notification.objects.get(recipient=world.olle, kind=Notification.Kind.TEAM_INVITATION)
    assert note.object_id == invitation.id
    assert Message.objects.filter(notification_id=note.id).exists(), "the e-mail is queued in the same transaction"
    olle = client_for("olle")
    overview = reverse("casefile:overview", args=[world.sigrid.id])
    assert olle.get(overview).status_code == 404
    assert reverse("casefile:invitation", args=[invitation.id]).encode() in olle.get(reverse("front:todo")).content
    page = olle.get(reverse("casefile:invitation", args=[invitation.id]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Sigrid" in text and "Rasmus Rektorsson" in text and "Nilsson" not in text
    assert AccessLog.objects.filter(
        user_id=world.olle.id, child_id=world.sigrid.id, object_type="team_invitation", purpose="invitation"
    ).exists()
    answer = olle.post(reverse("casefile:invitation", args=[invitation.id]), {"answer": "accept"})
    assert answer.status_code == 302 and answer["Location"] == overview
    assert olle.get(overview).status_code == 200
    assert RoleAssignment.objects.filter(position=world.positions["olle"], kind=RoleKind.TEAM_MEMBER).exists()
    assert Notification.objects.filter(
        recipient=world.rasmus, kind=Notification.Kind.TEAM_INVITATION_ANSWERED, object_id=invitation.id
    ).exists()


def test_a_decline_needs_a_reason_which_the_inviter_sees(world, client_for):
    invitation = _invite_olle(world)
    olle = client_for("olle")
    url = reverse("casefile:invitation", args=[invitation.id])
    refused = olle.post(url, {"answer": "decline", "reason": "  "})
    assert refused.status_code == 400
    assert TeamInvitation.objects.get(pk=invitation.pk).status == TeamInvitation.Status.PENDING
    assert olle.post(url, {"answer": "decline", "reason": "Jag är föräldraledig från januari"}).status_code == 302
    team_page = client_for("rasmus").get(reverse("casefile:team", args=[world.sigrid.id])).content.decode()
    assert "Jag är föräldraledig från januari" in team_page
    assert olle.get(reverse("casefile:overview", args=[world.sigrid.id])).status_code == 404
    with pytest.raises(ValidationError):  # answered once
        do_answer_invitation(acting_user=world.olle, invitation=invitation, accept=True)
    assert not RoleAssignment.objects.filter(position=world.positions["olle"]).exists()


def test_only_a_lead_invites_and_only_the_invitee_answers(world, client_for):
    with pytest.raises(AuthorityRefused):
        do_invite(acting_user=world.per, child=world.sigrid, position=world.positions["olle"])
    refused = client_for("per").post(
        reverse("casefile:team", args=[world.sigrid.id]), {"do": "add", "member-position": world.positions["olle"].id}
    )
    assert refused.status_code == 403 and not TeamInvitation.objects.exists()
    invitation = _invite_olle(world)
    with pytest.raises(AuthorityRefused):
        do_answer_invitation(acting_user=world.sara, invitation=invitation, accept=True)
    # Another person's invitation page is an unknown id to everyone but the invitee.
    assert client_for("sara").get(reverse("casefile:invitation", args=[invitation.id])).status_code == 404
    with pytest.raises(ValidationError):
        _invite_olle(world)  # already invited, not answered
    assert TeamInvitation.objects.get().status == TeamInvitation.Status.PENDING


def test_a_withdrawn_invitation_cannot_be_accepted(world, client_for):
    invitation = _invite_olle(world)
    do_withdraw_invitation(acting_user=world.rasmus, invitation=invitation)
    answer = client_for("olle").post(reverse("casefile:invitation", args=[invitation.id]), {"answer": "accept"})
    assert answer.status_code == 400
    assert not RoleAssignment.objects.filter(position=world.positions["olle"]).exists()


def test_the_stodsamordnare_role_starts_on_yes_and_replaces_the_previous_one(world):
    plan = make_plan(world)
    invitation = _invite_olle(world, kind=TeamInvitation.Kind.STODSAMORDNARE, plan=plan)
    assert Plan.objects.get(pk=plan.pk).coordinator is None
    do_answer_invitation(acting_user=world.olle, invitation=invitation, accept=True)
    plan.refresh_from_db()
    assert plan.coordinator == world.positions["olle"]
    sara = RoleAssignment.objects.get(position=world.positions["sara"], kind=RoleKind.STODSAMORDNARE)
    assert sara.end_reason == EndReason.REPLACED


def test_a_coordinator_invitation_lapses_with_the_plan(world):
    plan = make_plan(world)
    invitation = _invite_olle(world, kind=TeamInvitation.Kind.STODSAMORDNARE, plan=plan)
    do_end_plan(acting_user=world.rasmus, plan=plan, status=PlanStatus.CLOSED, reason="Målen är nådda")
    with pytest.raises(ValidationError):
        do_answer_invitation(acting_user=world.olle, invitation=invitation, accept=True)
    assert not RoleAssignment.objects.filter(position=world.positions["olle"]).exists()
