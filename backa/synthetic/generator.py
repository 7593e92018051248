"""Deterministic synthetic pilot for Stockholm: districts, organisations, units, staff,
children with guardians, enrolments and barnkontakt roles.

Everything is generated from one seed, so two runs with the same --seed and --children
give the same people, dates and relationships. Rows are written with bulk inserts in
chunks, so memory stays flat from a demo of a few thousand up to a million children.
"""

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q

from backa.accounts.models import POSITION_KIND_ACTIVITY, SCHOOL_UNIT_TYPES, Position, PositionKind, User
from backa.casefile.demo import add_demo_flow, add_demo_intake
from backa.children.lifephase import LifePhase, add_years, life_phase, school_start
from backa.children.models import Child, Custody, Enrolment, Guardian, IdType, Sex
from backa.forums.demo import add_demo_forums
from backa.impact.demo import add_demo_assessment
from backa.lib import identity
from backa.organisations.models import (
    UNIT_TYPE_ACTIVITY,
    Activity,
    ActivityKind,
    District,
    EvaluationArm,
    Municipality,
    Organisation,
    OrganisationKind,
    Unit,
    UnitType,
)
from backa.records.demo import add_demo_records
from backa.roles.config import rules_by_phase
from backa.roles.models import AssignmentSource, RoleAssignment, RoleKind
from backa.synthetic import names
from backa.synthetic.testnumbers import SyntheticNumberAllocator

DEMO_PASSWORD = "Backa-demo-2026!"

# (code, name, share of the city's children, arm). Shares are approximate district sizes.
DISTRICTS = [
    ("JARVA", "Järva", 0.11, EvaluationArm.PILOT),
    ("HASSELBY-VALLINGBY", "Hässelby-Vällingby", 0.09, EvaluationArm.PILOT),
    ("SODERMALM", "Södermalm", 0.10, EvaluationArm.PILOT),
    ("SKARHOLMEN", "Skärholmen", 0.05, EvaluationArm.PILOT),
    ("ENSKEDE-ARSTA-VANTOR", "Enskede-Årsta-Vantör", 0.12, EvaluationArm.COMPARISON),
    ("FARSTA", "Farsta", 0.07, EvaluationArm.COMPARISON),
    ("BROMMA", "Bromma", 0.09, EvaluationArm.COMPARISON),
    ("KUNGSHOLMEN", "Kungsholmen", 0.06, EvaluationArm.COMPARISON),
    ("NORRA-INNERSTADEN", "Norra innerstaden", 0.10, EvaluationArm.NONE),
    ("SKARPNACK", "Skarpnäck", 0.06, EvaluationArm.NONE),
    ("HAGERSTEN-ALVSJO", "Hägersten-Älvsjö", 0.12, EvaluationArm.NONE),
]
PILOT_START = date(2026, 3, 1)

# Children per unit of each type (roughly Stockholm-like).
UNIT_SIZES = {
    UnitType.BVC: 2500,
    UnitType.FORSKOLA: 700,
    UnitType.GRUNDSKOLA: 1800,
    UnitType.GYMNASIUM: 9000,
    UnitType.FRITIDSGARD: 6000,
}
CHUNK = 10_000


@dataclass
class DistrictUnits:
    district: District
    units: dict = field(default_factory=dict)  # unit type -> [Unit]


@dataclass
class Personas:
    """The demo logins, one per persona the tests and the demo use."""

    logins: list = field(default_factory=list)  # (username, description)


