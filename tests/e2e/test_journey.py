"""A learner's whole journey in a real browser (Debian chromium via Playwright): from the catalogue
site's activity page to a verified certificate.

Two servers run in threads: the claim server (temp SQLite, fixture catalogue, CSRF on, a clock fixed
during the webinar, the Stripe gateway pointed at a local localstripe) and a static server for a
site built by `mkdocs build` with the ce_catalog plugin pointing at the fixture catalogue and at the
claim server. The learner pays in localstripe's Stripe.js stand-in, as in Stripe Elements: the card
goes to the provider, never to the claim server.
"""
from __future__ import annotations

import datetime as dt
import functools
import http.server
import io
import re
import shutil
import threading
from pathlib import Path

import pytest

from tests.localstripe_server import PUBLISHABLE_KEY, SECRET_KEY

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ACTIVITIES = ROOT / "tests" / "fixtures" / "activities"
SLUG = "stewardship-webinar"
PASSWORD = "violet-harbour-tractor-91"
NAME = "Zoë Ångström-Nguyễn"
WEBHOOK_SECRET = "whsec_e2e_journey"

pytestmark = pytest.mark.e2e


def _serve(server) -> threading.Thread:
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    return t


@pytest.fixture
def claim_server(tmp_path, localstripe):
    from werkzeug.serving import make_server

    from claimserver import create_app
    from claimserver.catalog_sync import sync
    from claimserver.cli import upgrade
    from claimserver.clock import FixedClock
    from claimserver.db import database

    app = create_app({"CE_ENV": "testing", "SECRET_KEY": "e2e-secret-key-0123456789abcdefghij",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'e2e.sqlite3'}", "CATALOG_PATH": str(ACTIVITIES),
                      "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"), "WTF_CSRF_ENABLED": True,
                      "PAYMENT_GATEWAY": "stripe", "STRIPE_SECRET_KEY": SECRET_KEY,
                      "STRIPE_PUBLISHABLE_KEY": PUBLISHABLE_KEY, "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
                      "STRIPE_API_BASE": localstripe.url, "STRIPE_JS_URL": localstripe.js_url})
    # 12:45 in New York, during the webinar: attendance codes are accepted, claims are open.
    app.extensions["clock"] = FixedClock(dt.datetime(2027, 3, 12, 17, 45, tzinfo=dt.timezone.utc))
    with app.app_context():
        upgrade()
        sync(str(ACTIVITIES))
    database.close()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config.update(SERVER_URL=url)
    _serve(server)
    localstripe.register_webhook("ceportal-e2e", f"{url}/payments/stripe/webhook", WEBHOOK_SECRET)
    yield app, url
    server.shutdown()
    server.server_close()


@pytest.fixture
def site(tmp_path, claim_server):
    """The catalogue built with the ce_catalog plugin, served statically."""
    _, claim_url = claim_server
    yield from serve_catalogue(tmp_path, ACTIVITIES, claim_url, "2027-03-01", SLUG)


def serve_catalogue(tmp_path, folder, claim_url: str, today: str, slug: str):
    """Build the activity files in `folder` with the ce_catalog plugin into a throw-away site, serve it
    statically, and yield the URL of `slug`'s page (the e2e fixtures of the catalogue share this)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    root = tmp_path / "site-project"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "index.md").write_text("# Catalogue\n")
    (root / "mkdocs.yml").write_text(f"""\
site_name: CE Portal e2e
site_url: http://127.0.0.1/
docs_dir: docs
site_dir: site
theme: {{name: mkdocs}}
plugins:
  - ce_catalog:
      folder: {folder}
      claim_url: {claim_url}
      today: {today}
      checker_warnings: info
""")
    build(load_config(str(root / "mkdocs.yml")))
    out = root / "site"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(out)))
    _serve(server)
    pages = [p for p in out.rglob("index.html") if slug in str(p.parent)]
    assert pages, f"the site has no page for {slug}"
    yield f"http://127.0.0.1:{server.server_port}/{pages[0].parent.relative_to(out).as_posix()}/"
    server.shutdown()
    server.server_close()
    shutil.rmtree(out, ignore_errors=True)


def fill_evaluation(page) -> None:
    """Answer the fixture webinar's evaluation as a satisfied learner would and submit it."""
    page.check("#q0-0")
    for i in range(3):
        page.check(f"#o{i}-0")
    for name in ("relevance", "quality", "satisfaction"):
        page.check(f"#{name}-4")
    page.check("#bias_free-0")
    page.fill("#commitment", "Call blood culture Gram stains to the stewardship team first.")
    page.check("#intends_change-0")
    page.click("button:has-text('Submit evaluation')")
    page.wait_for_selector("text=1 of 1 right")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed at /usr/bin/chromium (apt-get install chromium); "
                    "CI installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield b
        b.close()


