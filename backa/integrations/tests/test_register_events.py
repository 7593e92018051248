"""The register's events (format v2): a new identity number in place, custody changes, moves,
emigration and death — each validated first, written all or nothing, and changing nothing on a
rerun. The quality bar of issue 23: one child through a whole register sequence."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from backa.access.lookups import find_child_for_concern
from backa.casefile.models import Notification
from backa.casefile.reminders import send_reminders
from backa.children.models import Child, Custody, FormerIdentity, RegisterEvent
from backa.consent.models import Consent
from backa.consent.tests.helpers import given_consent, orgs
from backa.integrations.register import HEADER_V2, apply_register, parse_register
from backa.integrations.tests.helpers import row
from backa.lib import identity
from backa.outbox.models import Message
from backa.roles.models import EndReason, Handover, HandoverStatus, HandoverTrigger, RoleAssignment, RoleKind
from backa.roles.services import derive_all
from backa.roles.tests.helpers import add_life_phase_units, enrol
from backa.synthetic.testnumbers import make_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("forget_import_runs")]
TODAY = timezone.localdate()
BORN = TODAY - timedelta(days=200)  # an infant: the BVC nurse is barnkontakt
SAMORDNING = make_number(BORN, 986, coordination=True)
PERSONNUMMER = make_number(BORN, 988)
MOTHER = (make_number(date(1990, 1, 1), 987).formatted, "Maria", "Sam")
FATHER = (make_number(date(1989, 2, 2), 989).formatted, "Mats", "Sam")


def v2(*rows):
    lines = [";".join(HEADER_V2)] + [";".join(r) for r in rows] + [f"#ANTAL;{len(rows)}"]
    return ("\n".join(lines) + "\n").encode()


def sam(number=PERSONNUMMER, *, district="JARVA", g1=MOTHER, g2=FATHER, event="", on="", former=None, protected="N"):
    return [*row(number.formatted, "Sam", "Samuelsson", district=district, g1=g1, g2=g2, protected=protected)] + [
        event,
        on,
        former.formatted if former else "",
    ]


def run(w, data, **kwargs):
    result = parse_register(data, w.municipality)
    assert result.ok, result.errors
    return apply_register(result.rows, w.municipality, **kwargs)


@pytest.fixture
def w(world):
    return add_life_phase_units(world)


def open_roles(child):
    return RoleAssignment.objects.filter(child=child, ended_at__isnull=True)


def test_one_child_through_a_register_sequence(w, client_for):
    # 1. A new child with a samordningsnummer; the BVC nurse becomes barnkontakt; both parents consent.
    report = run(w, v2(sam(SAMORDNING)))
    assert report.children_created == 1
    child = Child.objects.get(given_name="Sam")
    assert child.id_type == identity.SAMORDNINGSNUMMER
    enrol(w, child, "bvc", BORN)  # listed at BVC Järva
    RoleAssignment.objects.create(
        child=child, municipality=w.municipality, position=w.positions["britta"], kind=RoleKind.BARNKONTAKT
    )
    o = orgs(w)
    consent = given_consent(
        w, child=child, disclosing=o["bvc"], recipients=[o["school"]], categories=["notes"], acting="britta"
    )
    assert consent.givers.count() == 2
    children_before = Child.objects.count()

    # 2. The register gives Sam a personnummer: the same child, file and role; the old number still finds Sam.
    report = run(w, v2(sam(PERSONNUMMER, former=SAMORDNING)))
    assert report.identity_changes == 1 and report.children_created == 0
    assert Child.objects.count() == children_before
    renumbered = Child.objects.get(pk=child.pk)
    assert renumbered.id_type == identity.PERSONNUMMER
    assert renumbered.identity_number.digits == PERSONNUMMER.digits
    assert FormerIdentity.objects.filter(child=child, id_type=identity.SAMORDNINGSNUMMER).count() == 1
    assert find_child_for_concern(w.britta, SAMORDNING, municipality_id=w.municipality.id) == renumbered
    assert find_child_for_concern(w.britta, PERSONNUMMER, municipality_id=w.municipality.id) == renumbered
    assert open_roles(child).get().position == w.positions["britta"]
    assert RegisterEvent.objects.filter(child=child, kind=RegisterEvent.Kind.IDENTITY_CHANGED).count() == 1
    assert run(w, v2(sam(PERSONNUMMER, former=SAMORDNING))).changes == 0  # rerun: nothing
    # The change is in the child's history (the chronology), without either number.
    page = client_for("britta").get(reverse("casefile:chronology", args=[child.id])).content.decode()
    assert "Nytt identitetsnummer från folkbokföringen" in page
    assert PERSONNUMMER.formatted not in page and SAMORDNING.formatted not in page

    # 3. Custody change: only the mother has custody now; the father's consent is flagged for review.
    report = run(w, v2(sam(g2=("", "", ""))))
    assert report.custodies_changed == 1 and report.consents_flagged == 1
    assert set(
        Custody.objects.filter(child=child, has_custody=True).values_list("guardian__given_name", flat=True)
    ) == {"Maria"}
    assert Consent.objects.get(pk=consent.pk).custody_review_since == TODAY
    assert run(w, v2(sam(g2=("", "", "")))).changes == 0

    # 4. Moved within the city: a handover to the BVC of the new district, the nurse stays until it is accepted.
    report = run(w, v2(sam(district="FARSTA", g2=("", "", ""))))
    handover = Handover.objects.get(child=child, status=HandoverStatus.PENDING)
    assert (handover.trigger, handover.to_position) == (HandoverTrigger.MOVE_DISTRICT, w.positions["frans"])
    assert open_roles(child).get().position == w.positions["britta"]

    # 5. Deceased: roles end as "deceased", the handover is cancelled, nothing new starts, nobody is reminded.
    messages, notifications = Message.objects.count(), Notification.objects.count()
    died = (TODAY - timedelta(days=2)).isoformat()
    report = run(w, v2(sam(district="FARSTA", g2=("", "", ""), event="AVLIDEN", on=died)))
    dead = Child.objects.get(pk=child.pk)
    assert dead.deceased_on == TODAY - timedelta(days=2) and dead.moved_out_on is None
    assert not open_roles(child).exists()
    assert set(RoleAssignment.objects.filter(child=child).values_list("end_reason", flat=True)) == {EndReason.DECEASED}
    assert Handover.objects.get(pk=handover.pk).status == HandoverStatus.CANCELLED
    assert not Handover.objects.filter(child=child, status=HandoverStatus.PENDING).exists()
    derive_all()  # the nightly derivation gives the child nobody again
    send_reminders(now=timezone.now() + timedelta(days=60))
    assert not open_roles(child).exists()
    assert not Handover.objects.filter(child=child, status=HandoverStatus.PENDING).exists()
    assert Notification.objects.filter(child_id=child.pk).count() == 0
    assert (Message.objects.count(), Notification.objects.count()) == (messages, notifications)
    assert RegisterEvent.objects.filter(child=child, kind=RegisterEvent.Kind.DECEASED).count() == 1
    assert run(w, v2(sam(district="FARSTA", g2=("", "", ""), event="AVLIDEN", on=died))).changes == 0
    # A later full extract without the child does not call the child "not listed" or moved.
    run(w, v2(sam(district="FARSTA", g2=("", "", ""), event="AVLIDEN", on=died)), full=True)
    assert Child.objects.get(pk=child.pk).moved_out_reason == ""


def test_emigration_closes_the_roles_without_a_receiving_municipality(w, client_for):
    sigrid = w.sigrid
    number = sigrid.identity_number
    data = v2(
        [*row(number.formatted, sigrid.given_name, sigrid.family_name, district=""), "UTVANDRAD", TODAY.isoformat(), ""]
    )
    report = run(w, data)
    child = Child.objects.get(pk=sigrid.pk)
    assert (child.moved_out_on, child.moved_out_reason) == (TODAY, "emigrated")
    assert child.home_district_id == sigrid.home_district_id  # the event row may leave the district out
    handover = Handover.objects.get(child=child, status=HandoverStatus.PENDING)
    assert (handover.trigger, handover.to_position) == (HandoverTrigger.EMIGRATED, None)
    assert open_roles(child).exists()  # never zero until the barnkontakt closes it
    page = client_for("rasmus").get(reverse("casefile:overview", args=[child.id])).content.decode()
    assert f"Utvandrade {TODAY:%Y-%m-%d}." in page and "Flyttade från kommunen" not in page
    assert report.changes and run(w, data).changes == 0


def test_a_bad_event_row_refuses_the_whole_file_and_changes_nothing(w):
    before = (Child.objects.count(), FormerIdentity.objects.count(), RegisterEvent.objects.count())
    data = v2(
        sam(SAMORDNING),
        [*row(w.sigrid.identity_number.formatted, "Sigrid", "Nilsson"), "AVLIDEN", "", ""],  # no date
        [*row(w.ivar.identity_number.formatted, "Ivar", "Andersson"), "", "", w.ivar.identity_number.formatted],
        [*row(w.nobody.identity_number.formatted, "Nils", "Ingen", district="FARSTA"), "FLYGAT", "2026-01-01", ""],
    )
    result = parse_register(data, w.municipality)
    messages = [m for _line, m in result.errors]
    assert [line for line, _m in result.errors] == [3, 4, 5]
    assert "handelsedatum" in messages[0] and "tidigare_personnummer" in messages[1] and "handelse" in messages[2]
    assert not any(w.ivar.identity_number.digits in m for m in messages)  # never a number in an error
    assert (Child.objects.count(), FormerIdentity.objects.count(), RegisterEvent.objects.count()) == before


def test_protection_added_and_lifted_takes_effect_on_the_next_request(w, client_for):
    sigrid = w.sigrid
    number = sigrid.identity_number.formatted
    client = client_for("rasmus")
    url = reverse("casefile:overview", args=[sigrid.id])
    assert "Skyddad identitet." not in client.get(url).content.decode()
    run(w, v2([*row(number, "Sigrid", "Nilsson", district="", protected="J"), "", "", ""]))
    assert "Skyddad identitet." in client.get(url).content.decode()
    run(w, v2([*row(number, "Sigrid", "Nilsson", district=sigrid.home_district.code), "", "", ""]))
    assert "Skyddad identitet." not in client.get(url).content.decode()
    kinds = list(RegisterEvent.objects.filter(child=sigrid).values_list("kind", flat=True))
    assert kinds == [RegisterEvent.Kind.PROTECTION_ADDED, RegisterEvent.Kind.PROTECTION_LIFTED]


def test_the_fixed_width_variant_carries_the_same_events(w):
    from backa.integrations.fixedwidth import format_fixed_width, parse_fixed_width

    def fixed(*rows):
        result = parse_fixed_width(format_fixed_width(list(rows), municipality_code="0180", full=False), w.municipality)
        assert result.ok, result.errors
        return apply_register(result.rows, w.municipality)

    assert fixed(sam(SAMORDNING)).children_created == 1
    child = Child.objects.get(given_name="Sam")
    assert fixed(sam(PERSONNUMMER, former=SAMORDNING)).identity_changes == 1
    assert Child.objects.get(pk=child.pk).id_type == identity.PERSONNUMMER
    died = TODAY.isoformat()
    assert fixed(sam(event="AVLIDEN", on=died)).events == 1
    assert Child.objects.get(pk=child.pk).deceased_on == TODAY
    # The same content as CSV changes nothing: both formats read into the same rows.
    assert run(w, v2(sam(event="AVLIDEN", on=died))).changes == 0
    # A version-2 record of the wrong length is refused like any other.
    data = format_fixed_width([sam(SAMORDNING)], municipality_code="0180", full=False).replace(b"\n10", b"\n10X", 1)
    assert not parse_fixed_width(data, w.municipality).ok


def test_a_possible_second_file_is_flagged_and_twins_are_not(w, client_for):
    from backa.children.models import PotentialDuplicate

    # Twins: the same birth date and family name, different given names — not flagged.
    twin = make_number(BORN, 990)
    report = run(w, v2(sam(PERSONNUMMER), [*row(twin.formatted, "Saga", "Samuelsson"), "", "", ""]))
    assert report.potential_duplicates == 0 and not PotentialDuplicate.objects.exists()
    # The same child arriving under a samordningsnummer without the link: both files flagged, nothing merged.
    report = run(w, v2(sam(SAMORDNING)))
    assert report.children_created == 1 and report.potential_duplicates == 1
    first, second = (
        Child.objects.get(pnr_hash=identity.lookup_hash(PERSONNUMMER)),
        Child.objects.get(pnr_hash=identity.lookup_hash(SAMORDNING)),
    )
    assert set(PotentialDuplicate.objects.values_list("child_id", "other_id", "reason")) == {
        (first.pk, second.pk, PotentialDuplicate.Reason.COORDINATION),
        (second.pk, first.pk, PotentialDuplicate.Reason.COORDINATION),
    }
    assert run(w, v2(sam(SAMORDNING))).changes == 0 and PotentialDuplicate.objects.count() == 2
    RoleAssignment.objects.create(
        child=first, municipality=w.municipality, position=w.positions["britta"], kind=RoleKind.BARNKONTAKT
    )
    page = client_for("britta").get(reverse("casefile:overview", args=[first.id])).content.decode()
    assert "Barnet kan ha en akt till här." in page
