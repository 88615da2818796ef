"""Text hygiene: names without invisible tricks, CSV cells no spreadsheet runs as a formula."""
from __future__ import annotations

import unicodedata

from catalog.destinations import valid_mmdd  # noqa: F401  (the one MMDD rule; forms import it here)

#: Bidi embedding/override (U+202A–U+202E) and isolate (U+2066–U+2069) controls: they can make a
#: printed name read differently from what is stored. They are Cf, but listed for clarity.
BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
#: Joiners some scripts (Arabic, Indic, emoji sequences) need to spell a name correctly.
KEEP = frozenset({"\u200c", "\u200d"})  # ZWNJ, ZWJ


def clean_name(value: str | None) -> str:
    """A name as printed: NFC, no control/format characters (except ZWJ/ZWNJ), spaces collapsed."""
    if not value:
        return ""
    out = []
    for ch in unicodedata.normalize("NFC", value):
        if ch in KEEP:
            out.append(ch)
        elif ch in BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            # tabs and newlines become spaces; other invisible characters vanish
            if ch in "\t\n\r\x0b\x0c\x85":
                out.append(" ")
        elif unicodedata.category(ch) == "Zs" or ch in "\u2028\u2029":
            out.append(" ")
        else:
            out.append(ch)
    return " ".join("".join(out).split())


def csv_safe(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula: text starting =, +, -, @, tab or CR gets a '."""
    s = "" if value is None else str(value)
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """A Content-Disposition header value any browser reads: a plain-ASCII `filename` (quotes,
    backslashes, controls and non-ASCII replaced) and the exact name as RFC 6266 `filename*`."""
    from urllib.parse import quote

    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in filename)
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
