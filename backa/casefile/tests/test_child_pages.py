import pytest
from django.urls import reverse

from backa.audit.models import AccessLog

pytestmark = pytest.mark.django_db


def test_my_children_lists_only_my_children_and_logs_each_row(world, client_for):
    response = client_for("britta").get(reverse("front:my_children"))
    assert response.status_code == 200
    assert b"Ivar" in response.content and b"Hedda" in response.content
    assert b"Sigrid" not in response.content
    rows = AccessLog.objects.filter(user_id=world.britta.id, action="list")
    assert {r.child_id for r in rows} == {world.ivar.id, world.hemlig.id}


def test_my_children_is_empty_with_guidance_for_a_professional_without_roles(world, client_for):
    response = client_for("olle").get(reverse("front:my_children"))
    assert response.status_code == 200
    assert b"barnkontakt" in response.content
    assert not AccessLog.objects.filter(user_id=world.olle.id).exists()


def test_my_children_takes_a_constant_number_of_queries(world, client_for, django_assert_max_num_queries):
    from datetime import timedelta

    from django.utils import timezone

    from backa.roles.models import RoleAssignment
    from backa.testing import make_child

    client = client_for("britta")
    client.get(reverse("front:my_children"))  # warm the session
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("front:my_children"))
    for index in range(20):
        child = make_child(
            world.municipality,
            world.jarva,
            f"Barn{index}",
            "Extra",
            timezone.localdate() - timedelta(days=100 + index),
            serial=985 + index % 10,
        )
        RoleAssignment.objects.create(
            child=child, municipality=world.municipality, position=world.positions["britta"], kind="barnkontakt"
        )
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get(reverse("front:my_children"))
    assert response.content.count(b"Extra") == 20
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_overview_takes_a_bounded_number_of_queries(world, client_for, django_assert_max_num_queries):
    client = client_for("rasmus")
    url = reverse("casefile:overview", args=[world.sigrid.id])
    client.get(url)
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert b"Sigrid Nilsson" in response.content
    assert b"Anna Nilsson" in response.content  # guardian
    assert "Ängsskolan".encode() in response.content


def test_the_overview_masks_the_number_until_asked_and_logs_the_reveal(world, client_for):
    client = client_for("rasmus")
    url = reverse("casefile:overview", args=[world.sigrid.id])
    number = world.sigrid.identity_number
    page = client.get(url).content.decode()
    assert number.masked in page and number.formatted not in page
    revealed = client.post(url, {"show": "identity_number"}).content.decode()
    assert number.formatted in revealed
    assert (
        AccessLog.objects.filter(
            child_id=world.sigrid.id, object_type="identity_number", user_id=world.rasmus.id
        ).count()
        == 1
    )


def test_protected_identity_hides_where_the_child_lives_and_is_flagged_in_the_log(world, client_for):
    response = client_for("britta").get(reverse("casefile:overview", args=[world.hemlig.id]))
    assert response.status_code == 200
    assert "Järva".encode() not in response.content.split(b"<main")[1]
    assert AccessLog.objects.get(child_id=world.hemlig.id, action="view").protected_identity is True


def test_search_by_name_finds_only_visible_children(world, client_for):
    response = client_for("britta").post(reverse("front:search"), {"q": "iva"})
    assert b"Ivar" in response.content
    response = client_for("britta").post(reverse("front:search"), {"q": "Sigrid"})
    assert b"Sigrid" not in response.content.split(b"<h2>")[-1]
    assert AccessLog.objects.filter(user_id=world.britta.id, action="search", child_id=world.ivar.id).count() == 1


def test_search_by_personnummer_uses_post_and_the_lookup_hash(world, client_for):
    number = world.sigrid.identity_number
    response = client_for("rasmus").post(reverse("front:search"), {"q": number.formatted})
    assert b"Sigrid" in response.content
    results = response.content.split(b"<h2>")[-1]
    assert b"Sigrid" in results and number.formatted.encode() not in results  # results show no number
    # Outsiders find nothing, even with the exact number.
    response = client_for("olle").post(reverse("front:search"), {"q": number.formatted})
    assert b"Sigrid" not in response.content


def test_search_explains_an_invalid_personnummer_and_finds_nothing(world, client_for):
    response = client_for("rasmus").post(reverse("front:search"), {"q": "811218-9877"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert not AccessLog.objects.filter(action="search").exists()


def test_a_get_search_never_runs_a_query_from_the_url(world, client_for):
    number = world.sigrid.identity_number
    response = client_for("rasmus").get(reverse("front:search") + "?q=" + number.formatted)
    assert b"Sigrid" not in response.content
