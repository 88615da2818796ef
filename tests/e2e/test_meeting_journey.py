"""A meeting in a real browser (Debian chromium via Playwright): search the programme on the
catalogue page, buy the meeting's CE, enter codes for four sessions (one overlapping another),
evaluate them and the meeting, claim once, and read the certificate's list of sessions."""
from __future__ import annotations

import re

import datetime as dt
import io
from pathlib import Path

import pytest

from tests.e2e.test_journey import CHROMIUM, _serve, browser, serve_catalogue  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
MEETINGS = ROOT / "tests" / "fixtures" / "meetings"
SLUG = "test-meeting-2027"
PASSWORD = "violet-harbour-tractor-91"

pytestmark = pytest.mark.e2e


@pytest.fixture
def meeting_server(tmp_path):
    from werkzeug.serving import make_server

    from claimserver import create_app
    from claimserver.catalog_sync import sync
    from claimserver.cli import upgrade
    from claimserver.clock import FixedClock
    from claimserver.db import database

    app = create_app({"CE_ENV": "testing", "SECRET_KEY": "e2e-secret-key-0123456789abcdefghij",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'e2e.sqlite3'}", "CATALOG_PATH": str(MEETINGS),
                      "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"), "WTF_CSRF_ENABLED": True})
    # 6 PM in Boston on the meeting's day: every session has started, claims are open.
    app.extensions["clock"] = FixedClock(dt.datetime(2027, 9, 14, 22, 0, tzinfo=dt.timezone.utc))
    with app.app_context():
        upgrade()
        sync(str(MEETINGS))
    database.close()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config.update(SERVER_URL=url)
    _serve(server)
    yield app, url
    server.shutdown()
    server.server_close()


@pytest.fixture
def meeting_site(tmp_path, meeting_server):
    _, claim_url = meeting_server
    yield from serve_catalogue(tmp_path, MEETINGS, claim_url, "2027-09-01", SLUG)


def test_programme_search_then_a_claim_with_several_sessions(meeting_server, meeting_site, browser, tmp_path):
    from pypdf import PdfReader

    from claimserver.db import database
    from claimserver.meetings.operations import session_code
    from claimserver.models import Activity

    app, server = meeting_server
    page = browser.new_page(accept_downloads=True)
    page.set_default_timeout(15000)

    page.goto(meeting_site)
    assert page.locator("details.ce-session").count() == 4
    page.fill("#ce-programme-search", "galactomannan")
    assert page.inner_text("#ce-programme-count") == "1 session"
    assert page.locator("details.ce-session:visible").count() == 1
    page.click("#session-c summary")
    assert "Identify moulds" in page.inner_text("#session-c")
    page.fill("#ce-programme-search", "")
    assert page.locator("details.ce-session:visible").count() == 4

    page.click("a.ce-purchase")
    page.click("main a[href*='/signup?next=']")
    page.fill("#email", "meeting.e2e@example.org")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Create account')")
    page.wait_for_selector("text=We sent a message to meeting.e2e@example.org.")
    with app.app_context():
        from claimserver.models import Outbox

        [mail] = Outbox.select().where(Outbox.kind == "verify-email")
        database.close()
    page.goto(server + re.search(r"/verify-email/\S+", mail.body).group(0))  # confirms and logs in
    page.wait_for_url("**/profile**")
    page.fill("#certificate_name", "Ada Meeting")
    page.fill("#first_name", "Ada")
    page.fill("#last_name", "Meeting")
    page.fill("#degree", "MD")
    page.select_option("#profession", "physician")
    page.click("button:has-text('Save profile')")
    page.wait_for_url(f"**/activities/{SLUG}")
    page.click("main form button:has-text('Pay')")  # to the test gateway's payment page
    page.check("input[name=test_card][value='4242424242424242']")
    page.click("button:has-text('(test)')")
    page.wait_for_url("**/receipts/**")

    with app.app_context():
        row = Activity.get(Activity.slug == SLUG)
        codes = {sid: session_code(row, sid) for sid in "ABCD"}
        database.close()
    page.goto(f"{server}/meetings/{SLUG}")
    for sid in "ABCD":
        page.fill(f"#s-{sid} input[name=code]", codes[sid])
        page.click(f"#s-{sid} button:has-text('Record')")
        page.wait_for_load_state()
        if sid == "B":
            assert "overlaps session B" in page.inner_text(".flash-error")
        else:
            assert f"Your attendance at session {sid} is recorded" in page.inner_text(".flash-success")
    for sid in "ACD":
        page.select_option(f"#s-{sid} select[name=quality]", "4")
        page.click(f"#s-{sid} button:has-text('Submit evaluation')")
        page.wait_for_load_state()
        assert f"your evaluation of session {sid} is recorded" in page.inner_text(".flash-success")
    assert "Attended" not in page.inner_text("#s-B")

    page.click("a:has-text('Evaluate the meeting')")
    page.check("#o0-0")
    for name in ("relevance", "quality", "satisfaction"):
        page.check(f"#{name}-4")
    page.check("#bias_free-0")
    page.fill("#commitment", "Add galactomannan to the transplant panel.")
    page.check("#intends_change-0")
    page.click("button:has-text('Submit evaluation')")
    page.wait_for_load_state()

    page.goto(f"{server}/activities/{SLUG}/claim")
    assert "up to 3 AMA PRA Category 1 Credits™" in page.content()  # 1 + 1.5 + 1, capped at 3
    page.fill("#hours", "3")
    page.check("#attest")
    page.click("button:has-text('Claim credit')")
    page.wait_for_url("**/certificates/*")
    with page.expect_download() as info:
        page.click("a:has-text('Download PDF')")
    path = tmp_path / "certificate.pdf"
    info.value.save_as(path)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(path.read_bytes())).pages)
    assert "has claimed 3 AMA PRA Category 1 Credits™" in text
    for line in ("A Blood cultures 1 AMA PRA Category 1 Credit™", "C Fungi 1.5 AMA PRA Category 1 Credits™",
                 "D Parasites 1 AMA PRA Category 1 Credit™"):
        assert line in text
    assert "Stewardship" not in text.split("Sessions attended")[1]
