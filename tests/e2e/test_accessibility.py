"""WCAG 2.1 AA on every learner page, checked by axe-core in the real browser (Debian chromium).

The catalogue is the repository's own site (`mkdocs.yml`, the real activity files) built with
`mkdocs build --strict`; the claim server runs in a thread with the fixture catalogue, CSRF on and
the test payment gateway, and a learner walks through it in the browser: sign up, confirm, profile
(with and without errors), purchase, participate, post-test and evaluation, claim (with an error),
certificate, transcript, verify, and the error pages. axe runs on each page with the WCAG 2.0/2.1
A and AA rules; each page must have no violation. Per page, the number of rules passed and of
violations is printed (`pytest -s` shows it) and collected into a summary at the end of the session
(tests/conftest.py). Beyond axe, the keyboard: the first Tab reaches "Skip to content", which lands
on the content; the focus ring is 2px or more at 3:1 against the page; a form sent back with
errors puts the focus on its error summary, whose links take the focus to each field in error.
"""
from __future__ import annotations

import datetime as dt
import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.test_journey import CHROMIUM, QuietHandler, _serve, fill_evaluation
from tests.e2e.test_meeting_journey import meeting_server  # noqa: F401  (a fixture)

ROOT = Path(__file__).resolve().parents[2]
ACTIVITIES = ROOT / "tests" / "fixtures" / "activities"
SLUG = "stewardship-webinar"
PASSWORD = "violet-harbour-tractor-91"
#: axe-core's tags for the success criteria of WCAG 2.0 and 2.1, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("accessibility")]


# --- axe and the keyboard checks -------------------------------------------------------------------

@pytest.fixture
def audit(record_property):
    """audit(page, name) runs axe on the page as shown and returns its violations as readable lines;
    the counts are printed and recorded for the session's summary."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def run(page, name: str) -> list[str]:
        page.wait_for_load_state("load")
        result = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                        "resultTypes": ["violations"]}).response
        passed, violations = len(result["passes"]), result["violations"]
        print(f"axe {name}: {passed} rules passed, {len(violations)} violations")
        record_property("axe", (name, passed, len(violations)))
        assert passed > 10, f"{name}: axe ran only {passed} rules: did it see the page?"
        return [f"{name} ({page.url}): {v['id']} [{v['impact']}] {v['help']}: "
                + "; ".join(" ".join(n["target"]) + " " + n["failureSummary"].replace("\n", " ")
                            for n in v["nodes"][:5])
                for v in violations]
    return run


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


#: The focused element's outline and the first opaque background behind it (its container's).
FOCUS_STYLE = """() => {
  const el = document.activeElement, s = getComputedStyle(el);
  let bg = null;
  for (let n = el.parentElement; n; n = n.parentElement) {
    const c = getComputedStyle(n).backgroundColor;
    if (c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { bg = c; break; }
  }
  return {text: el.textContent.trim(), style: s.outlineStyle, width: parseFloat(s.outlineWidth),
          color: s.outlineColor, background: bg || 'rgb(255, 255, 255)'};
}"""


def _rgb(css: str) -> tuple[float, float, float]:
    r, g, b = (float(x) for x in re.findall(r"[\d.]+", css)[:3])
    return r, g, b


def assert_focus_ring(page, where: str) -> None:
    ring = page.evaluate(FOCUS_STYLE)
    assert ring["style"] not in ("none", "hidden") and ring["width"] >= 2, f"{where}: no 2px focus ring: {ring}"
    ratio = contrast(_rgb(ring["color"]), _rgb(ring["background"]))
    assert ratio >= 3, f"{where}: the focus ring on {ring['text']!r} has {ratio:.2f}:1 against its background"


def assert_skip_link(page, where: str) -> None:
    """The first Tab reaches a visible "Skip to content"; following it moves on to the content."""
    # On a loaded machine the theme's scripts may still be running after "load": a Tab pressed then
    # can land before the page is ready. Wait until the page is quiet, as a reader's first Tab would.
    page.wait_for_load_state("networkidle")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => ({text: document.activeElement.textContent.trim(), "
                            "href: document.activeElement.getAttribute('href')})")
    assert focused["text"] == "Skip to content", f"{where}: the first Tab reaches {focused}"
    href = focused["href"] or ""
    assert "#" in href and href.split("#")[0] in ("", page.url.split("#")[0]), f"{where}: skip link to {href}"
    target = "#" + href.split("#")[1]
    # it lands on the page's title or on what holds it, never past it
    assert page.evaluate(f"() => {{ const t = document.querySelector('{target}'); "
                         f"return !!t && (t.matches('h1') || !!t.querySelector('h1')); }}"), f"{where}: {target}"
    box = page.evaluate("() => document.activeElement.getBoundingClientRect().toJSON()")
    assert box["width"] > 0 and box["height"] > 0 and box["top"] >= 0, f"{where}: the skip link is not shown: {box}"
    assert_focus_ring(page, where)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{target}")
    assert page.evaluate(f"() => document.querySelector('{target}').getBoundingClientRect().top") < 200


def _launch(p):
    return p.chromium.launch(executable_path=str(CHROMIUM), args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"])


@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed at /usr/bin/chromium (apt-get install chromium); CI installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = _launch(p)
        yield b
        b.close()


# --- the catalogue ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    """The repository's catalogue site, built as `make site` builds it, served statically."""
    out = tmp_path_factory.mktemp("a11y-site") / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "CE_CATALOG_TODAY": "2027-01-15",
           "CE_CLAIM_URL": "http://127.0.0.1:9", "CE_SITE_URL": "http://127.0.0.1/"}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(out)))
    _serve(server)
    yield f"http://127.0.0.1:{server.server_port}/", out
    server.shutdown()
    server.server_close()
    shutil.rmtree(out, ignore_errors=True)


