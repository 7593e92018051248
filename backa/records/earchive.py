"""E-archive delivery: records to be kept (bevaras) as an information package (E-ARK CSIP/SIP, FGS Paketstruktur).

One package per child and delivery, laid out as CSIP/FGS Paketstruktur asks:

    <package id>/
      METS.xml                              the package's METS (CSIP profile, SIP type)
      metadata/preservation/premis.xml      PREMIS 3: one object per data file (SHA-256 fixity,
                                            size, format), the packing event, the agent
      representations/rep1/data/<type>.json the child's records of each record type, as exported
      schemas/mets.xsd, premis-v3-0.xsd, xlink.xsd   the schemas the metadata follows

Every file in METS carries its SHA-256, size, MIME type and creation time. A package is
validated before its delivery is recorded (`validate_package`): METS and PREMIS against the
vendored XSDs (backa/records/schemas, no download), then the CSIP rules below that the
plain METS schema does not express. The delivery is recorded as an ArchiveDelivery and logged
(export) for the child.
"""

import hashlib
import json
import mimetypes
import shutil
import uuid
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from xml.etree import ElementTree as ET

from django.core import serializers
from django.db import transaction
from django.utils import timezone

from backa.audit.context import as_acting
from backa.audit.log import Action, log_access
from backa.audit.vocabulary import ObjectType
from backa.records.registry import BY_KEY, CHILD

SCHEMAS = Path(__file__).parent / "schemas"
METS = "http://www.loc.gov/METS/"
PREMIS = "http://www.loc.gov/premis/v3"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
CSIP = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
SIP = "https://DILCIS.eu/XML/METS/SIPExtensionMETS"
SIP_PROFILE = "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"
SOFTWARE = "Backa barnet"
SOFTWARE_VERSION = "1"
REP = "representations/rep1"
for prefix, ns in (("mets", METS), ("premis", PREMIS), ("xlink", XLINK), ("xsi", XSI), ("csip", CSIP), ("sip", SIP)):
    ET.register_namespace(prefix, ns)


class InvalidPackage(Exception):
    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = problems


@cache
def schema(name: str):
    """A vendored schema, loaded without any network access (XLink mapped to the local copy)."""
    import xmlschema

    return xmlschema.XMLSchema(
        str(SCHEMAS / name), locations=[(XLINK, str(SCHEMAS / "xlink.xsd"))], allow="sandbox", defuse="always"
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(65536), b""):
            digest.update(block)
    return digest.hexdigest()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _q(ns, tag):
    return f"{{{ns}}}{tag}"


def _file_attrs(path: Path, rel: str, created: str, file_id: str) -> dict:
    return {
        "ID": file_id,
        "MIMETYPE": mimetypes.guess_type(rel)[0] or "application/octet-stream",
        "SIZE": str(path.stat().st_size),
        "CREATED": created,
        "CHECKSUM": _sha256(path),
        "CHECKSUMTYPE": "SHA-256",
    }


