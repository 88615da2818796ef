"""Demonstration data for `make run` and `flask demo load` (filled in by the outcomes work)."""
from __future__ import annotations


def load_demo(force: bool = False, echo=print) -> str:
    return "demo data: nothing to load yet"
