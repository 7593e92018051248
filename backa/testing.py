"""The test base: a small hand-built municipality with named personas.

Personas (all in the pilot district Järva unless said):
  britta  BVC nurse, barnkontakt for the infant Ivar
  rasmus  school rektor, barnkontakt for the pupil Sigrid
  sara    social worker (IFO), stödsamordnare for Sigrid
  per     police officer, member of Sigrid's team
  olle    teacher at Sigrid's school, no role for anyone (the outsider)
  ada     district administrator, no role for anyone
  former  a nurse whose position ended: her barnkontakt role no longer opens anything
  ines    social worker at Järva's intake (mottagning): no role, sees the reports addressed to Järva
  tove    team leader at Järva's intake: gives the second look before a 0–12 closure
Children: ivar (infant), sigrid (pupil), hemlig (protected identity, barnkontakt britta),
nobody (no one holds a role).
"""

import functools
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from backa.accounts.models import Position, PositionKind, User
from backa.children.models import Child, Custody, Enrolment, Guardian, Sex
from backa.organisations.models import (
    District,
    EvaluationArm,
    Municipality,
    Organisation,
    OrganisationKind,
    Unit,
    UnitType,
)
from backa.roles.models import RoleAssignment, RoleKind
from backa.synthetic.testnumbers import make_number

PASSWORD = "correct-horse-battery-42"


def force_verified_login(client, user):
    """client.force_login(user) as after a full login (password and TOTP, or e-ID).

    SecondFactorMiddleware lets a session through only with a strong level; tests that
    are not about logging in use this (client_for does) instead of bare force_login.
    """
    from backa.accounts.middleware import AUTH_LEVEL_KEY

    client.force_login(user)
    session = client.session
    session[AUTH_LEVEL_KEY] = "totp"
    session.save()
    return client


@dataclass
class World:
    municipality: Municipality
    jarva: District
    farsta: District
    units: dict
    users: dict
    positions: dict
    children: dict

    def __getattr__(self, name):
        for collection in ("users", "children"):
            values = self.__dict__.get(collection, {})
            if name in values:
                return values[name]
        raise AttributeError(name)


@functools.cache
def _password_hash() -> str:
    """The personas' shared hash of PASSWORD. Argon2 is slow on purpose (~0.3 s a hash), and a
    world has nine people: hashing once per run instead of per person saves ~2.5 s per test."""
    return make_password(PASSWORD)


def make_user(
    username: str, first: str, last: str, unit: Unit, kind: str, title: str, **position_kwargs
) -> tuple[User, Position]:
    user = User.objects.create(
        username=User.normalize_username(username), password=_password_hash(), first_name=first, last_name=last
    )
    position = Position.objects.create(
        user=user,
        unit=unit,
        kind=kind,
        role_title=title,
        valid_from=position_kwargs.pop("valid_from", date(2020, 1, 1)),
        **position_kwargs,
    )
    return user, position


def make_child(world_municipality, district, given, family, born, *, serial=980, sex=Sex.FEMALE, **kwargs) -> Child:
    child = Child(
        municipality=world_municipality,
        home_district=district,
        given_name=given,
        family_name=family,
        birth_date=born,
        sex=sex,
        **kwargs,
    )
    child.set_identity_number(make_number(born, serial) if born else None)
    child.save()
    return child


