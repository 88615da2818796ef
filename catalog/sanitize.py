"""Safe catalogue HTML: what an activity's description may contain once it is on the public site.

Conveners write Markdown, and Markdown lets raw HTML (and `{attr=...}` lists) through, so every
activity page's rendered description goes through an allowlist sanitizer (`nh3`, the Ammonia
library): headings, paragraphs, lists, tables, links, images, emphasis, code, admonition boxes and
the like stay; scripts, frames, forms, embedded objects, SVG, event-handler attributes, inline
styles and links to anything but http(s), mailto, tel or the page's own anchors are removed.

`removed_markup` tells the checker (and so the convener) what the sanitizer would take out of a
description, so nothing disappears silently.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

#: Tags kept: Ammonia's default allowlist (text structure, tables, links, images).
TAGS = frozenset(nh3.ALLOWED_TAGS)
#: Attributes kept: Ammonia's defaults, plus id/class/title everywhere (heading anchors, the
#: `admonition` boxes, attr_list classes).
ATTRIBUTES = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
ATTRIBUTES["*"] = {"id", "class", "title"}
ATTRIBUTES["a"] = ATTRIBUTES["a"] | {"title"}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def clean(html: str) -> str:
    """The HTML with everything outside the allowlist removed."""
    return nh3.clean(html, tags=set(TAGS), attributes=ATTRIBUTES, url_schemes=set(URL_SCHEMES),
                     link_rel=None, strip_comments=True)


class _Markup(HTMLParser):
    """The tags, attributes and URL schemes a piece of HTML uses."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attrs: set[tuple[str, str]] = set()
        self.schemes: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for name, value in attrs:
            self.attrs.add((tag, name))
            if name in ("href", "src", "action", "formaction", "xlink:href") and value:
                m = _SCHEME.match(value)
                if m and m.group(1).lower() not in URL_SCHEMES:
                    self.schemes.add(m.group(1).lower())

    handle_startendtag = handle_starttag


def _markup(html: str) -> _Markup:
    p = _Markup()
    p.feed(html)
    p.close()
    return p


def removed(html: str) -> list[str]:
    """What `clean` takes out of this HTML, in words a convener can act on."""
    before, after = _markup(html), _markup(clean(html))
    out = [f"<{t}>" for t in sorted(before.tags - after.tags)]
    out += [f"the {a} attribute on <{t}>" for t, a in sorted(before.attrs - after.attrs)
            if (t, a) not in after.attrs and t not in before.tags - after.tags]
    out += [f"{s}: links" for s in sorted(before.schemes)]
    return out


#: The Markdown extensions the site uses (mkdocs.yml) that can produce markup.
MARKDOWN_EXTENSIONS = ("admonition", "attr_list", "def_list", "tables")


def removed_markup(markdown_text: str) -> list[str]:
    """What the published page would lose from this Markdown description (empty: nothing)."""
    if "<" not in markdown_text and "{" not in markdown_text and "](" not in markdown_text:
        return []  # no raw HTML, attribute list or link: nothing the sanitizer could remove
    import markdown

    return removed(markdown.markdown(markdown_text, extensions=list(MARKDOWN_EXTENSIONS)))


def warn_removed_markup(doc) -> None:
    """Checker hook: one warning naming what the site will remove from the description."""
    gone = removed_markup(doc.body or "")
    if gone:
        doc.warn(doc.body_line, "the description has markup the catalogue removes for safety: "
                 + ", ".join(gone) + " (use Markdown, or plain links and images)", "markup_is_safe")
