"""Crawler (issue 15): each persona follows every link from its start page (at most 150
pages) and no page it reaches holds a marker planted in an entry it may not see.

Markers: the school nurse's note and concern (pupil health), the police's plan action,
social services' conversation and meeting minutes. Nothing is consented here, so each marker is
seen by its own activity only."""

import re
from datetime import timedelta
from urllib.parse import urldefrag, urlsplit

import pytest
from django.utils import timezone

from backa.accounts.models import PositionKind
from backa.casefile.concerns import do_register_concern
from backa.casefile.conversations import do_record_conversation
from backa.casefile.meetings import do_record_meeting, do_schedule_meeting
from backa.casefile.plan import do_add_action
from backa.casefile.tests.helpers import make_plan
from backa.impact.tests.test_pdf import inflate
from backa.roles.models import RoleAssignment, RoleKind
from backa.testing import make_user

pytestmark = pytest.mark.django_db

LIMIT = 150
SKIP = ("/konto/logga-ut", "/i18n/", "/static/", "/admin/")
MARKERS = {
    "Kraul-nora-note-1": "nora",
    "Kraul-nora-concern-2": "nora",
    "Kraul-per-action-3": "per",
    "Kraul-sara-talk-4": "sara",
    "Kraul-sara-minutes-5": "sara",
}


@pytest.fixture
def planted(world):
    today = timezone.localdate()
    nora, position = make_user(
        "nora", "Nora", "Skolsköterska", world.units["school"], PositionKind.SCHOOL_NURSE, "Skolsköterska"
    )
    world.users["nora"], world.positions["nora"] = nora, position
    RoleAssignment.objects.create(
        child=world.sigrid,
        municipality=world.municipality,
        position=position,
        kind=RoleKind.TEAM_MEMBER,
        valid_from=today - timedelta(days=30),
    )
    child = world.sigrid
    do_record_conversation(acting_user=nora, child=child, held_on=today, professional_notes="Kraul-nora-note-1")
    do_register_concern(
        acting_user=nora, child=child, observed_on=today, description="Kraul-nora-concern-2", areas=["halsa"]
    )
    plan = make_plan(world)
    do_add_action(
        acting_user=world.per,
        plan=plan,
        description="Kraul-per-action-3",
        owner_organisation=world.units["lpo"].organisation,
        owner=world.per,
    )
    do_record_conversation(acting_user=world.sara, child=child, held_on=today, professional_notes="Kraul-sara-talk-4")
    meeting = do_schedule_meeting(acting_user=world.sara, child=child, starts_at=timezone.now() - timedelta(hours=1))
    do_record_meeting(acting_user=world.sara, meeting=meeting, minutes="Kraul-sara-minutes-5", child_heard="took_part")
    return world


def crawl(client):
    """(url, text) of every page reachable from the start page by links, breadth first."""
    seen, queue, pages = set(), ["/"], []
    while queue and len(pages) < LIMIT:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200:
            continue
        if response["Content-Type"].startswith("application/pdf"):
            pages.append((url, inflate(response.content).decode("latin-1")))
            continue
        text = response.content.decode(errors="replace")
        pages.append((url, text))
        for href in re.findall(r'href="([^"]+)"', text):
            link = urldefrag(href.replace("&amp;", "&"))[0]
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not link.startswith("/") or link.startswith(SKIP):
                continue
            if link not in seen:
                queue.append(link)
    return pages


@pytest.mark.parametrize("persona", ["rasmus", "nora", "sara", "per"])
def test_no_page_a_persona_reaches_holds_an_entry_it_may_not_see(planted, client_for, persona):
    pages = crawl(client_for(persona))
    assert len(pages) > 5, "the crawler reached the child's file"
    for url, text in pages:
        for mark, owner in MARKERS.items():
            if owner != persona:
                assert mark not in text, (persona, url, mark)
    own = [m for m, owner in MARKERS.items() if owner == persona]
    assert all(any(m in text for _url, text in pages) for m in own), "own entries are reached"
