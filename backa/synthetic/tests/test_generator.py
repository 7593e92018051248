from datetime import date

import pytest
from django.db import transaction

from backa.accounts.models import User
from backa.children.models import Child, Guardian, IdType
from backa.organisations.models import District, EvaluationArm
from backa.roles.models import RoleAssignment
from backa.synthetic.generator import Generator
from backa.synthetic.testnumbers import TEST_SERIES, SyntheticNumberAllocator, is_test_number, make_number

TODAY = date(2026, 11, 23)


def test_test_numbers_are_valid_and_only_in_skatteverkets_test_series():
    allocator = SyntheticNumberAllocator()
    numbers = [allocator.allocate(date(2015, 6, 1)) for _ in range(41)]
    assert numbers[-1] is None  # 20 personnummer + 20 samordningsnummer per date, then none
    issued = [n for n in numbers if n is not None]
    assert len({n.digits for n in issued}) == 40
    assert all(is_test_number(n) for n in issued)
    assert {n.kind for n in issued} == {"personnummer", "samordningsnummer"}
    with pytest.raises(ValueError):
        make_number(date(2015, 6, 1), 123)
    assert list(TEST_SERIES)[0] == 980 and list(TEST_SERIES)[-1] == 999


@pytest.mark.django_db
def test_the_pilot_is_stockholm_like_synthetic_and_only_uses_test_numbers():
    Generator(children=400, seed=7, today=TODAY).run()
    districts = District.objects.all()
    assert districts.count() == 11
    arms = {d.evaluation_arm for d in districts}
    assert arms == {EvaluationArm.PILOT, EvaluationArm.COMPARISON, EvaluationArm.NONE}
    assert Child.objects.count() == 400
    assert not Child.objects.filter(is_synthetic=False).exists()
    assert not Guardian.objects.filter(is_synthetic=False).exists()
    for person in list(Child.objects.exclude(id_type=IdType.NONE)) + list(
        Guardian.objects.exclude(id_type=IdType.NONE)
    ):
        assert is_test_number(person.identity_number)
    boys = Child.objects.filter(sex="male").count()
    assert 0.4 < boys / 400 < 0.62
    # Nearly every child under 18 has a barnkontakt from the start.
    assert RoleAssignment.objects.filter(kind="barnkontakt").values("child").distinct().count() > 0.85 * 400
    assert (
        User.objects.filter(username__in=["bvc", "rektor", "socialsekreterare", "polis", "larare", "admin"]).count()
        == 6
    )


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_children():
    savepoint = transaction.savepoint()
    Generator(children=120, seed=11, today=TODAY).run()
    first = list(Child.objects.order_by("id").values_list("id", "given_name", "family_name", "birth_date", "pnr_hash"))
    transaction.savepoint_rollback(savepoint)
    assert not Child.objects.exists()
    Generator(children=120, seed=11, today=TODAY).run()
    second = list(Child.objects.order_by("id").values_list("id", "given_name", "family_name", "birth_date", "pnr_hash"))
    assert first == second
