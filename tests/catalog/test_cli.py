"""The command line: the sample catalogue passes, `new` writes a usable draft, JSON output parses."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from catalog import credits as C
from catalog.__main__ import main
from catalog.load import DEFAULT_FOLDER, load_catalog
from tests.catalog.conftest import VALID, mutate, own_numbers

ROOT = Path(__file__).resolve().parents[2]


def test_sample_catalogue_passes_strict(run_check):
    rc, lines, summary = run_check("--strict")
    assert (rc, lines) == (0, [])
    assert re.fullmatch(r"checked \d+ activity files: 0 errors, 0 warnings", summary)


def test_sample_catalogue_covers_the_contract():
    cat = load_catalog(DEFAULT_FOLDER)
    acts = list(cat.activities.values())
    assert len(acts) >= 14
    assert {a.format for a in acts} == set(C.FORMATS)
    assert {k for a in acts for k in a.credit_keys} == set(C.CREDIT_TYPES)
    assert any({d.audience for d in a.designations if d.credit == "acpe"} == {"P", "T"} for a in acts)
    assert {s for a in acts for d in a.designations for s in d.subjects} >= {"hiv-aids", "medical-errors"}
    assert any(a.conference == "ASM Microbe 2027" and a.format == "live" for a in acts)
    assert any(a.commercial_support and a.commercial_support[0].agreement_signed for a in acts)
    assert sum(a.draft for a in acts) == 1
    assert {str(a.price) for a in acts} >= {"0.00", "15.00", "25.00", "40.00"}
    years = {a.starts.year for a in acts}
    assert {2025, 2026, 2027} <= years
    # Joint Accreditation (a JA… UAN, AMA + ACPE) and joint providership (a partner, a -9999- UAN).
    assert any(a.jointly_accredited and {"ama_pra_1", "acpe"} <= set(a.credit_keys) for a in acts)
    assert any(a.joint_provider and any("-9999-" in d.reference for d in a.designations) for a in acts)
    assert all(d.activity_type in C.ACPE_ACTIVITY_TYPES for a in acts for d in a.designations
               if d.credit == "acpe")
    assert any(len(d.subject_hours) > 1 for a in acts for d in a.designations)
    assert any(d.exception for a in acts for p in a.faculty for d in p.disclosures)


def test_new_writes_a_draft_that_checks_and_passes_once_filled_in(tmp_path, capsys):
    assert main(["new", "my-activity", "--folder", str(tmp_path)]) == 0
    path = tmp_path / "my-activity.md"
    assert capsys.readouterr().out.startswith(f"wrote {path}")
    assert main(["check", "--strict", str(path)]) == 0
    capsys.readouterr()

    published = path.read_text().replace("draft: true", "draft: false")
    path.write_text(published)
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.count("still has a placeholder (TODO)") == 9

    filled = (published.replace("Describe TODO (start each objective with a measurable verb).",
                                "Describe the sepsis bundle.")
              .replace("TODO-program-number", "116-099-27")
              .replace("TODO Speaker Name", "Jane Doe").replace("TODO Planner Name", "Ravi Patel")
              .replace("TODO A question", "A question").replace("TODO right answer", "Right")
              .replace("TODO wrong answer", "Wrong").replace("TODO Why", "Why")
              .replace("TODO: the description", "The description"))
    path.write_text(filled)
    assert main(["check", "--strict", str(path)]) == 0, capsys.readouterr().out


@pytest.mark.parametrize("slug", ["My Activity", "x_y", "x-", "Sepsis-2027"])
def test_new_refuses_a_bad_slug(tmp_path, capsys, slug):
    assert main(["new", slug, "--folder", str(tmp_path)]) == 2
    assert "must be lower-case words joined by hyphens" in capsys.readouterr().err


def test_new_never_overwrites(tmp_path, capsys):
    (tmp_path / "x.md").write_text("mine")
    assert main(["new", "x", "--folder", str(tmp_path)]) == 2
    assert (tmp_path / "x.md").read_text() == "mine"


def test_json_output(write_activity, capsys):
    good = write_activity(VALID, name="good.md")
    write_activity(own_numbers(mutate(VALID, "price: 25.00", "price: -1"), 2), name="bad.md")
    write_activity(own_numbers(mutate(VALID, "Interpret a blood", "Review a blood"), 3), name="meh.md")
    rc = main(["check", "--format", "json", str(good.parent)])
    report = json.loads(capsys.readouterr().out)
    assert rc == 1
    assert {k: report[k] for k in ("files", "activities", "errors", "warnings", "ok")} == {
        "files": 3, "activities": 2, "errors": 1, "warnings": 1, "ok": False}
    assert report["problems"][0] == {"path": str(good.parent / "bad.md"), "line": 6, "severity": "error",
                                     "message": "`price` must be 0 or more, not -1",
                                     "rule": "price_is_money"}


def test_python_dash_m_runs_as_a_program(tmp_path):
    (tmp_path / "sepsis-update.md").write_text(mutate(VALID, "price: 25.00", "price: 25.999"))
    proc = subprocess.run([sys.executable, "-m", "catalog", "check", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        f"{tmp_path / 'sepsis-update.md'}:6: error: `price` must have at most two decimals (cents), not 25.999",
        "checked 1 activity file: 1 error, 0 warnings"]
    assert proc.stderr == ""


def test_an_empty_folder_is_an_error_not_a_clean_catalogue(tmp_path, capsys):
    from catalog.__main__ import main

    (tmp_path / "notes.txt").write_text("not an activity")
    assert main(["check", str(tmp_path)]) == 1
    assert f"error: no activity files (*.md) in {tmp_path}" in capsys.readouterr().err


def test_new_keeps_a_title_with_a_colon_in_one_piece(tmp_path, capsys):
    from catalog.__main__ import main
    from catalog.load import check_file

    assert main(["new", "sepsis-update-2027", "--title", 'Sepsis: Update #2 "2027"',
                 "--folder", str(tmp_path)]) == 0
    doc = check_file(tmp_path / "sepsis-update-2027.md")
    assert doc.data["title"] == 'Sepsis: Update #2 "2027"'
    assert not [p for p in doc.problems if "YAML" in p.message]
