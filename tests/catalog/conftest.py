"""Shared helpers for the catalogue tests: a minimal valid activity, and ways to write and check it."""
from __future__ import annotations

from pathlib import Path

import pytest

from catalog.__main__ import main
from catalog.load import load_catalog

#: The smallest activity that passes `check --strict`, with every credit type a rule looks at.
#: Line numbers matter: the tables of expected problems name them.
VALID = """\
---
title: Sepsis Update for the Laboratory
format: webinar
starts: 2027-03-12T12:00:00-05:00
ends: 2027-03-12T13:00:00-05:00
price: 25.00
audience: [physicians, pharmacists, laboratory-professionals]
objectives:
  - Interpret a blood culture Gram stain.
designations:
  ama_pra_1: {credits: 1}
  acpe:
    - {uan: "0001-0000-27-001-L01-P", hours: 1, activity_type: knowledge}
  pace: {program: "116-001-27", hours: 1, level: basic}
  florida: {tracking: "20-123456", hours: 1, subjects: [general]}
faculty:
  - name: Jane Doe, PhD
    role: speaker
    disclosures: []
    attested: 2027-01-10
  - name: Ravi Patel, MD
    role: planner
    disclosures: []
    attested: 2027-01-05
---
Which blood culture results change therapy today.
"""

#: The same activity as journal-based CME (home study): no end, a claim window and a post-test.
JOURNAL = (VALID.replace("format: webinar", "format: journal")
           .replace("ends: 2027-03-12T13:00:00-05:00\n",
                    "claim_until: 2028-03-11\nmaterial: https://journals.asm.org/doi/10.1128/x\n"
                    "pass_mark: 70\n")
           .replace("L01-P", "H01-P")
           .replace("faculty:\n", "questions:\n  - question: Which result is called first?\n"
                    "    choices: [Blood culture, Urine culture]\n    answer: 0\n"
                    "    explanation: It changes therapy now.\nfaculty:\n"))


def mutate(text: str, old: str, new: str) -> str:
    """Replace `old` (which must be there, once) by `new`: one convener's edit."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def own_numbers(text: str, n: int) -> str:
    """The activity with its own UAN and P.A.C.E.® program number (two activities never share one)."""
    return mutate(mutate(text, "-27-001-", f"-27-{n:03d}-"), '"116-001-27"', f'"116-{n:03d}-27"')


@pytest.fixture
def write_activity(tmp_path: Path):
    """Write an activity file (text or bytes) under tmp_path/activities and return its path."""

    def _write(content: str | bytes, name: str = "sepsis-update.md", folder: str = "activities") -> Path:
        path = tmp_path / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8", newline="")
        else:
            path.write_bytes(content)
        return path

    return _write


@pytest.fixture
def run_check(capsys):
    """Run `python -m catalog check ARGS…` in-process; return (exit code, problem lines, summary)."""

    def _check(*args: str) -> tuple[int, list[str], str]:
        rc = main(["check", *map(str, args)])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        lines = out.splitlines()
        return rc, lines[:-1], lines[-1] if lines else ""

    return _check


def problems(*paths) -> list[str]:
    """Every problem `load_catalog` finds, as the `path:line: severity: message` strings."""
    return [str(p) for p in load_catalog(list(paths)).problems]
