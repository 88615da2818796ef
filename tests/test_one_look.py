"""One look (issue 14 item 9): the catalogue and the claim server share the society's name, logo,
colours and design tokens from one file, every colour pair meets WCAG AA, and the catalogue puts
conveners' and staff pages under tabs of their own.

The real catalogue (this repository's mkdocs.yml) is built once for the module.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalog import society
from catalog.society import SOCIETY, SocietyError, contrast

ROOT = Path(__file__).resolve().parent.parent
HEX = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?\b(?![\w-])")
RGB_CALL = re.compile(r"set_(?:text|draw|fill)_color\(\s*\d")
#: Where a colour could be typed a second time: the stylesheets, templates and Python of both parts.
#: print.css prints black on white whatever the society's colours (ink, not brand).
COLOUR_SOURCES = [p for top in ("claimserver", "catalog", "docs/stylesheets") for p in sorted((ROOT / top).rglob("*"))
                  if p.suffix in {".css", ".html", ".py", ".js"} and p.name not in ("print.css", "society.py")
                  and "activities" not in p.parts and "migrations" not in p.parts]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    out = tmp_path_factory.mktemp("site")
    build(load_config(str(ROOT / "mkdocs.yml"), site_dir=str(out)))
    return out


# ------------------------------------------------------------------------------------------------
# Colours: WCAG AA, one home
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fg, bg, ratio", [("#000000", "#ffffff", 21.0), ("#ffffff", "#ffffff", 1.0),
                                           ("#777777", "#ffffff", 4.48), ("#0b3d6e", "#ffffff", 11.01)])
def test_contrast_is_the_wcag_ratio(fg, bg, ratio):
    assert contrast(fg, bg) == pytest.approx(ratio, abs=0.01)
    assert contrast(bg, fg) == contrast(fg, bg)


@pytest.mark.parametrize("fg, bg, minimum, where", society.PAIRS)
def test_every_colour_pair_meets_wcag_aa(fg, bg, minimum, where):
    assert contrast(SOCIETY.color(fg), SOCIETY.color(bg)) >= minimum, where


def test_a_society_choosing_an_unreadable_colour_is_stopped_naming_the_pair(tmp_path):
    text = society.SETTINGS_FILE.read_text(encoding="utf-8")
    (tmp_path / "logo.svg").write_bytes(SOCIETY.logo_svg)
    (tmp_path / "society.toml").write_text(text.replace('muted = "#5b6775"', 'muted = "#9aa7b4"'), encoding="utf-8")
    with pytest.raises(SocietyError) as e:
        society.load(tmp_path / "society.toml")
    assert "muted #9aa7b4 on page #ffffff (hints and the footer)" in str(e.value)
    assert "WCAG AA needs 4.5:1" in str(e.value)
    (tmp_path / "society.toml").write_text(text.replace('link = "#0b5cad"', 'link = "blue"'), encoding="utf-8")
    with pytest.raises(SocietyError, match=r"\[colors\] must be #rrggbb: link = 'blue'"):
        society.load(tmp_path / "society.toml")


def test_no_colour_is_typed_outside_the_society_file():
    """Stylesheets, templates and code use the tokens (var(--ce-color-…)) or SOCIETY.color(…)."""
    hits = []
    for path in COLOUR_SOURCES:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#:", 1)[0] if path.suffix == ".py" else line
            if (HEX.search(code) and not re.search(r"&#x?\w+;|#\w+\s*[-=]|\"#\"", code)) or RGB_CALL.search(code):
                hits.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert hits == []


def test_stylesheets_use_only_tokens_the_token_sheet_defines():
    defined = set(re.findall(r"(--ce-[\w-]+):", SOCIETY.tokens_css()))
    for sheet in (ROOT / "claimserver/static/portal.css", ROOT / "docs/stylesheets/catalogue.css"):
        used = set(re.findall(r"var\((--ce-[\w-]+)\)", sheet.read_text(encoding="utf-8")))
        assert used and used <= defined, (sheet.name, used - defined)
    for key in ("--ce-focus-ring", "--ce-focus-offset", "--ce-radius-control", "--ce-space-4",
                "--ce-font-size-h1", "--ce-font-family", "--ce-color-brand"):
        assert key in defined


# ------------------------------------------------------------------------------------------------
# The same name, logo and token sheet on both sides
# ------------------------------------------------------------------------------------------------
def test_catalogue_and_server_load_the_same_token_sheet_and_logo(site, client):
    served = client.get("/society/tokens.css")
    assert served.status_code == 200 and served.mimetype == "text/css"
    assert (site / "stylesheets" / "tokens.css").read_bytes() == served.data == SOCIETY.tokens_css().encode()
    logo = client.get("/society/logo.svg")
    assert logo.mimetype == "image/svg+xml"
    assert (site / "assets" / "society-logo.svg").read_bytes() == logo.data == SOCIETY.logo_svg
    # the tokens come first, so the sheets after them can use them
    home = (site / "index.html").read_text(encoding="utf-8")
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', home)
    assert sheets.index("stylesheets/tokens.css") == sheets.index("stylesheets/catalogue.css") - 1
    page = client.get("/login").get_data(as_text=True)
    assert page.index("/society/tokens.css") < page.index("/static/portal.css")


def test_both_headers_show_the_logo_and_the_portal_name(site, client):
    home = (site / "index.html").read_text(encoding="utf-8")
    header = re.search(r'<header class="md-header.*?</header>', home, re.S).group(0)
    assert re.search(r'class="md-header__button md-logo".*?<img src="assets/society-logo.svg"', header, re.S)
    assert f" - {SOCIETY.portal_name}</title>" in home
    page = client.get("/login").get_data(as_text=True)
    brand = re.search(r'<a class="brand"[^>]*>(.*?)</a>', page, re.S).group(1)
    assert f'<img src="/society/logo.svg" alt="{SOCIETY.logo_alt}"' in brand
    assert f"<span>{SOCIETY.portal_name}</span>" in brand
    assert f"{SOCIETY.name} · " in page  # the footer


def test_the_society_name_is_the_provider_everywhere_by_default(app):
    from catalog import credits

    assert credits.DEFAULT_PROVIDER == SOCIETY.name == app.config["PROVIDER_NAME"]
    assert "American Society for Microbiology" not in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------------------
# Conveners and staff: their own tabs
# ------------------------------------------------------------------------------------------------
def _tabs(html: str) -> list[tuple[str, str]]:
    nav = re.search(r'<nav class="md-tabs".*?</nav>', html, re.S).group(0)
    return [(label.strip(), href) for href, label in
            re.findall(r'<a href="([^"]*)" class="md-tabs__link[^"]*">\s*([^<]+?)\s*</a>', nav)]


def test_catalogue_tabs_keep_conveners_and_staff_apart_from_learners(site):
    home = (site / "index.html").read_text(encoding="utf-8")
    assert [label for label, _ in _tabs(home)] == ["Home", "Catalogue", "Learners", "Conveners", "Society staff"]
    for folder, tab in (("staff", "Society staff"), ("conveners", "Conveners"), ("learners", "Learners")):
        for page in sorted((site / folder).rglob("index.html")):
            html = page.read_text(encoding="utf-8")
            active = re.search(r'<li class="md-tabs__item md-tabs__item--active">\s*<a [^>]*>\s*([^<]+?)\s*</a>',
                               html)
            assert active and active.group(1) == tab, page
    # a learner's page shows the learners' section in its sidebar, not the staff guide
    learner = (site / "learners" / "how-to-claim" / "index.html").read_text(encoding="utf-8")
    sidebar = re.search(r'<li class="md-nav__item md-nav__item--active md-nav__item--section.*?</li>\s*</ul>',
                        learner, re.S)
    assert sidebar and "Who can claim what" in sidebar.group(0) and "Running the claim server" not in sidebar.group(0)


def test_learners_catalogue_pages_show_no_internal_keys(site):
    """Home, catalogue listings, every activity page and the learners' guides: labels, never keys
    (the conveners' and staff reference pages document the keys on purpose)."""
    from tests.claimserver.test_learner_words import problems_in

    pages = [p for p in sorted(site.rglob("index.html"))
             if not p.relative_to(site).as_posix().startswith(("conveners/", "staff/", "reporting-formats/"))]
    assert len([p for p in pages if "activities" in p.parts]) >= 10
    found = {p.relative_to(site).as_posix(): problems_in(p.read_text(encoding="utf-8"))[0] for p in pages}
    assert {k: v for k, v in found.items() if v} == {}
    # the conveners' reference still names the keys they type
    assert "<code>ama_pra_1</code>" in (site / "conveners" / "front-matter" / "index.html").read_text(encoding="utf-8")
