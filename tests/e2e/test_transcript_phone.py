"""The transcript on a phone (390×844 CSS pixels) in Debian chromium: every claim's row, its
reporting state and the credit still to claim fit the screen; the page body never scrolls sideways.

The screenshot is kept in the test's temporary folder (transcript-390.png) for a person to look at.
"""
from __future__ import annotations

import datetime as dt

import pytest

from tests.e2e.test_journey import browser, claim_server  # noqa: F401  (fixtures)
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

#: Long, unbreakable words are what overflow a phone: a real name and a long title.
NAME = "Maximiliana Oyelaran-Wojciechowska"


def _learner_with_claims(app):
    from claimserver.db import database
    from claimserver.models import Certificate
    from claimserver.records.operations import new_code
    from claimserver.reports import ledger
    from tests import factories as F

    with app.app_context():
        database.connect(reuse_if_open=True)
        who = F.create_learner(email="phone@example.org", certificate_name=NAME, first_name="Maximiliana",
                               last_name="Oyelaran-Wojciechowska", profession="laboratory-professional",
                               california_licence="CLS-1234567890", florida_licence="CH-98765")
        F.create_order(who, "stewardship-webinar")
        F.create_participation(who, "stewardship-webinar")
        F.create_evaluation(who, "stewardship-webinar")
        for key in ("pace", "florida"):
            claim = F.create_claim(who, "stewardship-webinar", key)
            Certificate.create(claim=claim, code=new_code(), name=NAME)
            ledger.record_claim(claim)
        database.close()
    return who


def test_the_transcript_fits_a_390_pixel_screen(claim_server, browser, tmp_path):  # noqa: F811
    app, server = claim_server
    _learner_with_claims(app)
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    page.set_default_timeout(15000)
    page.goto(f"{server}/login")
    page.fill("#email", "phone@example.org")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{server}/transcript")
    page.screenshot(path=str(tmp_path / "transcript-390.png"), full_page=True)
    widths = page.evaluate("""() => ({
        doc: document.documentElement.scrollWidth, body: document.body.scrollWidth,
        view: document.documentElement.clientWidth,
        wide: [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right >
              document.documentElement.clientWidth + 0.5).map(e => e.tagName + '.' + e.className).slice(0, 5)})""")
    assert widths["doc"] <= widths["view"] and widths["body"] <= widths["view"], widths
    assert widths["wide"] == [], widths
    text = page.inner_text("main")
    for shown in ("Antimicrobial Stewardship in the Clinical Laboratory", "P.A.C.E.® (laboratory)",
                  "Florida (CE Broker)", "March 12, 2027", "To be reported to CE Broker by April 11, 2027",
                  "Credit not claimed yet", "California CLS continuing education: Up to 1.5"):
        assert shown in text
