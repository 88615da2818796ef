"""A staff member, in a real browser, finds a learner by her name typed without accents, corrects
the spelling of her name and reissues her certificate; the old code then verifies as superseded
and the learner's certificate PDF prints the corrected name (issue 14's "done when")."""
from __future__ import annotations

import datetime as dt
import io

import pytest

from tests.e2e.test_journey import browser, claim_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.e2e
PASSWORD = "violet-harbour-tractor-91"


def _people(app):
    from claimserver.auth import hash_password
    from claimserver.db import database
    from claimserver.models import Learner
    from claimserver.records import operations as ops
    from tests.factories import create_claim

    with app.app_context():
        pw = hash_password(PASSWORD)
        Learner.create(email="staff.e2e@example.org", password_hash=pw, first_name="Sam", last_name="Staff",
                       certificate_name="Sam Staff", roles="staff")
        zoe = Learner.create(email="zoe.e2e@example.org", password_hash=pw, first_name="Zoë",
                             last_name="Ångström", certificate_name="Zoe Angstrom", degree="PharmD",
                             profession="pharmacist", nabp_epid="1234567", birth_mmdd="0315")
        claim = create_claim(zoe, "stewardship-webinar", "acpe")
        code = ops._issue_certificate(claim, zoe, dt.datetime(2027, 3, 12, 18)).code
        database.close()
    return code, claim.id


def _log_in(page, server, email):
    page.goto(f"{server}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_load_state()


def test_staff_find_her_by_name_fix_the_spelling_and_reissue(claim_server, browser, tmp_path):  # noqa: F811
    from pypdf import PdfReader

    app, server = claim_server
    old_code, claim_id = _people(app)

    staff = browser.new_context().new_page()
    staff.set_default_timeout(15000)
    _log_in(staff, server, "staff.e2e@example.org")
    staff.click("nav[aria-label='Staff'] a:has-text('Learners')")
    staff.fill("#q", "angstr")
    staff.click("button:has-text('Find')")
    assert staff.inner_text("#result-count") == "1–1 of 1 learner matching “angstr”"
    staff.click("a:has-text('Zoe Angstrom')")
    staff.fill("form[id^='reissue-'] input[name='name']", "Zoë Ångström")
    staff.fill("form[id^='reissue-'] textarea[name='reason']", "Spelling: the learner's name has accents")
    staff.click("button:has-text('Reissue certificate')")
    staff.wait_for_selector(".flash-success")
    flash = staff.inner_text(".flash-success")
    assert flash.endswith(f"issued to Zoë Ångström; {old_code} now says it was superseded.")
    new_code = flash.split()[1]

    staff.goto(f"{server}/verify/{old_code}")
    assert staff.inner_text(".verify-status").startswith(f"Superseded This certificate was superseded by certificate {new_code}")

    learner = browser.new_context(accept_downloads=True).new_page()
    learner.set_default_timeout(15000)
    _log_in(learner, server, "zoe.e2e@example.org")
    learner.goto(f"{server}/certificates/{claim_id}")
    with learner.expect_download() as info:
        learner.click("a:has-text('Download PDF')")
    path = tmp_path / "certificate.pdf"
    info.value.save_as(path)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(path.read_bytes())).pages)
    assert "Zoë Ångström" in text and f"Verification code: {new_code}" in text and old_code not in text