def _premis(objects: list[tuple[str, Path]], created: str, package_id: str) -> bytes:
    root = ET.Element(_q(PREMIS, "premis"), {"version": "3.0"})
    event_id = f"event-{uuid.uuid4()}"
    for rel, path in objects:
        obj = ET.SubElement(root, _q(PREMIS, "object"), {_q(XSI, "type"): "premis:file"})
        ident = ET.SubElement(obj, _q(PREMIS, "objectIdentifier"))
        ET.SubElement(ident, _q(PREMIS, "objectIdentifierType")).text = "local"
        ET.SubElement(ident, _q(PREMIS, "objectIdentifierValue")).text = rel
        chars = ET.SubElement(obj, _q(PREMIS, "objectCharacteristics"))
        ET.SubElement(chars, _q(PREMIS, "compositionLevel")).text = "0"
        fixity = ET.SubElement(chars, _q(PREMIS, "fixity"))
        ET.SubElement(fixity, _q(PREMIS, "messageDigestAlgorithm")).text = "SHA-256"
        ET.SubElement(fixity, _q(PREMIS, "messageDigest")).text = _sha256(path)
        ET.SubElement(chars, _q(PREMIS, "size")).text = str(path.stat().st_size)
        fmt = ET.SubElement(ET.SubElement(chars, _q(PREMIS, "format")), _q(PREMIS, "formatDesignation"))
        ET.SubElement(fmt, _q(PREMIS, "formatName")).text = "JSON"
        ET.SubElement(obj, _q(PREMIS, "originalName")).text = path.name
        link = ET.SubElement(obj, _q(PREMIS, "linkingEventIdentifier"))
        ET.SubElement(link, _q(PREMIS, "linkingEventIdentifierType")).text = "local"
        ET.SubElement(link, _q(PREMIS, "linkingEventIdentifierValue")).text = event_id
    event = ET.SubElement(root, _q(PREMIS, "event"))
    ident = ET.SubElement(event, _q(PREMIS, "eventIdentifier"))
    ET.SubElement(ident, _q(PREMIS, "eventIdentifierType")).text = "local"
    ET.SubElement(ident, _q(PREMIS, "eventIdentifierValue")).text = event_id
    ET.SubElement(event, _q(PREMIS, "eventType")).text = "creation"
    ET.SubElement(event, _q(PREMIS, "eventDateTime")).text = created
    detail = ET.SubElement(event, _q(PREMIS, "eventDetailInformation"))
    ET.SubElement(detail, _q(PREMIS, "eventDetail")).text = f"Submission information package {package_id} created"
    outcome = ET.SubElement(event, _q(PREMIS, "eventOutcomeInformation"))
    ET.SubElement(outcome, _q(PREMIS, "eventOutcome")).text = "success"
    agent_link = ET.SubElement(event, _q(PREMIS, "linkingAgentIdentifier"))
    ET.SubElement(agent_link, _q(PREMIS, "linkingAgentIdentifierType")).text = "local"
    ET.SubElement(agent_link, _q(PREMIS, "linkingAgentIdentifierValue")).text = SOFTWARE
    agent = ET.SubElement(root, _q(PREMIS, "agent"))
    ident = ET.SubElement(agent, _q(PREMIS, "agentIdentifier"))
    ET.SubElement(ident, _q(PREMIS, "agentIdentifierType")).text = "local"
    ET.SubElement(ident, _q(PREMIS, "agentIdentifierValue")).text = SOFTWARE
    ET.SubElement(agent, _q(PREMIS, "agentName")).text = SOFTWARE
    ET.SubElement(agent, _q(PREMIS, "agentType")).text = "software"
    ET.SubElement(agent, _q(PREMIS, "agentVersion")).text = SOFTWARE_VERSION
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _mets(root_dir: Path, package_id: str, label: str, created: str, submitter: str) -> bytes:
    mets = ET.Element(
        _q(METS, "mets"),
        {
            "OBJID": package_id,
            "LABEL": label,
            "TYPE": "OTHER",
            _q(CSIP, "OTHERTYPE"): "Backa barnet: a child's file",
            _q(CSIP, "CONTENTINFORMATIONTYPE"): "OTHER",
            _q(CSIP, "OTHERCONTENTINFORMATIONTYPE"): "Backa barnet JSON export",
            "PROFILE": SIP_PROFILE,
        },
    )
    header = ET.SubElement(
        mets, _q(METS, "metsHdr"), {"CREATEDATE": created, "RECORDSTATUS": "NEW", _q(CSIP, "OAISPACKAGETYPE"): "SIP"}
    )
    agent = ET.SubElement(header, _q(METS, "agent"), {"ROLE": "CREATOR", "TYPE": "OTHER", "OTHERTYPE": "SOFTWARE"})
    ET.SubElement(agent, _q(METS, "name")).text = SOFTWARE
    ET.SubElement(agent, _q(METS, "note"), {_q(CSIP, "NOTETYPE"): "SOFTWARE VERSION"}).text = SOFTWARE_VERSION
    submitting = ET.SubElement(header, _q(METS, "agent"), {"ROLE": "ARCHIVIST", "TYPE": "ORGANIZATION"})
    ET.SubElement(submitting, _q(METS, "name")).text = submitter
    amd = ET.SubElement(mets, _q(METS, "amdSec"), {"ID": "amd"})
    premis_path = root_dir / "metadata" / "preservation" / "premis.xml"
    digiprov = ET.SubElement(amd, _q(METS, "digiprovMD"), {"ID": "digiprov-premis", "STATUS": "CURRENT"})
    attrs = _file_attrs(premis_path, "premis.xml", created, "x")
    del attrs["ID"]
    ET.SubElement(
        digiprov,
        _q(METS, "mdRef"),
        {
            "LOCTYPE": "URL",
            _q(XLINK, "type"): "simple",
            _q(XLINK, "href"): "metadata/preservation/premis.xml",
            "MDTYPE": "PREMIS",
            **attrs,
        },
    )
    file_sec = ET.SubElement(mets, _q(METS, "fileSec"), {"ID": "files"})
    groups = {"schemas": ("Schemas", sorted((root_dir / "schemas").iterdir()))}
    groups["rep1"] = (f"{REP[0].upper()}{REP[1:]}/Data", sorted((root_dir / REP / "data").iterdir()))
    for key, (use, paths) in groups.items():
        grp = ET.SubElement(file_sec, _q(METS, "fileGrp"), {"ID": f"grp-{key}", "USE": use})
        for n, path in enumerate(paths, 1):
            rel = path.relative_to(root_dir).as_posix()
            f = ET.SubElement(grp, _q(METS, "file"), _file_attrs(path, rel, created, f"file-{key}-{n}"))
            ET.SubElement(
                f, _q(METS, "FLocat"), {"LOCTYPE": "URL", _q(XLINK, "type"): "simple", _q(XLINK, "href"): rel}
            )
    struct = ET.SubElement(mets, _q(METS, "structMap"), {"ID": "struct", "TYPE": "PHYSICAL", "LABEL": "CSIP"})
    top = ET.SubElement(struct, _q(METS, "div"), {"ID": "div-root", "LABEL": package_id})
    ET.SubElement(top, _q(METS, "div"), {"ID": "div-metadata", "LABEL": "Metadata", "ADMID": "digiprov-premis"})
    schemas_div = ET.SubElement(top, _q(METS, "div"), {"ID": "div-schemas", "LABEL": "Schemas"})
    ET.SubElement(schemas_div, _q(METS, "fptr"), {"FILEID": "grp-schemas"})
    rep_div = ET.SubElement(top, _q(METS, "div"), {"ID": "div-rep1", "LABEL": groups["rep1"][0]})
    ET.SubElement(rep_div, _q(METS, "fptr"), {"FILEID": "grp-rep1"})
    return ET.tostring(mets, encoding="utf-8", xml_declaration=True)


