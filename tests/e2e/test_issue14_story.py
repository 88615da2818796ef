"""Issue 14's "done when", as one story in a real browser (Debian chromium via Playwright) with a real
SMTP server (aiosmtpd) receiving what `flask send-mail` sends from the outbox.

A pharmacist, on a phone-sized screen (390×844), signs up, confirms her address from the email, fills
her profile (NABP e-Profile ID and birth MMDD), buys a live webinar through the test payment gateway,
finds the join link in the receipt email (with its calendar file) and on My Activities, records her
attendance during the session, evaluates (the evaluation does not ask the post-test's question again),
claims, corrects the hours and gets the corrected certificate: a new code, the old code's verify page
saying it was superseded by the new one. A staff member, on a desktop screen, finds her by name,
fixes the spelling of her name and reissues; exports CPE Monitor and records NABP's response file
with a rejection; the learner's inbox then holds what to fix and the last day, and My Activities
shows the same. Every learner page is checked to fit 390 pixels.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil

import pytest

from tests.e2e.test_journey import _serve, browser  # noqa: F401  (fixture)
from tests.mailservers import SMTPServer

pytestmark = pytest.mark.e2e

SLUG = "stewardship-webinar"
TITLE = "Antimicrobial Stewardship in the Clinical Laboratory"
JOIN_URL = "https://meet.example.org/j/stewardship-2027"
DIAL_IN = "+1 555 0199, code 4410"
EMAIL = "priya.shah.e2e@example.org"
PASSWORD = "violet-harbour-tractor-91"
STAFF_EMAIL = "sam.staff.e2e@example.org"
TYPED_NAME = "Priya Sha"  # her typo; staff correct it to NAME
NAME = "Priya Shah"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Before the session: buying; during it: attending, evaluating, claiming.
BEFORE = dt.datetime(2027, 3, 1, 15, 0, tzinfo=dt.timezone.utc)
DURING = dt.datetime(2027, 3, 12, 17, 45, tzinfo=dt.timezone.utc)
AFTER = dt.datetime(2027, 3, 20, 15, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def portal(tmp_path, smtp):
    from werkzeug.serving import make_server

    from claimserver import create_app
    from claimserver.auth import hash_password
    from claimserver.catalog_sync import sync
    from claimserver.cli import upgrade
    from claimserver.clock import FixedClock
    from claimserver.db import database
    from claimserver.models import Learner
    from tests.conftest import ACTIVITIES

    acts = tmp_path / "acts"
    shutil.copytree(ACTIVITIES, acts)
    path = acts / f"{SLUG}.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "location: Online\n",
        f'location: Online\njoin:\n  url: "{JOIN_URL}"\n  dial_in: "{DIAL_IN}"\n'
        '  note: "Join five minutes early; the attendance code is given at the end."\n'), encoding="utf-8")
    app = create_app({"CE_ENV": "testing", "SECRET_KEY": "e2e-secret-key-0123456789abcdefghij",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'e2e.sqlite3'}", "CATALOG_PATH": str(acts),
                      "WTF_CSRF_ENABLED": True, "PAYMENT_GATEWAY": "test",
                      "MAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp.port})
    clock = FixedClock(BEFORE)
    app.extensions["clock"] = clock
    with app.app_context():
        upgrade()
        sync(str(acts))
        database.connect(reuse_if_open=True)
        Learner.create(email=STAFF_EMAIL, password_hash=hash_password(PASSWORD), first_name="Sam",
                       last_name="Staff", certificate_name="Sam Staff", roles="staff")
        database.close()
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{httpd.server_port}"
    app.config.update(SERVER_URL=url)
    _serve(httpd)
    yield app, url, clock
    httpd.shutdown()
    httpd.server_close()


def send_mail(app) -> str:
    """What the timer does every minute: `flask send-mail`."""
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    return result.output


def log_in(page, email):
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main button:has-text('Log in')")
    page.wait_for_load_state()


def text_of(msg) -> str:
    return msg.get_body(("plain",)).get_content()


def words(s: str) -> str:
    return " ".join(s.split())


class Visits:
    """Each page the learner sees is checked to fit a 390-pixel screen and to show no server error;
    `on_desktop` opens them again on a desktop screen."""

    def __init__(self, page):
        self.page = page
        self.wide = []
        self.urls = []

    def check(self, label: str):
        page = self.page
        page.wait_for_load_state()
        if page.url not in self.urls and "/payments/test/" not in page.url:
            self.urls.append(page.url)
        assert "Traceback" not in page.content() and "Internal Server Error" not in page.content(), label
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            culprits = page.evaluate("""() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > 390.5)
                .map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '')
                     + ' ' + Math.round(e.getBoundingClientRect().right) + ' ' + (e.innerText || '').slice(0, 40))
                .slice(0, 8)""")
            self.wide.append((label, page.url, width, culprits))

    def on_desktop(self):
        page = self.page
        page.set_viewport_size(DESKTOP)
        for url in self.urls:
            page.goto(url)
            page.wait_for_load_state()
            assert "Traceback" not in page.content(), url
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > DESKTOP["width"]:
                self.wide.append(("desktop", url, width))


def test_issue14_story(portal, smtp, browser, tmp_path):  # noqa: F811, C901
    from pypdf import PdfReader

    app, server, clock = portal
    context = browser.new_context(viewport=PHONE, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    seen = Visits(page)

    # -- She signs up and confirms her address from the email -------------------------------------
    page.goto(f"{server}/activities/{SLUG}")
    seen.check("activity page, logged out")
    page.click("main a[href*='/signup?next=']")
    seen.check("sign up")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Create account')")
    page.wait_for_selector(f"text=We sent a message to {EMAIL}.")
    seen.check("sign up sent")
    send_mail(app)
    [welcome] = smtp.inbox.to(EMAIL)
    link = re.search(r"https?://\S+/verify-email/\S+", text_of(welcome)).group(0)
    page.goto(link)

    # -- Her profile: NABP e-Profile ID and birth month and day ------------------------------------
    page.wait_for_url("**/profile**")
    seen.check("profile")
    page.fill("#certificate_name", TYPED_NAME)
    page.fill("#first_name", "Priya")
    page.fill("#last_name", "Sha")
    page.fill("#degree", "PharmD")
    page.select_option("#profession", "pharmacist")
    page.fill("#nabp_epid", "1234567")
    page.fill("#birth_mmdd", "0412")
    page.click("button:has-text('Save profile')")

    # -- She buys the webinar (test gateway) --------------------------------------------------------
    page.wait_for_url(f"**/activities/{SLUG}")
    seen.check("activity page, logged in")
    from catalog.site.display import JOIN_AFTER_PURCHASE

    main = page.inner_text("main")
    assert JOIN_AFTER_PURCHASE in main and JOIN_URL not in page.content()
    page.click("main button:has-text('Pay $25.00')")
    page.wait_for_url("**/payments/test/*")
    seen.check("test payment page")
    assert "TEST payment page" in page.inner_text("h1")
    page.check("#test-card-1")
    page.click("button:has-text('(test)')")
    page.wait_for_url("**/receipts/*")
    seen.check("receipt")
    receipt_page = page.inner_text("main")
    assert "$25.00 USD" in receipt_page and "Visa ending 4242" in receipt_page
    assert page.locator(f'main a[href="{JOIN_URL}"]').count() == 1  # how to join, where she lands

    # -- The join link in the receipt email, with the calendar file ---------------------------------
    send_mail(app)
    receipts = [m for m in smtp.inbox.to(EMAIL) if m is not welcome]
    assert len(receipts) == 1, [m["Subject"] for m in receipts]
    receipt = receipts[0]
    body = words(text_of(receipt))
    assert TITLE in body and JOIN_URL in body and DIAL_IN in body
    [ics] = [p for p in receipt.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert ics.get_filename().endswith(".ics")
    cal = ics.get_content()
    assert "BEGIN:VEVENT" in cal and "DTSTART:20270312T170000Z" in cal and JOIN_URL in cal.replace("\r\n ", "")

    # -- ... and on My Activities --------------------------------------------------------------------
    page.goto(f"{server}/my-activities")
    seen.check("my activities, bought")
    join = page.locator(f'main a[href="{JOIN_URL}"]')
    assert join.count() == 1 and DIAL_IN in page.inner_text("main")
    # her credit's last day is CPE Monitor's, 60 days after the session, not the claim window's end
    assert words(page.inner_text("main li[data-credit='acpe']")) == (
        "Not claimed yet ACPE contact hours: Up to 1.5, claim by May 11, 2027.")

    # -- She takes part: the attendance code announced during the session ---------------------------
    clock.at = DURING
    with app.app_context():
        from claimserver.db import database
        from claimserver.models import Activity

        code = Activity.get(Activity.slug == SLUG).attendance_code
        database.close()
    page.goto(f"{server}/my-activities")  # eleven days later her session has expired: she logs in
    log_in(page, EMAIL)
    page.wait_for_url("**/my-activities")
    seen.check("my activities, during")
    page.click(f"main a[href$='/activities/{SLUG}/participate']")
    seen.check("participate")
    post_test = "Which result should the laboratory call to the team first?"
    assert post_test not in page.inner_text("main")  # a webinar's attendance is a code, no test
    page.fill("#code", code)
    page.click("button:has-text('Record attendance')")
    page.wait_for_selector("text=is recorded")
    seen.check("attendance recorded")

    # -- The post-test and the evaluation: no question asked twice ----------------------------------
    page.click("main .next-step a")
    page.wait_for_url(f"**/activities/{SLUG}/evaluation")
    seen.check("evaluation")
    # the case question is asked once, as the competence measure; the rest is about the activity
    assert page.inner_text("main").count(post_test) == 1
    _fill_evaluation(page)
    page.click("button:has-text('Submit evaluation')")
    page.wait_for_load_state()
    seen.check("evaluation done")
    assert "1 of 1 right" in page.inner_text("main")

    # -- She claims 1 hour by mistake ... -------------------------------------------------------------
    page.click("main .next-step a")
    page.wait_for_url(f"**/activities/{SLUG}/claim**")
    seen.check("claim")
    page.fill("#hours", "1")
    page.check("#attest")
    page.click("main button:has-text('Claim credit')")
    page.wait_for_url("**/certificates/*")
    seen.check("certificate")
    claim_id = int(page.url.rsplit("/", 1)[-1])
    old_code = page.inner_text(".verification strong")  # "Verification code 12T2-YHXQ-…"
    assert page.get_attribute(".verification a", "href").endswith(f"/verify/{old_code}")

    # -- ... and corrects it to the 1.5 hours she attended ----------------------------------------
    page.click("main a:has-text('Change the hours you claimed')")
    seen.check("correct hours")
    page.fill("#hours", "1.5")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/certificates/{claim_id}")
    seen.check("certificate, corrected")
    flash = words(page.inner_text("main"))
    m = re.search(r"reissued with the code (\S+); the old code (\S+) now shows it was superseded", flash)
    assert m, flash
    new_code = m.group(1)
    assert m.group(2) == old_code and new_code != old_code
    with page.expect_download() as info:
        page.click("a:has-text('Download PDF')")
    pdf = tmp_path / "certificate.pdf"
    info.value.save_as(pdf)
    text = words(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages))
    assert new_code in text and old_code not in text and "has completed 1.5 contact hours" in text
    page.goto(f"{server}/verify/{old_code}")
    seen.check("verify, superseded")
    assert page.inner_text(".verify-status").startswith(
        f"Superseded This certificate was superseded by certificate {new_code}")
    page.click(f"main a[href$='/verify/{new_code}']")
    seen.check("verify, new")
    assert page.inner_text(".verify-status").startswith("Valid")

    page.goto(f"{server}/transcript")
    seen.check("transcript")
    assert new_code in page.content() and old_code not in page.content()

    # -- A staff member finds her by name, fixes the spelling and reissues -------------------------
    staff = browser.new_context(viewport=DESKTOP).new_page()
    staff.set_default_timeout(15000)
    staff.goto(f"{server}/login")
    log_in(staff, STAFF_EMAIL)
    staff.click("nav[aria-label='Staff'] a:has-text('Learners')")
    staff.fill("#q", "priya")
    staff.click("button:has-text('Find')")
    assert staff.inner_text("#result-count") == "1–1 of 1 learner matching “priya”"
    staff.click(f"a:has-text('{TYPED_NAME}')")
    staff.fill("form[id^='reissue-'] input[name='name']", NAME)
    staff.fill("form[id^='reissue-'] textarea[name='reason']", "Spelling: the learner's surname is Shah")
    staff.click("button:has-text('Reissue certificate')")
    staff.wait_for_selector(".flash-success")
    flash = staff.inner_text(".flash-success")
    assert flash.endswith(f"issued to {NAME}; {new_code} now says it was superseded."), flash
    third_code = flash.split()[1]
    staff.goto(f"{server}/verify/{new_code}")
    assert staff.inner_text(".verify-status").startswith(
        f"Superseded This certificate was superseded by certificate {third_code}")
    staff.goto(f"{server}/verify/{old_code}")  # her first code names the current one too
    assert staff.inner_text(".verify-status").endswith(
        f"That one was reissued in turn: the current certificate is {third_code}, issued on March 12, 2027.")

    page.goto(f"{server}/certificates/{claim_id}")
    seen.check("certificate, reissued by staff")
    with page.expect_download() as info:
        page.click("a:has-text('Download PDF')")
    info.value.save_as(pdf)
    text = words(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages))
    assert NAME in text and third_code in text

    # -- Staff export CPE Monitor and record NABP's response: rejected -----------------------------
    clock.at = AFTER
    staff.goto(f"{server}/staff/reports/")  # a week later: she logs in again
    log_in(staff, STAFF_EMAIL)
    staff.wait_for_url("**/staff/reports/")
    staff.select_option("#destination", "cpe_monitor")
    staff.click("main button:has-text('Export')")
    staff.wait_for_load_state()
    with staff.expect_download() as info:
        staff.click("main a[href*='/staff/reports/batches/']")
    exported = tmp_path / "cpe.csv"
    info.value.save_as(exported)
    rows = exported.read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 2 and "1234567" in rows[1]
    response = tmp_path / "cpe-response.csv"
    response.write_text(rows[0] + ",Status,Message\r\n" + rows[1] + ",rejected,ePID not found\r\n",
                        encoding="utf-8")
    staff.goto(f"{server}/staff/reports/results")
    staff.select_option("#destination", "cpe_monitor")
    staff.set_input_files("#file", str(response))
    staff.click("main button[type=submit]")
    staff.wait_for_selector(".flash-success")
    assert "1 rejected" in staff.inner_text(".flash-success")

    # -- The rejection reaches her inbox with what to fix and the last day --------------------------
    send_mail(app)
    [alert] = [m for m in smtp.inbox.to(EMAIL) if m["Subject"].startswith("Action needed")]
    assert alert["Subject"] == "Action needed: we could not report your ACPE contact hours to CPE Monitor"
    alert_text = words(text_of(alert))
    assert "ePID not found" in alert_text and "NABP e-Profile ID" in alert_text
    assert "May 11, 2027" in alert_text and f"{server}/profile" in alert_text
    page.goto(f"{server}/my-activities")
    if "/login" in page.url:  # a week later she logs in again
        log_in(page, EMAIL)
    seen.check("my activities, at risk")
    banner = words(page.inner_text(".at-risk"))
    assert "May 11, 2027" in banner and "ePID not found" in banner
    assert "Rejected ACPE contact hours" in words(page.inner_text("main li[data-credit='acpe']"))

    # -- She follows the email's link, corrects her NABP e-Profile ID: the credit is queued again ---
    page.goto(re.search(r"https?://\S+/profile", alert_text).group(0))
    seen.check("profile, from the email")
    page.fill("#nabp_epid", "1234576")
    page.click("button:has-text('Save profile')")
    page.wait_for_selector(".flash-success")
    assert "NABP e-Profile ID" in page.inner_text(".flash-success")  # what was changed
    page.goto(f"{server}/my-activities")
    seen.check("my activities, corrected")
    assert page.locator(".at-risk").count() == 0
    assert "to be reported to CPE Monitor by May 11, 2027" in words(page.inner_text("main li[data-credit='acpe']"))

    # -- The same pages on a desktop screen -------------------------------------------------------
    seen.on_desktop()
    assert seen.wide == [], seen.wide
    context.close()


def _fill_evaluation(page):
    """Answer every question the evaluation asks: each radio group's first choice, each text box."""
    for name in page.eval_on_selector_all("main form input[type=radio]",
                                          "els => [...new Set(els.map(e => e.name))]"):
        page.check(f"main form input[type=radio][name='{name}'] >> nth=0")
    for box in page.locator("main form textarea").all():
        box.fill("Call blood culture Gram stains to the stewardship team first.")
