"""One test per accreditation rule: the minimal valid activity passes; one edit trips that rule only."""
from __future__ import annotations

import pytest

from catalog import rules
from catalog.load import check_file
from tests.catalog.conftest import JOURNAL, VALID, mutate

DESIGNATIONS = VALID[VALID.index("designations:\n"):VALID.index("faculty:\n")]

#: rule name -> (base file, text to replace, replacement)
EDITS = {
    "times_have_order": (VALID, "ends: 2027-03-12T13:00", "ends: 2027-03-12T12:00"),
    "join_details_fit": (VALID, "format: webinar", "join: {url: \"http://meet.example.org/j/1\"}\nformat: webinar"),
    "free_enrolment_is_for_meetings": (VALID, "price: 25.00", "price: 25.00\nfree_for_registrants: true"),
    "in_person_details_fit": (VALID, "format: webinar", "room: Room 204B\nformat: webinar"),
    "home_study_needs_window_and_test": (JOURNAL, "pass_mark: 70\n", ""),
    "acpe_home_study_expires": (JOURNAL, "claim_until: 2028-03-11", "claim_until: 2031-01-01"),
    "price_is_money": (VALID, "price: 25.00", "price: -1"),
    "has_designation": (VALID, DESIGNATIONS, "designations:\n  participation: false\n"),
    "ama_credits_in_quarters": (VALID, "credits: 1}", "credits: 0.9}"),
    "hours_in_quarters": (VALID, "L01-P\", hours: 1,", "L01-P\", hours: 0.8,"),
    "pace_contact_hours": (VALID, "hours: 1, level", "hours: 0.75, level"),
    "state_designations_need_credit": (VALID, "  ama_pra_1: {credits: 1}\n", "",),
    "state_minimum_instruction": (VALID, "hours: 1, subjects", "hours: 1.25, subjects"),
    "florida_subjects_add_up": (VALID, "subjects: [general]", "subjects: {general: 0.75}"),
    "joint_provider_declared": (VALID, "0001-0000-27", "0001-9999-27"),
    "uan_well_formed": (VALID, "L01-P", "H01-P"),
    "objectives_measurable": (VALID, "Interpret a blood", "Understand a blood"),
    "disclosures_complete": (VALID, "attested: 2027-01-05", "attested: 2027-03-13"),
    "commercial_support_agreed": (VALID, "faculty:\n", "commercial_support:\n"
                                  "  - {company: Acme Diagnostics, kind: grant}\nfaculty:\n"),
    "questions_answerable": (JOURNAL, "choices: [Blood culture, Urine culture]", "choices: [Blood culture]"),
    "placeholders_filled": (VALID, "title: Sepsis Update", "title: TODO Sepsis Update"),
}
# state_designations_need_credit: Florida with neither P.A.C.E. nor AMA; drop P.A.C.E. as well.
EDITS["state_designations_need_credit"] = (
    mutate(VALID, "  pace: {program: \"116-001-27\", hours: 1, level: basic}\n", ""),
    "  ama_pra_1: {credits: 1}\n", "")


def _check(tmp_path, text: str):
    path = tmp_path / "sepsis-update.md"
    path.write_text(text, encoding="utf-8")
    return check_file(path).problems


def test_every_rule_has_a_test():
    assert {r.__name__ for r in rules.RULES} == set(EDITS)


@pytest.mark.parametrize("base", [VALID, JOURNAL], ids=["webinar", "journal"])
def test_minimal_activity_passes(tmp_path, base):
    assert _check(tmp_path, base) == []


@pytest.mark.parametrize("name", list(EDITS))
def test_one_edit_trips_one_rule(tmp_path, name):
    base, old, new = EDITS[name]
    assert _check(tmp_path, base) == []
    found = _check(tmp_path, mutate(base, old, new))
    assert found, f"{name} reported nothing"
    assert {p.rule for p in found} == {name}, [str(p) for p in found]
    assert all(p.is_error for p in found)


def test_drafts_may_keep_placeholders(tmp_path):
    text = mutate(VALID, "title: Sepsis Update", "draft: true\ntitle: TODO Sepsis Update")
    assert _check(tmp_path, text) == []


def test_a_failing_rule_is_reported_not_raised(tmp_path, monkeypatch):
    def broken(doc):
        raise KeyError("oops")

    broken.__name__ = "broken"
    monkeypatch.setattr(rules, "RULES", (broken,))
    [problem] = _check(tmp_path, VALID)
    assert problem.rule == "broken"
    assert problem.message == ("internal error in the checker's rule broken (KeyError: 'oops'); "
                               "please report it")


@pytest.mark.parametrize("objective, severity", [
    ("Interpret a Gram stain.", None),
    ("Learners will be able to describe sepsis bundles.", None),
    ("Be aware of new breakpoints.", "error"),
    ("Know the CLSI breakpoints.", "error"),
    ("Appreciate the role of the laboratory.", "error"),
    ("Review the sepsis literature.", "warning"),
    # Bloom's revised taxonomy, every level: accepted without comment.
    ("Recall the CLSI breakpoints for Enterobacterales.", None),
    ("Differentiate colonization from infection.", None),
    ("Rank the rapid tests by their effect on therapy.", None),
    ("Formulate a reporting rule for blood cultures.", None),
    ("Synthesize the stewardship data into a plan.", None),
    ("Establish a call list for critical results.", None),
    ("Revise the antibiogram every year.", None),
    ("Understanding the antibiogram.", "error"),
    ("Gain an understanding of the antibiogram.", "error"),
    ("Increase blood culture yield.", "error"),
    ("Improve turnaround time.", "error"),
    ("Learn the new breakpoints.", "error"),
    ("Describe bundles as well as list their elements.", "warning"),
])
def test_objective_verbs(tmp_path, objective, severity):
    found = _check(tmp_path, mutate(VALID, "Interpret a blood culture Gram stain.", objective))
    assert [p.severity for p in found] == ([severity] if severity else [])


def test_verb_lists_do_not_overlap():
    assert not {v for v in rules.UNMEASURABLE_VERBS if " " not in v} & rules.MEASURABLE_VERBS