def _export(child, record_types) -> dict[str, str]:
    """{record type: JSON} of the child's rows of each type and the rows that belong to them."""
    from django.apps import apps

    found = {}
    for key in record_types:
        kind = BY_KEY[key]
        model = kind.model_class()
        rows = list(model.objects.filter(pk=child.pk) if key == CHILD else model.objects.filter(child=child))
        parts = []
        for label in kind.parts:
            part = apps.get_model(label)
            links = [f.name for f in part._meta.fields if f.is_relation and f.related_model is model]
            if links and rows:
                parts.extend(part.objects.filter(**{f"{links[0]}__in": rows}))
        if rows:
            text = serializers.serialize("json", rows + parts, indent=2)
            found[key] = _readable_identity(text, rows) if key == CHILD else text
    return found


def _readable_identity(text: str, children) -> str:
    """The archive must be able to identify the child: the personnummer in clear (formatted), instead
    of the platform's encrypted copy and keyed hashes, which no one outside the platform can read."""
    numbers = {str(c.pk): c.identity_number for c in children}
    objects = json.loads(text)
    for obj in objects:
        if obj["model"] == "children.child":
            fields = obj["fields"]
            for name in ("pnr_encrypted", "pnr_hash", "home_address_hash"):
                fields.pop(name, None)
            number = numbers.get(str(obj["pk"]))
            fields["identity_number"] = number.formatted if number is not None else None
        elif obj["model"] == "children.formeridentity":
            obj["fields"].pop("pnr_hash", None)  # a keyed hash only the platform can use; the kind and day stay
    return json.dumps(objects, indent=2, ensure_ascii=False)


