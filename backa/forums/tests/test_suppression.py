"""Small cells are never shown outside case views."""

from datetime import date

import pytest
from django.urls import reverse

from backa.forums import burden
from backa.forums.burden import Term, suppress_small
from backa.forums.tests.helpers import make_forum, meet
from backa.testing import make_child

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("n, shown", [(0, None), (1, None), (4, None), (5, 5), (17, 17), (None, None)])
def test_it_suppresses_counts_under_five(n, shown):
    assert suppress_small(n) == shown


def test_the_threshold_can_be_raised_for_stricter_releases():
    assert suppress_small(7, threshold=10) is None
    assert suppress_small(10, threshold=10) == 10


def test_the_evaluation_indicators_suppress_small_cells(world):
    forum = make_forum(world, "SSPF Järva")
    meet(world, world.sigrid, forum, date(2026, 3, 3))
    indicators = burden.evaluation_indicators(world.jarva, Term(2026, "vt"))
    assert indicators["meetings"] is None
    assert indicators["children_with_meetings"] is None
    assert indicators["meetings_per_child"] is None


def test_the_district_view_shows_fewer_than_five_instead_of_a_small_count(world, client_for):
    sspf, eht = make_forum(world, "SSPF Järva"), make_forum(world, "EHT Ängsskolan")
    today = date.today()
    for i in range(3):
        child = make_child(world.municipality, world.jarva, f"Elev{i}", "Test", date(2015, 1, 1 + i), serial=990 + i)
        meet(world, child, sspf, today)
        meet(world, child, eht, today)
    response = client_for("ada", language="en").get(reverse("forums:burden", args=[world.jarva.id]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "fewer than 5" in body
    assert "<td>6</td>" in body  # six meetings may be shown
    assert "<td>3</td>" not in body  # three children may not
    # ...but the child's own page (a case view) shows the real flag for that child.
    assert "Elev0" not in body


def test_the_administrator_sees_forum_level_numbers_but_no_child(world, client_for, django_assert_max_num_queries):
    sspf, eht = make_forum(world, "SSPF Järva"), make_forum(world, "EHT Ängsskolan")
    today = date.today()
    children = []
    for i in range(6):
        child = make_child(
            world.municipality, world.jarva, f"Elev{i}", "Testsson", date(2015, 1, 1 + i), serial=990 + i
        )
        children.append(child)
        meet(world, child, sspf, today)
        meet(world, child, eht, today)
    client = client_for("ada", language="en")
    with django_assert_max_num_queries(15):
        response = client.get(reverse("forums:burden", args=[world.jarva.id]))
    body = response.content.decode()
    assert "<td>12</td>" in body and "<td>6</td>" in body  # meetings, children (>= 5: shown)
    assert "Testsson" not in body and not any(str(c.id) in body for c in children)
    # ...and the children themselves stay closed to her.
    assert client.get(reverse("forums:child_meetings", args=[children[0].id])).status_code == 404
