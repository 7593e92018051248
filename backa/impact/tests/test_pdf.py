"""The assessment as an accessible PDF (PDF/UA-1)."""

import re
import zlib
from datetime import date, timedelta

import pytest
from django.urls import reverse

from backa.impact.services import do_create_assessment

pytestmark = pytest.mark.django_db


def make_assessment(world):
    return do_create_assessment(
        acting_user=world.ada,
        municipality=world.municipality,
        district=world.jarva,
        title="Slå ihop BUS-gruppen med barnets team",
        decision_kind="forum_merge",
        steps={
            "matter": "Två forum diskuterar samma barn",
            "children_affected": "Barn i BUS-gruppen",
            "rights": ["art3", "art12"],
            "knowledge": "Forumsinventeringen",
            "indicators": ["forums_in_inventory"],
            "children_views": "Färre möten",
            "views_gathered_how": "Samtal",
            "alternatives": "A/B",
            "consequences": "K",
            "weighing": "V",
            "decision": "Slå ihop",
            "reasons": "Färre möten",
            "feedback_to_children": "Brev",
            "follow_up_on": date.today() + timedelta(days=90),
        },
    )


def test_it_exports_a_tagged_pdf_ua_document(world, client_for):
    pytest.importorskip("weasyprint")
    assessment = make_assessment(world)
    response = client_for("ada").get(reverse("impact:pdf", args=[assessment.id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    text = inflate(pdf)
    # Tagged structure, document language, the title shown instead of the file name, and the PDF/UA identifier.
    for marker in (b"/StructTreeRoot", b"/MarkInfo", b"/Lang", b"/DisplayDocTitle", b"pdfuaid:part", b"/H1", b"/Table"):
        assert marker in text, marker


def inflate(pdf: bytes) -> bytes:
    """The PDF with its compressed streams (object streams included) inflated, for searching."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


@pytest.mark.parametrize("persona", ["rasmus", "olle"])
def test_others_cannot_download_it(world, client_for, persona):
    assessment = make_assessment(world)
    assert client_for(persona).get(reverse("impact:pdf", args=[assessment.id])).status_code == 404
