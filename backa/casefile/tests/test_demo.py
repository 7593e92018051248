"""The demo data puts the personas' children at every stage of the flow."""

from datetime import date

import pytest

from backa.casefile.models import Action, Assessment, Concern, ConcernReport, Conversation, Meeting, Plan
from backa.synthetic.generator import Generator

pytestmark = pytest.mark.django_db


def test_the_demo_has_children_at_every_stage():
    Generator(children=400, seed=7, today=date.today()).run()
    assert Concern.objects.filter(reported_by__username="larare").exists()
    assert Conversation.objects.filter(consent_status="refused").exists()
    assert ConcernReport.objects.filter(status="investigation_opened").exists()
    assert Assessment.objects.values("child").distinct().count() >= 3
    assert Plan.objects.filter(status="active", kind="single").exists()
    assert Plan.objects.filter(status="active", kind="team", coordinator__user__username="socialsekreterare").exists()
    assert Plan.objects.filter(status="closed").exists()
    assert Meeting.objects.filter(child_heard="not_heard").exclude(child_heard_how="").exists()
    assert Action.objects.filter(from_decision__isnull=False).exists()


def test_the_demo_entries_belong_to_the_organisations_that_wrote_them():
    Generator(children=400, seed=7, today=date.today()).run()
    for model in (Conversation, Assessment, Meeting):
        assert model.objects.exists()
        assert not model.objects.filter(organisation__isnull=True).exists()
    assert Conversation.objects.filter(
        held_by__username="socialsekreterare", organisation__kind="municipal_board"
    ).exists()
    # One team shows the police social services' notes under a consent.
    from backa.consent.models import Consent

    assert Consent.objects.filter(status="active", categories__contains=",notes,", recipients__kind="police").exists()


def test_the_demo_intake_sees_the_rektors_report(client):
    from django.urls import reverse

    from backa.accounts.models import User
    from backa.casefile.models import IntakeItem
    from backa.testing import force_verified_login

    Generator(children=400, seed=7, today=date.today()).run()
    items = IntakeItem.objects.filter(closed_at__isnull=True, report__reported_by__username="rektor")
    assert items.count() >= 3 and items.filter(acute=True).exists()
    assert ConcernReport.objects.filter(status="second_look").exists()
    assert ConcernReport.objects.filter(origin="external", reporter_category="police").exists()
    force_verified_login(client, User.objects.get(username="mottagning"))
    page = client.get(reverse("casefile:intake_queue"))
    child = items.first().report.child
    assert page.status_code == 200 and child.given_name.encode() in page.content
