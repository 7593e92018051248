"""A realistic forum inventory for every district of the synthetic pilot, some forum
meetings for the demo rektor's pupils, and a draft child impact assessment.

Called once at the end of the synthetic generator's run(); deterministic for a given day.
"""

import random
from datetime import timedelta

from django.db import transaction

from backa.accounts.models import User
from backa.forums.models import Forum, ForumMeeting
from backa.organisations.models import EvaluationArm, UnitType
from backa.roles.models import RoleAssignment, RoleKind

# (name pattern, kind, purpose text, purposes, legal basis, target group, sectors, participants, frequency,
#  convener, children take part, guardians take part, discusses individual children)
TEMPLATES = [
    (
        "SSPF {d}",
        "sspf",
        "Fånga upp unga som riskerar att begå brott och ge dem och familjen stöd tidigt.",
        ["crime_prevention", "early_detection", "coordination"],
        "OSL 10 kap. 18 b § (uppgiftslämnande inom SSPF), samtycke",
        "Unga 12–18 år i risk för brott",
        ["school", "social_services", "police", "leisure"],
        "Rektor och kurator, socialsekreterare (SSPF-samordnare), kommunpolis, fritidsledare",
        "biweekly",
        "Socialtjänsten, SSPF-samordnare",
        "never",
        "sometimes",
        True,
    ),
    (
        "SIP-möten {d}",
        "sip",
        "Samordnad individuell plan när barnet behöver insatser från både socialtjänst och hälso- och sjukvård.",
        ["individual_planning", "coordination"],
        "socialtjänstlagen (2025:400), HSL 16 kap. 4 §",
        "Barn med behov av insatser från flera huvudmän",
        ["social_services", "bup", "habilitation", "school", "primary_care"],
        "Socialsekreterare, BUP-behandlare, habiliteringens psykolog, skolans kurator",
        "ad_hoc",
        "Den huvudman som först ser behovet",
        "sometimes",
        "always",
        True,
    ),
    (
        "BUS-grupp {d}",
        "bus",
        "Samverkan kring barn i behov av särskilt stöd enligt BUS-överenskommelsen.",
        ["coordination", "individual_planning", "early_detection"],
        "BUS-överenskommelsen mellan Region Stockholm och länets kommuner (2012)",
        "Barn 0–18 år i behov av särskilt stöd",
        ["preschool", "school", "social_services", "bup", "bmm_bvc"],
        "Förskolechef, elevhälsans psykolog, socialsekreterare, BUP, BVC-sjuksköterska",
        "monthly",
        "Socialtjänsten",
        "never",
        "sometimes",
        True,
    ),
    (
        "Familjecentralen {d}",
        "familjecentral",
        "Öppen förskola, mödra- och barnhälsovård och föräldrastöd under samma tak.",
        ["parenting_support", "health", "early_detection"],
        "Frivillig samverkan, överenskommelse mellan region och stadsdel",
        "Blivande föräldrar och familjer med barn 0–6 år",
        ["bmm_bvc", "preschool", "social_services", "primary_care"],
        "Barnmorska, BVC-sjuksköterska, förskollärare, socialrådgivare",
        "weekly",
        "Samordnare på familjecentralen",
        "always",
        "always",
        False,
    ),
    (
        "Barnahus-samråd ({d})",
        "barnahus",
        "Samråd när ett barn kan ha utsatts för våld eller övergrepp: polis, åklagare, socialtjänst och vård.",
        ["abuse_investigation", "coordination"],
        "Nationella riktlinjer för Barnahus; socialtjänstlagen (2025:400); RB 23 kap.",
        "Barn som misstänks ha utsatts för brott",
        ["social_services", "police", "prosecutor", "bup", "primary_care"],
        "Socialsekreterare, förundersökningsledare, åklagare, barnläkare, BUP",
        "ad_hoc",
        "Barnahus Stockholm",
        "never",
        "never",
        True,
    ),
    (
        "Ledningsgrupp barn och unga {d}",
        "other",
        "Strategisk samverkan om barn och ungas uppväxtvillkor i stadsdelen.",
        ["strategic", "crime_prevention"],
        "Stadens budget och samverkansöverenskommelser",
        "Alla barn i stadsdelen",
        ["school", "preschool", "social_services", "police", "leisure", "bmm_bvc"],
        "Avdelningschefer, rektorer, lokalpolisområdeschef",
        "termly",
        "Stadsdelsdirektören",
        "never",
        "never",
        False,
    ),
]
SCHOOL_EHT = (
    "Elevhälsoteam {s}",
    "elevhalsoteam",
    "Skolans elevhälsoteam: tidiga insatser för elevers hälsa, lärande och närvaro.",
    ["health", "school_attendance", "early_detection"],
    "Skollagen 2 kap. 25 §",
    "Eleverna på skolan",
    ["school", "elevhalsa"],
    "Rektor, skolsköterska, kurator, skolpsykolog, speciallärare",
    "weekly",
    "Rektor",
    "never",
    "never",
    True,
)
TEAM = (
    "Barnets team {d}",
    "barnets_team",
    "Backa barnet: barnets team med barnet och vårdnadshavarna, en plan.",
    ["individual_planning", "coordination", "early_detection"],
    "Samtycke från vårdnadshavare (OSL 10 kap. 1 §)",
    "Barn vars behov kräver stöd från flera verksamheter",
    ["school", "preschool", "elevhalsa", "social_services", "bup", "police", "bmm_bvc"],
    "Barnkontakten, stödsamordnare och de verksamheter barnet behöver",
    "ad_hoc",
    "Barnkontakten",
    "always",
    "always",
    True,
)
HOME_VISITS = (
    "Utökade hembesök {d}",
    "home_visits",
    "Fler hembesök av BVC-sjuksköterska och föräldrarådgivare under barnets första 15 månader.",
    ["parenting_support", "health"],
    "Frivillig insats, överenskommelse mellan region och stadsdel",
    "Förstagångsföräldrar",
    ["bmm_bvc", "social_services"],
    "BVC-sjuksköterska, föräldrarådgivare från socialtjänsten",
    "termly",
    "BVC",
    "always",
    "always",
    True,
)


