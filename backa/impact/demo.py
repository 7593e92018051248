"""Demo data for the barnkonsekvensanalys (called by the synthetic generator)."""

from backa.accounts.models import User
from backa.impact.services import do_create_assessment


def add_demo_assessment(generator) -> None:
    """The pilot decision for the first pilot district, its barnkonsekvensanalys under way."""
    district = generator.districts[0].district
    municipality = generator.municipality
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        return
    do_create_assessment(
        acting_user=admin,
        municipality=municipality,
        district=district,
        title=f"Starta piloten Backa barnet i {district.name}",
        decision_kind="pilot_start",
        steps={
            "matter": "Stadsdelsnämnden ska besluta om piloten Backa barnet ska starta i stadsdelen, och hur den "
            "förhåller sig till befintliga samverkansforum (SSPF, BUS, SIP, elevhälsoteam).",
            "children_affected": "Alla barn 0–18 år som bor eller går i förskola eller skola i stadsdelen, särskilt barn "
            "som i dag diskuteras i flera forum.",
            "rights": ["art3", "art12", "art16", "art19"],
            "rights_notes": "Rätten att komma till tals och rätten till privatliv påverkas när fler professionella möts om barnet.",
            "knowledge": "Utvärderingar från kommuner som infört Backa barnet; stadens revision av förhandsbedömningar; "
            "plattformens forumsinventering och mötesbelastning.",
            "indicators": [
                "forums_in_inventory",
                "overlapping_forum_pairs",
                "children_in_several_forums_same_month",
                "families_over_limit",
            ],
            "children_views": "Elevråden på två skolor: barnen vill slippa berätta samma sak för många vuxna och vill veta "
            "vem som bestämmer.",
            "views_gathered_how": "Samtal i elevråd och på fritidsgården, ledda av kurator och fritidsledare.",
            "alternatives": "A: starta piloten och ersätt BUS-gruppens barnärenden med barnets team. "
            "B: starta piloten utan att ändra befintliga forum. C: avvakta.",
            "consequences": "A: färre möten per barn. B: risk för ännu ett mötesforum. C: dagens överlapp består.",
            "weighing": "Pågår.",
            "decision": "",
            "reasons": "",
            "compensating_measures": "",
            "feedback_to_children": "",
            "follow_up_on": None,
        },
    )
