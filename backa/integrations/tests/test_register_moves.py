"""Moves found in the population register: a full extract that no longer lists a child
(moved out of the municipality) and a new home district. Never zero barnkontakt until the
handover is accepted or closed; a partial extract says nothing about unlisted children."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from backa.audit.models import AccessLog
from backa.children.models import Child
from backa.integrations import register
from backa.integrations.register import RegisterConflict, apply_register, parse_register
from backa.integrations.tests.helpers import row
from backa.integrations.tests.test_register_import import extract
from backa.roles.models import Handover, HandoverStatus, HandoverTrigger, RoleAssignment, RoleKind, role_active_on
from backa.roles.services import derive_all, do_accept_handover, do_close_handover
from backa.roles.tests.helpers import add_life_phase_units

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("forget_import_runs")]
TODAY = timezone.localdate()


@pytest.fixture
def w(world):
    return add_life_phase_units(world)


def listed(w, *keys, districts=None):
    districts = districts or {}
    rows = []
    for key in keys:
        child = w.children[key]
        district = districts.get(key, "" if child.protected_identity else child.home_district.code)
        rows.append(
            row(
                child.identity_number.formatted,
                child.given_name,
                child.family_name,
                district=district,
                protected="J" if child.protected_identity else "N",
            )
        )
    return extract(rows)


def run(w, data, **kwargs):
    result = parse_register(data, w.municipality)
    assert result.ok, result.errors
    return apply_register(result.rows, w.municipality, **kwargs)


def barnkontakt(child):
    return set(
        RoleAssignment.objects.filter(role_active_on(TODAY), child=child, kind=RoleKind.BARNKONTAKT).values_list(
            "position__user__username", flat=True
        )
    )


def test_a_child_missing_from_a_full_extract_has_moved_out_and_gets_a_closing_handover(w):
    report = run(w, listed(w, "ivar", "hemlig", "nobody"), full=True)
    sigrid = Child.objects.get(pk=w.sigrid.pk)
    assert sigrid.moved_out_on == TODAY and report.moved_out == 1
    # The register did not say why (a move, an emigration, a death not yet sent): never "moved".
    assert sigrid.moved_out_reason == "not_listed"
    handover = Handover.objects.get(child=sigrid, status=HandoverStatus.PENDING)
    assert (handover.trigger, handover.to_position, handover.from_position) == (
        HandoverTrigger.NOT_LISTED,
        None,
        w.positions["rasmus"],
    )
    assert barnkontakt(sigrid) == {"rasmus"}  # never zero until the task is closed
    assert AccessLog.objects.filter(child_id=sigrid.id, purpose="register_moved_out").count() == 1
    # Nobody (no barnkontakt) is not listed either: marked, nothing to hand over.
    assert Child.objects.get(pk=w.nobody.pk).moved_out_on is None  # nobody is listed
    # The same file again changes nothing and starts nothing new.
    again = run(w, listed(w, "ivar", "hemlig", "nobody"), full=True)
    assert again.changes == 0 and again.moved_out == 0
    assert Handover.objects.filter(child=sigrid).count() == 1
    # The nightly derivation keeps the task, and does not give the child a new barnkontakt.
    derive_all()
    assert Handover.objects.get(child=sigrid).status == HandoverStatus.PENDING
    do_close_handover(acting_user=w.rasmus, handover=handover, family_informed_how="Brev till familjen")
    assert barnkontakt(sigrid) == set()
    derive_all()
    assert barnkontakt(sigrid) == set()  # still enrolled at the school, but no longer living here


def test_a_partial_extract_leaves_unlisted_children_alone(w):
    report = run(w, listed(w, "ivar"))
    assert report.moved_out == 0
    assert not Child.objects.filter(moved_out_on__isnull=False).exists()
    assert not Handover.objects.exists()


def test_a_moved_out_child_without_a_barnkontakt_is_marked_without_a_task(w):
    report = run(w, listed(w, "ivar", "hemlig", "sigrid"), full=True)
    assert report.moved_out == 1
    assert Child.objects.get(pk=w.nobody.pk).moved_out_on == TODAY
    assert not Handover.objects.filter(child=w.nobody).exists()
    # the district's count of children no longer includes the child
    from backa.roles.population import children_in_district

    assert not children_in_district(w.farsta.id, TODAY).filter(pk=w.nobody.pk).exists()


def test_a_child_listed_again_has_moved_back(w):
    run(w, listed(w, "ivar", "hemlig", "sigrid"), full=True)
    report = run(w, listed(w, "ivar", "hemlig", "sigrid", "nobody"), full=True)
    assert (report.moved_back, report.moved_out) == (1, 0)
    assert Child.objects.get(pk=w.nobody.pk).moved_out_on is None


def test_a_full_extract_missing_too_many_children_is_refused_and_changes_nothing(w, monkeypatch):
    monkeypatch.setattr(register, "MOVED_OUT_ALWAYS_ALLOWED", 0)
    with pytest.raises(RegisterConflict) as error:
        run(w, listed(w, "ivar"), full=True, max_moved_out_share=0.5)
    assert "3" in str(error.value.message) and "4" in str(error.value.message)
    assert not Child.objects.filter(moved_out_on__isnull=False).exists()
    assert not Handover.objects.exists()


def test_an_infant_moving_district_is_handed_to_the_new_districts_bvc(w):
    report = run(w, listed(w, "ivar", districts={"ivar": "FARSTA"}))
    assert report.moved == 1
    ivar = Child.objects.get(pk=w.ivar.pk)
    handover = Handover.objects.get(child=ivar, status=HandoverStatus.PENDING)
    assert (handover.trigger, handover.to_position) == (HandoverTrigger.MOVE_DISTRICT, w.positions["frans"])
    assert barnkontakt(ivar) == {"britta"}
    derive_all()  # the BVC listing still says Järva: the move decides, the task stays
    assert Handover.objects.get(pk=handover.pk).status == HandoverStatus.PENDING
    assert run(w, listed(w, "ivar", districts={"ivar": "FARSTA"})).changes == 0
    assert Handover.objects.filter(child=ivar).count() == 1
    do_accept_handover(acting_user=w.users["frans"], handover=handover, family_informed_how="Telefon")
    assert barnkontakt(ivar) == {"frans"}
    derive_all()
    assert barnkontakt(ivar) == {"frans"}


def test_a_pupil_moving_district_keeps_the_school_and_the_rektor(w):
    run(w, listed(w, "sigrid", districts={"sigrid": "FARSTA"}))
    assert Child.objects.get(pk=w.sigrid.pk).home_district_id == w.farsta.id
    assert not Handover.objects.filter(child=w.sigrid).exists()
    assert barnkontakt(w.sigrid) == {"rasmus"}


def test_the_command_takes_full_and_reports_moves(w, tmp_path, capsys):
    path = tmp_path / "folkbokforing.csv"
    path.write_bytes(listed(w, "ivar", "hemlig", "nobody"))
    call_command("import_register", str(path), "--full", "--no-progress")
    out = capsys.readouterr().out
    assert "moved out: 1" in out and "handover_created: 1" in out
    call_command("import_register", str(path), "--full", "--no-progress")
    assert "changes: 0" in capsys.readouterr().out


def test_the_overview_says_the_child_has_moved_out_and_where_to_hand_over(w, client_for):
    from django.urls import reverse

    client = client_for("rasmus")
    page = client.get(reverse("casefile:overview", args=[w.sigrid.id])).content.decode()
    assert "Flyttade från kommunen" not in page
    run(w, listed(w, "ivar", "hemlig", "nobody"), full=True)
    page = client.get(reverse("casefile:overview", args=[w.sigrid.id])).content.decode()
    # Missing from the extract is not a move: the page says the reason is not known.
    assert "Flyttade från kommunen" not in page
    assert f"Inte längre folkbokförd här sedan {TODAY:%Y-%m-%d}." in page
    assert "kontrollera orsaken innan du kontaktar familjen" in page
    assert reverse("casefile:barnkontakt", args=[w.sigrid.id]) in page
