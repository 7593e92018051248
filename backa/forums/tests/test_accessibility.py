"""The forum, burden, child-meeting and impact pages in a real browser: no WCAG 2.1 A/AA violations (axe-core)."""

import shutil
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backa.accounts.models import PositionKind
from backa.forums.tests.helpers import make_forum, meet
from backa.impact.models import ImpactAssessment
from backa.testing import build_world, force_verified_login, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


@pytest.fixture
def insecure_cookies(settings):
    if CHROMIUM is None:
        pytest.skip("chromium is not installed")
    # The live server speaks plain http; Secure cookies would never be sent back.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


def session_cookie(live_server, user):
    client = Client()
    force_verified_login(client, user)
    return {
        "name": django_settings.SESSION_COOKIE_NAME,
        "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }


@contextmanager
def browser():
    """Chromium through Playwright. All database work is done before entering: Playwright's sync
    API runs in a greenlet, where Django would open a second connection that is never closed."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


def page_with(chromium, cookie):
    context = chromium.new_context(bypass_csp=True)  # only so axe-core can be injected
    context.add_cookies([cookie])
    return context.new_page()


def violations(page, url):
    from axe_playwright_python.sync_playwright import Axe

    response = page.goto(url)
    assert response.status == 200, url
    result = Axe().run(page, options=AXE_OPTIONS)
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result.response["violations"]]


def test_the_pages_have_no_wcag_a_or_aa_violations(insecure_cookies, live_server):
    world = build_world()
    make_user("maja", "Maja", "Chef", world.units["admin"], PositionKind.MANAGER, "Avdelningschef")
    sspf = make_forum(world, "SSPF Järva", participants="Rektor, socialsekreterare, kommunpolis")
    eht = make_forum(world, "EHT Ängsskolan", kind="elevhalsoteam")
    meet(world, world.sigrid, sspf, timezone.localdate(), guardians_invited=True)
    meet(world, world.sigrid, eht, timezone.localdate())
    from backa.impact.services import do_create_assessment

    assessment = do_create_assessment(
        acting_user=world.ada,
        municipality=world.municipality,
        district=world.jarva,
        title="Starta piloten",
        decision_kind="pilot_start",
        steps={
            "matter": "M",
            "children_affected": "C",
            "rights": ["art3"],
            "knowledge": "K",
            "indicators": ["forums_in_inventory"],
            "children_views": "V",
            "views_gathered_how": "H",
            "alternatives": "A",
            "consequences": "C",
            "weighing": "W",
            "decision": "D",
            "reasons": "R",
            "feedback_to_children": "F",
            "follow_up_on": date.today() + timedelta(days=90),
        },
    )
    assert ImpactAssessment.objects.count() == 1
    base = live_server.url
    admin_pages = [
        reverse(name, args=args)
        for name, args in [
            ("forums:district_list", []),
            ("forums:inventory", [world.jarva.id]),
            ("forums:compare", [world.jarva.id]),
            ("forums:forum_create", [world.jarva.id]),
            ("forums:burden", [world.jarva.id]),
            ("forums:inventory_print", [world.jarva.id]),
            ("impact:list", []),
            ("impact:create", []),
            ("impact:detail", [assessment.id]),
            ("impact:print", [assessment.id]),
        ]
    ]
    form_url = reverse("forums:forum_create", args=[world.jarva.id])
    child_url = reverse("forums:child_meetings", args=[world.sigrid.id])
    admin_cookie, rektor_cookie = session_cookie(live_server, world.ada), session_cookie(live_server, world.rasmus)

    from axe_playwright_python.sync_playwright import Axe

    found = {}
    with browser() as chromium:
        admin = page_with(chromium, admin_cookie)
        for url in admin_pages:
            found[url] = violations(admin, base + url)
        # A form with errors: submit the empty forum form.
        admin.goto(base + form_url)
        admin.locator("main button.primary").click()
        admin.wait_for_load_state()
        assert admin.locator(".error-summary").count() == 1
        found["form with errors"] = [v["id"] for v in Axe().run(admin, options=AXE_OPTIONS).response["violations"]]
        found[child_url] = violations(page_with(chromium, rektor_cookie), base + child_url)
    assert {url: v for url, v in found.items() if v} == {}
