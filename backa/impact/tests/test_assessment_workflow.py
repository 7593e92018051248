"""A child impact assessment: versioned, sent to a named decision-maker, approved or returned."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from backa.accounts.models import PositionKind
from backa.forums.tests.helpers import make_forum
from backa.impact.models import ImpactAssessment, Status
from backa.testing import make_user

pytestmark = pytest.mark.django_db


def steps(**overrides):
    data = {
        "v-matter": "Starta piloten Backa barnet i Järva",
        "v-children_affected": "Alla barn 0–18 år i Järva",
        "v-rights": ["art3", "art12"],
        "v-knowledge": "Utvärderingar från Borås och Göteborg",
        "v-indicators": ["forums_in_inventory", "children_in_several_forums_same_month"],
        "v-children_views": "Barnen vill träffa färre vuxna",
        "v-views_gathered_how": "Fokusgrupper i skolor",
        "v-alternatives": "A: pilot. B: vänta.",
        "v-consequences": "A: en plan. B: fler möten.",
        "v-weighing": "Barnets bästa väger tyngst",
        "v-decision": "Starta piloten",
        "v-reasons": "Färre möten per barn",
        "v-compensating_measures": "",
        "v-feedback_to_children": "Brev till elevråden",
        "v-follow_up_on": (timezone.localdate() + timedelta(days=180)).isoformat(),
    }
    data.update(overrides)
    return data


@pytest.fixture
def maja(world):
    user, _position = make_user("maja", "Maja", "Chef", world.units["admin"], PositionKind.MANAGER, "Avdelningschef")
    world.users["maja"] = user
    return user


def create(client, world, **overrides):
    data = steps(title="Starta piloten i Järva", decision_kind="pilot_start", district=world.jarva.id, **overrides)
    response = client.post(reverse("impact:create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImpactAssessment.objects.get()


def test_the_administrator_writes_an_assessment_that_cites_the_platforms_numbers(world, client_for):
    make_forum(world, "SSPF Järva")
    make_forum(world, "EHT Ängsskolan")
    client = client_for("ada", language="en")
    assessment = create(client, world)
    version = assessment.versions.get()
    assert (assessment.current_version, version.number, version.created_by) == (1, 1, world.ada)
    assert version.indicator_values["forums_in_inventory"] == 2
    assert version.indicator_values["children_in_several_forums_same_month"] is None  # suppressed: fewer than 5
    body = client.get(reverse("impact:detail", args=[assessment.id])).content.decode()
    assert "Active forums in the district" in body and "fewer than 5, or not available" in body


def test_every_save_is_a_new_version_and_old_versions_stay_readable(world, client_for):
    client = client_for("ada", language="en")
    assessment = create(client, world)
    url = reverse("impact:edit", args=[assessment.id])
    assert client.post(url, steps(**{"v-matter": "Ny beskrivning", "v-expected_version": 1})).status_code == 302
    stale = client.post(url, steps(**{"v-matter": "Gammal flik", "v-expected_version": 1}))
    assert "Someone else saved a newer version" in stale.content.decode()
    assessment.refresh_from_db()
    assert assessment.current_version == 2
    assert list(assessment.versions.values_list("number", "matter")) == [
        (2, "Ny beskrivning"),
        (1, "Starta piloten Backa barnet i Järva"),
    ]
    old = client.get(reverse("impact:detail", args=[assessment.id]) + "?version=1").content.decode()
    assert "Starta piloten Backa barnet i Järva" in old
    # The stale edit is shown with a choice; another step changed from version 1 merges.
    assert 'name="v-keep-matter"' in stale.content.decode()
    merged = client.post(url, steps(**{"v-weighing": "Barnets röst väger tyngst", "v-expected_version": 1}))
    assert merged.status_code == 302
    latest = assessment.versions.order_by("-number").first()
    assert (latest.number, latest.matter, latest.weighing) == (3, "Ny beskrivning", "Barnets röst väger tyngst")


def test_a_past_follow_up_date_and_missing_steps_are_refused(world, client_for):
    client = client_for("ada", language="en")
    data = steps(
        title="X",
        decision_kind="pilot_start",
        district=world.jarva.id,
        **{"v-follow_up_on": "2020-01-01", "v-children_views": ""},
    )
    response = client.post(reverse("impact:create"), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "must be in the future" in body and "id_v-children_views_error" in body
    assert not ImpactAssessment.objects.exists()


def test_only_the_named_decision_maker_approves(world, client_for, maja):
    ada = client_for("ada", language="en")
    assessment = create(ada, world)
    ada.post(reverse("impact:send", args=[assessment.id]), {"decision_maker": maja.id})
    assessment.refresh_from_db()
    assert (assessment.status, assessment.decision_maker) == (Status.IN_REVIEW, maja)
    # The author cannot approve their own assessment, and it can no longer be edited.
    assert ada.post(reverse("impact:decide", args=[assessment.id]), {"decision": "approve"}).status_code == 404
    assert ada.get(reverse("impact:edit", args=[assessment.id])).status_code == 200
    ada.post(reverse("impact:edit", args=[assessment.id]), steps(**{"v-expected_version": 1}))
    assert assessment.versions.count() == 1

    boss = client_for("maja", language="en")
    assert boss.get(reverse("impact:detail", args=[assessment.id])).status_code == 200
    boss.post(reverse("impact:decide", args=[assessment.id]), {"decision": "approve"})
    assessment.refresh_from_db()
    assert (assessment.status, assessment.approved_version) == (Status.APPROVED, 1)
    printed = boss.get(reverse("impact:print", args=[assessment.id])).content.decode()
    assert "Approved" in printed and "Maja Chef" in printed


def test_returning_needs_a_comment_and_makes_it_a_draft_again(world, client_for, maja):
    ada = client_for("ada", language="en")
    assessment = create(ada, world)
    ada.post(reverse("impact:send", args=[assessment.id]), {"decision_maker": maja.id})
    boss = client_for("maja", language="en")
    boss.post(reverse("impact:decide", args=[assessment.id]), {"decision": "return"}, follow=True)
    assessment.refresh_from_db()
    assert assessment.status == Status.IN_REVIEW
    boss.post(reverse("impact:decide", args=[assessment.id]), {"decision": "return", "comment": "Hör fler barn"})
    assessment.refresh_from_db()
    assert (assessment.status, assessment.decision_comment) == (Status.DRAFT, "Hör fler barn")


def test_it_cannot_be_sent_without_a_decision_and_follow_up(world, client_for, maja):
    ada = client_for("ada", language="en")
    assessment = create(ada, world, **{"v-decision": "", "v-follow_up_on": ""})
    page = ada.get(reverse("impact:detail", args=[assessment.id])).content.decode()
    assert "Before it can be sent, fill in" in page
    ada.post(reverse("impact:send", args=[assessment.id]), {"decision_maker": maja.id})
    assessment.refresh_from_db()
    assert assessment.status == Status.DRAFT


@pytest.mark.parametrize("persona", ["rasmus", "sara", "olle"])
def test_professionals_without_an_administrator_post_see_nothing(world, client_for, persona):
    assessment = create(client_for("ada"), world)
    client = client_for(persona)
    assert client.get(reverse("impact:create")).status_code == 404
    for name in ("detail", "edit", "print"):
        assert client.get(reverse(f"impact:{name}", args=[assessment.id])).status_code == 404
    assert client.get(reverse("impact:list")).status_code == 200


def test_an_administrator_cannot_start_one_for_another_district(world, client_for):
    data = steps(title="Farsta", decision_kind="forum_merge", district=world.farsta.id)
    response = client_for("ada", language="en").post(reverse("impact:create"), data)
    assert "your own district or for the whole city" in response.content.decode()
    assert not ImpactAssessment.objects.exists()
