"""One look in a real browser (Debian chromium): the catalogue (this repository's mkdocs.yml, built)
and the claim server paint the same header colour, text colour, link colour and font from the one
token sheet, both show the society's logo, and the colours the browser computed meet WCAG AA.

Screenshots stay in the test's temporary folder (catalogue.png, server.png) for a person to compare.
"""
from __future__ import annotations

import functools
import http.server
import re
import threading

import pytest

from catalog.society import SOCIETY, contrast
from tests.e2e.test_journey import ROOT, QuietHandler, browser  # noqa: F401  (fixture)

pytestmark = pytest.mark.e2e

LOOK = """(sel) => {
  const css = (q, p) => { const e = document.querySelector(q); return e ? getComputedStyle(e)[p] : null; };
  const logo = document.querySelector(sel.logo);
  return {header: css(sel.header, 'backgroundColor'), headerText: css(sel.headerText, 'color'),
          text: css(sel.text, 'color'), page: css('body', 'backgroundColor'), link: css(sel.link, 'color'),
          font: css('body', 'fontFamily'),
          logo: logo ? logo.complete && logo.naturalWidth > 0 : false};
}"""


def _hex(css_colour: str) -> str:
    r, g, b = (int(x) for x in re.findall(r"\d+", css_colour)[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


@pytest.fixture
def catalogue(tmp_path):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    out = tmp_path / "site"
    build(load_config(str(ROOT / "mkdocs.yml"), site_dir=str(out)))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def claim_server(tmp_path):
    from werkzeug.serving import make_server

    from claimserver import create_app
    from claimserver.cli import upgrade
    from claimserver.db import database

    app = create_app({"CE_ENV": "testing", "SECRET_KEY": "e2e-secret-key-0123456789abcdefghij",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'look.sqlite3'}",
                      "MAIL_OUTBOX_DIR": str(tmp_path / "outbox")})
    with app.app_context():
        upgrade()
    database.close()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_catalogue_and_claim_server_look_the_same(catalogue, claim_server, browser, tmp_path):  # noqa: F811
    page = browser.new_page(viewport={"width": 1400, "height": 800})
    page.route("https://fonts.googleapis.com/**", lambda route: route.abort())  # no internet here
    page.goto(f"{catalogue}/")
    page.wait_for_load_state("load")
    page.screenshot(path=str(tmp_path / "catalogue.png"))
    site = page.evaluate(LOOK, {"header": ".md-header", "headerText": ".md-header__topic", "text": ".md-content p",
                                "link": ".md-content p a[href]", "logo": ".md-header .md-logo img"})
    page.goto(f"{claim_server}/login")
    page.wait_for_load_state("load")
    page.screenshot(path=str(tmp_path / "server.png"))
    server = page.evaluate(LOOK, {"header": ".site-header", "headerText": ".site-header .brand", "text": "main h1",
                                  "link": "main p a[href]", "logo": ".site-header .brand img"})
    page.close()

    assert site["logo"] and server["logo"], (site, server)
    for key, token in (("header", "brand"), ("headerText", "on_brand"), ("link", "link"), ("page", "page")):
        assert _hex(site[key]) == _hex(server[key]) == SOCIETY.color(token), (key, site[key], server[key])
    assert _hex(site["text"]) == _hex(server["text"]) == SOCIETY.color("text")
    assert site["font"] == server["font"]
    # what the browser painted is readable (WCAG AA 4.5:1 for text)
    for look in (site, server):
        assert contrast(_hex(look["text"]), _hex(look["page"])) >= 4.5
        assert contrast(_hex(look["link"]), _hex(look["page"])) >= 4.5
        assert contrast(_hex(look["headerText"]), _hex(look["header"])) >= 4.5