def build_world() -> World:
    today = timezone.localdate()
    muni = Municipality.objects.create(code="0180", name="Stockholm")
    jarva = District.objects.create(
        municipality=muni, code="JARVA", name="Järva", evaluation_arm=EvaluationArm.PILOT, pilot_start=date(2026, 3, 1)
    )
    farsta = District.objects.create(
        municipality=muni, code="FARSTA", name="Farsta", evaluation_arm=EvaluationArm.COMPARISON
    )
    board = Organisation.objects.create(
        municipality=muni, name="Järva stadsdelsnämnd", kind=OrganisationKind.MUNICIPAL_BOARD, is_osl_authority=True
    )
    education = Organisation.objects.create(
        municipality=muni, name="Utbildningsnämnden", kind=OrganisationKind.MUNICIPAL_BOARD, is_osl_authority=True
    )
    region = Organisation.objects.create(
        municipality=muni, name="Region Stockholm", kind=OrganisationKind.REGION, is_osl_authority=True
    )
    police = Organisation.objects.create(
        municipality=muni, name="Polismyndigheten", kind=OrganisationKind.POLICE, is_osl_authority=True
    )
    units = {
        "bvc": Unit.objects.create(organisation=region, district=jarva, unit_type=UnitType.BVC, name="BVC Järva"),
        "school": Unit.objects.create(
            organisation=education, district=jarva, unit_type=UnitType.GRUNDSKOLA, name="Ängsskolan"
        ),
        "ifo": Unit.objects.create(
            organisation=board, district=jarva, unit_type=UnitType.SOCIALTJANST, name="Socialtjänsten Järva"
        ),
        "lpo": Unit.objects.create(
            organisation=police, district=jarva, unit_type=UnitType.LOKALPOLISOMRADE, name="LPO Järva"
        ),
        "admin": Unit.objects.create(
            organisation=board, district=jarva, unit_type=UnitType.ADMINISTRATION, name="Järva stadsdelsförvaltning"
        ),
    }
    users, positions = {}, {}
    for key, first, last, unit, kind, title in [
        ("britta", "Britta", "Berg", "bvc", PositionKind.BVC_NURSE, "BVC-sjuksköterska"),
        ("rasmus", "Rasmus", "Rektorsson", "school", PositionKind.REKTOR, "Rektor"),
        ("sara", "Sara", "Socionom", "ifo", PositionKind.SOCIAL_WORKER, "Socialsekreterare"),
        ("per", "Per", "Polis", "lpo", PositionKind.POLICE_OFFICER, "Kommunpolis"),
        ("olle", "Olle", "Lärare", "school", PositionKind.TEACHER, "Lärare"),
        ("ada", "Ada", "Admin", "admin", PositionKind.DISTRICT_ADMIN, "Distriktsadministratör"),
        ("ines", "Ines", "Mottagning", "ifo", PositionKind.INTAKE, "Socialsekreterare, mottagningen"),
        ("tove", "Tove", "Teamledare", "ifo", PositionKind.INTAKE_LEAD, "Teamledare, mottagningen"),
    ]:
        users[key], positions[key] = make_user(key, first, last, units[unit], kind, title)
    users["former"], positions["former"] = make_user(
        "former",
        "Frida",
        "Förra",
        units["bvc"],
        PositionKind.BVC_NURSE,
        "BVC-sjuksköterska",
        valid_from=date(2020, 1, 1),
        valid_to=today - timedelta(days=1),
    )
    children = {
        "ivar": make_child(muni, jarva, "Ivar", "Andersson", today - timedelta(days=200), serial=981, sex=Sex.MALE),
        "sigrid": make_child(muni, jarva, "Sigrid", "Nilsson", date(today.year - 10, 3, 14), serial=982),
        "hemlig": make_child(
            muni, jarva, "Hedda", "Hemlig", today - timedelta(days=400), serial=984, protected_identity=True
        ),
        "nobody": make_child(muni, farsta, "Nils", "Ingen", date(today.year - 8, 6, 1), serial=983, sex=Sex.MALE),
    }
    guardian = Guardian(municipality=muni, given_name="Anna", family_name="Nilsson", phone="070-0000000")
    guardian.set_identity_number(make_number(date(1985, 5, 5), 986))
    guardian.save()
    Custody.objects.create(child=children["sigrid"], municipality=muni, guardian=guardian)
    Enrolment.objects.create(
        child=children["sigrid"],
        municipality=muni,
        unit=units["school"],
        kind=Enrolment.Kind.PUPIL,
        valid_from=date(today.year - 4, 8, 1),
    )
    Enrolment.objects.create(
        child=children["ivar"],
        municipality=muni,
        unit=units["bvc"],
        kind=Enrolment.Kind.LISTING,
        valid_from=children["ivar"].birth_date,
    )
    since = today - timedelta(days=30)
    for key, child, kind in [
        ("britta", "ivar", RoleKind.BARNKONTAKT),
        ("britta", "hemlig", RoleKind.BARNKONTAKT),
        ("rasmus", "sigrid", RoleKind.BARNKONTAKT),
        ("sara", "sigrid", RoleKind.STODSAMORDNARE),
        ("per", "sigrid", RoleKind.TEAM_MEMBER),
        ("former", "ivar", RoleKind.BARNKONTAKT),
    ]:
        RoleAssignment.objects.create(
            child=children[child], municipality=muni, position=positions[key], kind=kind, valid_from=since
        )
    return World(muni, jarva, farsta, units, users, positions, children)
