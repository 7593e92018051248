"""The forum inventory: administrators edit their own district; others read; overlaps; exports."""

import pytest
from django.urls import reverse

from backa.accounts.models import PositionKind
from backa.forums.models import Forum
from backa.forums.services import inventory_overlaps
from backa.forums.tests.helpers import make_forum
from backa.testing import make_user

pytestmark = pytest.mark.django_db

VALID = {
    "name": "SSPF Järva",
    "kind": "sspf",
    "purpose": "Förebygga att unga begår brott",
    "purposes": ["crime_prevention", "early_detection"],
    "legal_basis": "OSL 10 kap. 18 b §",
    "target_group": "Unga 12–18 år",
    "sectors": ["school", "social_services", "police", "leisure"],
    "participants": "Rektor, socialsekreterare, kommunpolis, fritidsledare",
    "frequency": "biweekly",
    "convener": "Socialtjänsten",
    "children_take_part": "never",
    "guardians_take_part": "sometimes",
    "discusses_individual_children": "on",
    "is_active": "on",
}


def test_the_district_administrator_adds_a_forum(world, client_for):
    client = client_for("ada")
    response = client.post(reverse("forums:forum_create", args=[world.jarva.id]), VALID)
    assert response.status_code == 302
    forum = Forum.objects.get()
    assert (forum.district, forum.updated_by, forum.sectors) == (world.jarva, world.ada, VALID["sectors"])
    page = client.get(reverse("forums:inventory", args=[world.jarva.id]))
    assert "SSPF Järva" in page.content.decode()


def test_a_missing_field_gives_a_clear_error_and_saves_nothing(world, client_for):
    data = dict(VALID, target_group="", sectors=[])
    response = client_for("ada", language="en").post(reverse("forums:forum_create", args=[world.jarva.id]), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'aria-invalid="true"' in body and "id_target_group_error" in body
    assert "This field is required." in body
    assert not Forum.objects.exists()


def test_a_duplicate_name_is_refused(world, client_for):
    make_forum(world, "SSPF Järva")
    response = client_for("ada", language="en").post(reverse("forums:forum_create", args=[world.jarva.id]), VALID)
    assert "already has a forum with this name" in response.content.decode()
    assert Forum.objects.count() == 1


def test_a_stale_edit_does_not_overwrite_a_newer_one(world, client_for):
    forum = make_forum(world, "SSPF Järva")
    url = reverse("forums:forum_edit", args=[world.jarva.id, forum.id])
    client = client_for("ada", language="en")
    assert client.post(url, dict(VALID, version=1, convener="A")).status_code == 302
    response = client.post(url, dict(VALID, version=1, convener="B"))  # no base: refused
    assert "Someone else changed this forum" in response.content.decode()
    forum.refresh_from_db()
    assert (forum.convener, forum.version) == ("A", 2)


def _loaded(client, url):
    """The edit form's hidden version and base, as a browser would send them back."""
    import re

    html = client.get(url).content.decode()
    return {name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1) for name in ("version", "base")}


def test_two_administrators_editing_a_forum_merge_and_choose(world, client_for):
    client = client_for("ada", language="en")
    assert client.post(reverse("forums:forum_create", args=[world.jarva.id]), VALID).status_code == 302
    forum = Forum.objects.get()
    url = reverse("forums:forum_edit", args=[world.jarva.id, forum.id])
    first, second = _loaded(client, url), _loaded(client, url)
    assert client.post(url, dict(VALID, **first, convener="A")).status_code == 302
    # A different field: merged, the first administrator's convener stays.
    assert client.post(url, dict(VALID, **second, frequency="monthly")).status_code == 302
    forum.refresh_from_db()
    assert (forum.convener, forum.frequency, forum.version) == ("A", "monthly", 3)
    # The same field: shown side by side, nothing saved until a choice is made.
    response = client.post(url, dict(VALID, **second, convener="B"))
    html = response.content.decode()
    assert response.status_code == 200 and 'name="keep-convener"' in html and "Theirs: A" in html
    forum.refresh_from_db()
    assert (forum.convener, forum.version) == ("A", 3)
    again = _loaded(client, url)
    choose = dict(VALID, **again, convener="B", frequency="monthly", merge_fields="convener")
    assert client.post(url, {**choose, "keep-convener": "mine"}).status_code == 302
    forum.refresh_from_db()
    assert (forum.convener, forum.frequency) == ("B", "monthly")