def _forum(municipality, district, template, *, name_values):
    (
        name,
        kind,
        purpose,
        purposes,
        legal,
        target,
        sectors,
        participants,
        frequency,
        convener,
        children,
        guardians,
        individual,
    ) = template
    return Forum(
        municipality=municipality,
        district=district,
        name=name.format(**name_values),
        kind=kind,
        purpose=purpose,
        purposes=purposes,
        legal_basis=legal,
        target_group=target,
        sectors=sectors,
        participants=participants,
        frequency=frequency,
        convener=convener,
        children_take_part=children,
        guardians_take_part=guardians,
        discusses_individual_children=individual,
        is_synthetic=True,
    )


@transaction.atomic
def add_demo_forums(generator) -> None:
    """Inventory for each district; meetings for the rektor persona's pupils; one draft assessment."""
    rng = random.Random(4711)
    municipality = generator.municipality
    forums = []
    for du in generator.districts:
        district = du.district
        templates = list(TEMPLATES)
        if district.evaluation_arm == EvaluationArm.PILOT:
            templates.append(TEAM)
        if district.code in ("JARVA", "SKARHOLMEN", "HASSELBY-VALLINGBY"):
            templates.append(HOME_VISITS)
        for template in templates:
            forums.append(_forum(municipality, district, template, name_values={"d": district.name}))
        schools = {school.name: school for school in du.units.get(UnitType.GRUNDSKOLA, [])}
        for name in list(schools)[:3]:
            forums.append(_forum(municipality, district, SCHOOL_EHT, name_values={"s": name}))
    Forum.objects.bulk_create(forums)

    first = generator.districts[0].district
    rektor = User.objects.filter(username="rektor").first()
    if rektor is None:
        return
    pupil_ids = list(
        RoleAssignment.objects.filter(position__user=rektor, kind=RoleKind.BARNKONTAKT)
        .order_by("child_id")
        .values_list("child_id", flat=True)[:60]
    )
    local = [f for f in forums if f.district_id == first.id and f.discusses_individual_children]
    school_team = next(f for f in local if f.kind == "elevhalsoteam")
    others = [f for f in local if f.kind in ("sspf", "sip", "bus", "barnets_team")]
    today = generator.today
    meetings = []
    for index, child_id in enumerate(pupil_ids):
        if index % 3 == 2:
            continue  # a third of the pupils are never discussed
        first_day = today - timedelta(days=rng.randint(5, 120))
        chosen = [school_team] + rng.sample(others, k=1 if index % 4 else 2)
        for offset, forum in enumerate(chosen):
            # Most meetings fall within a couple of weeks of each other: the same month, often.
            held_on = min(today, first_day + timedelta(days=offset * rng.randint(3, 20)))
            invited = forum.guardians_take_part != "never" and rng.random() < 0.8
            meetings.append(
                ForumMeeting(
                    child_id=child_id,
                    municipality=municipality,
                    forum=forum,
                    held_on=held_on,
                    sectors=forum.sectors[: rng.randint(2, len(forum.sectors))],
                    professionals=rng.randint(2, 7),
                    child_took_part=forum.children_take_part == "always"
                    or (forum.children_take_part == "sometimes" and rng.random() < 0.4),
                    guardians_invited=invited,
                    guardians_took_part=invited and rng.random() < 0.7,
                    duration_minutes=rng.choice([30, 45, 60, 90]),
                    recorded_by=rektor,
                    is_synthetic=True,
                )
            )
        if index % 7 == 0:  # a few families carry many meetings
            for extra in range(4):
                meetings.append(
                    ForumMeeting(
                        child_id=child_id,
                        municipality=municipality,
                        forum=rng.choice(others),
                        held_on=today - timedelta(days=7 + 9 * extra),
                        sectors=["school", "social_services"],
                        professionals=4,
                        guardians_invited=True,
                        guardians_took_part=True,
                        duration_minutes=60,
                        recorded_by=rektor,
                        is_synthetic=True,
                    )
                )
    ForumMeeting.objects.bulk_create(meetings)
