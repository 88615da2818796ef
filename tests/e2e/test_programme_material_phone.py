"""The sample meeting's catalogue page as the Material theme shows it, on a 390 × 844 phone and on a
desktop: the programme search hides the sessions that do not match (the theme's `details` styling
must not bring them back), the count says "1 session", and the disclosures table never widens the page."""
from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

from tests.catalog.site_helpers import build_in_process, write_project
from tests.e2e.test_journey import CHROMIUM, QuietHandler

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SLUG = "asm-clinical-microbiology-meeting-2027"


@pytest.fixture
def served(tmp_path):
    root = tmp_path / "project"
    src = ROOT / "catalog" / "activities"
    write_project(root, {SLUG: (src / f"{SLUG}.md").read_text(encoding="utf-8")})
    shutil.copy(src / f"{SLUG}.sessions.csv", root / "activities")
    out = build_in_process(root)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/activities/{SLUG}/"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("width, height", [(390, 844), (1280, 900)])
def test_programme_search_and_width(served, width, height):
    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed at /usr/bin/chromium (apt-get install chromium); CI installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        page = b.new_page(viewport={"width": width, "height": height})
        page.route("https://fonts.googleapis.com/**", lambda route: route.abort())  # no internet here
        page.route("https://fonts.gstatic.com/**", lambda route: route.abort())
        page.goto(served)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.inner_text("#ce-programme-count") == "45 sessions"
        page.fill("#ce-programme-search", "aspergillosis")
        assert page.inner_text("#ce-programme-count") == "1 session"
        visible = page.locator("details.ce-session:visible")
        assert visible.count() == 1 and visible.get_attribute("id") == "session-myp-13"
        page.fill("#ce-programme-search", "")
        assert page.locator("details.ce-session:visible").count() == 45
        page.click("#session-bac-11 summary")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        b.close()
