"""A meeting's programme on the claim server on a phone (390×844, Debian chromium): each session is a
card of labelled lines, so entering a code, reading the overlap refusal and evaluating a session
never scroll the page sideways (the four-column table was 541–589 px wide)."""
from __future__ import annotations

import pytest

from tests.e2e.test_journey import browser  # noqa: F401  (fixture)
from tests.e2e.test_meeting_journey import SLUG, meeting_server  # noqa: F401  (fixture)
from tests.e2e.test_meeting_selection_phone import _fits
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


def test_the_programme_fits_a_phone_while_codes_are_entered(meeting_server, browser):  # noqa: F811
    from claimserver.db import database
    from claimserver.meetings.operations import session_code
    from claimserver.models import Activity
    from tests import factories as F

    app, server = meeting_server
    with app.app_context():
        database.connect(reuse_if_open=True)
        who = F.create_learner(email="phone.codes@example.org")
        F.create_order(who, SLUG)
        row = Activity.get(Activity.slug == SLUG)
        codes = {sid: session_code(row, sid) for sid in "AB"}
        database.close()
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    page.set_default_timeout(15000)
    page.goto(f"{server}/login")
    page.fill("#email", "phone.codes@example.org")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{server}/meetings/{SLUG}")
    assert _fits(page)["wide"] == []
    for sid in "AB":
        page.fill(f"#s-{sid} input[name=code]", codes[sid])
        page.click(f"#s-{sid} button:has-text('Record')")
        page.wait_for_load_state()
        assert _fits(page)["wide"] == [], sid
    assert "overlaps session B" in page.inner_text(".flash-error")
    assert page.evaluate("getComputedStyle(document.querySelector('#s-A')).display") == "block"  # a card
    label = "getComputedStyle(document.querySelector('#s-A td:last-child'), '::before').content"
    assert page.evaluate(label) == '"Your attendance: "' 
    page.click("#s-A button:has-text('Submit evaluation')")
    page.wait_for_load_state()
    assert _fits(page)["wide"] == []
    page.close()


def test_a_convener_reads_the_session_codes_on_a_phone(meeting_server, browser):  # noqa: F811
    from claimserver.db import database
    from tests import factories as F

    app, server = meeting_server
    with app.app_context():
        database.connect(reuse_if_open=True)
        F.create_learner(email="convener.phone@example.org", roles="staff")
        database.close()
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    page.set_default_timeout(15000)
    page.goto(f"{server}/login")
    page.fill("#email", "convener.phone@example.org")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{server}/staff/meetings/{SLUG}/codes")
    assert page.locator("main table code").count() == 4
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the table scrolls in its box
    page.close()
