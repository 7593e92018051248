"""The forum API: inventory for professionals in the municipality, suppressed burden numbers for administrators."""

import uuid
from datetime import date

import pytest

from backa.forums.tests.helpers import make_forum, meet
from backa.testing import make_child

pytestmark = pytest.mark.django_db


def test_the_inventory_is_readable_and_the_burden_is_for_administrators_only(world, client_for):
    sspf, eht = make_forum(world, "SSPF Järva"), make_forum(world, "EHT Ängsskolan")
    for i in range(5):
        child = make_child(world.municipality, world.jarva, f"Elev{i}", "Test", date(2015, 1, 1 + i), serial=990 + i)
        meet(world, child, sspf, date(2026, 3, 3))
        meet(world, child, eht, date(2026, 3, 20))
    forums = client_for("rasmus").get(f"/api/forum/districts/{world.jarva.id}/forums")
    assert forums.status_code == 200 and [f["name"] for f in forums.json()] == ["EHT Ängsskolan", "SSPF Järva"]
    assert client_for("rasmus").get(f"/api/forum/districts/{world.jarva.id}/burden?term=vt2026").status_code == 404
    numbers = client_for("ada").get(f"/api/forum/districts/{world.jarva.id}/burden?term=vt2026").json()
    assert numbers == {
        "term": "vt2026",
        "meetings": 10,
        "children_with_meetings": 5,
        "meetings_per_child": 2.0,
        "children_in_several_forums_same_month": 5,
        "families_over_limit": None,
    }
    assert client_for("ada").get(f"/api/forum/districts/{uuid.uuid4()}/forums").status_code == 404
