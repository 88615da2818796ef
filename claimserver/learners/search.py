"""Finding a learner from one search box: name (partial, case- and accent-insensitive), email,
NABP e-Profile ID or a licence / board number, with results a page at a time.

Names are compared folded (`fold`: lower case, accents removed), from one table of letters on both
databases: SQLite calls `fold` itself (registered as `ce_fold`); on PostgreSQL each letter of the
folded query becomes a regex class of every character that folds to it (`n` -> `[nNñÑń…]`), so both
give the same answer without an extension. Contains-search reads every row either way;
`bench/bench_learner_search.py` measures it.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from peewee import SQL, NodeList, SqliteDatabase, fn

from ..db import database
from ..models import Learner

PER_PAGE = 20
#: Letters NFKD does not decompose but people type without the stroke.
_EXTRA = {"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ı": "i", "œ": "o", "æ": "a", "ŧ": "t"}
#: The letters folded: Latin-1, Latin Extended-A and -B, Greek and Cyrillic (others stay as typed).
_RANGES = (range(0xC0, 0x250), range(0x370, 0x530))


def _fold_char(ch: str) -> str:
    """One lower-case character without its accent ('ë' -> 'e'), or itself."""
    if ch in _EXTRA:
        return _EXTRA[ch]
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return base if len(base) == 1 else ch


@lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    """str.translate table: every letter of _RANGES (either case) -> its folded lower-case letter."""
    out: dict[int, str] = {}
    for r in _RANGES:
        for code in r:
            low = chr(code).lower()
            if len(low) == 1 and _fold_char(low) != chr(code):
                out[code] = _fold_char(low)
    return out


def fold(text: str) -> str:
    """'Zoë Ñúñez' -> 'zoe nunez': lower case, accents dropped (one character stays one character)."""
    return text.lower().translate(_table())


@lru_cache(maxsize=1)
def _variants() -> dict[str, str]:
    """Folded letter -> every character (both cases) that folds to it, for PostgreSQL's regex."""
    out: dict[str, set[str]] = {}
    for code, base in _table().items():
        out.setdefault(base, {base, base.upper()}).add(chr(code))
    return {base: "".join(sorted(chars)) for base, chars in out.items()}


def _pg_regex(folded: str) -> str:
    """A POSIX regex matching `folded` in any case and with any accents (each letter a class)."""
    parts = []
    for ch in folded:
        if ch in _variants():
            parts.append(f"[{_variants()[ch]}]")
        elif ch.isalnum():
            parts.append(f"[{ch}{ch.upper()}]" if ch.upper() != ch else ch)
        else:
            parts.append("\\" + ch if not ch.isspace() else " ")
    return "".join(parts)


def _name_matches(expr, folded: str):
    """SQL: fold(expr) contains `folded`, on the open database."""
    db = database.obj
    if isinstance(db, SqliteDatabase):
        if "ce_fold" not in getattr(db, "_functions", {}):
            db.register_function(lambda s: fold(s) if s is not None else None, "ce_fold", 1)
        return NodeList((fn.ce_fold(expr), SQL("LIKE"), _like(folded), SQL("ESCAPE '\\'")))
    return NodeList((expr, SQL("~"), _pg_regex(folded)))


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass
class Page:
    query: str
    learners: list[Learner]
    total: int
    page: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.total, self.page * self.per_page)


def search(query: str, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """Learners matching `query`, ordered by last name, first name; page `page` (from 1).

    A query with a digit is an identifier: the whole NABP e-Profile ID, licence or board ID (any
    case), or part of an email. Otherwise it is part of a name (first and last, or the certificate
    name; folded) or of an email."""
    q = " ".join((query or "").split())
    if not q:
        return Page("", [], 0, 1, per_page)
    email = NodeList((fn.lower(Learner.email), SQL("LIKE"), _like(q.lower()), SQL("ESCAPE '\\'")))
    if any(ch.isdigit() for ch in q):
        number = q.replace(" ", "").upper()
        cond = (email | (Learner.nabp_epid == number)
                | (fn.upper(Learner.state_licence_number) == number)
                | (fn.upper(Learner.california_licence) == number)
                | (fn.upper(Learner.florida_licence) == number)
                | (fn.upper(Learner.board_id) == number))
    else:
        names = (Learner.first_name.concat(" ").concat(Learner.last_name).concat(" ")
                 .concat(Learner.certificate_name))
        cond = _name_matches(names, fold(q)) | email
    # one scan: the ids in order (a name fragment can match thousands), then the page's rows
    ids = [r[0] for r in Learner.select(Learner.id).where(cond)
           .order_by(fn.lower(Learner.last_name), fn.lower(Learner.first_name), Learner.id).tuples()]
    total = len(ids)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    chosen = ids[(page - 1) * per_page: page * per_page]
    by_id = {r.id: r for r in Learner.select().where(Learner.id.in_(chosen))} if chosen else {}
    return Page(q, [by_id[i] for i in chosen], total, page, per_page)
