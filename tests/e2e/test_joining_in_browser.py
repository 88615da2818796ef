"""Joining what you bought, in a real browser (Debian chromium via Playwright): before enrolling, the
activity page says the link comes after purchase and the page holds no trace of it; after the free
enrolment, My Activities shows the join link as a link the learner can click, with the dial-in.

The claim server runs in a thread on SQLite with CSRF on and the fixture catalogue, the free
teleconference given join details; the clock stands a week before the session.
"""
from __future__ import annotations

import datetime as dt
import shutil

import pytest

from tests.e2e.test_journey import _serve, browser  # noqa: F401  (fixture)
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

FREE = "free-teleconference-tb"
SECRET = "https://meet.example.org/j/free-tb-browser"
DIAL_IN = "+1 555 0100, code 7781"


@pytest.fixture
def server(tmp_path):
    from werkzeug.serving import make_server

    from claimserver import create_app
    from claimserver.catalog_sync import sync
    from claimserver.cli import upgrade
    from claimserver.clock import FixedClock
    from claimserver.db import database
    from tests import factories as F
    from tests.conftest import ACTIVITIES

    acts = tmp_path / "acts"
    shutil.copytree(ACTIVITIES, acts)
    path = acts / f"{FREE}.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "location: Teleconference\n",
        f'location: Teleconference\njoin:\n  url: "{SECRET}"\n  dial_in: "{DIAL_IN}"\n'), encoding="utf-8")
    app = create_app({"CE_ENV": "testing", "SECRET_KEY": "e2e-secret-key-0123456789abcdefghij",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'e2e.sqlite3'}", "CATALOG_PATH": str(acts),
                      "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"), "WTF_CSRF_ENABLED": True})
    app.extensions["clock"] = FixedClock(dt.datetime(2027, 2, 3, 15, 0, tzinfo=dt.timezone.utc))
    with app.app_context():
        upgrade()
        sync(str(acts))
        database.connect(reuse_if_open=True)
        F.create_learner(email="joiner@example.org")
        database.close()
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{httpd.server_port}"
    app.config.update(SERVER_URL=url)
    _serve(httpd)
    yield url
    httpd.shutdown()
    httpd.server_close()


def test_the_join_link_appears_only_after_enrolling(server, browser):  # noqa: F811
    from catalog.site.display import JOIN_AFTER_PURCHASE

    page = browser.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{server}/login")
    page.fill("#email", "joiner@example.org")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    page.goto(f"{server}/activities/{FREE}")
    assert JOIN_AFTER_PURCHASE in page.inner_text("main")
    assert SECRET not in page.content() and "7781" not in page.content()

    page.click("text=Add to My Activities (free)")
    page.wait_for_load_state()
    page.goto(f"{server}/my-activities")
    link = page.locator(f'main a[href="{SECRET}"]')
    assert link.count() == 1 and link.inner_text() == SECRET
    assert DIAL_IN in page.inner_text("main")
    page.goto(f"{server}/activities/{FREE}")
    assert JOIN_AFTER_PURCHASE not in page.inner_text("main")
    assert page.locator(f'main a[href="{SECRET}"]').count() == 1
