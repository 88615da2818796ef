"""The catalogue site's Content-Security-Policy, written into every page as a `<meta>` tag.

Scripts run only from the site itself, plus the theme's own inline scripts, each allowed by its
SHA-256 hash. Inline scripts inside the page's article (where activity descriptions go) are never
hashed: should one ever get past the sanitizer (catalog.sanitize), the browser still refuses it.
`frame-ancestors` cannot be set from a meta tag; the proxy sends it as a header (deploy/nginx).
"""
from __future__ import annotations

import base64
import hashlib
import re

_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)
_ARTICLE = re.compile(r"<article\b.*?</article>", re.S | re.I)
_HEAD = re.compile(r"<head[^>]*>", re.I)

#: Everything but script-src, which is built per page.
BASE = ("default-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self' https:; "
        "img-src 'self' data: https:; style-src 'self' 'unsafe-inline' https://fonts.googleapis.com; "
        "font-src 'self' data: https://fonts.gstatic.com; connect-src 'self'; worker-src 'self' blob:")


def _hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def policy(html: str) -> str:
    """The policy for one built page: its theme scripts' hashes, none from the article."""
    outside = _ARTICLE.sub("", html)
    hashes = sorted({_hash(body) for body in _SCRIPT.findall(outside)})
    return f"{BASE}; script-src 'self' {' '.join(hashes)}".rstrip()


def add_meta(html: str) -> str:
    """The page with the policy as the first element of its <head>."""
    m = _HEAD.search(html)
    if m is None:
        return html
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(html)}">'
    return html[:m.end()] + meta + html[m.end():]
