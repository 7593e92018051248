"""The records pages in a real browser: no WCAG 2.1 A/AA violations (axe-core).

With BACKA_WRITE_AXE_RESULTS=1 the run writes backa/records/axe_results.json (day, pages,
violation count), which the accessibility statement shows under "How we tested the service".
"""

import json
import os
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from backa.accounts.models import PositionKind
from backa.forums.tests.test_accessibility import (
    AXE_OPTIONS,
    browser,
    insecure_cookies,
    page_with,
    session_cookie,
    violations,
)
from backa.records.holds import do_place_hold
from backa.records.models import HoldReason, RetentionRule
from backa.records.rules import ensure_default_rules
from backa.records.views import AXE_RESULTS
from backa.testing import build_world, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["insecure_cookies"]


def test_the_records_pages_have_no_wcag_a_or_aa_violations(insecure_cookies, live_server):
    world = build_world()
    archivist, _position = make_user(
        "arkiv", "Arne", "Arkivarie", world.units["admin"], PositionKind.ARCHIVE_ADMIN, "Arkivansvarig"
    )
    ensure_default_rules(world.municipality)
    do_place_hold(
        acting_user=archivist,
        municipality=world.municipality,
        child=world.sigrid,
        reason=HoldReason.COMPLAINT,
        reference="Dnr 1",
        owner=archivist,
        ends_on=timezone.localdate() + timedelta(days=30),
    )
    rule = RetentionRule.objects.filter(municipality=world.municipality).first()
    pages = [
        reverse("records:rules"),
        reverse("records:rule", args=[rule.pk]),
        reverse("records:holds"),
        reverse("records:purges"),
        reverse("records:ropa"),
    ]
    public = [reverse("records:privacy"), reverse("records:accessibility")]
    names = {reverse("records:rule", args=[rule.pk]): "/arkiv/regler/<rule_id>/"}
    cookie = session_cookie(live_server, archivist)
    base = live_server.url
    found = {}
    with browser() as chromium:
        page = page_with(chromium, cookie)
        for url in pages + public:
            found[url] = violations(page, base + url)
        # The feedback form with errors.
        page.goto(base + reverse("records:accessibility"))
        page.locator("main button.primary").click()
        page.wait_for_load_state()
        assert page.locator(".error-summary").count() == 1
        from axe_playwright_python.sync_playwright import Axe

        result = Axe().run(page, options=AXE_OPTIONS)
        found["feedback with errors"] = [v["id"] for v in result.response["violations"]]
    if os.environ.get("BACKA_WRITE_AXE_RESULTS") == "1":
        AXE_RESULTS.write_text(
            json.dumps(
                {
                    "tested_on": timezone.localdate().isoformat(),
                    "pages": sorted(names.get(url, url) for url in found),
                    "violations": sum(len(v) for v in found.values()),
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
    assert {url: v for url, v in found.items() if v} == {}
