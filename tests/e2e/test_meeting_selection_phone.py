"""A physician on a phone (390×844 CSS pixels, Debian chromium) selects the meeting sessions they
attended: an overlapping pair is refused naming both, with both sessions marked and the selection
kept; after unticking one, the sessions are recorded. Then, with a claim made, the transcript shows
the meeting with its sessions and still fits the screen (no sideways scroll)."""
from __future__ import annotations

import pytest

from tests.e2e.test_journey import browser  # noqa: F401  (fixture)
from tests.e2e.test_meeting_journey import SLUG, meeting_server  # noqa: F401  (fixture)
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

NAME = "Maximiliana Oyelaran-Wojciechowska"


def _fits(page) -> dict:
    return page.evaluate("""() => ({
        doc: document.documentElement.scrollWidth, view: document.documentElement.clientWidth,
        wide: [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right >
              document.documentElement.clientWidth + 0.5).map(e => e.tagName + '.' + e.className).slice(0, 5)})""")


def test_select_sessions_then_the_transcript_shows_them_on_a_phone(meeting_server, browser, tmp_path):  # noqa: F811
    from claimserver.db import database
    from tests import factories as F

    app, server = meeting_server
    with app.app_context():
        database.connect(reuse_if_open=True)
        who = F.create_learner(email="phone.meeting@example.org", certificate_name=NAME)
        F.create_order(who, SLUG)
        database.close()
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    page.set_default_timeout(15000)
    page.goto(f"{server}/login")
    page.fill("#email", "phone.meeting@example.org")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    page.goto(f"{server}/meetings/{SLUG}")
    page.click("a:has-text('select the sessions you attended')")
    for sid in "ABC":
        page.check(f"#s-{sid} input[name=session]")
    page.check("input[name=attest]")
    page.click("button:has-text('Record the selected sessions')")
    page.wait_for_load_state()
    error = page.inner_text("#selection-error")
    assert "Sessions A, “Blood cultures”" in error and "and B, “Stewardship”" in error and "overlap" in error
    assert page.locator(".ce-attend-session.has-error").count() == 2
    assert page.is_checked("#s-C input[name=session]")  # the selection comes back as sent
    assert _fits(page)["wide"] == []
    page.uncheck("#s-B input[name=session]")
    page.check("#s-D input[name=session]")
    page.check("input[name=attest]")
    page.click("button:has-text('Record the selected sessions')")
    page.wait_for_load_state()
    assert "Your attendance at sessions A, C, D is recorded" in page.inner_text(".flash-success")

    for sid in "ACD":
        page.click(f"#s-{sid} button:has-text('Submit evaluation')")
        page.wait_for_load_state()
    with app.app_context():
        database.connect(reuse_if_open=True)
        F.create_evaluation(who, SLUG)
        database.close()
    page.goto(f"{server}/activities/{SLUG}/claim")
    page.fill("#hours", "3")
    page.check("#attest")
    page.click("button:has-text('Claim credit')")
    page.wait_for_url("**/certificates/*")

    page.goto(f"{server}/transcript")
    page.click(".ce-transcript-sessions summary")
    page.screenshot(path=str(tmp_path / "transcript-meeting-390.png"), full_page=True)
    text = page.inner_text("main")
    for shown in ("Test Annual Meeting 2027", "3 sessions", "A Blood cultures · 1", "C Fungi · 1.5",
                  "D Parasites · 1"):
        assert shown in text, shown
    widths = _fits(page)
    assert widths["doc"] <= widths["view"] and widths["wide"] == [], widths
