"""SS 12000 client and import against a local fake server whose every payload is first
validated against the real OpenAPI spec (v2.1.0)."""

import json
import pathlib
import threading
import uuid
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from backa.audit.models import AccessLog
from backa.children.models import Enrolment
from backa.integrations.ss12000 import SS12000Client, SS12000Error, sync_ss12000
from backa.roles.services import do_derive_barnkontakt
from backa.synthetic.testnumbers import make_number

pytestmark = pytest.mark.django_db
SPEC_PATH = pathlib.Path("/work/shared/data/ss12000/openapi_ss12000_version2_1_0.yaml")
if not SPEC_PATH.exists():  # a fresh clone has shared/ beside it
    SPEC_PATH = pathlib.Path(__file__).resolve().parents[4] / "shared/data/ss12000/openapi_ss12000_version2_1_0.yaml"
TOKEN = "test-token"
META = {"created": "2026-01-01T08:00:00+01:00", "modified": "2026-01-01T08:00:00+01:00"}
SCHOOL_CODE = "12345678"


@pytest.fixture(scope="module")
def validator_for():
    spec = yaml.load(SPEC_PATH.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    registry = Registry().with_resource("urn:ss12000", Resource(contents=spec, specification=DRAFT4))

    def make(schema_name):
        return jsonschema.Draft4Validator({"$ref": f"urn:ss12000#/components/schemas/{schema_name}"}, registry=registry)

    return make


class FakeSS12000:
    """Serves /organisations, /persons, /duties and /placements in pages of two, as an SS 12000 server would."""

    def __init__(self, validator_for, organisations, persons, duties=(), placements=()):
        self.collections = {
            "/organisations": ("Organisations", organisations),
            "/persons": ("PersonsExpanded", persons),
            "/duties": ("Duties", list(duties)),
            "/placements": ("Placements", list(placements)),
        }
        self.validator_for = validator_for
        self.requests = []

    def page(self, path, token):
        schema, items = self.collections[path]
        start = int(token or 0)
        body = {"data": items[start : start + 2]}
        if start + 2 < len(items):
            body["pageToken"] = str(start + 2)
        self.validator_for(schema).validate(body)  # every payload valid against the spec
        return body

    def __enter__(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                url = urlparse(self.path)
                fake.requests.append(self.path)
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self.send_response(401)
                    self.end_headers()
                    return
                if url.path not in fake.collections:
                    self.send_response(404)
                    self.end_headers()
                    return
                body = json.dumps(fake.page(url.path, parse_qs(url.query).get("pageToken", [None])[0])).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def school_unit(org_id, code=SCHOOL_CODE):
    return {
        "id": org_id,
        "meta": META,
        "displayName": "Ängsskolan",
        "organisationType": "Skolenhet",
        "schoolUnitCode": code,
        "schoolTypes": ["GR"],
        "municipalityCode": "0180",
    }


def person(child_number, org_id, *, marking="Ingen", start="2026-08-17", end=None, given="Barn"):
    enrolment = {"enroledAt": {"id": org_id}, "schoolType": "GR", "startDate": start, "schoolYear": 2}
    if end:
        enrolment["endDate"] = end
    return {
        "id": str(uuid.uuid4()),
        "meta": META,
        "givenName": given,
        "familyName": "Elev",
        "civicNo": {"value": child_number.digits, "nationality": "SE"},
        "securityMarking": marking,
        "enrolments": [enrolment],
    }


@pytest.fixture
def school(world):
    unit = world.units["school"]
    unit.external_id = SCHOOL_CODE
    unit.save()
    return unit


@pytest.fixture
def payloads(world, school):
    org_id = str(uuid.uuid4())
    organisations = [
        school_unit(org_id),
        {
            "id": str(uuid.uuid4()),
            "meta": META,
            "displayName": "Utbildningsförvaltningen",
            "organisationType": "Huvudman",
        },
    ]
    persons = [
        person(world.nobody.identity_number, org_id, start="2026-08-17"),
        person(
            world.sigrid.identity_number,
            org_id,
            marking="Skyddad folkbokföring",
            start=f"{date.today().year - 4}-08-01",
        ),
        person(make_number(date(2016, 1, 1), 999), org_id),  # not in our population register
    ]
    return organisations, persons


def test_the_fake_server_payloads_are_checked_against_the_spec(validator_for):
    with pytest.raises(jsonschema.ValidationError):
        validator_for("PersonsExpanded").validate(
            {"data": [{"id": str(uuid.uuid4()), "meta": META, "givenName": "Utan"}]}
        )
    with pytest.raises(jsonschema.ValidationError):
        validator_for("Organisations").validate(
            {"data": [school_unit(str(uuid.uuid4())) | {"organisationType": "Dagis"}]}
        )


def test_it_imports_enrolments_and_protected_identity_and_is_idempotent(world, validator_for, payloads):
    with FakeSS12000(validator_for, *payloads) as fake:
        client = SS12000Client(fake.url, token=TOKEN, page_size=2)
        report = sync_ss12000(client, world.municipality)
        assert report.errors == []
        assert (report.enrolments_created, report.protected_marked, report.persons_unknown) == (1, 1, 1)
        assert any("pageToken=2" in r for r in fake.requests)  # it followed the pages
        world.sigrid.refresh_from_db()
        assert world.sigrid.protected_identity
        enrolment = Enrolment.objects.get(child=world.nobody)
        assert (enrolment.unit, enrolment.valid_from) == (world.units["school"], date(2026, 8, 17))
        assert AccessLog.objects.filter(
            purpose="ss12000_import", child_id=world.sigrid.id, protected_identity=True
        ).exists()
        again = sync_ss12000(client, world.municipality)
        assert again.changes == 0
    # The nightly derivation then gives the new pupil the school's rektor as barnkontakt.
    Enrolment.objects.filter(child=world.nobody).update(valid_from=date(2020, 8, 17))
    assert do_derive_barnkontakt(world.nobody) == "assigned"


def test_an_end_date_closes_our_enrolment(world, validator_for, payloads, school):
    organisations, persons = payloads
    org_id = organisations[0]["id"]
    with FakeSS12000(validator_for, organisations, persons) as fake:
        sync_ss12000(SS12000Client(fake.url, token=TOKEN), world.municipality)
    persons[0] = person(world.nobody.identity_number, org_id, start="2026-08-17", end="2027-06-10")
    with FakeSS12000(validator_for, organisations, persons) as fake:
        report = sync_ss12000(SS12000Client(fake.url, token=TOKEN), world.municipality)
    assert report.enrolments_closed == 1
    assert Enrolment.objects.get(child=world.nobody).valid_to == date(2027, 6, 10)


def test_an_unknown_school_unit_changes_nothing(world, validator_for, payloads):
    organisations, persons = payloads
    organisations[0]["schoolUnitCode"] = "99999999"
    with FakeSS12000(validator_for, organisations, persons) as fake:
        report = sync_ss12000(SS12000Client(fake.url, token=TOKEN), world.municipality)
    assert report.errors and report.changes == 0
    assert not Enrolment.objects.filter(child=world.nobody).exists()
    world.sigrid.refresh_from_db()
    assert not world.sigrid.protected_identity
    assert all(p["civicNo"]["value"] not in " ".join(map(str, report.errors)) for p in persons)


def test_a_wrong_token_is_a_clear_error(world, validator_for, payloads):
    with FakeSS12000(validator_for, *payloads) as fake, pytest.raises(SS12000Error, match="401"):
        sync_ss12000(SS12000Client(fake.url, token="wrong"), world.municipality)


def test_a_school_system_with_the_childs_former_number_finds_the_same_child(world, validator_for, payloads):
    """The register gave Nils a new number; the school system still has the old one."""
    from backa.integrations.register import HEADER_V2, apply_register, parse_register
    from backa.integrations.tests.helpers import row

    old = world.nobody.identity_number
    new = make_number(world.nobody.birth_date, 997)
    line = [*row(new.formatted, "Nils", "Ingen", district=world.nobody.home_district.code), "", "", old.formatted]
    data = ("\n".join([";".join(HEADER_V2), ";".join(line), "#ANTAL;1"]) + "\n").encode()
    result = parse_register(data, world.municipality)
    assert result.ok, result.errors
    assert apply_register(result.rows, world.municipality).identity_changes == 1
    organisations, persons = payloads
    with FakeSS12000(validator_for, organisations, persons) as fake:  # persons[0] has Nils's old number
        report = sync_ss12000(SS12000Client(fake.url, token=TOKEN), world.municipality)
    assert report.errors == [] and report.enrolments_created == 1
    assert Enrolment.objects.get(child=world.nobody).unit == world.units["school"]
