"""Files written by another accredited provider: the compliant one checks clean as it is, its first
draft fails with one fixable `path:line` message per thing ACCME, ACPE or the states refuse."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from catalog import serialize
from catalog.load import load_catalog
from tests.catalog.conftest import mutate

FOLDER = Path(__file__).parent / "other_provider"
COMPLIANT = FOLDER / "carbapenem-resistance-grand-rounds-2026.md"
DRAFT = FOLDER / "carbapenem-resistance-first-draft-2026.md"


#: The other provider's own ACPE provider number: in its catalogue its UANs are its own.
THEIRS = ("--acpe-provider", "0204")


def test_the_compliant_file_checks_clean_even_with_strict(run_check):
    assert run_check("--strict", *THEIRS, COMPLIANT) == (
        0, [], "checked 1 activity file: 0 errors, 0 warnings")


def test_in_our_catalogue_its_uan_must_carry_our_number_or_name_the_partners(run_check):
    rc, lines, _ = run_check("--acpe-provider", "0001", COMPLIANT)
    assert (rc, lines) == (1, [
        f"{COMPLIANT}:24: error: UAN 0204-0000-26-117-L01-P carries the ACPE provider number 0204, "
        "which is neither the society's (0001) nor a declared joint provider's: correct the UAN, or "
        "give the partner's number in `joint_provider_number:`"])


def test_its_relationships_are_shown_with_one_label_and_the_exception_is_kept():
    a = load_catalog([COMPLIANT]).activities["carbapenem-resistance-grand-rounds-2026"]
    shown = [(p.name, d.company, d.label, d.exception) for p in a.faculty for d in p.disclosures]
    assert shown == [
        ("Dr. Lucia Ferreira-Banks, MD, PhD", "Halcyon Pharmaceuticals", "Advisory board", ""),
        ("Dr. Lucia Ferreira-Banks, MD, PhD", "Meridian Molecular",
         "Independent contractor (contracted research)", ""),
        ("Kwame Asante, MLS(ASCP)", "Meridian Molecular", "Employee", "technical-instruction"),
        ("Beatrix Holm, PharmD", "Halcyon Pharmaceuticals", "Grant/research support", ""),
    ]
    assert [q.explanation for q in a.questions] == ["", ""]
    florida = a.designation("florida")
    assert florida.subject_hours == (("general", Decimal("1")), ("supervision", Decimal("0.5")))
    assert florida.subjects == ("general", "supervision")
    assert [d.activity_type for d in a.designations if d.credit == "acpe"] == ["application"]
    assert a.designation("california_cls").hours == Decimal("1.5")  # the P.A.C.E. hours
    assert serialize.from_dict(serialize.to_dict(a)) == a


def test_competence_questions_without_explanation_are_a_warning_not_an_error(write_activity, run_check):
    path = write_activity(mutate(COMPLIANT.read_text(), "outcomes: [learning]", "outcomes: [learning, competence]"),
                          name=COMPLIANT.name)
    rc, lines, summary = run_check(*THEIRS, path)
    assert rc == 0
    assert lines == [
        f"{path}:75: warning: question 1 has no `explanation`: learners who answer wrongly see only the "
        "right answer; a sentence on why it is right is good practice",
        f"{path}:78: warning: question 2 has no `explanation`: learners who answer wrongly see only the "
        "right answer; a sentence on why it is right is good practice",
    ]


def test_the_first_draft_fails_with_a_fixable_message_for_each_problem(run_check):
    rc, lines, summary = run_check(*THEIRS, DRAFT)
    assert rc == 1
    assert lines == [
        f"{DRAFT}:17: error: UAN 0204-0000-27-118-L01-P carries the year 27, after the activity's year "
        "(2026): a UAN's year is when the activity was developed or first offered; use 26 or earlier",
        f"{DRAFT}:20: error: California CLS credit needs an offering of at least 50 minutes (one contact "
        "hour, 17 CCR 1038.3); the activity lasts 30 minutes: lengthen it or remove "
        "`designations.california_cls`",
        f"{DRAFT}:24: error: Florida (CE Broker) credit needs an offering of at least 50 minutes (one "
        "contact hour, 64B3-11.002); the activity lasts 30 minutes: lengthen it or remove "
        "`designations.florida`",
        f"{DRAFT}:32: error: `None` is not a mitigation: record what was done before the role began, "
        "e.g. content peer reviewed by a planner with no relationships, role changed, or relationship "
        "divested",
        f"{DRAFT}:38: error: Kwame Asante, MLS(ASCP) is an owner or employee of Meridian Molecular "
        "(`employee`) and may not be in control of accredited content (ACCME Standard 3): record the "
        "exception that applies in `exception:` (unrelated-content, technical-instruction, research), "
        "or give the role to someone else",
    ]
    assert summary == "checked 1 activity file: 5 errors, 0 warnings"
