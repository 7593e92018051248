"""Units and role-holders for every life phase, added to the shared test world."""

from datetime import date

from backa.accounts.models import PositionKind
from backa.children.models import Enrolment
from backa.organisations.models import Organisation, OrganisationKind, Unit, UnitType
from backa.roles.models import RoleAssignment, RoleKind
from backa.testing import make_child, make_user


def add_life_phase_units(world):
    """BMM with midwife maja, förskola with rektor fiona, gymnasium with rektor gustav (Järva);
    a school with rektor fredrik and a BVC with nurse frans in Farsta."""
    muni = world.municipality
    region = Organisation.objects.get(name="Region Stockholm")
    education = Organisation.objects.get(name="Utbildningsnämnden")
    board = Organisation.objects.get(name="Järva stadsdelsnämnd")
    farsta_board = Organisation.objects.create(
        municipality=muni, name="Farsta stadsdelsnämnd", kind=OrganisationKind.MUNICIPAL_BOARD, is_osl_authority=True
    )
    for key, district, org, unit_type, name in [
        ("bmm", world.jarva, region, UnitType.BMM, "BMM Järva"),
        ("forskola", world.jarva, board, UnitType.FORSKOLA, "Förskolan Solen"),
        ("gymnasium", world.jarva, education, UnitType.GYMNASIUM, "Järvagymnasiet"),
        ("farsta_school", world.farsta, education, UnitType.GRUNDSKOLA, "Farstaskolan"),
        ("farsta_bvc", world.farsta, region, UnitType.BVC, "BVC Farsta"),
        ("farsta_admin", world.farsta, farsta_board, UnitType.ADMINISTRATION, "Farsta stadsdelsförvaltning"),
    ]:
        world.units[key] = Unit.objects.create(organisation=org, district=district, unit_type=unit_type, name=name)
    for key, first, last, unit, kind, title in [
        ("maja", "Maja", "Barnmorska", "bmm", PositionKind.MIDWIFE, "Barnmorska"),
        ("fiona", "Fiona", "Förskolerektor", "forskola", PositionKind.REKTOR, "Rektor"),
        ("gustav", "Gustav", "Gymnasierektor", "gymnasium", PositionKind.REKTOR, "Rektor"),
        ("fredrik", "Fredrik", "Farsta", "farsta_school", PositionKind.REKTOR, "Rektor"),
        ("frans", "Frans", "Farsta", "farsta_bvc", PositionKind.BVC_NURSE, "BVC-sjuksköterska"),
        ("fanny", "Fanny", "Farstaadmin", "farsta_admin", PositionKind.DISTRICT_ADMIN, "Distriktsadministratör"),
    ]:
        world.users[key], world.positions[key] = make_user(key, first, last, world.units[unit], kind, title)
    return world


def child_at(
    world, given, born, unit_key, *, barnkontakt=None, since=None, district=None, serial=985, kind=None, **kwargs
):
    """A child enrolled at a unit, optionally with a barnkontakt already."""
    child = make_child(world.municipality, district or world.jarva, given, "Test", born, serial=serial, **kwargs)
    start = since or born or date(2020, 1, 1)
    if unit_key:
        enrol(world, child, unit_key, start, kind=kind)
    if barnkontakt:
        RoleAssignment.objects.create(
            child=child,
            municipality=world.municipality,
            position=world.positions[barnkontakt],
            kind=RoleKind.BARNKONTAKT,
            valid_from=min(start, date.today()),
        )
    return child


def enrol(world, child, unit_key, start, kind=None):
    unit = world.units[unit_key]
    kind = kind or {
        UnitType.BVC: Enrolment.Kind.LISTING,
        UnitType.BMM: Enrolment.Kind.LISTING,
        UnitType.FORSKOLA: Enrolment.Kind.PLACEMENT,
    }.get(unit.unit_type, Enrolment.Kind.PUPIL)
    return Enrolment.objects.create(
        child=child, municipality=world.municipality, unit=unit, kind=kind, valid_from=start
    )
