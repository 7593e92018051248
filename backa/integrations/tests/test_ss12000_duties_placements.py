"""SS 12000 duties (→ positions, so the life-phase rules find the rektor) and preschool
placements (→ placements at the förskola), securityMarking into the child, and the status
page. Every payload of the fake server is validated against the spec first."""

import uuid
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from backa.accounts.models import Position, PositionKind
from backa.children.models import Enrolment
from backa.integrations.ss12000 import SS12000Client, sync_ss12000
from backa.integrations.tests.test_ss12000 import META, TOKEN, FakeSS12000, person, school_unit, validator_for  # noqa: F401
from backa.organisations.models import Unit, UnitType
from backa.roles.models import Handover
from backa.roles.services import do_derive_barnkontakt
from backa.testing import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("forget_import_runs")]
SCHOOL_CODE, PRESCHOOL_CODE = "12345678", "87654321"


@pytest.fixture
def units(world):
    school = world.units["school"]
    school.external_id = SCHOOL_CODE
    school.save()
    preschool = Unit.objects.create(
        organisation=school.organisation,
        district=world.jarva,
        unit_type=UnitType.FORSKOLA,
        name="Förskolan Solen",
        external_id=PRESCHOOL_CODE,
    )
    world.units["forskola"] = preschool
    return {"school": str(uuid.uuid4()), "preschool": str(uuid.uuid4()), "huvudman": str(uuid.uuid4())}


def organisations(org_ids):
    preschool = school_unit(org_ids["preschool"], PRESCHOOL_CODE) | {
        "displayName": "Förskolan Solen",
        "schoolTypes": ["FS"],
    }
    return [
        school_unit(org_ids["school"]),
        preschool,
        {
            "id": org_ids["huvudman"],
            "meta": META,
            "displayName": "Utbildningsförvaltningen",
            "organisationType": "Huvudman",
        },
    ]


def staff(given, *, eppn=None, email=None):
    body = {"id": str(uuid.uuid4()), "meta": META, "givenName": given, "familyName": "Personal"}
    if eppn:
        body["eduPersonPrincipalNames"] = [eppn]
    if email:
        body["emails"] = [{"value": email, "type": "Skola personal"}]
    return body


def duty(person_body, org_id, role, start="2026-01-01", end=None):
    body = {
        "id": str(uuid.uuid4()),
        "meta": META,
        "person": {"id": person_body["id"]},
        "dutyAt": {"id": org_id},
        "dutyRole": role,
        "startDate": start,
    }
    if end:
        body["endDate"] = end
    return body


def child_person(child):
    return {
        "id": str(uuid.uuid4()),
        "meta": META,
        "givenName": child.given_name,
        "familyName": child.family_name,
        "civicNo": {"value": child.identity_number.digits, "nationality": "SE"},
    }


def placement(child_body, org_id, *, start="2026-01-10", end=None, marking=None, school_type="FS"):
    ref = {"id": child_body["id"]}
    if marking:
        ref["securityMarking"] = marking
    body = {
        "id": str(uuid.uuid4()),
        "meta": META,
        "child": ref,
        "placedAt": {"id": org_id},
        "schoolType": school_type,
        "startDate": start,
    }
    if end:
        body["endDate"] = end
    return body


def sync(validator_for, orgs, persons, duties=(), placements=()):  # noqa: F811
    with FakeSS12000(validator_for, orgs, persons, duties, placements) as fake:
        return sync_ss12000(SS12000Client(fake.url, token=TOKEN, page_size=2), fake_municipality())


def fake_municipality():
    from backa.organisations.models import Municipality

    return Municipality.objects.get(code="0180")


def test_a_rektor_duty_becomes_a_position_and_then_the_barnkontakt(world, units, validator_for):  # noqa: F811
    user, _position = make_user("rut", "Rut", "Rektor", world.units["admin"], PositionKind.DISTRICT_ADMIN, "Admin")
    user.email = "rut@skola.example.se"
    user.save()
    rut = staff("Rut", email="RUT@skola.example.se")
    stranger = staff("Okänd", eppn="okand@skola.example.se")
    duties = [
        duty(rut, units["preschool"], "Rektor"),
        duty(stranger, units["school"], "Lärare"),
        duty(rut, units["huvudman"], "Rektor"),
        duty(rut, units["school"], "Bibliotekarie"),
    ]
    ivar = child_person(world.ivar)
    placements = [placement(ivar, units["preschool"], start="2026-01-10")]
    report = sync(validator_for, organisations(units), [rut, stranger, ivar], duties, placements)
    assert report.errors == []
    assert (report.positions_created, report.staff_without_account, report.duties_not_read) == (1, 1, 2)
    post = Position.objects.get(user=user, kind=PositionKind.REKTOR)
    assert (post.unit, post.valid_from, post.role_title) == (world.units["forskola"], date(2026, 1, 1), "Rektor")
    assert report.placements_created == 1
    enrolment = Enrolment.objects.get(child=world.ivar, unit=world.units["forskola"])
    assert (enrolment.kind, enrolment.valid_from) == (Enrolment.Kind.PLACEMENT, date(2026, 1, 10))
    # Rerunning changes nothing.
    again = sync(validator_for, organisations(units), [rut, stranger, ivar], duties, placements)
    assert again.changes == 0 and again.persons_unchanged == 1
    # An end date closes the post it created.
    duties[0]["endDate"] = "2027-06-30"
    closed = sync(validator_for, organisations(units), [rut, stranger, ivar], duties, placements)
    assert closed.positions_closed == 1
    assert Position.objects.get(user=user, kind=PositionKind.REKTOR).valid_to == date(2027, 6, 30)


