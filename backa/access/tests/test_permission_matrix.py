"""Every route, with all its parameters, for GET and POST, for every persona.

The routes are read from the resolver, so a new route is covered the moment it is added.
Each parameter is filled with a real object: for a route under a child, that child's own
concern, plan, meeting, consent…; elsewhere, the world's handover, review item, district,
forum, impact assessment, import run. The rules checked (docs/security.md, the access
convention in backa/access/objects.py):

- a route under a child the persona may not see answers 404 for GET and POST alike, writes
  exactly one denied row for that child, and changes nothing;
- a child the persona may see answers (200, a redirect, 405 for the wrong method, 400/403
  for a refused write) and never 404 unless the named row does not belong to the child;
- any other route never answers 500; a refusal (403 or 404) writes a denied row and changes
  nothing;
- anonymous visitors are sent to the login page on every route that is not public.
"""

import re
import uuid
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from backa.accounts.models import PositionKind
from backa.audit.models import AccessLog, LogReviewItem
from backa.casefile.assessments import do_record_assessment
from backa.casefile.concerns import do_register_concern
from backa.casefile.meetings import do_schedule_meeting
from backa.casefile.models import IntakeItem
from backa.casefile.network import do_add_network_member
from backa.casefile.plan import do_add_action, do_add_goal
from backa.casefile.reports import do_report_to_social_services
from backa.casefile.team import do_invite
from backa.casefile.tests.helpers import make_plan
from backa.consent.models import Category, EmergencyAccess
from backa.consent.tests.helpers import given_consent, orgs
from backa.evaluation.indicators import OUTCOMES
from backa.forums.tests.helpers import make_forum
from backa.impact.tests.test_pdf import make_assessment
from backa.integrations.models import ImportRun
from backa.records.holds import do_place_hold
from backa.records.models import AccessibilityFeedback, HoldReason, RetentionRule
from backa.records.rules import ensure_default_rules
from backa.roles.models import Handover, HandoverTrigger, RoleAssignment, RoleKind
from backa.testing import make_user

pytestmark = pytest.mark.django_db

EXPECTED_VISIBLE = {
    "britta": {"ivar", "hemlig"},
    "rasmus": {"sigrid"},
    "sara": {"sigrid"},
    "per": {"sigrid"},
    # The school nurse: Sigrid's team, Ängsskolan's board, but pupil health's activity, not the
    # school's (decision 0015): she reaches the file and none of the rektor's writes.
    "nora": {"sigrid"},
    "olle": set(),
    "ada": set(),
    "former": set(),
    "arkiv": set(),  # the archive administrator (records): no child's file, the archive pages
    "ines": set(),  # the intake: no role for any child; the reports addressed to Järva open through the intake
    "tove": set(),
}
# Routes anyone may open without logging in.
PUBLIC = {
    "konto/logga-in/",
    "konto/e-legitimation/",
    "konto/e-legitimation/svar/",
    "i18n/setlang/",
    "healthz",
    "readyz",
    "metrics",  # answers only a direct scraper on METRICS_ALLOWED_NETWORKS (test_health.py)
    "konto/tvastegs/",
    "konto/tvastegs/registrera/",
    "api/openapi.json",
    "tillganglighet/",
    "integritet/",
    "familj/",  # the family's login page
    "familj/logga-in/",
    "familj/svar/",
    "konto/saml/logga-in/",  # SAML federation login (accounts/tests/test_saml.py)
    "konto/saml/acs/",
    "konto/saml/metadata/",
}
# Routes that end the test client's session or leave the site: not part of the walk.
SKIP = {
    "konto/logga-ut/",
    "familj/logga-ut/",
    "familj/logga-in/",
    "familj/svar/",
    "konto/saml/logga-in/",  # leaves the site for the IdP, or answers 404 while SAML is off
    "konto/saml/acs/",
    "konto/saml/metadata/",
    "konto/e-legitimation/",
    "konto/e-legitimation/svar/",
    "api/",
}  # django-ninja's docs home, switched off: a plain 404 with nothing behind it
# Tables whose content a refused request must leave as it was (the access log is where the
# refusal goes; sessions and lockouts are the login machinery's).
WATCHED_APPS = (
    "accounts",
    "organisations",
    "children",
    "roles",
    "consent",
    "casefile",
    "forums",
    "impact",
    "integrations",
    "evaluation",
    "audit",
    "operations",
    "records",
    "outbox",
)
UNWATCHED_TABLES = {"audit_accesslog", "django_session"}
# The children whose file the matrix fills with one row of every kind.
CHILD_FILES = ("sigrid", "ivar")


