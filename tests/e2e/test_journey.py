"""A learner's whole journey in a real browser (Debian chromium via Playwright): from the catalogue
site's activity page to a verified certificate.

Two servers run in threads: the claim server (temp SQLite, fixture catalogue, CSRF on, a clock fixed
during the webinar) and a static server for a site built by `mkdocs build` with the ce_catalog
plugin pointing at the fixture catalogue and at the claim server.
"""
from __future__ import annotations

import datetime as dt
import functools
import http.server
import io
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ACTIVITIES = ROOT / "tests" / "fixtures" / "activities"
SLUG = "stewardship-webinar"
PASSWORD = "violet-harbour-tractor-91"
NAME = "Zoë Ångström-Nguyễn"

pytestmark = pytest.mark.e2e


def _serve(server) -> threading.Thread:
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    return t


@pytest.fixture
def claim_server(tmp_path):
    from werkzeug.serving import make_server

    from claimserver import create_app
    from claimserver.catalog_sync import sync
    from claimserver.cli import upgrade
    from claimserver.clock import FixedClock
    from claimserver.db import database

    app = create_app({"CE_ENV": "testing", "SECRET_KEY": "e2e-secret-key-0123456789abcdefghij",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'e2e.sqlite3'}", "CATALOG_PATH": str(ACTIVITIES),
                      "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"), "WTF_CSRF_ENABLED": True})
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
    yield app, url
    server.shutdown()
    server.server_close()


@pytest.fixture
def site(tmp_path, claim_server):
    """The catalogue built with the ce_catalog plugin, served statically."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    _, claim_url = claim_server
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
      folder: {ACTIVITIES}
      claim_url: {claim_url}
      today: 2027-03-01
      checker_warnings: info
""")
    build(load_config(str(root / "mkdocs.yml")))
    out = root / "site"
    handler = functools.partial(QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    _serve(server)
    pages = [p for p in out.rglob("index.html") if SLUG in str(p.parent)]
    assert pages, "the site has no page for the fixture webinar"
    yield f"http://127.0.0.1:{server.server_port}/{pages[0].parent.relative_to(out).as_posix()}/"
    server.shutdown()
    server.server_close()
    shutil.rmtree(out, ignore_errors=True)


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
    page.fill("#number", "4242 4242 4242 4242")
    page.fill("#expiry", "12/29")
    page.fill("#cvc", "123")
    page.click("button:has-text('Pay')")
    page.wait_for_load_state()
    assert "Receipt" in page.content() or "receipt" in page.url

    with app.app_context():
        code = Activity.get(Activity.slug == SLUG).attendance_code
        database.close()
    page.goto(f"{server}/activities/{SLUG}/participate")
    page.fill("#code", code)
    page.click("button:has-text('Record attendance')")
    page.wait_for_load_state()

    page.goto(f"{server}/activities/{SLUG}/evaluation")
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
