"""Real-browser checks: Debian's chromium driven by Playwright, axe-core for WCAG 2.1 A/AA.

For each persona the test logs in through the login form, then crawls every same-site
page reachable by links from the start page (and the search results), so pages added
later are checked without touching this file. Each page must have no axe violation
tagged WCAG 2.0/2.1 A or AA, and must be usable by keyboard (a skip link first).
"""

import base64
import os
import shutil
from urllib.parse import urljoin, urlparse

import pytest

from backa.testing import PASSWORD, build_world

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SKIP_PREFIXES = ("/admin", "/api", "/konto/logga-ut", "/static", "/i18n")
MAX_PAGES = 40

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is not installed"),
]


@pytest.fixture
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # around it are ordinary synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_world(transactional_db):
    return build_world()


def run_axe(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return results.response["violations"]


def current_code(secret: str) -> str:
    from django_otp.oath import totp

    return f"{totp(base64.b32decode(secret)):06d}"


def login(page, base, username, *, check_axe=False):
    """Password, then the TOTP step (on in tests): enrol an authenticator from what the page shows."""
    page.goto(base + "/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(base + "/konto/tvastegs/registrera/")
    if check_axe:
        assert not run_axe(page), "TOTP enrolment page"
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    page.get_by_label("Sexsiffrig kod som appen visar nu").fill(current_code(secret))
    page.get_by_role("button", name="Bekräfta och fortsätt").click()
    page.wait_for_url(base + "/")


def crawl(page, base, start_paths):
    seen, queue, problems = set(), list(start_paths), {}
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        try:
            response = page.goto(base + path)
        except Exception as error:  # a CSV or PDF link starts a download, not a page
            if "Download is starting" in str(error):
                continue
            raise
        assert response is not None and response.status < 500, (path, response and response.status)
        violations = run_axe(page)
        if violations:
            problems[path] = [(v["id"], v["impact"], len(v["nodes"])) for v in violations]
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            target = urlparse(urljoin(base + path, href))
            if target.netloc != urlparse(base).netloc or target.path.startswith(SKIP_PREFIXES):
                continue
            link = target.path + (f"?{target.query}" if target.query else "")
            if link not in seen:
                queue.append(link)
    return seen, problems


@pytest.mark.parametrize("persona", ["britta", "rasmus", "sara", "olle", "ada"])
def test_every_reachable_page_passes_axe_for_each_persona(live_server, browser, browser_world, persona):
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    base = live_server.url
    page.goto(base + "/konto/logga-in/")
    assert not run_axe(page), "login page"
    login(page, base, persona, check_axe=True)
    seen, problems = crawl(
        page, base, ["/", "/barn/sok/", "/barnkontakt/", "/importer/ss12000/", "/en-sida-som-inte-finns/"]
    )
    assert problems == {}, problems
    assert len(seen) >= 3
    context.close()


def test_search_and_language_switch_work_by_keyboard_only(live_server, browser, browser_world):
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    base = live_server.url
    login(page, base, "rasmus")
    # The first Tab stop is the skip link, which moves focus to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.get_by_label("Namn eller personnummer").focus()
    page.keyboard.type("Sigr")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("link", name="Nilsson, Sigrid").is_visible()
    assert not run_axe(page)
    page.get_by_role("button", name="English").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Search among your children").is_visible()
    context.close()


def test_a_professional_without_a_role_gets_not_found_in_the_browser(live_server, browser, browser_world):
    from backa.audit.models import AccessLog

    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    base = live_server.url
    login(page, base, "olle")
    response = page.goto(f"{base}/barn/{browser_world.sigrid.id}/")
    assert response.status == 404
    assert page.get_by_role("heading", name="Hittades inte").is_visible()
    assert "Sigrid" not in page.content()
    assert AccessLog.objects.filter(
        user_id=browser_world.olle.id, child_id=browser_world.sigrid.id, outcome="denied"
    ).exists()
    context.close()


def test_the_login_and_second_factor_pages_pass_axe_in_every_state(live_server, browser, browser_world, settings):
    """Login with the e-legitimation button, TOTP enrolment with an error, and the code step."""
    settings.OIDC_RP_CLIENT_ID = "backa"  # shows "Logga in med e-legitimation"
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    base = live_server.url
    page.goto(base + "/konto/logga-in/")
    assert page.get_by_role("link", name="Logga in med e-legitimation").is_visible()
    assert not run_axe(page), "login page with e-legitimation"
    login(page, base, "sara", check_axe=True)
    page.get_by_role("button", name="Logga ut").click()
    # Second login: the authenticator is enrolled, so the code step is shown; a wrong code shows an error.
    page.get_by_label("Användarnamn").fill("sara")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(base + "/konto/tvastegs/")
    assert not run_axe(page), "TOTP code page"
    page.get_by_label("Sexsiffrig kod").fill("12345")
    page.get_by_role("button", name="Fortsätt").click()
    assert page.get_by_role("alert").is_visible()
    assert not run_axe(page), "TOTP code page with an error"
    context.close()


def test_e_legitimation_login_in_the_browser_lands_on_my_children(live_server, browser, browser_world, settings):
    """The whole e-ID round in chromium: our login page → the real oidc-provider → back, at LoA3."""
    from backa.accounts.tests.peer import PEER_ACCOUNTS, configure, running_peer

    base = live_server.url
    with running_peer(base + "/konto/e-legitimation/svar/", PEER_ACCOUNTS) as peer:
        configure(settings, peer, browser_world)
        context = browser.new_context(locale="sv-SE")
        page = context.new_page()
        page.goto(base + "/konto/logga-in/")
        page.get_by_role("link", name="Logga in med e-legitimation").click()
        page.wait_for_url(peer["issuer"] + "/interaction/**")
        page.get_by_label("Testkonto").fill("britta-loa3")
        page.get_by_role("button", name="Legitimera").click()
        page.wait_for_url(base + "/")
        assert page.get_by_role("heading", name="Mina barn").is_visible()
        assert page.get_by_role("link", name="Andersson, Ivar").is_visible() or "Ivar" in page.content()
        assert not run_axe(page)
        context.close()
        # A lower assurance level is refused with a message on our login page. (A fresh browser:
        # the IdP keeps its own single-sign-on session for the first person.)
        context = browser.new_context(locale="sv-SE")
        page = context.new_page()
        page.goto(base + "/konto/logga-in/")
        page.get_by_role("link", name="Logga in med e-legitimation").click()
        page.wait_for_url(peer["issuer"] + "/interaction/**")
        page.get_by_label("Testkonto").fill("britta-loa2")
        page.get_by_role("button", name="Legitimera").click()
        page.wait_for_url(base + "/konto/logga-in/")
        assert page.get_by_text("tillitsnivå som krävs (LoA3)").is_visible()
        assert not run_axe(page)
        context.close()


def test_evaluation_pages_pass_axe_for_the_district_administrator(live_server, browser, browser_world):
    """The evaluation dashboard, an indicator page with its SVG chart, and the research-extract form."""
    from datetime import timedelta

    from django.utils import timezone

    from backa.evaluation.models import EthicsApproval, IndicatorValue
    from backa.evaluation.rollup import add_months, default_period

    start, stop = default_period()
    month = start
    while month < stop:
        for n, district in enumerate([browser_world.jarva, browser_world.farsta]):
            IndicatorValue.objects.create(
                indicator="consent_given",
                month=month,
                district=district,
                value=50.0 + n * 5 + (10 if month >= browser_world.jarva.pilot_start else 0),
                numerator=1,
                denominator=2,
                n_children=20,
            )
        month = add_months(month, 1)
    today = timezone.localdate()
    approval = EthicsApproval.objects.create(
        municipality=browser_world.municipality,
        reference="Dnr 2026-01234-01",
        study_title="Backa barnet",
        valid_from=today - timedelta(days=1),
        valid_to=today + timedelta(days=30),
    )
    approval.extractors.add(browser_world.ada)
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    base = live_server.url
    login(page, base, "ada")
    problems = {}
    for path in [
        "/barnkontakt/",
        "/utvardering/",
        "/utvardering/indikator/consent_given/",
        "/utvardering/forskningsuttag/",
    ]:
        response = page.goto(base + path)
        assert response.status == 200, path
        violations = run_axe(page)
        if violations:
            problems[path] = [(v["id"], v["impact"], len(v["nodes"])) for v in violations]
    assert problems == {}, problems
    page.goto(base + "/utvardering/indikator/consent_given/")
    assert page.locator("svg[role=img] title").count() == 1
    assert page.get_by_role("link", name="Utvärdering av piloten").is_visible()
    context.close()


def test_the_intake_pages_pass_axe(live_server, browser, browser_world):
    """The intake's queue, a report at every step (acute, awaiting a second look), the external
    report form and the quality review, for the handler and the team leader."""
    from django.utils import timezone

    from backa.casefile import intake
    from backa.casefile.models import IntakeItem
    from backa.casefile.reports import do_report_to_social_services

    w = browser_world
    do_report_to_social_services(acting_user=w.rasmus, child=w.sigrid, information="Akut oro", acute=True)
    report = do_report_to_social_services(acting_user=w.rasmus, child=w.sigrid, information="Oro hemma")
    item = IntakeItem.objects.get(report=report)
    intake.do_assign(acting_user=w.tove, item=item, handler=w.ines)
    intake.do_decide(
        acting_user=w.ines,
        item=item,
        decision=intake.Decision(
            decision="no_investigation",
            reason="no_grounds",
            decided_on=timezone.localdate(),
            child_spoken_with=False,
            child_not_heard_reason="not_reached",
        ),
    )
    for persona in ("ines", "tove"):
        context = browser.new_context(locale="sv-SE")
        page = context.new_page()
        base = live_server.url
        login(page, base, persona)
        seen, problems = crawl(page, base, ["/mottagning/", "/mottagning/ny/", "/mottagning/granskning/"])
        assert problems == {}, problems
        assert any(p.startswith("/mottagning/") and len(p) > 30 for p in seen), seen
        # A refused form (every field empty) must pass too.
        page.goto(base + "/mottagning/ny/")
        page.get_by_role("button", name="Registrera anmälan").click()
        assert not run_axe(page), "external report form with errors"
        context.close()


def test_the_notifications_and_meeting_pages_pass_axe(live_server, browser, browser_world):
    """Mina meddelanden (with a sent e-mail listed and the e-mail choice) and a planned
    meeting's page with its letters and the move and cancel forms, also with an error."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from backa.casefile.meetings import do_schedule_meeting

    world = browser_world
    with transaction.atomic():
        meeting = do_schedule_meeting(
            acting_user=world.users["sara"],
            child=world.sigrid,
            starts_at=timezone.now() + timedelta(days=3),
            professionals=[world.users["rasmus"], world.users["sara"]],
        )
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    base = live_server.url
    login(page, base, "rasmus")
    for path in ("/att-gora/", "/notiser/", f"/barn/{world.sigrid.id}/moten/{meeting.id}/"):
        page.goto(base + path)
        assert not run_axe(page), path
    page.goto(base + "/notiser/")
    page.get_by_role("button", name="Spara").click()
    assert not run_axe(page), "notifications page after saving"
    context.close()


def test_an_invitation_is_answered_from_att_gora_by_keyboard_and_passes_axe(live_server, browser, browser_world):
    """Olle is invited to Sigrid's team: he finds the invitation on Att göra, a decline without
    a reason is an accessible error, and accepting opens the child's file."""
    from django.db import transaction

    from backa.casefile.team import do_invite

    world = browser_world
    with transaction.atomic():
        invitation = do_invite(acting_user=world.users["rasmus"], child=world.sigrid, position=world.positions["olle"])
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    base = live_server.url
    login(page, base, "olle")
    page.goto(base + "/att-gora/")
    page.locator(f"a[href='/inbjudan/{invitation.id}/']").first.click()
    page.wait_for_url(base + f"/inbjudan/{invitation.id}/")
    assert not run_axe(page), "invitation page"
    page.get_by_role("button", name="Tacka nej").click()
    assert page.locator(".error-summary, [role=alert]").count() >= 1
    assert not run_axe(page), "invitation page with an error"
    page.get_by_role("button", name="Tacka ja").press("Enter")
    page.wait_for_url(base + f"/barn/{world.sigrid.id}/")
    assert not run_axe(page), "the child's overview after accepting"
    context.close()
