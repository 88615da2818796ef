"""Finding a learner from one search box: name (partial, case- and accent-insensitive), email,
NABP e-Profile ID or a licence / board number, with results a page at a time.

Names are compared folded (`fold`: lower case, accents removed) on both databases: SQLite calls the
Python function itself (registered as `ce_fold`); PostgreSQL runs `translate(lower(…))` with a
character map built from the same function, so both give the same answer without an extension.
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


def fold(text: str) -> str:
    """'Zoë Ñúñez' -> 'zoe nunez': lower case, accents dropped (one character stays one character)."""
    out = []
    for ch in text.lower():
        if ch in _EXTRA:
            out.append(_EXTRA[ch])
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        out.append(base if len(base) == 1 else ch)
    return "".join(out)


@lru_cache(maxsize=1)
def _translate_map() -> tuple[str, str]:
    """Every Latin letter up to U+024F (and Greek/Cyrillic with accents) whose fold differs."""
    src, dst = [], []
    for code in list(range(0xC0, 0x250)) + list(range(0x370, 0x530)):
        ch = chr(code)
        low = ch.lower()
        if len(low) != 1:
            continue
        f = fold(low)
        if f != low and len(f) == 1 and low not in src:
            src.append(low)
            dst.append(f)
    return "".join(src), "".join(dst)


def _folded(expr):
    """The SQL for fold(expr) on the open database."""
    db = database.obj
    if isinstance(db, SqliteDatabase):
        if "ce_fold" not in getattr(db, "_functions", {}):
            db.register_function(lambda s: fold(s) if s is not None else None, "ce_fold", 1)
        return fn.ce_fold(expr)
    src, dst = _translate_map()
    return fn.translate(fn.lower(expr), src, dst)


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
    """Learners matching `query` anywhere in their name or email, or exactly by NABP e-Profile ID,
    licence or board number; ordered by last name, first name; page `page` (from 1)."""
    q = " ".join((query or "").split())
    if not q:
        return Page("", [], 0, 1, per_page)
    pattern = _like(fold(q))
    name = Learner.first_name.concat(" ").concat(Learner.last_name)

    def like(expr):
        return NodeList((_folded(expr), SQL("LIKE"), pattern, SQL("ESCAPE '\\'")))

    number = q.replace(" ", "").upper()
    cond = (like(name) | like(Learner.certificate_name) | like(Learner.email)
            | (Learner.nabp_epid == number)
            | (fn.upper(Learner.state_licence_number) == number)
            | (fn.upper(Learner.california_licence) == number)
            | (fn.upper(Learner.florida_licence) == number)
            | (fn.upper(Learner.board_id) == number))
    base = Learner.select().where(cond)
    total = base.count()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = list(base.order_by(fn.lower(Learner.last_name), fn.lower(Learner.first_name), Learner.id)
                .paginate(page, per_page))
    return Page(q, rows, total, page, per_page)
