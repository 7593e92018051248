"""Two people edit the plan at once in two real browsers (decision 0018): a field only one of
them changed is never reverted by the other's save; a field both changed is shown side by side
and saved only after a choice."""

from django.urls import reverse

from backa.casefile.models import Plan
from backa.casefile.tests.helpers import make_plan, share_plan
from backa.tests.test_browser_accessibility import browser, browser_world, login, pytestmark, run_axe  # noqa: F401

__all__ = ["pytestmark"]


def save(page, expected_url=None):
    with page.expect_navigation():
        page.get_by_role("button", name="Spara planen").click()
    if expected_url:
        assert page.url == expected_url


def test_two_editors_in_two_browsers_merge_and_choose(live_server, browser, browser_world):  # noqa: F811
    world = browser_world
    plan = make_plan(world)
    share_plan(world)  # Sara (social services) may read the school's plan, so she may edit it
    base = live_server.url
    url = base + reverse("casefile:edit_plan", args=[world.sigrid.id, plan.id])
    plan_url = base + reverse("casefile:plan", args=[world.sigrid.id])
    pages = {}
    for name in ("rasmus", "sara"):
        page = browser.new_context(locale="sv-SE").new_page()
        login(page, base, name)
        page.goto(url)
        pages[name] = page
    rasmus, sara = pages["rasmus"], pages["sara"]

    # Both have version 1 open. Rasmus rewrites the reason; Sara adds the guardians' view.
    rasmus.locator('[name="reason"]').fill("Lugn i skolan och hemma")
    save(rasmus, plan_url)
    sara.locator('[name="guardian_view"]').fill("Mamma håller med")
    save(sara, plan_url)
    plan = Plan.objects.get(pk=plan.pk)
    assert plan.reason == "Lugn i skolan och hemma" and plan.guardian_view == "Mamma håller med"

    # Both open version 3 and write the child's view differently: Sara, second, must choose.
    for page in (rasmus, sara):
        page.goto(url)
    rasmus.locator('[name="child_view"]').fill("Jag vill ha rast med en vuxen")
    save(rasmus, plan_url)
    sara.locator('[name="child_view"]').fill("Jag vill sitta nära dörren")
    save(sara)
    summary = sara.locator(".error-summary").first
    assert "Jag vill ha rast med en vuxen" in summary.inner_text()
    assert "Jag vill sitta nära dörren" in summary.inner_text()
    assert not run_axe(sara), "the conflict page"
    # Pressing save again without choosing changes nothing.
    save(sara)
    assert Plan.objects.get(pk=plan.pk).version == 4
    sara.locator('[name="keep-child_view"][value="mine"]').check()
    save(sara, plan_url)
    plan = Plan.objects.get(pk=plan.pk)
    assert plan.version == 5 and plan.child_view == "Jag vill sitta nära dörren"
    assert plan.reason == "Lugn i skolan och hemma" and plan.guardian_view == "Mamma håller med"
