"""Staff pages on a 390 px phone (QA): learner search, a learner's page, reports, deadlines and
payments never make the page wider than the screen; their wide tables scroll sideways inside a
labelled, focusable region (`.table-scroll`) instead."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.e2e.test_journey import browser, claim_server  # noqa: F401  (fixtures)
from tests.e2e.test_staff_helps_a_learner import PASSWORD, _log_in

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}

WIDEST = """() => [...document.querySelectorAll('main *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
               && !e.closest('.table-scroll'))
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def _records(app) -> int:
    from claimserver.auth import hash_password
    from claimserver.db import database
    from claimserver.models import Learner, PaymentEvent, ReportItem
    from claimserver.records import operations as ops
    from claimserver.reports import ledger
    from tests.factories import create_claim, create_evaluation, create_order, create_participation

    with app.app_context():
        pw = hash_password(PASSWORD)
        Learner.create(email="staff.phone@example.org", password_hash=pw, first_name="Sam", last_name="Staff",
                       certificate_name="Sam Staff", roles="staff")
        zoe = Learner.create(email="zoe.phone.with.a.long.address@example.org", password_hash=pw,
                             first_name="Zoë", last_name="Ångström", certificate_name="Zoe Angstrom",
                             degree="PharmD", profession="pharmacist", nabp_epid="1234567", birth_mmdd="0315")
        order = create_order(zoe, "stewardship-webinar")
        create_participation(zoe, "stewardship-webinar")
        create_evaluation(zoe, "stewardship-webinar")
        claim = create_claim(zoe, "stewardship-webinar", "acpe")
        ops._issue_certificate(claim, zoe, dt.datetime(2027, 3, 12, 18))
        ledger.record_claim(claim)
        ledger.export("cpe_monitor")
        ledger.mark(ReportItem.get(), "rejected", "ePID not found for this birth date")
        PaymentEvent.create(gateway="stripe", event_id="evt_phone_1", type="charge.dispute.created",
                            reference="pi_3PhoneTestReference000000", order=order, outcome="alert",
                            message="A dispute was opened for this payment")
        database.close()
    return zoe.id


def test_every_staff_page_fits_a_390px_phone(claim_server, browser):  # noqa: F811
    app, server = claim_server
    learner_id = _records(app)
    page = browser.new_context(viewport=PHONE).new_page()
    page.set_default_timeout(15000)
    _log_in(page, server, "staff.phone@example.org")
    pages = {"learner search": "/staff/learners/?q=angstr", "learner page": f"/staff/learners/{learner_id}",
             "reports": "/staff/reports/", "deadlines": "/staff/reports/deadlines", "payments": "/staff/payments"}
    too_wide = {}
    for name, path in pages.items():
        page.goto(server + path)
        assert page.locator("main h1").count() == 1, name
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            too_wide[name] = (width, page.evaluate(WIDEST))
        for region in page.locator(".table-scroll").all():  # each scrolling table can be reached and is named
            assert region.get_attribute("tabindex") == "0" and region.get_attribute("role") == "region", name
            assert region.get_attribute("aria-label"), name
    assert too_wide == {}