def build_package(child, record_types, out_dir: Path, *, submitter: str, now: datetime | None = None) -> Path:
    """Write the package for the child's records of these types under out_dir; returns its folder."""
    now = now or timezone.now()
    created = _iso(now)
    package_id = f"urn:uuid:{uuid.uuid4()}"
    root_dir = Path(out_dir) / package_id.rsplit(":", 1)[-1]
    data_dir = root_dir / REP / "data"
    data_dir.mkdir(parents=True)
    (root_dir / "metadata" / "preservation").mkdir(parents=True)
    (root_dir / "schemas").mkdir()
    for name in ("mets.xsd", "premis-v3-0.xsd", "xlink.xsd"):
        shutil.copyfile(SCHEMAS / name, root_dir / "schemas" / name)
    exported = _export(child, record_types)
    for key, text in exported.items():
        (data_dir / f"{key}.json").write_text(text, encoding="utf-8")
    objects = [(p.relative_to(root_dir).as_posix(), p) for p in sorted(data_dir.iterdir())]
    (root_dir / "metadata" / "preservation" / "premis.xml").write_bytes(_premis(objects, created, package_id))
    label = f"Backa barnet {child.pk}"
    (root_dir / "METS.xml").write_bytes(_mets(root_dir, package_id, label, created, submitter))
    return root_dir


def check_csip(root_dir: Path) -> list[str]:
    """The CSIP/FGS rules the METS schema does not express, that this package relies on:

    - CSIP1/4/5/6: mets/@OBJID, @TYPE, @csip:CONTENTINFORMATIONTYPE and @PROFILE are present;
    - CSIP7, CSIP9–10, SIP: metsHdr/@CREATEDATE and @csip:OAISPACKAGETYPE="SIP", a CREATOR agent;
    - CSIP17ff: each amdSec/digiprovMD/mdRef and each file has a SHA-256 CHECKSUM and SIZE that match
      the referenced file, and its xlink:href (relative) exists inside the package;
    - CSIP80ff: a structMap TYPE="PHYSICAL" LABEL="CSIP" with Metadata, Schemas and a representation div;
    - the folder layout: METS.xml, metadata/, representations/rep1/data/, schemas/;
    - every file under representations/ is listed in the fileSec (nothing unlisted).
    """
    problems = []
    tree = ET.parse(root_dir / "METS.xml").getroot()
    for attr in ("OBJID", "TYPE", "PROFILE", _q(CSIP, "CONTENTINFORMATIONTYPE")):
        if not tree.get(attr):
            problems.append(f"mets/@{attr} missing")
    header = tree.find(_q(METS, "metsHdr"))
    if header is None or not header.get("CREATEDATE") or header.get(_q(CSIP, "OAISPACKAGETYPE")) != "SIP":
        problems.append("metsHdr needs CREATEDATE and csip:OAISPACKAGETYPE=SIP")
    elif not any(a.get("ROLE") == "CREATOR" for a in header.findall(_q(METS, "agent"))):
        problems.append("metsHdr has no CREATOR agent")
    listed = set()
    refs = tree.findall(f".//{_q(METS, 'mdRef')}") + tree.findall(f".//{_q(METS, 'file')}")
    for element in refs:
        href = element.get(_q(XLINK, "href"))
        if href is None:
            locat = element.find(_q(METS, "FLocat"))
            href = locat.get(_q(XLINK, "href")) if locat is not None else None
        if not href or href.startswith(("/", "..")) or "://" in href:
            problems.append(f"reference {href!r} is not a relative path inside the package")
            continue
        path = root_dir / href
        if not path.is_file():
            problems.append(f"{href} is referenced but missing")
            continue
        listed.add(href)
        if element.get("CHECKSUMTYPE") != "SHA-256" or element.get("CHECKSUM") != _sha256(path):
            problems.append(f"{href}: checksum does not match")
        if element.get("SIZE") != str(path.stat().st_size):
            problems.append(f"{href}: size does not match")
    struct = [
        s for s in tree.findall(_q(METS, "structMap")) if s.get("TYPE") == "PHYSICAL" and s.get("LABEL") == "CSIP"
    ]
    if len(struct) != 1:
        problems.append("no single structMap TYPE=PHYSICAL LABEL=CSIP")
    else:
        labels = {d.get("LABEL") for d in struct[0].iter(_q(METS, "div"))}
        for needed in ("Metadata", "Schemas", "Representations/rep1/Data"):
            if needed not in labels:
                problems.append(f"structMap has no {needed} division")
    for folder in ("metadata", f"{REP}/data", "schemas"):
        if not (root_dir / folder).is_dir():
            problems.append(f"folder {folder}/ missing")
    for path in (root_dir / "representations").rglob("*"):
        if path.is_file() and path.relative_to(root_dir).as_posix() not in listed:
            problems.append(f"{path.relative_to(root_dir).as_posix()} is not listed in METS")
    return problems


