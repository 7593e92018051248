"""may_see(): own organisation always; another only under a consent or legal basis in force."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backa.consent.access import may_see, sharing_scope
from backa.consent.models import Category, LegalBasisKind
from backa.consent.services import do_record_legal_basis, do_withdraw_consent
from backa.consent.tests.helpers import given_consent, orgs

pytestmark = pytest.mark.django_db
NOTES, MINUTES = Category.NOTES, Category.MEETING_MINUTES


def test_it_always_shows_an_organisation_its_own_entries(world):
    o = orgs(world)
    assert may_see(o["school"], o["school"], NOTES, world.sigrid)


def test_it_hides_another_organisations_entries_by_default(world):
    o = orgs(world)
    assert not may_see(o["school"], o["ifo"], NOTES, world.sigrid)
    assert not may_see(None, o["ifo"], NOTES, world.sigrid)


def test_a_consent_opens_exactly_its_discloser_recipients_and_categories(world):
    o = orgs(world)
    given_consent(world, disclosing=o["ifo"], recipients=[o["school"]], categories=[NOTES])
    assert may_see(o["school"], o["ifo"], NOTES, world.sigrid)
    assert not may_see(o["school"], o["ifo"], MINUTES, world.sigrid)  # other category
    assert not may_see(o["police"], o["ifo"], NOTES, world.sigrid)  # not a recipient
    assert not may_see(o["ifo"], o["school"], NOTES, world.sigrid)  # consent is one-way
    assert not may_see(o["school"], o["ifo"], NOTES, world.ivar)  # other child


def test_a_consent_is_in_force_only_in_its_period(world):
    o = orgs(world)
    given_consent(world, disclosing=o["ifo"], recipients=[o["school"]], categories=[NOTES], days=10, start_days=2)
    today = timezone.localdate()
    assert not may_see(o["school"], o["ifo"], NOTES, world.sigrid, on=today)
    assert may_see(o["school"], o["ifo"], NOTES, world.sigrid, on=today + timedelta(days=2))
    assert may_see(o["school"], o["ifo"], NOTES, world.sigrid, on=today + timedelta(days=10))
    assert not may_see(o["school"], o["ifo"], NOTES, world.sigrid, on=today + timedelta(days=11))


def test_withdrawal_hides_from_now_on_and_keeps_the_past(world):
    o = orgs(world)
    consent = given_consent(world, disclosing=o["ifo"], recipients=[o["school"]], categories=[NOTES])
    before = timezone.now()
    guardian = world.sigrid.custodies.get().guardian
    do_withdraw_consent(acting_user=world.sara, consent=consent, by_guardian=guardian)
    assert not may_see(o["school"], o["ifo"], NOTES, world.sigrid)
    assert may_see(o["school"], o["ifo"], NOTES, world.sigrid, on=before)  # the history stays answerable


def test_a_requested_consent_opens_nothing_until_given(world):
    from backa.consent.services import do_request_consent

    o = orgs(world)
    today = timezone.localdate()
    do_request_consent(
        acting_user=world.sara,
        child=world.sigrid,
        disclosing_organisation=o["ifo"],
        recipients=[o["school"]],
        categories=[NOTES],
        purpose="x",
        valid_from=today,
        valid_to=today + timedelta(days=5),
    )
    assert not may_see(o["school"], o["ifo"], NOTES, world.sigrid)


def test_a_recorded_legal_basis_opens_its_recipient_and_categories(world):
    o = orgs(world)
    today = timezone.localdate()
    do_record_legal_basis(
        acting_user=world.rasmus,
        child=world.sigrid,
        disclosing_organisation=o["school"],
        recipient=o["ifo"],
        kind=LegalBasisKind.OSL_10_28,
        provision="OSL 10 kap. 28 §",
        reason="Uppgiftsskyldighet efter anmälan",
        categories=[NOTES],
        valid_from=today,
        valid_to=today + timedelta(days=30),
    )
    assert may_see(o["ifo"], o["school"], NOTES, world.sigrid)
    assert not may_see(o["police"], o["school"], NOTES, world.sigrid)
    assert not may_see(o["ifo"], o["school"], MINUTES, world.sigrid)


def test_the_scope_answers_many_entries_with_two_queries(world, django_assert_num_queries):
    o = orgs(world)
    given_consent(world, disclosing=o["ifo"], recipients=[o["school"]], categories=[NOTES, MINUTES])
    with django_assert_num_queries(2):
        scope = sharing_scope(o["school"], world.sigrid)
    assert scope.allows(o["school"], NOTES) and scope.allows(o["ifo"], MINUTES)
    assert not scope.allows(o["bvc"], NOTES)
    assert not scope.allows(o["ifo"], Category.ASSESSMENTS)


def test_the_gate_helper_uses_the_acting_position_and_filters_entry_querysets(world, rf):
    from backa.access.gate import visible_entry_scope
    from backa.organisations.models import Unit

    o = orgs(world)
    given_consent(world, disclosing=o["ifo"], recipients=[o["school"]], categories=[NOTES])
    request = rf.get("/")
    request.user, request.session = world.rasmus, {}
    scope = visible_entry_scope(request, world.sigrid, lock=False)
    assert scope.allows(o["ifo"], NOTES) and not scope.allows(o["police"], NOTES)
    # The Q works on any model with an organisation column; units stand in for entries here.
    units = set(
        Unit.objects.filter(scope.q("organisation", "organisation__name")).values_list("organisation_id", flat=True)
    )
    assert units == {o["school"].pk}
    request = rf.get("/")
    request.user, request.session = world.per, {}
    assert not visible_entry_scope(request, world.sigrid, lock=False).allows(o["ifo"], NOTES)