#: A learner's pages of the catalogue: home, the listings, an activity of each format (the meeting
#: with its programme), who can claim what, how to claim, and the not-found page.
CATALOGUE_PAGES = {
    "catalogue home": "",
    "activity list": "catalogue/",
    "upcoming live activities": "catalogue/upcoming/",
    "on-demand and journal": "catalogue/on-demand/",
    "past activities": "catalogue/archive/",
    "webinar": "activities/antimicrobial-stewardship-webinar-2027/",
    "meeting and its programme": "activities/asm-clinical-microbiology-meeting-2027/",
    "meeting session (live)": "activities/asm-microbe-2027-candida-auris-outbreak/",
    "on-demand activity": "activities/blood-parasites-on-demand-2025/",
    "journal activity": "activities/hiv-prep-pharmacy-journal-2027/",
    "teleconference": "activities/cdiff-testing-teleconference-2027/",
    "workshop": "activities/molecular-diagnostics-workshop-2027/",
    "who can claim what": "learners/who-can-claim/",
    "how to apply and claim": "learners/how-to-claim/",
    "tags": "tags/",
    "catalogue not found page": "404.html",
}


def _catalogue_page(chromium, scheme: str = "light"):
    context = chromium.new_context(color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.route("https://fonts.googleapis.com/**", lambda route: route.abort())  # no internet here
    page.route("https://fonts.gstatic.com/**", lambda route: route.abort())
    return context, page


@pytest.mark.parametrize("name", CATALOGUE_PAGES)
def test_catalogue_page_has_no_wcag_violation(catalogue, chromium, audit, name):
    base, out = catalogue
    path = CATALOGUE_PAGES[name]
    assert (out / (path or "index.html")).exists() or (out / path / "index.html").exists(), path
    context, page = _catalogue_page(chromium)
    page.goto(base + path)
    if name == "meeting and its programme":
        assert page.locator("table").count() > 0  # the programme is on the page axe checks
    violations = audit(page, f"catalogue: {name}")
    context.close()
    assert not violations, "\n".join(violations)


@pytest.mark.parametrize("name", ["catalogue home", "webinar", "meeting and its programme", "who can claim what"])
def test_catalogue_dark_scheme_has_no_wcag_violation(catalogue, chromium, audit, name):
    """The site follows the reader's dark-mode setting (Material's slate scheme): the same checks."""
    base, _ = catalogue
    context, page = _catalogue_page(chromium, "dark")
    page.goto(base + CATALOGUE_PAGES[name])
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    violations = audit(page, f"catalogue (dark): {name}")
    context.close()
    assert not violations, "\n".join(violations)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_catalogue_keyboard_skip_link_and_focus_ring(catalogue, chromium, scheme):
    base, _ = catalogue
    context, page = _catalogue_page(chromium, scheme)
    page.goto(base + CATALOGUE_PAGES["webinar"])
    # a link in the article: underlined (told apart from the text by more than colour), with a ring.
    # Checked before the skip link is followed: following it lets the theme's instant navigation
    # redraw the article, and a style read from an element it just replaced is empty.
    page.wait_for_load_state("networkidle")
    link = page.locator("article p a:not(.md-button), article li a:not(.md-button)").first
    assert "underline" in link.evaluate("a => getComputedStyle(a).textDecorationLine")
    assert_skip_link(page, f"catalogue ({scheme})")
    page.wait_for_load_state("networkidle")
    link.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert_focus_ring(page, f"catalogue ({scheme}) article link")
    # the logo link on the coloured header
    page.locator("header a.md-logo").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert_focus_ring(page, f"catalogue ({scheme}) header link")
    context.close()


# --- the claim server -------------------------------------------------------------------------------

@pytest.fixture
def server(tmp_path):
    """The claim server on a real port: fixture catalogue, CSRF on, the test gateway, during the webinar."""
    from flask import abort
    from werkzeug.serving import make_server

    from claimserver import create_app
    from claimserver.catalog_sync import sync
    from claimserver.cli import upgrade
    from claimserver.clock import FixedClock
    from claimserver.db import database

    app = create_app({"CE_ENV": "testing", "SECRET_KEY": "a11y-secret-key-0123456789abcdefghij",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'a11y.sqlite3'}", "CATALOG_PATH": str(ACTIVITIES),
                      "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"), "WTF_CSRF_ENABLED": True})
    app.add_url_rule("/_a11y/500", "a11y_error", lambda: abort(500))  # the error page, drawn as in production
    app.extensions["clock"] = FixedClock(dt.datetime(2027, 3, 12, 17, 45, tzinfo=dt.timezone.utc))
    with app.app_context():
        upgrade()
        sync(str(ACTIVITIES))
    database.close()
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{srv.server_port}"
    app.config.update(SERVER_URL=url, SITE_URL="http://127.0.0.1:9/")
    _serve(srv)
    yield app, url
    srv.shutdown()
    srv.server_close()


