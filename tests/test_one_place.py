"""One fact, one place: each test fails when a second definition of a CE fact creeps back in.

They read the project's own source (catalog/ and claimserver/: Python, templates, scripts) and name
the file and line that broke the rule, so the fix is to import the fact from its home instead.
See ARCHITECTURE.md, "Where each fact lives".
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("catalog", "claimserver")
SUFFIXES = {".py", ".html", ".js"}


def _lines():
    for top in SOURCES:
        for path in sorted((ROOT / top).rglob("*")):
            if path.suffix not in SUFFIXES or "migrations" in path.parts or "activities" in path.parts:
                continue
            rel = path.relative_to(ROOT).as_posix()
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                yield rel, n, line


LINES = list(_lines())


def offenders(pattern: str, *, homes: tuple[str, ...] = (), flags: int = 0) -> list[str]:
    rx = re.compile(pattern, flags)
    return [f"{rel}:{n}: {line.strip()}" for rel, n, line in LINES
            if rel not in homes and rx.search(line)]


def test_quarter_hour_arithmetic_lives_in_credits():
    """Hours ⇄ quarter hours is `credits.to_quarters` / `from_quarters` / `CreditType` methods."""
    assert offenders(r"[*/]\s?4\b(?!\d)", homes=("catalog/credits.py",)) == []


def test_credit_minutes_come_from_the_credit_type():
    """Minutes per credit unit (60 AMA/ACPE, 50 P.A.C.E.) are `CreditType.minutes_per_unit`."""
    assert offenders(r"minutes_per_unit\s*=", homes=("catalog/credits.py",)) == []
    assert offenders(r"\b(hours|credits|\])\s*\*\s*(50|60)\b", homes=("catalog/credits.py",)) == []


STATEMENT_PHRASES = (
    "is accredited by the Accreditation Council",
    "designates this",
    "jointly accredited by",
    "through the joint providership of",
    "is approved as a provider of continuing education",
    "not a statement of credit",
    "commensurate with the extent of their",
    "has no relevant financial relationships",
)


@pytest.mark.parametrize("phrase", STATEMENT_PHRASES)
def test_statement_text_lives_in_statements(phrase):
    assert offenders(re.escape(phrase), homes=("catalog/statements.py",)) == []


def test_no_glibc_only_date_formats():
    """`%-d` works on glibc only; dates are worded by catalog.dates."""
    assert offenders(r"%-[a-zA-Z]") == []


def test_one_refusal_exception():
    hits = offenders(r"^class \w*Refused\((Exception|RuntimeError|ValueError)\)",
                     homes=("claimserver/refusals.py", "claimserver/demo.py"))
    assert hits == []


def test_one_way_to_load_the_current_version():
    hits = offenders(r"ActivityVersion\.version\.desc\(\)|fn\.MAX\(ActivityVersion\.version\)",
                     homes=("claimserver/models.py",))
    assert hits == []


def test_profession_keys_are_not_compared_outside_professions():
    """'Who needs what' is the Profession table: code asks it, it never compares profession keys."""
    hits = offenders(r"""profession\s*(==|!=|in)\s*\(?["'](physician|diplomate|pharmacist|pharmacy-technician|laboratory-professional|other)["']""",
                     homes=("catalog/professions.py",))
    assert hits == []


def test_profession_table_agrees_with_credit_types():
    """Every credit type a profession may claim exists, and its audience word is unique."""
    from catalog import credits, professions

    for p in professions.PROFESSIONS.values():
        assert set(p.credit_types) <= set(credits.CREDIT_TYPES), p.key
        assert set(p.asks) <= set(professions.PROFILE_FIELDS), p.key
    for ct in credits.CREDIT_TYPES.values():
        assert set(ct.needs) <= set(professions.PROFILE_FIELDS), ct.key
    words = [p.audience for p in professions.PROFESSIONS.values()]
    assert len(words) == len(set(words))
