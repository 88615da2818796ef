"""The reporting bodies' facts have one home, catalog/destinations.py: a deadline number or a
destination's name defined anywhere else in catalog/ or claimserver/ fails here."""
from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest

from catalog import credits
from catalog import destinations as D

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / "catalog" / "destinations.py"
NAMES = sorted({d.name for d in D.DESTINATIONS.values()})
DEADLINES = sorted({d.deadline_days for d in D.DESTINATIONS.values() if d.deadline_days}
                   | {w for d in D.DESTINATIONS.values() for w in d.warn_days})
#: A string that is a destination's name (optionally with its body in front): a second definition.
NAME_LITERAL = re.compile(rf"^(?:NABP |ACCME )?(?:{'|'.join(map(re.escape, NAMES))})(?: \(.*\))?$")
#: Prose or code spelling out a deadline: "60 days", "30-day", "within 30 days".
DEADLINE_TEXT = re.compile(rf"\b(?:{'|'.join(map(str, DEADLINES))})[ -]days?\b")
#: Names of things that hold a reporting deadline or warning day.
DEADLINE_NAME = re.compile(r"deadline|report|warn|monitor|broker|pars", re.I)


def sources(*exts: str):
    for folder in ("catalog", "claimserver"):
        for path in sorted((ROOT / folder).rglob("*")):
            # conveners' activity files are content ("after 30 days of symptoms"), not code
            if (path.suffix in exts and path != HOME and "migrations" not in path.parts
                    and "activities" not in path.parts):
                yield path


def where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno}"


def test_the_records_hold_the_accreditors_numbers():
    assert (D.CPE_MONITOR.deadline_days, D.CPE_MONITOR.warn_days) == (60, (30, 50))
    assert (D.CE_BROKER.deadline_days, D.CE_BROKER.warn_days) == (30, (20,))
    assert D.PARS.deadline_days is None and D.PARS.days({"PARS_REPORT_DAYS": 30}) == 30
    assert {k: ct.destination.key for k, ct in credits.CREDIT_TYPES.items() if ct.destination} == {
        "ama_pra_1": "pars", "acpe": "cpe_monitor", "florida": "ce_broker"}
    assert D.destination_for_credit("acpe") is D.CPE_MONITOR and D.destination_for_credit("pace") is None


def test_one_rule_for_a_missed_deadline():
    on = dt.date(2027, 3, 12)
    assert not D.CPE_MONITOR.missed(on, dt.date(2027, 5, 11)) and D.CPE_MONITOR.missed(on, dt.date(2027, 5, 12))
    assert not D.PARS.missed(on, dt.date(2030, 1, 1))  # no deadline unless the setting gives one
    assert D.PARS.missed(on, dt.date(2027, 4, 12), {"PARS_REPORT_DAYS": 30})
    assert D.CPE_MONITOR.gates_credit and D.CE_BROKER.gates_credit and not D.PARS.gates_credit


def test_no_destination_name_is_defined_outside_its_record():
    found = []
    for path in sources(".py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and NAME_LITERAL.match(node.value):
                found.append(f"{where(path, node)}: {node.value!r}")
    assert not found, "use catalog.destinations.DESTINATIONS[...].name instead:\n" + "\n".join(found)


def deadline_definitions(tree: ast.AST):
    """(node, name, numbers) for each assignment or keyword argument giving a deadline-like name
    one of the deadline or warning-day numbers."""
    for node in ast.walk(tree):
        pairs = []
        if isinstance(node, ast.Assign):
            pairs = [(t.id if isinstance(t, ast.Name) else getattr(t, "attr", ""), node.value)
                     for t in node.targets]
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
            pairs = [(getattr(node.target, "id", getattr(node.target, "attr", "")), node.value)]
        elif isinstance(node, ast.keyword) and node.arg:
            pairs = [(node.arg, node.value)]
        for name, value in pairs:
            numbers = [n.value for n in ast.walk(value) if isinstance(n, ast.Constant)
                       and type(n.value) is int and n.value in DEADLINES]
            if numbers and DEADLINE_NAME.search(name):
                yield node, name, numbers


def test_no_deadline_number_is_defined_outside_its_record():
    found = [f"{where(path, node)}: {name} = {numbers}"
             for path in sources(".py")
             for node, name, numbers in deadline_definitions(ast.parse(path.read_text(encoding="utf-8")))]
    assert not found, "deadlines and warning days live in catalog/destinations.py:\n" + "\n".join(found)


@pytest.mark.parametrize("exts", [(".py",), (".html", ".md", ".js")])
def test_no_deadline_is_spelled_out_outside_its_record(exts):
    found = [f"{path.relative_to(ROOT)}:{i}: {line.strip()}"
             for path in sources(*exts)
             for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if DEADLINE_TEXT.search(line)]
    assert not found, "say the destination's deadline_days instead:\n" + "\n".join(found)


def test_the_checks_above_would_catch_a_second_definition(tmp_path):
    """The patterns are not vacuous: each matches the kind of line it exists to refuse."""
    assert NAME_LITERAL.match("CPE Monitor") and NAME_LITERAL.match("NABP CPE Monitor")
    assert NAME_LITERAL.match("ACCME PARS (when required)") and not NAME_LITERAL.match("CPE Monitor said")
    assert DEADLINE_TEXT.search("reported within 30 days") and DEADLINE_TEXT.search("the 60-day limit")
    tree = ast.parse("CE_BROKER_DAYS = 30\nx = f(report_days=60)\nfollow_up = 30\nd = dt.timedelta(days=60)\n"
                     "WARN: tuple = (30, 50)\n")
    assert sorted((name, numbers) for _, name, numbers in deadline_definitions(tree)) == [
        ("CE_BROKER_DAYS", [30]), ("WARN", [30, 50]), ("report_days", [60])]
