"""Real-browser checks: Debian's chromium driven by Playwright, axe-core for WCAG 2.1 A/AA.

For each persona the test logs in through the login form, then crawls every same-site
page reachable by links from the start page (and the search results), so pages added
later are checked without touching this file. Each page must have no axe violation
tagged WCAG 2.0/2.1 A or AA, and must be usable by keyboard (a skip link first).
"""
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
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
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


def login(page, base, username):
    page.goto(base + "/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
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
    login(page, base, persona)
    seen, problems = crawl(page, base, ["/", "/barn/sok/", "/barnkontakt/", "/importer/ss12000/", "/en-sida-som-inte-finns/"])
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
    assert AccessLog.objects.filter(user_id=browser_world.olle.id, child_id=browser_world.sigrid.id, outcome="denied").exists()
    context.close()