def test_the_rektor_from_ss12000_is_found_by_the_life_phase_rules(world, units, validator_for):  # noqa: F811
    user, _ = make_user("rut", "Rut", "Rektor", world.units["admin"], PositionKind.DISTRICT_ADMIN, "Admin")
    rut = staff("Rut", eppn="rut")
    child = world.hemlig  # a preschool-age child whose barnkontakt is the BVC nurse
    placed = child_person(child)
    report = sync(
        validator_for,
        organisations(units),
        [rut, placed],
        [duty(rut, units["preschool"], "Rektor", start="2020-01-01")],
        [placement(placed, units["preschool"], start="2025-09-01")],
    )
    assert report.errors == [] and report.positions_created == 1 and report.placements_created == 1
    assert do_derive_barnkontakt(child) == "handover_created"
    handover = Handover.objects.get(child=child)
    assert (handover.to_position.user, handover.to_position.unit) == (user, world.units["forskola"])


def test_security_marking_on_a_placement_flows_into_the_child(world, units, validator_for):  # noqa: F811
    ivar = child_person(world.ivar)
    report = sync(
        validator_for,
        organisations(units),
        [ivar],
        [],
        [placement(ivar, units["preschool"], marking="Sekretessmarkering")],
    )
    assert report.protected_marked == 1
    world.ivar.refresh_from_db()
    assert world.ivar.protected_identity


def test_a_fritidshem_placement_is_not_read(world, units, validator_for):  # noqa: F811
    sigrid = child_person(world.sigrid)
    report = sync(
        validator_for, organisations(units), [sigrid], [], [placement(sigrid, units["school"], school_type="FTH")]
    )
    assert report.errors == [] and report.placements_created == 0


@pytest.mark.parametrize("problem", ["unknown_unit", "unknown_child", "unknown_duty_person"])
def test_a_bad_placement_or_duty_refuses_the_whole_run(world, units, validator_for, problem):  # noqa: F811
    ivar = child_person(world.ivar)
    rut = staff("Rut", eppn="britta")
    placements = [placement(ivar, units["preschool"])]
    duties = [duty(rut, units["school"], "Rektor")]
    persons = [ivar, rut]
    if problem == "unknown_unit":
        placements[0]["placedAt"]["id"] = str(uuid.uuid4())
    elif problem == "unknown_child":
        persons = [rut]
    else:
        persons = [ivar]
    report = sync(validator_for, organisations(units), persons, duties, placements)
    assert report.errors and report.changes == 0
    assert not Enrolment.objects.filter(unit=world.units["forskola"]).exists()
    assert not Position.objects.filter(unit=world.units["school"], user=world.britta).exists()
    assert world.ivar.identity_number.digits not in " ".join(map(str, report.errors))


def test_the_status_page_shows_the_last_sync_per_source_with_counts_and_errors(
    world,
    units,
    validator_for,  # noqa: F811
    client_for,
    monkeypatch,
):
    ivar = child_person(world.ivar)
    env = "BACKA_TEST_SS12000_TOKEN"
    with FakeSS12000(validator_for, organisations(units), [ivar], [], [placement(ivar, units["preschool"])]) as fake:
        with pytest.raises(CommandError, match="401"):  # no token: a clear error, recorded as failed
            call_command("import_ss12000", "--url", fake.url, "--no-progress", "--token-env", env)
        monkeypatch.setenv(env, TOKEN)
        call_command("import_ss12000", "--url", fake.url + "/", "--no-progress", "--token-env", env)
        source = fake.url
    bad = organisations(units)
    bad[1]["schoolUnitCode"] = "00000000"
    with FakeSS12000(validator_for, bad, [ivar], [], []) as other, pytest.raises(CommandError):
        call_command("import_ss12000", "--url", other.url, "--no-progress", "--token-env", env)
    page = client_for("ada").get(reverse("integrations:ss12000"))
    body = page.content.decode()
    assert page.status_code == 200
    # one row per source: the latest run of the first source is the good one
    first = body[body.index(source + "</a>") :]
    first = first[: first.index("</tr>")]
    assert "Klar" in first and "<td>1</td>" in first  # one placement created
    assert other.url in body and "okänd skolenhetskod" in body
    assert "401" not in first[first.index("</th>") :]  # not the earlier 401 (the URL's random port may hold "401")
    assert client_for("olle").get(reverse("integrations:ss12000")).status_code == 403
