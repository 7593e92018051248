"""E-archive delivery: a child's kept records as an E-ARK SIP (FGS Paketstruktur), validated with the
published METS and PREMIS schemas (vendored, no download) and the CSIP rules the schemas leave out."""

import json
import socket
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from backa.audit.models import AccessLog
from backa.records import earchive
from backa.records.models import ArchiveDelivery
from backa.records.tests.helpers import full_file

pytestmark = pytest.mark.django_db
TYPES = ["concern", "plan", "disclosure", "consent"]


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the e-archive code tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    earchive.schema.cache_clear()


def test_a_delivered_package_is_valid_and_recorded(world, tmp_path, no_network):
    full_file(world, world.sigrid)
    delivery = earchive.do_deliver_to_archive(
        acting_user=world.users["ada"], child=world.sigrid, record_types=TYPES, out_dir=tmp_path
    )
    root = Path(delivery.location)
    assert earchive.validate_package(root) == []
    assert {p.name for p in (root / "representations/rep1/data").iterdir()} == {f"{t}.json" for t in TYPES}
    assert (root / "schemas" / "mets.xsd").is_file() and (root / "metadata/preservation/premis.xml").is_file()
    # The export is the child's own rows, with the rows that belong to them (a plan's versions and goals).
    plan_rows = json.loads((root / "representations/rep1/data/plan.json").read_text())
    assert {r["model"] for r in plan_rows} >= {"casefile.plan", "casefile.planversion", "casefile.goal"}
    assert delivery.files == sum(1 for p in root.rglob("*") if p.is_file())
    assert ArchiveDelivery.objects.get().child_id == world.sigrid.pk
    assert AccessLog.objects.filter(object_type="archive_delivery", child_id=world.sigrid.pk, action="export").exists()
    premis = ET.parse(root / "metadata/preservation/premis.xml").getroot()
    assert len(premis.findall(f"{{{earchive.PREMIS}}}object")) == len(TYPES)


def test_a_changed_file_or_a_broken_mets_is_found(world, tmp_path, no_network):
    full_file(world, world.sigrid)
    root = earchive.build_package(world.sigrid, TYPES, tmp_path, submitter="Stockholm")
    assert earchive.validate_package(root) == []
    data = root / "representations/rep1/data/concern.json"
    data.write_text(data.read_text() + " ")
    assert any("concern.json: checksum" in p for p in earchive.validate_package(root))
    (root / "representations/rep1/data/extra.json").write_text("[]")
    assert any("extra.json is not listed" in p for p in earchive.validate_package(root))
    # Against the schema: an element METS does not know.
    mets = root / "METS.xml"
    mets.write_text(mets.read_text().replace("<mets:metsHdr", "<mets:unknown/><mets:metsHdr", 1))
    problems = earchive.validate_package(root)
    assert problems and problems[0].startswith("METS.xml:")


def test_a_package_that_does_not_validate_is_not_recorded(world, tmp_path, no_network, monkeypatch):
    full_file(world, world.sigrid)
    monkeypatch.setattr(earchive, "check_csip", lambda root: ["made to fail"])
    with pytest.raises(earchive.InvalidPackage):
        earchive.do_deliver_to_archive(
            acting_user=world.users["ada"], child=world.sigrid, record_types=TYPES, out_dir=tmp_path
        )
    assert not ArchiveDelivery.objects.exists()
    assert list(tmp_path.iterdir()) == []


def test_the_command_delivers_and_refuses_unknown_types(world, tmp_path, no_network):
    from io import StringIO

    from django.core.management import CommandError, call_command

    full_file(world, world.sigrid)
    out = StringIO()
    call_command("arkivleverans", child=str(world.sigrid.pk), out=str(tmp_path), types="concern,consent", stdout=out)
    listed = json.loads(out.getvalue())
    assert "METS.xml" in listed["files"] and ArchiveDelivery.objects.count() == 1
    child_file = Path(ArchiveDelivery.objects.get().location) / "representations/rep1/data"
    assert not (child_file / "child.json").exists()  # not asked for
    with pytest.raises(CommandError):
        call_command("arkivleverans", child=str(world.sigrid.pk), out=str(tmp_path), types="nonsense")
    assert ArchiveDelivery.objects.count() == 1


def test_the_childs_identity_is_readable_in_the_archive(world, tmp_path, no_network):
    root = earchive.build_package(world.sigrid, ["child"], tmp_path, submitter="Stockholm")
    assert earchive.validate_package(root) == []
    rows = json.loads((root / "representations/rep1/data/child.json").read_text())
    child = next(r for r in rows if r["model"] == "children.child")
    assert child["fields"]["identity_number"] == world.sigrid.identity_number.formatted
    assert "pnr_encrypted" not in child["fields"] and "pnr_hash" not in child["fields"]
    assert {r["model"] for r in rows} >= {"children.custody", "children.enrolment"}
