"""Following "Next step" in a real browser (Debian chromium), on a phone-sized screen: from the
activity page after purchase to the claim page, each click lands on the step My Activities names,
and the link is on the first screen of every page, without scrolling."""
from __future__ import annotations

import pytest

from tests.e2e.test_journey import browser, claim_server, fill_evaluation  # noqa: F401  (fixtures)
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

SLUG = "stewardship-webinar"
WIDTH, HEIGHT = 390, 844


def _bought(app):
    from claimserver.db import database
    from claimserver.models import Activity
    from tests import factories as F

    with app.app_context():
        database.connect(reuse_if_open=True)
        who = F.create_learner(email="next.step@example.org")
        order = F.create_order(who, SLUG)
        code = Activity.get(Activity.slug == SLUG).attendance_code
        database.close()
    return order.receipt_number, code


def test_next_step_links_lead_through_the_activity(claim_server, browser):  # noqa: F811
    app, server = claim_server
    receipt, code = _bought(app)
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=1)
    page.set_default_timeout(15000)
    page.goto(f"{server}/login")
    page.fill("#email", "next.step@example.org")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    def my_activities_next() -> str:
        page.goto(f"{server}/my-activities")
        return page.locator("section.card .next-step a.button").first.get_attribute("href")

    def follow(start: str, label: str) -> str:
        """Open `start`, check the Next link is on the first screen, click it; return where it led."""
        expected = my_activities_next()
        page.goto(start)
        link = page.locator(".next-step a.button")
        assert link.count() == 1 and link.inner_text() == label, (start, link.all_inner_texts())
        box = link.bounding_box()
        assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= HEIGHT, (start, box)
        link.click()
        page.wait_for_load_state()
        assert page.url == server + expected, (page.url, expected)
        return expected

    # after purchase, from the receipt and from the activity page: take part
    assert follow(f"{server}/receipts/{receipt}", "Enter attendance code") == f"/activities/{SLUG}/participate"
    assert follow(f"{server}/activities/{SLUG}", "Enter attendance code") == f"/activities/{SLUG}/participate"
    page.fill("#code", code)
    page.click("button:has-text('Record attendance')")
    page.wait_for_selector("text=is recorded")
    assert page.url == f"{server}/activities/{SLUG}/participate"
    assert follow(page.url, "Evaluate the activity") == f"/activities/{SLUG}/evaluation"
    fill_evaluation(page)
    assert follow(page.url, "Claim credit") == f"/activities/{SLUG}/claim"
    assert page.locator(".next-step").inner_text().startswith("Next step: Claim credit, on this page.")
    assert page.locator("#hours").is_visible()