@pytest.mark.parametrize("persona", ["rasmus", "sara", "olle", "britta"])
def test_only_the_district_administrator_may_edit(world, client_for, persona):
    forum = make_forum(world, "SSPF Järva")
    client = client_for(persona)
    assert client.get(reverse("forums:forum_create", args=[world.jarva.id])).status_code == 404
    assert client.post(reverse("forums:forum_edit", args=[world.jarva.id, forum.id]), VALID).status_code == 404
    assert client.get(reverse("forums:burden", args=[world.jarva.id])).status_code == 404
    # Reading the inventory is open to professionals in the municipality.
    assert client.get(reverse("forums:inventory", args=[world.jarva.id])).status_code == 200
    assert Forum.objects.get().purpose == "Samverkan kring barn"


def test_an_administrator_of_another_district_cannot_edit_this_one(world, client_for):
    from backa.organisations.models import Unit, UnitType

    admin_unit = Unit.objects.create(
        organisation=world.units["admin"].organisation,
        district=world.farsta,
        unit_type=UnitType.ADMINISTRATION,
        name="Farsta stadsdelsförvaltning",
    )
    make_user("fia", "Fia", "Farsta", admin_unit, PositionKind.DISTRICT_ADMIN, "Distriktsadministratör")
    client = client_for("ada")
    assert client.get(reverse("forums:forum_create", args=[world.farsta.id])).status_code == 404
    assert client.get(reverse("forums:burden", args=[world.farsta.id])).status_code == 404
    assert client.get(reverse("forums:forum_create", args=[world.jarva.id])).status_code == 200


def test_a_district_admin_position_outside_an_administration_unit_does_not_count(world, client_for):
    from backa.accounts.models import Position

    Position.objects.filter(user=world.olle).update(kind=PositionKind.DISTRICT_ADMIN)
    assert client_for("olle").get(reverse("forums:forum_create", args=[world.jarva.id])).status_code == 404


def test_the_overlap_view_pairs_forums_with_the_same_participants_and_purposes(world, client_for):
    sspf = make_forum(
        world,
        "SSPF Järva",
        sectors=["school", "social_services", "police", "leisure"],
        purposes=["crime_prevention", "early_detection"],
    )
    team = make_forum(
        world,
        "Barnets team",
        kind="barnets_team",
        sectors=["school", "social_services", "police"],
        purposes=["early_detection", "crime_prevention", "individual_planning"],
    )
    make_forum(
        world,
        "Familjecentralen",
        kind="familjecentral",
        sectors=["bmm_bvc", "preschool"],
        purposes=["parenting_support"],
    )
    overlaps = inventory_overlaps([sspf, team, Forum.objects.get(name="Familjecentralen")])
    assert [(o["a"].name, o["b"].name) for o in overlaps] == [("SSPF Järva", "Barnets team")]
    assert overlaps[0]["sectors_score"] == 0.75 and overlaps[0]["purposes_score"] == 0.67
    body = client_for("rasmus").get(reverse("forums:compare", args=[world.jarva.id])).content.decode()
    assert "Barnets team" in body and "Familjecentralen" in body


def test_the_csv_and_print_views_list_every_forum(world, client_for, django_assert_max_num_queries):
    for i in range(8):
        make_forum(world, f"Forum {i}")
    make_forum(world, "=HYPERLINK(evil)")
    client = client_for("ada", language="en")
    response = client.get(reverse("forums:inventory_csv", args=[world.jarva.id]))
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert text.count("\n") == 10 and "'=HYPERLINK(evil)" in text
    with django_assert_max_num_queries(12):
        page = client.get(reverse("forums:inventory_print", args=[world.jarva.id]))
    assert page.content.decode().count('<th scope="row">') == 9
    with django_assert_max_num_queries(12):
        assert client.get(reverse("forums:inventory", args=[world.jarva.id])).status_code == 200


def test_a_district_in_another_municipality_is_not_found(world, client_for):
    from backa.organisations.models import District, Municipality

    other = District.objects.create(
        municipality=Municipality.objects.create(code="0181", name="Södertälje"), code="X", name="X"
    )
    assert client_for("ada").get(reverse("forums:inventory", args=[other.id])).status_code == 404