def _focused(page) -> dict:
    return page.evaluate("() => ({id: document.activeElement.id, "
                         "summary: document.activeElement.hasAttribute('data-error-summary')})")


def assert_error_summary(page, where: str, fields: dict[str, str]) -> None:
    """The page came back with errors: the summary has the focus and links to each field in error,
    which is marked invalid and described by its message; a summary link moves the focus there."""
    page.wait_for_load_state("load")
    assert _focused(page)["summary"], f"{where}: the focus is on {_focused(page)}, not the error summary"
    links = page.locator("[data-error-summary] a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs == [f"#{f}" for f in fields], f"{where}: summary links {hrefs}"
    for f, message in fields.items():
        said = page.inner_text(f"[data-error-summary] a[href='#{f}']")
        assert message in said, f"{where}: the summary says {said!r} of #{f}"
        control = page.locator(f"#{f}")
        if control.evaluate("e => e.tagName") == "FIELDSET":
            control = control.locator("input").first
        else:
            assert control.get_attribute("aria-invalid") == "true", f"{where}: #{f} not marked invalid"
        described = (page.locator(f"#{f}").get_attribute("aria-describedby") or "").split()
        assert f"{f}-error" in described, f"{where}: #{f} is not described by its error"
        assert message in page.inner_text(f"#{f}-error")
    first = next(iter(fields))
    page.click(f"[data-error-summary] a[href='#{first}']")
    active = _focused(page)["id"]
    assert active == first or active.startswith(f"{first}-"), f"{where}: the link focused #{active}"


def test_claim_server_learner_pages_have_no_wcag_violation(server, chromium, audit):
    from claimserver.db import database
    from claimserver.models import Activity, Outbox

    app, url = server
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(15000)
    found: list[str] = []

    page.goto(f"{url}/")
    found += audit(page, "server: start page")
    assert_skip_link(page, "claim server")
    page.goto(f"{url}/")
    page.locator(".site-header a").first.focus()
    assert_focus_ring(page, "claim server header link")

    page.goto(f"{url}/signup")
    found += audit(page, "server: sign up")
    page.fill("#email", "not an address")
    page.click("main button[type=submit]")
    assert_error_summary(page, "sign up", {"email": "Enter an email address like name@example.org.", "password": "Choose a password."})
    found += audit(page, "server: sign up with errors")
    page.fill("#email", "a11y.learner@example.org")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("text=We sent a message to a11y.learner@example.org.")
    found += audit(page, "server: check your email")

    with app.app_context():
        [mail] = Outbox.select().where(Outbox.kind == "verify-email")
        code = Activity.get(Activity.slug == SLUG).attendance_code
        database.close()
    page.goto(url + re.search(r"/verify-email/\S+", mail.body).group(0))
    page.wait_for_url("**/profile**")
    found += audit(page, "server: profile")
    described = page.get_attribute("#certificate_name", "aria-describedby")
    assert described == "certificate_name-hint" and "Exactly as it appears" in page.inner_text("#certificate_name-hint")
    page.click("button:has-text('Save profile')")
    page.wait_for_selector("[data-error-summary]")
    assert_error_summary(page, "profile", {"certificate_name": "Enter your name exactly as it appears on your licence.",
                                           "first_name": "Enter your first name.",
                                           "last_name": "Enter your last name.",
                                           "profession": "Choose your profession."})
    assert page.get_attribute("#certificate_name", "aria-describedby") == "certificate_name-hint certificate_name-error"
    found += audit(page, "server: profile with errors")
    page.fill("#certificate_name", "Ada Lovelace")
    page.fill("#first_name", "Ada")
    page.fill("#last_name", "Lovelace")
    page.fill("#degree", "MD")
    page.select_option("#profession", "physician")
    page.click("button:has-text('Save profile')")
    page.wait_for_load_state("load")
    assert page.locator("[data-error-summary]").count() == 0

    page.goto(f"{url}/activities/{SLUG}")
    found += audit(page, "server: activity page")
    page.click("button:has-text('Pay $25.00')")
    page.wait_for_url("**/payments/test/*")
    found += audit(page, "server: purchase (test payment page)")
    page.click("main button[type=submit]")
    page.wait_for_url("**/receipts/*")
    found += audit(page, "server: receipt")

    page.goto(f"{url}/my-activities")
    found += audit(page, "server: My Activities")

    page.goto(f"{url}/activities/{SLUG}/participate")
    found += audit(page, "server: participate")
    page.fill("#code", "WRONG-CODE")
    page.click("button:has-text('Record attendance')")
    page.wait_for_selector(".error")
    found += audit(page, "server: participate with an error")
    page.fill("#code", code)
    page.click("button:has-text('Record attendance')")
    page.wait_for_selector(".flash-success")

    page.goto(f"{url}/activities/{SLUG}/evaluation")
    found += audit(page, "server: post-test and evaluation")
    page.click("button:has-text('Submit evaluation')")
    page.wait_for_selector("[data-error-summary]")
    page.wait_for_load_state("load")
    assert _focused(page)["summary"]
    found += audit(page, "server: evaluation with errors")
    fill_evaluation(page)
    found += audit(page, "server: post-test results")

    page.click("a:has-text('Claim credit')")
    found += audit(page, "server: claim")
    page.fill("#hours", "1.5")
    page.click("button:has-text('Claim credit')")
    page.wait_for_selector("[data-error-summary]")
    assert_error_summary(page, "claim", {"attest": "Tick the attestation to claim credit."})
    found += audit(page, "server: claim with an error")
    page.check("#attest")
    page.click("button:has-text('Claim credit')")
    page.wait_for_url("**/certificates/*")
    found += audit(page, "server: certificate page")
    verify = page.get_attribute(".verification a", "href")

    page.goto(f"{url}/transcript")
    found += audit(page, "server: transcript")
    page.goto(f"{url}/verify")
    found += audit(page, "server: verify form")
    page.goto(verify)
    assert page.inner_text(".verify-status").startswith("Valid")
    found += audit(page, "server: verify a certificate")
    page.goto(f"{url}/verify/NOT-A-CODE")
    found += audit(page, "server: verify an unknown code")

    page.goto(f"{url}/no-such-page")
    found += audit(page, "server: not found (404)")
    page.goto(f"{url}/_a11y/500")
    assert page.inner_text("h1") == "Something went wrong"
    found += audit(page, "server: something went wrong (500)")
    page.evaluate("document.querySelector('input[name=csrf_token]').value = 'stale'")
    page.click("button:has-text('Log out')")
    assert page.inner_text("h1") == "Request not accepted"
    found += audit(page, "server: request not accepted (400)")

    context.clear_cookies()
    page.goto(f"{url}/login")
    found += audit(page, "server: log in")
    page.fill("#email", "a11y.learner@example.org")
    page.fill("#password", "not-the-password")
    page.click("main button[type=submit]")
    page.wait_for_selector(".flash-error")
    found += audit(page, "server: log in refused")
    page.goto(f"{url}/forgot")
    found += audit(page, "server: forgotten password")
    context.close()
    assert not found, "\n".join(found)


def test_claim_server_journal_post_test_has_no_wcag_violation(server, chromium, audit):
    """A journal activity's own post-test page (radio groups, retries, feedback) and its errors."""
    from claimserver.db import database
    from tests.factories import PASSWORD as FACTORY_PASSWORD, create_learner, create_order

    app, url = server
    slug = "journal-candida-auris"
    with app.app_context():
        learner = create_learner(email="a11y.journal@example.org")
        create_order(learner, slug)
        database.close()
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(15000)
    # the journal's article is elsewhere; here a stand-in answers for it
    page.route("https://journals.example.org/**",
               lambda route: route.fulfill(status=200, content_type="text/html",
                                           body="<!doctype html><title>Article</title><h1>Article</h1>"))
    page.goto(f"{url}/login")
    page.fill("#email", learner.email)
    page.fill("#password", FACTORY_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/my-activities**")
    found: list[str] = []

    page.goto(f"{url}/activities/{slug}/participate")
    found += audit(page, "server: journal, before the material")
    page.click("button:has-text('Open the material')")
    page.wait_for_url("https://journals.example.org/**")  # the page's form-action lets the redirect through
    page.goto(f"{url}/activities/{slug}/participate")
    found += audit(page, "server: journal post-test")
    page.check("#q0-1")  # one answer, two left out
    page.click("button:has-text('Submit answers')")
    page.wait_for_selector("[data-error-summary]")
    assert_error_summary(page, "journal post-test", {"q1": "Choose an answer.", "q2": "Choose an answer."})
    found += audit(page, "server: journal post-test with errors")
    page.check("#q0-1")
    page.check("#q1-0")
    page.check("#q2-0")
    page.click("button:has-text('Submit answers')")
    page.wait_for_selector("text=Not yet passed")
    found += audit(page, "server: journal post-test not passed")
    context.close()
    assert not found, "\n".join(found)


def test_claim_server_meeting_programme_has_no_wcag_violation(meeting_server, chromium, audit):
    """A meeting's programme on the claim server: a code form and an evaluation per session."""
    from claimserver.db import database
    from claimserver.meetings.operations import session_code
    from claimserver.models import Activity
    from tests.e2e.test_meeting_journey import SLUG as MEETING
    from tests.factories import PASSWORD as FACTORY_PASSWORD, create_learner, create_order

    app, url = meeting_server
    with app.app_context():
        learner = create_learner(email="a11y.meeting@example.org")
        create_order(learner, MEETING)
        code = session_code(Activity.get(Activity.slug == MEETING), "A")
        database.close()
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{url}/login")
    page.fill("#email", learner.email)
    page.fill("#password", FACTORY_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/my-activities**")
    found: list[str] = []

    page.goto(f"{url}/meetings/{MEETING}")
    found += audit(page, "server: meeting programme")
    page.fill("#s-A input[name=code]", "WRONG-CODE")
    page.click("#s-A button:has-text('Record')")
    page.wait_for_selector(".flash-error")
    found += audit(page, "server: meeting programme, a wrong code")
    page.fill("#s-A input[name=code]", code)
    page.click("#s-A button:has-text('Record')")
    page.wait_for_selector(".flash-success")
    found += audit(page, "server: meeting programme, a session attended")
    page.goto(f"{url}/meetings/{MEETING}/attend")
    found += audit(page, "server: meeting, the learner's own selection of sessions")
    page.check("#s-C input[name=session]")
    page.click("button:has-text('Record the selected sessions')")  # the attestation left unticked
    page.wait_for_selector(".error-summary, #selection-error, .flash-error")
    found += audit(page, "server: meeting, a selection with an error")
    context.close()
    assert not found, "\n".join(found)
