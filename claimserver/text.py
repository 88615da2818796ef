"""Text hygiene: names without invisible tricks, CSV cells no spreadsheet runs as a formula."""
from __future__ import annotations

import unicodedata

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


def valid_mmdd(value: str | None) -> bool:
    """MMDD of a real birthday (0229 allowed): what NABP and PARS identify learners by."""
    import datetime as dt
    import re

    if not re.fullmatch(r"[0-9]{4}", value or ""):
        return False
    try:
        dt.date(2000, int(value[:2]), int(value[2:]))  # 2000 is a leap year
    except ValueError:
        return False
    return True


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
