"""The catalogue's Content-Security-Policy in a real browser: the Material theme's own scripts run,
nothing is blocked, and a script smuggled into the article would be refused."""
from __future__ import annotations

import functools
import http.server
import threading

import pytest

from tests.catalog.site_helpers import activity, build_in_process, write_project
from tests.e2e.test_journey import CHROMIUM, QuietHandler

pytestmark = pytest.mark.e2e


@pytest.fixture
def served(tmp_path):
    root = tmp_path / "project"
    write_project(root, {"csp-webinar": activity()})
    out = build_in_process(root)
    page = out / "activities" / "csp-webinar" / "index.html"
    # What the sanitizer would never let through: an inline script inside the article.
    html = page.read_text(encoding="utf-8")
    page.write_text(html.replace('id="description"', 'id="description"><script>window.smuggled = 1</script><span', 1),
                    encoding="utf-8")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/activities/csp-webinar/"
    server.shutdown()
    server.server_close()


def test_theme_scripts_run_and_an_article_script_is_refused(served):
    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed at /usr/bin/chromium (apt-get install chromium); CI installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        page = b.new_page()
        messages = []
        page.on("console", lambda m: messages.append(m.text))
        page.route("https://fonts.googleapis.com/**", lambda route: route.abort())  # no internet here
        page.route("https://fonts.gstatic.com/**", lambda route: route.abort())
        page.goto(served)
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.__md_scope") == "object"  # the theme's inline script ran
        assert page.evaluate("typeof window.smuggled") == "undefined"  # the article's did not
        blocked = [m for m in messages if "Content Security Policy" in m]
        assert len(blocked) == 1 and "inline script" in blocked[0], blocked
        b.close()
