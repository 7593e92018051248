"""The family's pages without the e-ID round trip (test_family_login.py does that end to end):
plain language (LIX), English, right-to-left readiness, the log extract, and a property test
over random families that no family person ever sees more than the rules allow."""

import itertools
import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from backa.access.family import CHILD, GUARDIAN, SESSION_KEY, FamilyPerson, family_child_ids
from backa.audit.models import AccessLog
from backa.casefile.meetings import do_schedule_meeting
from backa.casefile.plan import do_add_action, do_add_goal
from backa.casefile.tests.helpers import make_plan
from backa.children.models import Custody, Guardian
from backa.consent.models import SecrecyTowardsGuardians
from backa.family.middleware import LAST_SEEN, STARTED
from backa.lib.readability import lix
from backa.testing import make_child

pytestmark = pytest.mark.django_db


def family_client(person: FamilyPerson, language=None) -> Client:
    client = Client()
    session = client.session
    now = int(timezone.now().timestamp())
    session[SESSION_KEY] = person.to_session()
    session[LAST_SEEN] = session[STARTED] = now
    session.save()
    if language:
        client.cookies["django_language"] = language
    return client


def main_text(response) -> str:
    """The prose of the page's main part. Tables are data (dates, names of organisations), not
    sentences, and LIX is a measure of sentences: they are left out."""
    html = response.content.decode()
    main = re.search(r"<main[^>]*>(.*)</main>", html, re.S).group(1)
    main = re.sub(r"<table.*?</table>", " ", main, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


@pytest.fixture
def sigrids_family(world):
    plan = make_plan(world, reason="Sigrid ska känna sig trygg i skolan.")
    do_add_goal(acting_user=world.rasmus, plan=plan, description="Leka med kompisar på rasten.")
    do_add_action(
        acting_user=world.rasmus,
        plan=plan,
        description="Rastvärd varje dag.",
        owner=world.rasmus,
        owner_organisation=world.units["school"].organisation,
    )
    meeting = do_schedule_meeting(
        acting_user=world.rasmus,
        child=world.sigrid,
        starts_at=timezone.now() + timedelta(days=4),
        plan=plan,
        place="Skolan",
        professionals=[world.rasmus],
    )
    anna = world.sigrid.custodies.get().guardian
    return world, anna, meeting


def family_pages(world, meeting):
    args = [world.sigrid.id]
    return [
        reverse("family:child", args=args),
        reverse("family:meeting_view", args=[world.sigrid.id, meeting.id]),
        reverse("family:log_extract", args=args),
    ]


def test_family_pages_are_plain_swedish_and_the_childs_plainer(sigrids_family, client):
    world, anna, meeting = sigrids_family
    assert lix(main_text(client.get(reverse("family:start")))) <= 40
    guardian = family_client(FamilyPerson(GUARDIAN, anna.pk))
    for url in family_pages(world, meeting):
        text = main_text(guardian.get(url))
        assert lix(text) <= 40, (url, lix(text), text)
    child = family_client(FamilyPerson(CHILD, world.sigrid.pk))
    for url in family_pages(world, meeting):
        text = main_text(child.get(url))
        assert lix(text) <= 30, (url, lix(text), text)


def test_english_is_complete_and_a_right_to_left_language_turns_the_page(sigrids_family, settings):
    world, anna, meeting = sigrids_family
    person = FamilyPerson(GUARDIAN, anna.pk)
    page = family_client(person, "en").get(reverse("family:child", args=[world.sigrid.id])).content.decode()
    assert "Who to talk to" in page and 'lang="en"' in page and 'dir="ltr"' in page
    # A pseudo-locale for a right-to-left language: no catalogue yet, only the direction.
    settings.LANGUAGES = [*settings.LANGUAGES, ("ar", "Pseudo-RTL")]
    for url in family_pages(world, meeting):
        page = family_client(person, "ar").get(url).content.decode()
        assert 'lang="ar" dir="rtl"' in page, url


def test_the_log_extract_shows_where_not_who_and_is_itself_logged(sigrids_family, client_for):
    world, anna, _meeting = sigrids_family
    client_for("rasmus").get(reverse("casefile:overview", args=[world.sigrid.id]))
    client = family_client(FamilyPerson(GUARDIAN, anna.pk))
    page = client.get(reverse("family:log_extract", args=[world.sigrid.id])).content.decode()
    assert "Utbildningsnämnden" in page and "Ängsskolan" in page and "Rektorsson" not in page
    assert AccessLog.objects.filter(user_id=anna.id, object_type="log_extract", role="guardian").count() == 1
    pdf = client.get(reverse("family:log_extract_pdf", args=[world.sigrid.id]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert AccessLog.objects.filter(user_id=anna.id, object_type="log_extract", role="guardian").count() == 2


# -- the property: random families -------------------------------------------------------------

SERIALS = itertools.count()  # a new birth date per example (test numbers: series 985)
FAMILY = st.fixed_dictionaries(
    {
        "custody": st.lists(st.booleans(), min_size=1, max_size=3),  # per guardian: has custody
        "shared_with_other_child": st.booleans(),  # the first guardian also has a second child
        "protected": st.booleans(),
        "secrecy": st.booleans(),
    }
)


@hsettings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(family=FAMILY)
def test_no_family_person_sees_more_than_the_rules_allow(world, family):
    n = next(SERIALS)
    kid = make_child(
        world.municipality,
        world.jarva,
        "Kim",
        "Slump",
        date(2012, 1, 2) + timedelta(days=n),
        serial=985,
        protected_identity=family["protected"],
    )
    guardians = []
    for i, custody in enumerate(family["custody"]):
        g = Guardian.objects.create(municipality=world.municipality, given_name=f"G{i}", family_name="Slump")
        Custody.objects.create(child=kid, municipality=world.municipality, guardian=g, has_custody=custody)
        guardians.append((g, custody))
    sibling = None
    if family["shared_with_other_child"]:
        sibling = make_child(
            world.municipality, world.jarva, "Sam", "Slump", date(2016, 5, 6) + timedelta(days=n), serial=985
        )
        Custody.objects.create(child=sibling, municipality=world.municipality, guardian=guardians[0][0])
    if family["secrecy"]:
        SecrecyTowardsGuardians.objects.create(
            child=kid,
            municipality=world.municipality,
            organisation=world.units["school"].organisation,
            reason="Mogen",
            decided_by=world.rasmus,
            decided_on=timezone.localdate(),
        )
    everyone = [world.sigrid.pk, world.ivar.pk, kid.pk] + ([sibling.pk] if sibling else [])
    for g, custody in guardians:
        person = FamilyPerson(GUARDIAN, g.pk)
        expected = ({kid.pk} if custody else set()) | ({sibling.pk} if sibling and g == guardians[0][0] else set())
        assert set(family_child_ids(person)) == expected
        client = family_client(person)
        for child_id in everyone:
            page = client.get(reverse("family:child", args=[child_id]))
            assert page.status_code == (200 if child_id in expected else 404)
            if child_id == kid.pk and page.status_code == 200:
                log = client.get(reverse("family:log_extract", args=[child_id]))
                assert log.status_code == (404 if family["secrecy"] else 200)
    child_client = family_client(FamilyPerson(CHILD, kid.pk))
    for child_id in everyone:
        assert child_client.get(reverse("family:child", args=[child_id])).status_code == (
            200 if child_id == kid.pk else 404
        )
