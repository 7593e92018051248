"""The forum, burden, child-meeting and impact pages in a real browser: no WCAG 2.1 A/AA violations (axe-core)."""
import shutil
from datetime import date, timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backa.accounts.models import PositionKind
from backa.impact.models import ImpactAssessment
from backa.testing import build_world, make_user

from .helpers import make_forum, meet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, "resultTypes": ["violations"]}


@pytest.fixture
def browser_page(live_server, settings, monkeypatch):
    if CHROMIUM is None:
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    # The live server speaks plain http; Secure cookies would never be sent back.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(bypass_csp=True)  # only so axe-core can be injected
        yield context
        browser.close()


def login(context, live_server, user):
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])
    return context.new_page()


def violations(page, url):
    from axe_playwright_python.sync_playwright import Axe

    response = page.goto(url)
    assert response.status == 200, url
    result = Axe().run(page, options=AXE_OPTIONS)
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result.response["violations"]]


def test_the_pages_have_no_wcag_a_or_aa_violations(browser_page, live_server):
    world = build_world()
    manager, _ = make_user("maja", "Maja", "Chef", world.units["admin"], PositionKind.MANAGER, "Avdelningschef")
    sspf = make_forum(world, "SSPF Järva", participants="Rektor, socialsekreterare, kommunpolis")
    eht = make_forum(world, "EHT Ängsskolan", kind="elevhalsoteam")
    meet(world, world.sigrid, sspf, timezone.localdate(), guardians_invited=True)
    meet(world, world.sigrid, eht, timezone.localdate())
    from backa.impact.services import do_create_assessment

    assessment = do_create_assessment(
        acting_user=world.ada, municipality=world.municipality, district=world.jarva, title="Starta piloten",
        decision_kind="pilot_start",
        steps={"matter": "M", "children_affected": "C", "rights": ["art3"], "knowledge": "K", "indicators": ["forums_in_inventory"],
               "children_views": "V", "views_gathered_how": "H", "alternatives": "A", "consequences": "C", "weighing": "W",
               "decision": "D", "reasons": "R", "feedback_to_children": "F", "follow_up_on": date.today() + timedelta(days=90)},
    )
    admin = login(browser_page, live_server, world.ada)
    base = live_server.url
    found = {}
    for name, args in [
        ("forums:district_list", []), ("forums:inventory", [world.jarva.id]), ("forums:compare", [world.jarva.id]),
        ("forums:forum_create", [world.jarva.id]), ("forums:burden", [world.jarva.id]),
        ("forums:inventory_print", [world.jarva.id]), ("impact:list", []), ("impact:create", []),
        ("impact:detail", [assessment.id]), ("impact:print", [assessment.id]),
    ]:
        found[name] = violations(admin, base + reverse(name, args=args))
    # A form with errors: submit the empty forum form.
    admin.goto(base + reverse("forums:forum_create", args=[world.jarva.id]))
    admin.locator("main button.primary").click()
    admin.wait_for_load_state()
    from axe_playwright_python.sync_playwright import Axe

    found["forum_create_with_errors"] = [v["id"] for v in Axe().run(admin, options=AXE_OPTIONS).response["violations"]]
    rektor = login(browser_page, live_server, world.rasmus)
    found["forums:child_meetings"] = violations(rektor, base + reverse("forums:child_meetings", args=[world.sigrid.id]))
    assert ImpactAssessment.objects.count() == 1
    assert {name: v for name, v in found.items() if v} == {}