def validate_package(root_dir: Path) -> list[str]:
    """Every problem found: XSD validation of METS.xml and premis.xml, then check_csip."""
    problems = []
    for rel, name in (("METS.xml", "mets.xsd"), ("metadata/preservation/premis.xml", "premis-v3-0.xsd")):
        path = root_dir / rel
        if not path.is_file():
            problems.append(f"{rel} missing")
            continue
        problems.extend(f"{rel}: {e.reason}" for e in schema(name).iter_errors(str(path)))
    if not problems:
        problems.extend(check_csip(root_dir))
    return problems


@transaction.atomic
def do_deliver_to_archive(*, acting_user, child, record_types, out_dir: Path):
    """Build, validate and record one delivery of the child's records of these types (logged as an export)."""
    from backa.records.models import ArchiveDelivery

    acting = as_acting(acting_user)
    unknown = [k for k in record_types if k not in BY_KEY]
    if unknown:
        raise ValueError(f"unknown record types: {unknown}")
    municipality = child.municipality
    root_dir = build_package(child, record_types, out_dir, submitter=municipality.name)
    problems = validate_package(root_dir)
    if problems:
        shutil.rmtree(root_dir)
        raise InvalidPackage(problems)
    files = [p for p in root_dir.rglob("*") if p.is_file()]
    delivery = ArchiveDelivery.objects.create(
        package_id=ET.parse(root_dir / "METS.xml").getroot().get("OBJID"),
        municipality=municipality,
        child_id=child.pk,
        record_types=list(record_types),
        mets_sha256=_sha256(root_dir / "METS.xml"),
        files=len(files),
        bytes=sum(p.stat().st_size for p in files),
        delivered_by=acting.user if getattr(acting.user, "is_authenticated", False) else None,
        location=str(root_dir),
    )
    log_access(
        acting=acting, action=Action.EXPORT, child=child, object_type=ObjectType.ARCHIVE_DELIVERY, object_id=delivery.pk
    )
    return delivery


def summary(root_dir: Path) -> dict:
    """What a package holds (for the command's output): its id and files with sizes."""
    tree = ET.parse(root_dir / "METS.xml").getroot()
    return {
        "package": tree.get("OBJID"),
        "files": {
            p.relative_to(root_dir).as_posix(): p.stat().st_size for p in sorted(root_dir.rglob("*")) if p.is_file()
        },
    }


__all__ = ["build_package", "validate_package", "check_csip", "do_deliver_to_archive", "InvalidPackage"]