class Generator:
    def __init__(self, *, children: int, seed: int, today: date, progress=None, writer=None):
        self.n_children = children
        # How chunks of child rows are written: bulk_create by default; the benchmark
        # dataset (bench/dataset.py) passes a COPY writer for a million children.
        self.write = writer or (lambda model, rows: model.objects.bulk_create(rows, batch_size=5000))
        self.rng = random.Random(seed)
        self.today = today
        self.progress = progress or (lambda done, total: None)
        self.numbers = SyntheticNumberAllocator()
        self.password_hash = make_password(DEMO_PASSWORD)
        self.positions_by_kind: dict[tuple[uuid.UUID, str], list[Position]] = {}
        self.personas = Personas()

    # -- helpers ---------------------------------------------------------------------------------
    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def pick_name(self, sex: str) -> str:
        return self.rng.choice(names.GIRLS if sex == Sex.FEMALE else names.BOYS)

    # -- reference data --------------------------------------------------------------------------
    def build_reference(self):
        self.municipality, _ = Municipality.objects.get_or_create(code="0180", defaults={"name": "Stockholm"})
        m = self.municipality
        org = lambda name, kind, authority: Organisation(  # noqa: E731
            id=self.uuid(), municipality=m, name=name, kind=kind, is_osl_authority=authority, is_synthetic=True
        )
        self.education = org("Utbildningsnämnden, Stockholms stad", OrganisationKind.MUNICIPAL_BOARD, True)
        self.region = org("Region Stockholm", OrganisationKind.REGION, True)
        self.police = org("Polismyndigheten", OrganisationKind.POLICE, True)
        self.private_care = org("Vårdcentralen Norrljus AB (syntetisk)", OrganisationKind.PRIVATE_CARE, False)
        self.free_school = org("Kunskapsträdet Friskolor AB (syntetisk)", OrganisationKind.INDEPENDENT_SCHOOL, False)
        self.association = org("Föreningen Fritid för alla (syntetisk)", OrganisationKind.ASSOCIATION, False)
        organisations = [
            self.education,
            self.region,
            self.police,
            self.private_care,
            self.free_school,
            self.association,
        ]
        self.districts: list[DistrictUnits] = []
        self.board_of: dict = {}
        for code, name, share, arm in DISTRICTS:
            district = District(
                id=self.uuid(),
                municipality=m,
                code=code,
                name=name,
                evaluation_arm=arm,
                pilot_start=PILOT_START if arm == EvaluationArm.PILOT else None,
            )
            district.share = share
            board = org(f"{name} stadsdelsnämnd", OrganisationKind.MUNICIPAL_BOARD, True)
            self.board_of[district.id] = board
            organisations.append(board)
            self.districts.append(DistrictUnits(district))
        Organisation.objects.bulk_create(organisations)
        District.objects.bulk_create([d.district for d in self.districts])

        total_share = sum(d.district.share for d in self.districts)
        units = []
        words = iter(self.rng.sample(names.UNIT_WORDS * 400, len(names.UNIT_WORDS) * 400))
        for du in self.districts:
            d = du.district
            n = max(1, round(self.n_children * d.share / total_share))
            d.expected_children = n
            board = self.board_of[d.id]

            def add(unit_type, organisation, name, count=1, d=d, du=du):
                for i in range(count):
                    unit = Unit(
                        id=self.uuid(),
                        organisation=organisation,
                        district=d,
                        unit_type=unit_type,
                        name=name if count == 1 else f"{name} {i + 1}",
                        is_synthetic=True,
                    )
                    du.units.setdefault(unit_type, []).append(unit)
                    units.append(unit)

            def scale(t, minimum=1, n=n):
                return max(minimum, round(n / UNIT_SIZES[t]))

            add(UnitType.ADMINISTRATION, board, f"{d.name} stadsdelsförvaltning")
            add(UnitType.BMM, self.region, f"Barnmorskemottagningen {d.name}")
            n_bvc = scale(UnitType.BVC)
            add(UnitType.BVC, self.region, f"BVC {d.name}", n_bvc)
            if n_bvc >= 3:
                add(UnitType.BVC, self.private_care, f"Norrljus BVC {d.name}")
            for _ in range(scale(UnitType.FORSKOLA, 2)):
                add(UnitType.FORSKOLA, board, f"Förskolan {next(words)} ({d.name})")
            for _ in range(scale(UnitType.GRUNDSKOLA, 2)):
                add(UnitType.GRUNDSKOLA, self.education, f"{next(words)}skolan ({d.name})")
            add(UnitType.GRUNDSKOLA, self.free_school, f"Kunskapsträdet {d.name}")
            for _ in range(scale(UnitType.GYMNASIUM)):
                add(UnitType.GYMNASIUM, self.education, f"{next(words)}gymnasiet ({d.name})")
            add(UnitType.ELEVHALSA, self.education, f"Elevhälsan {d.name}")
            add(UnitType.SOCIALTJANST, board, f"Socialtjänsten barn och unga, {d.name}")
            add(UnitType.BUP, self.region, f"BUP {d.name}")
            add(UnitType.HABILITERING, self.region, f"Habiliteringen {d.name}")
            add(UnitType.LOKALPOLISOMRADE, self.police, f"Lokalpolisområde {d.name}")
            for _ in range(scale(UnitType.FRITIDSGARD)):
                add(
                    UnitType.FRITIDSGARD,
                    self.association if self.rng.random() < 0.3 else board,
                    f"Fritidsgården {next(words)}",
                )
        # Every unit belongs to its board's activity (verksamhet) for its type; the ids come
        # from the organisation and the kind, so the generator's random sequence is untouched.
        activities: dict = {}
        for unit in units:
            kind = UNIT_TYPE_ACTIVITY.get(unit.unit_type, ActivityKind.OTHER)
            unit.activity = self.activity(unit.organisation, kind, activities)
        Activity.objects.bulk_create(activities.values())
        self.activities = activities
        Unit.objects.bulk_create(units)

    def activity(self, organisation, kind, activities) -> Activity:
        key = (organisation.id, str(kind))
        if key not in activities:
            activities[key] = Activity(
                id=uuid.uuid5(organisation.id, f"activity:{kind}"),
                organisation=organisation,
                kind=kind,
                name=f"{organisation.name}: {ActivityKind(kind).label}",
            )
        return activities[key]

    # -- staff -----------------------------------------------------------------------------------
    STAFF = {
        UnitType.ADMINISTRATION: [
            (PositionKind.DISTRICT_ADMIN, "Distriktsadministratör"),
            (PositionKind.MANAGER, "Avdelningschef"),
        ],
        UnitType.BMM: [(PositionKind.MIDWIFE, "Barnmorska")],
        UnitType.BVC: [(PositionKind.BVC_NURSE, "BVC-sjuksköterska"), (PositionKind.BVC_NURSE, "BVC-sjuksköterska")],
        UnitType.FORSKOLA: [
            (PositionKind.REKTOR, "Förskolechef/rektor"),
            (PositionKind.PRESCHOOL_TEACHER, "Förskollärare"),
        ],
        UnitType.GRUNDSKOLA: [(PositionKind.REKTOR, "Rektor"), (PositionKind.TEACHER, "Lärare")],
        UnitType.GYMNASIUM: [(PositionKind.REKTOR, "Rektor")],
        UnitType.ELEVHALSA: [(PositionKind.SCHOOL_NURSE, "Skolsköterska"), (PositionKind.COUNSELLOR, "Skolkurator")],
        UnitType.SOCIALTJANST: [(PositionKind.SOCIAL_WORKER, "Socialsekreterare")] * 3
        + [
            (PositionKind.INTAKE, "Socialsekreterare, mottagningen"),
            (PositionKind.INTAKE_LEAD, "Teamledare, mottagningen"),
        ],
        UnitType.BUP: [(PositionKind.PSYCHOLOGIST, "Psykolog")],
        UnitType.HABILITERING: [(PositionKind.PSYCHOLOGIST, "Psykolog")],
        UnitType.LOKALPOLISOMRADE: [(PositionKind.POLICE_OFFICER, "Kommunpolis")],
        UnitType.FRITIDSGARD: [(PositionKind.YOUTH_LEADER, "Fritidsledare")],
    }
    # The personas of the demo and the tests, all in the first pilot district.
    PERSONAS = [
        ("barnmorska", UnitType.BMM, PositionKind.MIDWIFE, "Barnmorska på BMM"),
        ("bvc", UnitType.BVC, PositionKind.BVC_NURSE, "BVC-sjuksköterska (barnkontakt 0–5 år)"),
        ("rektor.forskola", UnitType.FORSKOLA, PositionKind.REKTOR, "Förskolans rektor (barnkontakt)"),
        ("rektor", UnitType.GRUNDSKOLA, PositionKind.REKTOR, "Skolans rektor (barnkontakt)"),
        ("skolskoterska", UnitType.ELEVHALSA, PositionKind.SCHOOL_NURSE, "Skolsköterska i elevhälsan"),
        ("socialsekreterare", UnitType.SOCIALTJANST, PositionKind.SOCIAL_WORKER, "Socialsekreterare (stödsamordnare)"),
        (
            "mottagning",
            UnitType.SOCIALTJANST,
            PositionKind.INTAKE,
            "Socialsekreterare på mottagningen (orosanmälningar)",
        ),
        (
            "mottagning.ledare",
            UnitType.SOCIALTJANST,
            PositionKind.INTAKE_LEAD,
            "Teamledare på mottagningen (andra bedömning)",
        ),
        ("polis", UnitType.LOKALPOLISOMRADE, PositionKind.POLICE_OFFICER, "Kommunpolis (i barnets team)"),
        ("larare", UnitType.GRUNDSKOLA, PositionKind.TEACHER, "Lärare utan roll för något barn"),
        ("admin", UnitType.ADMINISTRATION, PositionKind.DISTRICT_ADMIN, "Distriktsadministratör"),
    ]

    def build_staff(self):
        # Which unit and position hold the barnkontakt role comes from the life-phase rules
        # (roles.LifePhaseConfig), the same data the nightly derivation reads.
        self.rules = rules_by_phase(self.municipality.id)
        users, positions = [], []
        persona_slots = {(unit_type, kind): username for username, unit_type, kind, _ in self.PERSONAS}
        first_district = self.districts[0]
        for du in self.districts:
            for unit_type, unit_list in du.units.items():
                for unit in unit_list:
                    for kind, title in self.STAFF.get(unit_type, []):
                        username = None
                        if du is first_district and unit is unit_list[0] and (unit_type, kind) in persona_slots:
                            username = persona_slots.pop((unit_type, kind))
                        sex = self.rng.choice((Sex.FEMALE, Sex.MALE))
                        first = self.rng.choice(names.ADULTS_F if sex == Sex.FEMALE else names.ADULTS_M)
                        last = self.rng.choice(names.FAMILY)
                        user = User(
                            id=self.uuid(),
                            username=username or f"staff-{len(users):06d}",
                            first_name=first,
                            last_name=last,
                            password=self.password_hash,
                            is_synthetic=True,
                            is_staff=kind == PositionKind.DISTRICT_ADMIN,
                        )
                        users.append(user)
                        position = Position(
                            id=self.uuid(),
                            user=user,
                            unit=unit,
                            kind=kind,
                            role_title=title,
                            valid_from=date(2020, 1, 1),
                        )
                        if kind in POSITION_KIND_ACTIVITY and unit.unit_type in SCHOOL_UNIT_TYPES:
                            position.activity = self.activity(
                                unit.organisation, POSITION_KIND_ACTIVITY[kind], self.activities
                            )
                        positions.append(position)
                        self.positions_by_kind.setdefault((unit.id, kind), []).append(position)
        User.objects.bulk_create(users, batch_size=2000)
        Activity.objects.bulk_create([a for a in self.activities.values() if a._state.adding], ignore_conflicts=True)
        Position.objects.bulk_create(positions, batch_size=2000)
        # District administrators maintain reference data in the admin, nothing else.
        from django.contrib.auth.models import Permission

        admin_perms = Permission.objects.filter(
            Q(content_type__app_label="organisations")
            | Q(content_type__app_label="roles", content_type__model="lifephaseconfig")
        )
        for user in users:
            if user.is_staff:
                user.user_permissions.set(admin_perms)
        self.personas.logins = [(u, desc) for u, _, _, desc in self.PERSONAS]

    # -- children --------------------------------------------------------------------------------
    def birth_date(self) -> tuple[date | None, date | None]:
        """(birth date, expected date). Age weights follow Stockholm's age pyramid."""
        if self.rng.random() < 0.012:
            return None, self.today + timedelta(days=self.rng.randint(14, 240))
        age_weights = [1.3] * 5 + [1.07] * 10 + [0.95] * 3
        age = self.rng.choices(range(18), weights=age_weights)[0]
        born = add_years(self.today, -age - 1) + timedelta(days=self.rng.randint(1, 365))
        return min(born, self.today), None

    def build_children(self):
        total = self.n_children
        done = 0
        total_share = sum(du.district.share for du in self.districts)
        weights = [du.district.share / total_share for du in self.districts]
        previous_family = None
        while done < total:
            size = min(CHUNK, total - done)
            children, guardians, custodies, enrolments, roles = [], [], [], [], []
            for _ in range(size):
                du = self.rng.choices(self.districts, weights=weights)[0]
                sex = Sex.MALE if self.rng.random() < 0.513 else Sex.FEMALE
                born, expected = self.birth_date()
                # Siblings: about a third of children share guardians with the previous child.
                if previous_family and previous_family[0] is du and self.rng.random() < 0.33:
                    family_name, family_guardians = previous_family[1], previous_family[2]
                else:
                    family_name = self.rng.choice(names.FAMILY)
                    family_guardians = []
                    for g_index in range(1 if self.rng.random() < 0.22 else 2):
                        g_sex = Sex.FEMALE if g_index == 0 else Sex.MALE
                        g_birth = (born or expected) - timedelta(days=self.rng.randint(20 * 365, 42 * 365))
                        guardian = Guardian(
                            id=self.uuid(),
                            municipality=self.municipality,
                            given_name=self.rng.choice(names.ADULTS_F if g_sex == Sex.FEMALE else names.ADULTS_M),
                            family_name=family_name,
                            phone=f"070-{self.rng.randint(1000000, 9999999)}",
                            is_synthetic=True,
                        )
                        guardian.set_identity_number(self.numbers.allocate(g_birth))
                        guardians.append(guardian)
                        family_guardians.append(guardian)
                    previous_family = (du, family_name, family_guardians)
                child = Child(
                    id=self.uuid(),
                    municipality=self.municipality,
                    given_name=self.pick_name(sex),
                    family_name=family_name,
                    sex=sex,
                    birth_date=born,
                    expected_birth_date=expected,
                    home_district=du.district,
                    protected_identity=self.rng.random() < 0.003,
                    is_synthetic=True,
                )
                child.set_identity_number(self.numbers.allocate(born) if born else None)
                if child.protected_identity:
                    for g in family_guardians:
                        g.protected_identity = True
                children.append(child)
                for guardian in family_guardians:
                    custodies.append(
                        Custody(
                            id=self.uuid(),
                            child=child,
                            municipality=self.municipality,
                            guardian=guardian,
                            has_custody=True,
                            valid_from=born,
                        )
                    )
                self.enrol(child, du, enrolments, roles)
            with transaction.atomic():
                for model, rows in (
                    (Guardian, guardians),
                    (Child, children),
                    (Custody, custodies),
                    (Enrolment, enrolments),
                    (RoleAssignment, roles),
                ):
                    self.write(model, rows)
            done += size
            self.progress(done, total)

    def enrol(self, child: Child, du: DistrictUnits, enrolments: list, roles: list):
        phase = life_phase(child.birth_date, self.today)
        units = du.units
        born = child.birth_date
        own_from = len(enrolments)  # this child's enrolments are appended from here

        def enrolment(unit, kind, start, end=None):
            enrolments.append(
                Enrolment(
                    id=self.uuid(),
                    child=child,
                    municipality=self.municipality,
                    unit=unit,
                    kind=kind,
                    valid_from=start,
                    valid_to=end,
                )
            )
            return unit

        def barnkontakt():
            """The life-phase rules applied to this child's current enrolments, as the derivation does."""
            current = [
                e
                for e in enrolments[own_from:]
                if e.valid_from <= self.today and (e.valid_to is None or e.valid_to >= self.today)
            ]
            current.sort(key=lambda e: e.valid_from, reverse=True)
            for rule in self.rules.get(phase, []):
                for e in current:
                    holders = (
                        self.positions_by_kind.get((e.unit.id, rule.position_kind))
                        if e.unit.unit_type == rule.unit_type
                        else None
                    )
                    if holders:
                        roles.append(
                            RoleAssignment(
                                id=self.uuid(),
                                child=child,
                                municipality=self.municipality,
                                position=holders[0],
                                kind=RoleKind.BARNKONTAKT,
                                valid_from=min(e.valid_from, self.today),
                                reason=f"life_phase:{phase}",
                                source=AssignmentSource.DERIVED,
                            )
                        )
                        return

        if phase == LifePhase.EXPECTED:
            enrolment(units[UnitType.BMM][0], Enrolment.Kind.LISTING, self.today - timedelta(days=60))
            barnkontakt()
            return
        if phase == LifePhase.ADULT:
            return
        bvc = self.rng.choice(units[UnitType.BVC])
        bvc_end = school_start(born) - timedelta(days=1)
        enrolment(bvc, Enrolment.Kind.LISTING, born, bvc_end if bvc_end < self.today else None)
        if phase == LifePhase.INFANT:
            barnkontakt()
            return
        if self.rng.random() < 0.85:
            start = add_years(born, 1) + timedelta(days=self.rng.randint(0, 300))
            preschool_unit = self.rng.choice(units[UnitType.FORSKOLA])
            end = school_start(born) - timedelta(days=1)
            if start <= self.today:
                enrolment(preschool_unit, Enrolment.Kind.PLACEMENT, start, end if end < self.today else None)
        if phase == LifePhase.PRESCHOOL:
            barnkontakt()
            return
        if phase == LifePhase.SCHOOL:
            schools = units[UnitType.GRUNDSKOLA]
            school = schools[-1] if self.rng.random() < 0.15 else self.rng.choice(schools[:-1] or schools)
            enrolment(school, Enrolment.Kind.PUPIL, school_start(born))
            barnkontakt()
            return
        if phase == LifePhase.GYMNASIUM and self.rng.random() < 0.9:
            district = self.rng.choice(self.districts)
            gymnasium = self.rng.choice(district.units[UnitType.GYMNASIUM])
            start = date(born.year + 16, 8, 1)
            enrolment(gymnasium, Enrolment.Kind.PUPIL, start)
            barnkontakt()

    # -- teams for the demo personas -----------------------------------------------------------
    def build_teams(self):
        """Give the social worker, school nurse and police personas a few children's teams."""
        first = self.districts[0]
        social = self.positions_by_kind[(first.units[UnitType.SOCIALTJANST][0].id, PositionKind.SOCIAL_WORKER)][0]
        nurse = self.positions_by_kind[(first.units[UnitType.ELEVHALSA][0].id, PositionKind.SCHOOL_NURSE)][0]
        police = self.positions_by_kind[(first.units[UnitType.LOKALPOLISOMRADE][0].id, PositionKind.POLICE_OFFICER)][0]
        school = first.units[UnitType.GRUNDSKOLA][0]
        pupils = list(
            Child.objects.filter(enrolments__unit=school, enrolments__valid_to__isnull=True).order_by("id")[:200]
        )
        self.rng.shuffle(pupils)
        team_children = pupils[: max(2, len(pupils) // 12)]
        roles = []
        start = self.today - timedelta(days=90)
        for index, child in enumerate(team_children):
            roles.append(
                RoleAssignment(
                    id=self.uuid(),
                    child=child,
                    municipality=self.municipality,
                    position=social,
                    kind=RoleKind.STODSAMORDNARE,
                    valid_from=start,
                    reason="team",
                )
            )
            roles.append(
                RoleAssignment(
                    id=self.uuid(),
                    child=child,
                    municipality=self.municipality,
                    position=nurse,
                    kind=RoleKind.TEAM_MEMBER,
                    valid_from=start,
                    reason="team",
                )
            )
            if index < 2:
                roles.append(
                    RoleAssignment(
                        id=self.uuid(),
                        child=child,
                        municipality=self.municipality,
                        position=police,
                        kind=RoleKind.TEAM_MEMBER,
                        valid_from=start,
                        reason="team",
                    )
                )
        RoleAssignment.objects.bulk_create(roles)

    def run(self):
        with transaction.atomic():
            self.build_reference()
            self.build_staff()
        self.build_children()
        with transaction.atomic():
            self.build_teams()
        add_demo_forums(self)
        add_demo_assessment(self)
        add_demo_flow(self.rng, self.today)
        add_demo_records(self)
        add_demo_intake(self.rng, self.today)
        return self.personas


def synthetic_data_exists() -> bool:
    return Child.objects.filter(is_synthetic=True).exists()


__all__ = ["Generator", "DEMO_PASSWORD", "synthetic_data_exists", "IdType", "identity"]