def test_from_catalogue_to_verified_certificate(claim_server, site, browser, tmp_path):
    from pypdf import PdfReader

    from claimserver.db import database
    from claimserver.models import Activity

    app, server = claim_server
    page = browser.new_page(accept_downloads=True)
    page.set_default_timeout(15000)

    page.goto(site)
    page.click("a.ce-purchase")
    assert page.url.startswith(f"{server}/activities/{SLUG}")

    page.click("main a[href*='/signup?next=']")
    page.fill("#email", "zoe.e2e@example.org")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Create account')")
    page.wait_for_selector("text=We sent a message to zoe.e2e@example.org.")

    with app.app_context():
        from claimserver.models import Outbox

        [mail] = Outbox.select().where(Outbox.kind == "verify-email")
        database.close()
    link = re.search(r"/verify-email/\S+", mail.body).group(0)
    page.goto(server + link)  # the emailed link confirms the address and logs in

    page.wait_for_url("**/profile**")
    page.fill("#certificate_name", NAME)
    page.fill("#first_name", "Zoë")
    page.fill("#last_name", "Ångström-Nguyễn")
    page.fill("#degree", "MD")
    page.select_option("#profession", "pharmacist")
    assert not page.is_visible("#pars_consent")  # asked only of those whose credit PARS receives
    page.select_option("#profession", "physician")
    page.check("#pars_consent")  # report my AMA credit to ACCME PARS
    page.click("button:has-text('Save profile')")

    page.wait_for_url(f"**/activities/{SLUG}")
    assert page.locator("input[name*=card], input[name*=cvc]").count() == 0  # no card field of ours
    page.click("button:has-text('Pay $25.00')")
    page.wait_for_url("**/payments/*/pay")
    # the Stripe.js stand-in's card element, where Stripe Elements would be
    card = page.locator("#card-element")
    card.locator("input[placeholder=number]").fill("4242424242424242")
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("30")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("20036")
    page.click("#pay-button")
    page.wait_for_url("**/receipts/*")
    assert "Visa ending 4242" in page.content() and "$25.00 USD" in page.content()

    with app.app_context():
        code = Activity.get(Activity.slug == SLUG).attendance_code
        database.close()
    page.goto(f"{server}/activities/{SLUG}/participate")
    page.fill("#code", code)
    page.click("button:has-text('Record attendance')")
    page.wait_for_load_state()

    page.goto(f"{server}/activities/{SLUG}/evaluation")
    fill_evaluation(page)

    page.click("a:has-text('Claim credit')")
    page.fill("#hours", "1.5")
    page.check("#attest")
    page.click("button:has-text('Claim credit')")
    page.wait_for_url("**/certificates/*")
    assert "has claimed" in page.content()

    with page.expect_download() as info:
        page.click("a:has-text('Download PDF')")
    pdf_path = tmp_path / "certificate.pdf"
    info.value.save_as(pdf_path)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf_path.read_bytes())).pages)
    assert NAME in text
    assert "has claimed 1.5 AMA PRA Category 1 Credits™" in text
    with app.app_context():
        from claimserver.models import ReportItem

        assert [i.destination for i in ReportItem.select()] == ["pars"]  # consent given: queued
        database.close()

    verify = page.get_attribute(".verification a", "href")
    assert verify.startswith(f"{server}/verify/")
    page.goto(verify)
    assert page.inner_text(".verify-status").startswith("Valid")
    assert NAME in page.content()


def test_processing_page_turns_into_the_receipt_without_a_reload(claim_server, browser):
    """The learner is back from paying before the bank and Stripe have confirmed (here: 3-D Secure
    still open in the other tab): "Payment processing", then the receipt, with no click."""
    from claimserver.db import database
    from tests.factories import PASSWORD as FACTORY_PASSWORD, create_learner

    app, server = claim_server
    with app.app_context():
        learner = create_learner(email="processing.e2e@example.org")
        database.close()
    context = browser.new_context()
    pay_tab = context.new_page()
    pay_tab.set_default_timeout(15000)
    pay_tab.goto(f"{server}/login")
    pay_tab.fill("#email", learner.email)
    pay_tab.fill("#password", FACTORY_PASSWORD)
    pay_tab.click("main button[type=submit]")
    pay_tab.goto(f"{server}/activities/{SLUG}")
    pay_tab.click("button:has-text('Pay $25.00')")
    pay_tab.wait_for_url("**/payments/*/pay")
    number = pay_tab.url.split("/")[-2]
    card = pay_tab.locator("#card-element")
    for field, value in (("number", "4000002500003155"), ("exp_month", "12"), ("exp_year", "30"),
                         ("cvc", "123"), ("postal_code", "20036")):
        card.locator(f"input[placeholder={field}]").fill(value)
    pay_tab.click("#pay-button")
    pay_tab.wait_for_selector("button:has-text('Complete authentication')")  # the bank's 3-D Secure

    back = context.new_page()
    back.set_default_timeout(20000)
    back.goto(f"{server}/payments/{number}/return")
    assert back.inner_text("h1") == "Payment processing"
    pay_tab.click("button:has-text('Complete authentication')")
    back.wait_for_url(f"**/receipts/{number}")  # the page reloaded itself
    assert "Visa ending 3155" in back.content()
    context.close()
