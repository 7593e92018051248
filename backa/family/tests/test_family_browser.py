"""The family view in a real browser (Debian's chromium, Playwright) against the real local
OpenID Provider as the citizens' e-ID broker: a guardian logs in, reads the plan, writes her
view before the next meeting by keyboard; the professional then sees it. axe: no WCAG 2.1 A/AA
violation on any family page."""

import os
from datetime import date, timedelta

import pytest
from django.utils import timezone

from backa.accounts.tests.peer import LOA, PNR, running_peer
from backa.casefile.meetings import do_schedule_meeting
from backa.casefile.models import FamilyView
from backa.casefile.plan import do_add_goal
from backa.casefile.tests.helpers import make_plan
from backa.synthetic.testnumbers import make_number
from backa.tests.test_browser_accessibility import CHROMIUM, browser, browser_world, login, run_axe  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is not installed"),
]

ANNA = make_number(date(1985, 5, 5), 986)  # Sigrid's guardian in backa.testing.build_world
CLIENT_ID, CLIENT_SECRET = "backa-family-test", "family-secret-only-for-the-local-peer"


def test_a_guardian_logs_in_reads_the_plan_and_gives_her_view(live_server, browser, browser_world, settings):  # noqa: F811
    world = browser_world
    plan = make_plan(world, reason="Sigrid ska känna sig trygg i skolan.")
    do_add_goal(acting_user=world.rasmus, plan=plan, description="Leka med kompisar på rasten.")
    do_schedule_meeting(
        acting_user=world.rasmus,
        child=world.sigrid,
        starts_at=timezone.now() + timedelta(days=5),
        plan=plan,
        place="Ängsskolan",
        professionals=[world.rasmus],
    )
    base = live_server.url
    accounts = {"anna-loa3": {"acr": LOA + "loa3", "claims": {PNR: ANNA.digits}}}
    with running_peer(base + "/familj/svar/", accounts, client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as peer:
        d = peer["discovery"]
        settings.CITIZEN_OIDC_OP_ISSUER = d["issuer"]
        settings.CITIZEN_OIDC_OP_AUTHORIZATION_ENDPOINT = d["authorization_endpoint"]
        settings.CITIZEN_OIDC_OP_TOKEN_ENDPOINT = d["token_endpoint"]
        settings.CITIZEN_OIDC_OP_USER_ENDPOINT = d["userinfo_endpoint"]
        settings.CITIZEN_OIDC_OP_JWKS_ENDPOINT = d["jwks_uri"]
        settings.CITIZEN_OIDC_RP_CLIENT_ID = CLIENT_ID
        settings.CITIZEN_OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
        context = browser.new_context(locale="sv-SE")
        page = context.new_page()
        page.goto(base + "/familj/")
        assert not run_axe(page), "the family's start page"
        page.get_by_role("link", name="Logga in med e-legitimation").click()
        page.wait_for_url(peer["issuer"] + "/interaction/**")
        page.get_by_label("Testkonto").fill("anna-loa3")
        page.get_by_role("button", name="Legitimera").click()
        page.wait_for_url(f"{base}/familj/barn/{world.sigrid.id}/")
        assert page.get_by_text("Sigrid ska känna sig trygg i skolan.").is_visible()
        assert page.get_by_text("Rasmus Rektorsson").is_visible()
        assert not run_axe(page), "the child's page"
        # By keyboard: the link to give her view, the text, send.
        page.get_by_role("link", name="Säg vad du tycker före mötet").focus()
        page.keyboard.press("Enter")
        page.wait_for_url("**/mote/**")
        assert not run_axe(page), "before the meeting"
        page.get_by_label("Vad vill du att mötet ska veta?").focus()
        page.keyboard.type("Sigrid vill sitta nära fönstret.")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/familj/barn/{world.sigrid.id}/")
        assert page.get_by_text("De som är med på mötet läser det du skrev.").is_visible()
        page.get_by_role("link", name="Se vem som har öppnat akten").click()
        assert page.get_by_role("heading", name="Vem har tittat i Sigrids akt").is_visible()
        assert not run_axe(page), "who has looked"
        context.close()
    assert FamilyView.objects.get().text == "Sigrid vill sitta nära fönstret."
    # The professional sees her words on the meeting page.
    staff = browser.new_context(locale="sv-SE")
    page = staff.new_page()
    login(page, base, "rasmus")
    meeting = FamilyView.objects.get().meeting
    page.goto(f"{base}/barn/{world.sigrid.id}/moten/{meeting.id}/")
    assert page.get_by_text("Sigrid vill sitta nära fönstret.").is_visible()
    assert not run_axe(page), "the meeting page with the family's words"
    staff.close()