def all_routes():
    """[(route, {param names}, methods)] for every URL pattern except the Django admin."""
    found = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith("admin/"):
                    continue
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = (prefix + str(pattern.pattern)).replace("^", "").replace("$", "")
                params = {a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\{(\w+)\}", route)}
                if route not in {r for r, _p in found}:
                    found.append((route, params))

    walk(get_resolver().url_patterns)
    return found


# The family's own pages (backa.family): a professional's session is sent to the family's login
# page there; the family personas below walk them.
FAMILY_PREFIX = "familj/"


def child_routes():
    """The routes under one child (every parameter but child_id names a row of that child's file)."""
    return [route for route, params in all_routes() if "child_id" in params and not route.startswith(FAMILY_PREFIX)]


def single_child_routes():
    """The routes whose only parameter is the child."""
    return [route for route, params in all_routes() if params == {"child_id"}]


def fill(route, child_id=None, values=None):
    values = dict(values or {})
    if child_id is not None:
        values["child_id"] = child_id
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>|\{(\w+)\}", lambda m: str(values[m.group(1) or m.group(2)]), route)


def child_file(world, child, user):
    """One row of every kind in this child's file, written by `user` (who may see the child)."""
    today = timezone.localdate()
    concern = do_register_concern(
        acting_user=user, child=child, observed_on=today, description="Orolig på rasterna", areas=["trygghet"]
    )
    assessment = do_record_assessment(
        acting_user=user,
        child=child,
        assessed_on=today,
        concern=concern,
        areas={"trygghet": {"rating": 2, "needs": "Trygg rast"}},
    )
    report = do_report_to_social_services(acting_user=user, child=child, information="Barnet berättar om bråk hemma")
    plan = make_plan(world, child=child, user=user, organisation=user.positions.first().unit.organisation)
    do_add_goal(acting_user=user, plan=plan, description="Känna sig trygg", area="trygghet")
    action = do_add_action(
        acting_user=user,
        plan=plan,
        description="Rastvärd",
        owner=user,
        owner_organisation=user.positions.first().unit.organisation,
    )
    member = do_add_network_member(acting_user=user, child=child, name="Morfar", relation="grandparent")
    meeting = do_schedule_meeting(
        acting_user=user,
        child=child,
        starts_at=timezone.now() + timedelta(days=3),
        plan=plan,
        professionals=[user],
        network_members=[member],
    )
    values = {
        "member_id": member.pk,
        "concern_id": concern.pk,
        "assessment_id": assessment.pk,
        "report_id": report.pk,
        "plan_id": plan.pk,
        "action_id": action.pk,
        "meeting_id": meeting.pk,
        "number": 1,
    }
    # Rows only some may open: the assessment is its writer's activity's own (OSL between
    # activities, decision 0015: no consent covers it), the consent is its discloser's and
    # recipients' organisations'.
    secret = {"assessment_id": {user.positions.first().writing_activity_id}}
    if child.pk == world.sigrid.pk:
        consent = given_consent(
            world, disclosing=orgs(world)["ifo"], recipients=[orgs(world)["school"]], categories=[Category.NOTES]
        )
        values["consent_id"] = consent.pk
        secret["consent_id"] = {orgs(world)["ifo"].pk, orgs(world)["school"].pk}
    else:
        values["consent_id"] = uuid.uuid4()
        secret["consent_id"] = set()
    return values, secret


@pytest.fixture
def matrix_world(world):
    files, secrets = {}, {}
    files["sigrid"], secrets["sigrid"] = child_file(world, world.sigrid, world.rasmus)
    files["ivar"], secrets["ivar"] = child_file(world, world.ivar, world.users["britta"])
    for key in ("hemlig", "nobody"):
        files[key] = {name: uuid.uuid4() for name in files["ivar"]}
        files[key]["number"] = 1
    now = timezone.now()
    handover = Handover.objects.create(
        child=world.ivar,
        municipality=world.municipality,
        trigger=HandoverTrigger.PHASE_CHANGE,
        from_assignment=RoleAssignment.objects.get(child=world.ivar, position=world.positions["britta"]),
        from_position=world.positions["britta"],
        to_position=world.positions["rasmus"],
        target_date=timezone.localdate(),
    )
    # An emergency access that ran out long ago: something to review, access to nothing.
    grant = EmergencyAccess.objects.create(
        child=world.nobody,
        municipality=world.municipality,
        user=world.users["per"],
        organisation=world.units["lpo"].organisation,
        reason="Akut",
        granted_at=now - timedelta(days=5),
        expires_at=now - timedelta(days=5) + timedelta(hours=4),
    )
    item = LogReviewItem.objects.create(
        sampled_on=timezone.localdate(),
        log_occurred_at=now,
        log_id=uuid.uuid4(),
        user_id=world.users["per"].pk,
        child_id=world.sigrid.pk,
        municipality_id=world.municipality.pk,
        reasons="sample",
    )
    forum = make_forum(world, "SSPF Järva")
    impact = make_assessment(world)
    run = ImportRun.objects.create(
        kind=ImportRun.Kind.REGISTER, municipality_code="0180", file_name="folk.csv", file_sha256="0" * 64
    )
    # Olle (no role) is invited to Sigrid's team: his invitation page is his alone.
    invitation = do_invite(acting_user=world.rasmus, child=world.sigrid, position=world.positions["olle"])
    world.users["nora"], world.positions["nora"] = make_user(
        "nora", "Nora", "Skolsköterska", world.units["school"], PositionKind.SCHOOL_NURSE, "Skolsköterska"
    )
    RoleAssignment.objects.create(
        child=world.sigrid,
        municipality=world.municipality,
        position=world.positions["nora"],
        kind=RoleKind.TEAM_MEMBER,
        valid_from=timezone.localdate() - timedelta(days=30),
    )
    world.users["arkiv"], world.positions["arkiv"] = make_user(
        "arkiv", "Arne", "Arkivarie", world.units["admin"], PositionKind.ARCHIVE_ADMIN, "Arkivansvarig"
    )
    ensure_default_rules(world.municipality)
    hold = do_place_hold(
        acting_user=world.users["ada"],
        municipality=world.municipality,
        child=world.sigrid,
        reason=HoldReason.COMPLAINT,
        reference="Dnr 1",
        owner=world.users["ada"],
        ends_on=timezone.localdate() + timedelta(days=30),
    )
    others = {
        "invitation_id": invitation.pk,
        "handover_id": handover.pk,
        "grant_id": grant.pk,
        "item_id": item.pk,
        "district_id": world.jarva.pk,
        "forum_id": forum.pk,
        "assessment_id": impact.pk,
        "run_id": run.pk,
        "rule_id": RetentionRule.objects.filter(municipality=world.municipality).first().pk,
        "hold_id": hold.pk,
        "feedback_id": AccessibilityFeedback.objects.create(page="Planen", message="Fokus syns inte").pk,
        "kind": "gymnasium",
        "key": OUTCOMES[0].key,
        "concern_id": files["sigrid"]["concern_id"],
        "intake_id": IntakeItem.objects.get(report_id=files["sigrid"]["report_id"]).pk,
    }
    return world, files, others, secrets


def may_open(world, persona, key, route, secrets) -> bool:
    """Whether the persona's organisation or activity may open the rows this route names for this child."""
    position = world.positions[persona]
    own = {position.unit.organisation_id, position.writing_activity_id}
    params = {a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\{(\w+)\}", route)}
    return all(own & secrets.get(key, {}).get(p, own) for p in params)


def watched_state():
    """A digest of every watched table's rows, in one query."""
    tables = sorted(
        {
            m._meta.db_table
            for label in WATCHED_APPS
            for m in apps.get_app_config(label).get_models()
            if not m._meta.db_table.startswith(tuple(UNWATCHED_TABLES)) and m._meta.managed
        }
    )
    sql = " UNION ALL ".join(
        f"SELECT '{t}', (SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM {t} x)"
        for t in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def denied_rows(user, child=None):
    rows = AccessLog.objects.filter(user_id=user.id, outcome="denied")
    return rows.filter(child_id=child.id).count() if child is not None else rows.count()


def test_the_matrix_covers_the_pages_the_api_and_every_parameter(matrix_world):
    _world, files, others, _secrets = matrix_world
    routes = all_routes()
    assert any(r.startswith("barn/") for r, _p in routes)
    assert any(r.startswith("api/") for r, _p in routes)
    known = set(files["sigrid"]) | set(others) | {"child_id"}
    unfilled = {(route, p) for route, params in routes for p in params if p not in known}
    assert not unfilled, f"routes with parameters the matrix cannot fill: {sorted(unfilled)}"


@pytest.mark.parametrize("persona", sorted(EXPECTED_VISIBLE))
def test_every_child_route_for_every_persona(matrix_world, client_for, persona):
    world, files, _others, secrets = matrix_world
    client = client_for(persona)
    user = world.users[persona]
    for route in child_routes():
        for key, child in world.children.items():
            url = fill(route, child.id, files[key])
            allowed_before = AccessLog.objects.filter(user_id=user.id, child_id=child.id, outcome="allowed").count()
            denied_before = denied_rows(user, child)
            response = client.get(url)
            names_a_row = len(re.findall(r"<(?:\w+:)?\w+>|\{\w+\}", route)) > 1
            if response.status_code == 405:
                # A route for another method answers so before any lookup, whatever the ids.
                continue
            visible_row = key in CHILD_FILES and may_open(world, persona, key, route, secrets)
            if key in EXPECTED_VISIBLE[persona] and (visible_row or not names_a_row) and response.status_code == 403:
                # A form the file's rules give to someone else (casefile.authority): refused,
                # logged as denied with the rule's name, and no "allowed" row kept for it.
                refusal = AccessLog.objects.filter(user_id=user.id, outcome="denied").order_by("-occurred_at").first()
                assert denied_rows(user, child) == denied_before + 1, (persona, url)
                assert refusal.object_id.startswith("authority:"), (persona, url, refusal.object_id)
                allowed_now = AccessLog.objects.filter(user_id=user.id, child_id=child.id, outcome="allowed").count()
                assert allowed_now == allowed_before, (persona, url)
            elif key in EXPECTED_VISIBLE[persona] and (visible_row or not names_a_row):
                assert response.status_code in (200, 302, 405), (persona, url, response.status_code)
                allowed_now = AccessLog.objects.filter(user_id=user.id, child_id=child.id, outcome="allowed").count()
                assert allowed_now > allowed_before or response.status_code == 405, (persona, url)
            elif key in EXPECTED_VISIBLE[persona]:
                # The child is visible but the row is not theirs to open, or the child has no such
                # row: the child's 404, logged.
                assert response.status_code == 404, (persona, url, response.status_code)
                assert denied_rows(user, child) == denied_before + 1, (persona, url)
            else:
                assert response.status_code == 404, (persona, url, response.status_code)
                assert denied_rows(user, child) == denied_before + 1, (persona, url)
        # An id that does not exist behaves exactly like a child out of scope.
        assert client.get(fill(route, uuid.uuid4(), files["nobody"])).status_code in (404, 405), route


def api_payload(route, world):
    """A well-formed body for each API write, so that what answers is the access rule, not the schema."""
    today = timezone.localdate().isoformat()
    if route.endswith("/concerns"):
        return {"observed_on": today, "description": "Orolig", "areas": ["trygghet"]}
    if route.endswith("/assessments"):
        return {"assessed_on": today, "areas": {"trygghet": {"rating": 2}}}
    if route.endswith("/concern-reports"):
        return {"information": "Barnet berättar om bråk hemma"}
    if route.endswith("/plan"):
        return {
            "organisation_id": str(world.units["school"].organisation_id),
            "reason": "Stöd",
            "review_date": (timezone.localdate() + timedelta(days=30)).isoformat(),
        }
    return {"version": 1, "reason": "Ändrad"}


def write(client, route, url, world):
    """POST (PATCH for the API's plan update) as a person would send it."""
    if route.startswith("api/"):
        method = client.patch if "<plan_id>" in route or "{plan_id}" in route else client.post
        return method(url, api_payload(route, world), content_type="application/json")
    return client.post(url, {"description": "x", "status": "done", "action": "leave", "reason": "x"})


@pytest.mark.parametrize("persona", sorted(EXPECTED_VISIBLE))
def test_every_child_route_refuses_a_write_outside_the_rules_and_changes_nothing(matrix_world, client_for, persona):
    world, files, _others, _secrets = matrix_world
    client = client_for(persona)
    user = world.users[persona]
    for route in child_routes():
        for key in CHILD_FILES:
            child = world.children[key]
            url = fill(route, child.id, files[key])
            before, denied_before = watched_state(), denied_rows(user, child)
            response = write(client, route, url, world)
            if response.status_code == 405:
                continue  # a page for GET only refuses every write alike, before any lookup
            if key in EXPECTED_VISIBLE[persona]:
                # Answered, refused for bad input, or refused by a rule of the file: never a server error.
                assert response.status_code in (200, 201, 302, 400, 403, 404, 409, 422), (
                    persona,
                    url,
                    response.status_code,
                )
                if response.status_code in (403, 404):
                    assert denied_rows(user, child) == denied_before + 1, (persona, url)
                    assert watched_state() == before, (persona, url)
                continue
            assert response.status_code == 404, (persona, url, response.status_code)
            assert denied_rows(user, child) == denied_before + 1, (persona, url)
            assert watched_state() == before, (persona, url)


@pytest.mark.parametrize("persona", sorted(EXPECTED_VISIBLE))
def test_every_other_route_answers_without_error_and_a_refusal_is_logged_and_changes_nothing(
    matrix_world, client_for, persona
):
    world, files, others, _secrets = matrix_world
    client = client_for(persona)
    user = world.users[persona]
    for route, params in all_routes():
        if "child_id" in params or route in SKIP:
            continue
        url = fill(route, None, others)
        for method in ("get", "post"):
            before, denied_before = watched_state(), denied_rows(user)
            response = getattr(client, method)(url, {})
            assert response.status_code < 500, (persona, method, url, response.status_code)
            if response.status_code in (403, 404):
                assert denied_rows(user) == denied_before + 1, (persona, method, url, response.status_code)
                assert watched_state() == before, (persona, method, url)


def test_anonymous_visitors_are_sent_to_login_and_see_nothing(matrix_world, client):
    world, files, others, _secrets = matrix_world
    for route, params in all_routes():
        if route in PUBLIC or route in SKIP:
            continue
        url = fill(route, world.sigrid.id if "child_id" in params else None, {**others, **files["sigrid"]})
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (302, 401, 403, 405), (method, url, response.status_code)
            assert b"Sigrid" not in response.content


# -- the family's personas (the family view with e-ID, access.family) ----------------------------

FAMILY_PERSONAS = ("guardian", "non_custodial_guardian", "mature_child", "unrelated_citizen")


def family_persona(world, persona):
    """A family session as the e-ID login leaves it, and the children it may open. Sigrid's
    father has no custody; Sigrid is mature and has secrecy towards her guardians in the
    mature child's case (she still sees her own file); the unrelated citizen is the guardian
    of a child of another municipality's register (here: no child at all)."""
    from backa.access.family import CHILD, GUARDIAN, FamilyPerson
    from backa.children.models import Custody, Guardian
    from backa.consent.models import SecrecyTowardsGuardians
    from backa.family.tests.test_family_pages import family_client

    anna = world.sigrid.custodies.get().guardian
    if persona == "guardian":
        return family_client(FamilyPerson(GUARDIAN, anna.pk)), {world.sigrid.pk}
    if persona == "non_custodial_guardian":
        father = Guardian.objects.create(municipality=world.municipality, given_name="Erik", family_name="Nilsson")
        Custody.objects.create(child=world.sigrid, municipality=world.municipality, guardian=father, has_custody=False)
        return family_client(FamilyPerson(GUARDIAN, father.pk)), set()
    if persona == "mature_child":
        SecrecyTowardsGuardians.objects.create(
            child=world.sigrid,
            municipality=world.municipality,
            organisation=world.units["school"].organisation,
            reason="Mogen",
            decided_by=world.rasmus,
            decided_on=timezone.localdate(),
        )
        return family_client(FamilyPerson(CHILD, world.sigrid.pk)), {world.sigrid.pk}
    stranger = Guardian.objects.create(municipality=world.municipality, given_name="Okänd", family_name="Person")
    return family_client(FamilyPerson(GUARDIAN, stranger.pk)), set()


@pytest.mark.parametrize("persona", FAMILY_PERSONAS)
def test_every_route_for_every_family_persona(matrix_world, persona):
    """A family session reaches no professional's page (404, nothing about a child, nothing
    changed) and, on the family's pages, only the children the rules give it."""
    world, files, others, _secrets = matrix_world
    client, allowed = family_persona(world, persona)
    before = watched_state()
    for route, params in all_routes():
        if route in SKIP or route in PUBLIC or route.startswith(FAMILY_PREFIX):
            continue
        url = fill(route, world.sigrid.id if "child_id" in params else None, {**others, **files["sigrid"]})
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 404, (persona, method, url, response.status_code)
            assert b"Sigrid" not in response.content and b"Ivar" not in response.content, (persona, url)
    assert watched_state() == before
    for route, params in all_routes():
        if not route.startswith(FAMILY_PREFIX) or route in SKIP:
            continue
        for key, child in world.children.items():
            url = fill(route, child.id if "child_id" in params else None, files[key])
            response = client.get(url)
            if "child_id" not in params:
                assert response.status_code in (200, 302), (persona, url, response.status_code)
                continue
            expected = 200 if child.pk in allowed and key in CHILD_FILES else 404
            assert response.status_code == expected, (persona, key, url, response.status_code)
