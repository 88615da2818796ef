"""A table of plausible convener mistakes, each with the exact `path:line: severity: message` lines.

Each row writes one file, checks it through `load_catalog` and through the CLI, and compares every
reported line: the wording is part of the contract with conveners, so a change shows up here.
"""
from __future__ import annotations

import pytest

from catalog.__main__ import main, society_acpe_providers
from catalog.load import load_catalog
from tests.catalog.conftest import JOURNAL as J
from tests.catalog.conftest import VALID as V
from tests.catalog.conftest import mutate, own_numbers, problems

#: Jane Doe (speaker, faculty.0) and Ravi Patel (planner, faculty.1) with nothing to disclose.
SPEAKER = "    disclosures: []\n    attested: 2027-01-10"
PLANNER = "    disclosures: []\n    attested: 2027-01-05"


def disclose(relationship: str, who: str = SPEAKER) -> str:
    """The valid activity with one disclosure (a YAML flow mapping) for the speaker or the planner."""
    return mutate(V, who, who.replace("disclosures: []", "disclosures:\n      - " + relationship))


def thirty_minutes(state: str) -> str:
    """A 30-minute webinar (AMA 0.5, ACPE 0.5, no P.A.C.E.) offered for one state's credit."""
    text = mutate(V, "ends: 2027-03-12T13:00", "ends: 2027-03-12T12:30")
    text = mutate(mutate(text, "credits: 1}", "credits: 0.5}"), 'L01-P", hours: 1,', 'L01-P", hours: 0.5,')
    text = mutate(text, '  pace: {program: "116-001-27", hours: 1, level: basic}\n', "")
    return mutate(text, '  florida: {tracking: "20-123456", hours: 1, subjects: [general]}\n', state)


ROWS = [
    pytest.param(
        lambda: mutate(V, "  ama_pra_1", "\tama_pra_1"),
        [
        '{path}:11: error: invalid YAML: found character that cannot start any token; indent with spaces, not tabs',
        ], 1, id='tab-indent'),
    pytest.param(
        lambda: mutate(V, "---\nWhich", "Which"),
        [
        '{path}:1: error: the front-matter is not closed: add a `---` line after it',
        ], 1, id='unclosed-front-matter'),
    pytest.param(
        lambda: "title: Sepsis Update\nformat: webinar\n",
        [
        '{path}:1: error: the file must start with a `---` line, then the front-matter, then `---`',
        ], 1, id='no-front-matter'),
    pytest.param(
        lambda: V.encode().replace(b"Jane", b"Jan\xe9"),
        [
        '{path}:17: error: the file is not UTF-8 (byte 0xe9); save it as UTF-8',
        ], 1, id='not-utf8'),
    pytest.param(
        lambda: b"\xef\xbb\xbf" + V.encode(),
        [
        ], 0, id='bom-is-fine'),
    pytest.param(
        lambda: V.replace("\n", "\r\n").encode(),
        [
        ], 0, id='crlf-is-fine'),
    pytest.param(
        lambda: V + "Long description. " * 15000,
        [
        '{path}:1: error: the file is 270,737 bytes; activity files are limited to 262,144',
        ], 1, id='too-large'),
    pytest.param(
        lambda: mutate(V, "title: Sepsis Update for the Laboratory", "title: !!python/object/apply:os.system [echo hi]"),
        [
        '{path}:2: error: the tag `!!python/object/apply:os.system` is not allowed; remove it',
        ], 1, id='python-tag'),
    pytest.param(
        lambda: mutate(mutate(V, "starts: 2027", "starts: &start 2027"), "ends: 2027-03-12T13:00:00-05:00", "ends: *start"),
        [
        '{path}:5: error: anchors and aliases (& and *) are not allowed; write the value out',
        ], 1, id='alias'),
    pytest.param(
        lambda: mutate(V, "title: Sepsis", "title: &t Sepsis"),
        [
        '{path}:2: error: anchors and aliases (& and *) are not allowed',
        ], 1, id='unused-anchor'),
    pytest.param(
        lambda: mutate(V, "  pace: {program", "  pace: {<<: {level: basic}, program"),
        [
        '{path}:14: error: merge keys (<<) are not allowed',
        ], 1, id='merge-key'),
    pytest.param(
        lambda: mutate(V, "format: webinar\n", "format: webinar\ntitle: Sepsis Again\n"),
        [
        '{path}:4: error: duplicate key `title` (first given on line 2)',
        ], 1, id='duplicate-key'),
    pytest.param(
        lambda: mutate(V, "price: 25.00\n", "price: 25.00\nlocaton: Online\n"),
        [
        '{path}:7: error: unknown key `locaton`; did you mean `location`?',
        ], 1, id='unknown-key-did-you-mean'),
    pytest.param(
        lambda: mutate(V, "level: basic", "levle: basic"),
        [
        '{path}:14: error: missing required key `level` in `designations.pace` (level of instruction)',
        '{path}:14: error: unknown key `levle` in `designations.pace`; did you mean `level`?',
        ], 1, id='unknown-nested-key'),
    pytest.param(
        lambda: mutate(V, "price: 25.00\n", "price: 25.00\nyes: true\n"),
        [
        "{path}:7: error: the key 'yes' must be a plain word (quote it: YAML reads it as true/false)",
        ], 1, id='yes-as-key'),
    pytest.param(
        lambda: mutate(V, "price: 25.00", "price: free"),
        [
        '{path}:6: error: `price` must be a number, not `free`',
        ], 1, id='price-not-a-number'),
    pytest.param(
        lambda: mutate(V, "objectives:\n  - Interpret", "objectives: Interpret"),
        [
        '{path}:8: error: `objectives` must be a list (one `- item` per line), not text',
        ], 1, id='objectives-not-a-list'),
    pytest.param(
        lambda: V.replace("faculty:\n", "draft: \"no\"\nfaculty:\n", 1),
        [
        '{path}:16: error: `draft` must be true or false, not text',
        ], 1, id='draft-as-text'),
    pytest.param(
        lambda: mutate(V, "format: webinar", "format: webinr"),
        [
        '{path}:3: error: `format` is `webinr`, which is not one of: live, teleconference, webinar, workshop, journal, on-demand; did you mean `webinar`?',
        ], 1, id='format-typo'),
    pytest.param(
        lambda: mutate(V, "laboratory-professionals]", "nurses]"),
        [
        '{path}:7: error: `audience.2` is `nurses`, which is not one of: physicians, diplomates, pharmacists, pharmacy-technicians, laboratory-professionals, scientists',
        ], 1, id='audience-unknown'),
    pytest.param(
        lambda: disclose("{company: Acme Diagnostics, relationship: Advisory Board, mitigation: Peer review.}"),
        [
        ], 0, id='relationship-is-free-text'),
    pytest.param(
        lambda: disclose("{company: Acme Diagnostics, relationship: speakers' bureau member, mitigation: Peer review.}"),
        [
        ], 0, id='relationship-unknown-term-accepted'),
    pytest.param(
        lambda: disclose('{company: Acme Diagnostics, relationship: consultant, mitigation: "None"}'),
        [
        '{path}:20: error: `None` is not a mitigation: record what was done before the role began, e.g. content peer reviewed by a planner with no relationships, role changed, or relationship divested',
        ], 1, id='mitigation-none'),
    pytest.param(
        lambda: disclose("{company: Acme Diagnostics, relationship: consultant, mitigation: N/A}"),
        [
        '{path}:20: error: `N/A` is not a mitigation: record what was done before the role began, e.g. content peer reviewed by a planner with no relationships, role changed, or relationship divested',
        ], 1, id='mitigation-n-a'),
    pytest.param(
        lambda: disclose('{company: Acme Diagnostics, relationship: consultant, mitigation: "-"}'),
        [
        '{path}:20: error: `-` is not a mitigation: record what was done before the role began, e.g. content peer reviewed by a planner with no relationships, role changed, or relationship divested',
        ], 1, id='mitigation-dash'),
    pytest.param(
        lambda: disclose("{company: Acme Diagnostics, relationship: employee, mitigation: Content peer reviewed.}", PLANNER),
        [
        '{path}:24: error: Ravi Patel, MD is an owner or employee of Acme Diagnostics (`employee`) and may not be in control of accredited content (ACCME Standard 3): record the exception that applies in `exception:` (unrelated-content, technical-instruction, research), or give the role to someone else',
        ], 1, id='employee-planner-without-exception'),
    pytest.param(
        lambda: disclose("{company: Acme Diagnostics, relationship: Chief Executive Officer, mitigation: Content peer reviewed.}", PLANNER),
        [
        '{path}:24: error: Ravi Patel, MD is an owner or employee of Acme Diagnostics (`Chief Executive Officer`) and may not be in control of accredited content (ACCME Standard 3): record the exception that applies in `exception:` (unrelated-content, technical-instruction, research), or give the role to someone else',
        ], 1, id='executive-role-without-exception'),
    pytest.param(
        lambda: disclose("{company: Acme Diagnostics, relationship: Employee, mitigation: Content peer reviewed., exception: unrelated-content}", PLANNER),
        [
        ], 0, id='employee-with-exception'),
    pytest.param(
        lambda: disclose("{company: Acme Diagnostics, relationship: ownership interest, mitigation: Divested., ended: 2026-06-30}", PLANNER),
        [
        ], 0, id='former-owner-needs-no-exception'),
    pytest.param(
        lambda: disclose("{company: Acme Diagnostics, relationship: employee, mitigation: Content peer reviewed., exception: unrelated}"),
        [
        '{path}:20: error: Jane Doe, PhD is an owner or employee of Acme Diagnostics (`employee`) and may not be in control of accredited content (ACCME Standard 3): record the exception that applies in `exception:` (unrelated-content, technical-instruction, research), or give the role to someone else',
        '{path}:20: error: `faculty.0.disclosures.0.exception` is `unrelated`, which is not one of: unrelated-content, technical-instruction, research; did you mean `unrelated-content`?',
        ], 1, id='exception-unknown'),
    pytest.param(
        lambda: disclose("{company: Acme Diagnostics, relationship: consultant, mitigation: Content peer reviewed., exception: research}"),
        [
        '{path}:20: warning: `exception` is for owners and employees of the company (employee, executive role, ownership interest), not `consultant`: remove it',
        ], 0, id='exception-for-a-consultant'),
    pytest.param(
        lambda: mutate(V, "attested: 2027-01-05", "attested: 2026-03-11"),
        [
        '{path}:24: warning: Ravi Patel, MD attested on 2026-03-11, more than 12 months before the activity starts (2027-03-12): ask for a new disclosure and attestation form',
        ], 0, id='attestation-over-12-months-old'),
    pytest.param(
        lambda: mutate(V, "attested: 2027-01-05", "attested: 2026-03-12"),
        [
        ], 0, id='attestation-12-months-old'),
    pytest.param(
        lambda: mutate(V, "title: Sepsis Update for the Laboratory\n", ""),
        [
        "{path}:2: error: missing required key `title` (the activity's title)",
        ], 1, id='missing-title'),
    pytest.param(
        lambda: mutate(V, "    attested: 2027-01-05\n", ""),
        [
        '{path}:21: error: missing required key `attested` in `faculty.1` (date the disclosure and attestation form was signed)',
        ], 1, id='missing-attested'),
    pytest.param(
        lambda: mutate(V, "starts: 2027-03-12T12:00:00-05:00", "starts: 2027-03-12T12:00:00"),
        [
        '{path}:4: error: `starts` needs a UTC offset, e.g. 2027-03-12T12:00:00-05:00',
        ], 1, id='naive-datetime'),
    pytest.param(
        lambda: mutate(V, "starts: 2027-03-12T12:00:00-05:00", "starts: 2027-03-12"),
        [
        '{path}:4: error: `starts` needs a time and UTC offset, e.g. 2027-03-12T09:00:00-05:00',
        ], 1, id='date-without-time'),
    pytest.param(
        lambda: mutate(V, "starts: 2027-03-12T12:00:00-05:00", "starts: 2027-02-30T12:00:00-05:00"),
        [
        '{path}:4: error: `2027-02-30T12:00:00-05:00` is not a real date (day is out of range for month)',
        ], 1, id='february-30'),
    pytest.param(
        lambda: mutate(V, "ends: 2027-03-12T13:00", "ends: 2027-03-12T11:00"),
        [
        '{path}:5: error: `ends` (2027-03-12T11:00:00-05:00) must be after `starts` (2027-03-12T12:00:00-05:00)',
        ], 1, id='ends-before-starts'),
    pytest.param(
        lambda: mutate(V, "ends: 2027-03-12T13:00:00-05:00\n", ""),
        [
        '{path}:3: error: a webinar activity needs `ends` (its end time, with a UTC offset)',
        ], 1, id='live-without-ends'),
    pytest.param(
        lambda: mutate(V, "price: 25.00\n", "price: 25.00\nclaim_until: 2027-03-01\n"),
        [
        '{path}:7: error: `claim_until` (2027-03-01) is before the activity ends',
        ], 1, id='claim-until-before-end'),
    pytest.param(
        lambda: mutate(V, "price: 25.00\n", "price: 25.00\ntimezone: Eastern\n"),
        [
        '{path}:7: error: `Eastern` is not a time zone name like America/New_York',
        ], 1, id='bad-timezone'),
    pytest.param(
        lambda: mutate(V, "0001-0000-27-001-L01-P", "0001-27-001-L01-P"),
        [
        '{path}:13: error: `0001-27-001-L01-P` is not a Universal Activity Number like 0001-0000-27-001-L01-P (provider-0000-year-sequence-L/H+topic-P/T)',
        ], 1, id='bad-uan'),
    pytest.param(
        lambda: mutate(V, "L01-P", "H01-P"),
        [
        '{path}:13: error: UAN 0001-0000-27-001-H01-P is for home study (H) but the activity is webinar: use L',
        ], 1, id='home-study-uan-on-live'),
    pytest.param(
        lambda: mutate(J, "H01-P", "L01-P"),
        [
        '{path}:15: error: UAN 0001-0000-27-001-L01-P is for a live activity (L) but the activity is journal: use H',
        ], 1, id='live-uan-on-journal'),
    pytest.param(
        lambda: mutate(V, "L01-P", "L01-T"),
        [
        '{path}:12: error: the audience includes pharmacists: add a UAN ending in -P',
        '{path}:12: warning: a technician UAN (-T) is listed but `audience` does not include pharmacy-technicians',
        ], 1, id='pharmacists-without-p-uan'),
    pytest.param(
        lambda: mutate(mutate(V, "pharmacists,", "pharmacists, pharmacy-technicians,"), '    - {uan: "0001-0000-27-001-L01-P", hours: 1, activity_type: knowledge}\n', '    - {uan: "0001-0000-27-001-L01-P", hours: 1, activity_type: knowledge}\n    - {uan: "0001-0000-27-002-L01-T", hours: 1, activity_type: knowledge}\n'),
        [
        '{path}:12: error: pharmacist and technician UANs must differ only in the last letter',
        ], 1, id='p-and-t-uans-differ'),
    pytest.param(
        lambda: mutate(V, "credits: 1}", "credits: 1.3}"),
        [
        '{path}:11: error: 1.3 AMA credits need at least 78 minutes of education; the activity lasts 60 minutes',
        '{path}:11: error: AMA credits must be a multiple of 0.25 (15 minutes), not 1.3',
        ], 1, id='ama-1-3'),
    pytest.param(
        lambda: mutate(V, "credits: 1}", "credits: 1.5}"),
        [
        '{path}:11: error: 1.5 AMA credits need at least 90 minutes of education; the activity lasts 60 minutes',
        ], 1, id='ama-longer-than-activity'),
    pytest.param(
        lambda: mutate(V, ", level: basic}", "}"),
        [
        '{path}:14: error: missing required key `level` in `designations.pace` (level of instruction)',
        ], 1, id='pace-level-missing'),
    pytest.param(
        lambda: mutate(V, "hours: 1, level", "hours: 0.75, level"),
        [
        '{path}:14: error: a P.A.C.E. program lasts at least 50 minutes (1 contact hour)',
        ], 1, id='pace-under-50-minutes'),
    pytest.param(
        lambda: mutate(V, "hours: 1, level", "hours: 1.5, level"),
        [
        '{path}:14: error: 1.5 P.A.C.E. contact hours need at least 75 minutes (50 per hour); the activity lasts 60 minutes',
        ], 1, id='pace-longer-than-activity'),
    pytest.param(
        lambda: mutate(V, "Interpret a blood culture Gram stain.", "Understand blood cultures."),
        [
        '{path}:9: error: objective 1 starts with `understand`, which cannot be measured; start with a verb such as describe, identify, interpret, compare or apply',
        ], 1, id='unmeasurable-objective'),
    pytest.param(
        lambda: mutate(V, "Interpret a blood culture Gram stain.", "Interpret a Gram stain and select empiric therapy."),
        [
        '{path}:9: warning: objective 1 looks compound (two verbs joined by `and`): split it into two objectives',
        ], 0, id='compound-objective'),
    pytest.param(
        lambda: mutate(V, "attested: 2027-01-10", "attested: 2027-04-01"),
        [
        '{path}:20: error: Jane Doe, PhD attested on 2027-04-01, after the activity starts (2027-03-12): disclosures must be collected and mitigated before the role begins',
        ], 1, id='attested-after-start'),
    pytest.param(
        lambda: disclose("{company: Acme Diagnostics, relationship: consultant}"),
        [
        '{path}:20: error: missing required key `mitigation` in `faculty.0.disclosures.0` (how the relationship was mitigated before the role began; `none` or `n/a` is not a mitigation)',
        ], 1, id='disclosure-without-mitigation'),
    pytest.param(
        lambda: mutate(V, "faculty:\n", "commercial_support:\n  - {company: Acme Diagnostics, kind: grant}\nfaculty:\n"),
        [
        '{path}:17: error: commercial support from Acme Diagnostics needs `agreement_signed` (the date of the written agreement)',
        ], 1, id='commercial-support-unsigned'),
    pytest.param(
        lambda: mutate(V, "price: 25.00", "price: -1"),
        [
        '{path}:6: error: `price` must be 0 or more, not -1',
        ], 1, id='price-negative'),
    pytest.param(
        lambda: mutate(V, "price: 25.00", "price: 25.999"),
        [
        '{path}:6: error: `price` must have at most two decimals (cents), not 25.999',
        ], 1, id='price-fractional-cents'),
    pytest.param(
        lambda: mutate(mutate(J, "claim_until: 2028-03-11\n", ""), "pass_mark: 70\n", ""),
        [
        '{path}:3: error: a journal activity needs `claim_until` (the last day to claim credit)',
        '{path}:3: error: a journal activity needs `pass_mark` (the post-test pass mark, in percent)',
        ], 1, id='journal-without-window-and-mark'),
    pytest.param(
        lambda: mutate(J, "claim_until: 2028-03-11", "claim_until: 2030-06-01"),
        [
        '{path}:5: error: ACPE home study expires within 3 years of release: `claim_until` must be on or before 2030-03-12',
        ], 1, id='acpe-home-study-over-3-years'),
    pytest.param(
        lambda: mutate(V, 'tracking: "20-123456", ', ""),
        [
        '{path}:15: error: missing required key `tracking` in `designations.florida` (CE Broker course tracking number)',
        ], 1, id='florida-without-tracking'),
    pytest.param(
        lambda: mutate(J, "answer: 0", "answer: 2"),
        [
        '{path}:21: error: question 1: `answer` is 2, but choices are numbered 0 to 1',
        ], 1, id='answer-out-of-range'),
    pytest.param(
        lambda: mutate(V, "title: Sepsis Update for the Laboratory", "title: Sepsis: an update"),
        [
        "{path}:2: error: invalid YAML: mapping values are not allowed in this context; quote values that contain ': '",
        ], 1, id='unquoted-colon'),
    pytest.param(
        lambda: mutate(V, "Which blood", "TODO: which blood"),
        [
        '{path}:26: error: the description still has a placeholder (TODO): fill it in, or set `draft: true`',
        ], 1, id='todo-placeholder'),
    pytest.param(
        lambda: mutate(J, "pass_mark: 70", "pass_mark: !!int seventy"),
        [
        '{path}:7: error: `seventy` is not a whole number',
        ], 1, id='bad-int-tag'),
    pytest.param(
        lambda: mutate(V, "Jane", "Ja\x00ne"),
        [
        '{path}:17: error: the file contains a NUL character',
        ], 1, id='nul-byte'),
    pytest.param(
        lambda: "",
        [
        '{path}:1: error: the file is empty: start it with a `---` line, the front-matter, then `---` (`python -m catalog new` writes a skeleton)',
        ], 1, id='empty-file'),
    pytest.param(
        lambda: "---\n---\n",
        [
        '{path}:2: error: the front-matter is empty',
        ], 1, id='only-dashes'),
    pytest.param(
        lambda: "---\n- title: Sepsis\n- format: webinar\n---\n",
        [
        '{path}:2: error: the front-matter must be a mapping of keys to values (`key: value` lines), not a list',
        ], 1, id='front-matter-is-a-list'),
    pytest.param(
        lambda: mutate(J, "pass_mark: 70", "pass_mark: 150"),
        [
        '{path}:7: error: `pass_mark` must be at most 100',
        ], 1, id='pass-mark-over-100'),
    pytest.param(
        lambda: mutate(J, "material: https://journals.asm.org/doi/10.1128/x", "material: journals.asm.org/x"),
        [
        '{path}:6: error: `material` must be a web address starting with https://',
        ], 1, id='material-not-a-url'),
    pytest.param(
        lambda: mutate(V, "price: 25.00", "price: 25.00\ntimezone: America/New_York").replace("-05:00", "-04:00"),
        [
        '{path}:4: warning: `starts` has UTC offset -04:00, but America/New_York is at -05:00 on 2027-03-12: the page would show a different local time; check the offset (summer/winter time?)',
        '{path}:5: warning: `ends` has UTC offset -04:00, but America/New_York is at -05:00 on 2027-03-12: the page would show a different local time; check the offset (summer/winter time?)',
        ], 0, id='offset-disagrees-with-time-zone'),
    pytest.param(
        lambda: mutate(V, "0001-0000-27-001-L01-P", "0001-0000-24-001-L01-P"),
        [
        ], 0, id='uan-year-3-years-earlier'),
    pytest.param(
        lambda: mutate(V, "0001-0000-27-001-L01-P", "0001-0000-28-001-L01-P"),
        [
        "{path}:13: error: UAN 0001-0000-28-001-L01-P carries the year 28, after the activity's year (2027): a UAN's year is when the activity was developed or first offered; use 27 or earlier",
        ], 1, id='uan-year-after-the-activity'),
    pytest.param(
        lambda: mutate(V, "0001-0000-27-001-L01-P", "0001-0000-23-001-L01-P"),
        [
        '{path}:13: warning: UAN 0001-0000-23-001-L01-P carries the year 23, 4 years before the activity starts (2027): a repeated activity keeps its UAN for at most 3 years; check the year',
        ], 0, id='uan-year-over-3-years-earlier'),
    pytest.param(
        lambda: mutate(V, "0001-0000-27-001-L01-P", "0001-9999-27-001-L01-P"),
        [
        '{path}:13: error: UAN 0001-9999-27-001-L01-P marks a jointly provided activity (9999): name the partner organisation in `joint_provider:`',
        ], 1, id='joint-uan-without-joint-provider'),
    pytest.param(
        lambda: mutate(mutate(V, "0001-0000-27-001-L01-P", "0001-9999-27-001-L01-P"), "price: 25.00\n", "price: 25.00\njoint_provider: Riverside Infectious Diseases Society\n"),
        [
        ], 0, id='joint-uan-with-joint-provider'),
    pytest.param(
        lambda: mutate(V, "price: 25.00\n", "price: 25.00\njoint_provider: Riverside Infectious Diseases Society\n"),
        [
        "{path}:7: warning: `joint_provider` is Riverside Infectious Diseases Society, but UAN 0001-0000-27-001-L01-P is not jointly provided: ACPE writes 9999 as the second block of a jointly provided activity's UAN",
        ], 0, id='joint-provider-with-provider-uan'),
    pytest.param(
        lambda: mutate(V, "price: 25.00\n", "price: 25.00\nfree_for_registrants: true\n"),
        [
        "{path}:7: error: `free_for_registrants` is for a meeting (a file with `sessions:`); a single activity sets `price: 0` to be free",
        ], 1, id='free-for-registrants-on-a-webinar'),
    pytest.param(
        lambda: mutate(V, "0001-0000-27-001-L01-P", "JA0001234-0000-27-001-L01-P"),
        [
        ], 0, id='jointly-accredited-uan'),
    pytest.param(
        lambda: mutate(V, ", activity_type: knowledge}", "}"),
        [
        '{path}:13: error: missing required key `activity_type` in `designations.acpe.0` (ACPE activity type: knowledge, application or practice)',
        ], 1, id='acpe-without-activity-type'),
    pytest.param(
        lambda: mutate(V, "activity_type: knowledge", "activity_type: knowledge-based"),
        [
        '{path}:13: error: `designations.acpe.0.activity_type` is `knowledge-based`, which is not one of: knowledge, application, practice; did you mean `knowledge`?',
        ], 1, id='acpe-activity-type-unknown'),
    pytest.param(
        lambda: mutate(V, "subjects: [general]", "subjects: [general, hiv-aids]"),
        [
        '{path}:15: error: `subjects` lists 2 Florida subject areas: give the hours in each, adding up to `hours`, e.g. `subjects: {general: 1, hiv-aids: 1}`',
        ], 1, id='florida-subjects-without-hours'),
    pytest.param(
        lambda: mutate(V, "subjects: [general]", "subjects: {general: 0.5, hiv-aids: 0.5}"),
        [
        ], 0, id='florida-hours-per-subject'),
    pytest.param(
        lambda: mutate(V, "subjects: [general]", "subjects: {general: 0.5, hiv-aids: 0.25}"),
        [
        '{path}:15: error: the Florida subject hours add up to 0.75, but `hours` is 1: make them equal',
        ], 1, id='florida-subject-hours-do-not-add-up'),
    pytest.param(
        lambda: mutate(V, "subjects: [general]", "subjects: [medical-errors]"),
        [
        '{path}:15: error: the Florida prevention-of-medical-errors course is a 2-hour course (64B3-11.001): give it 2 hours, not 1',
        ], 1, id='florida-medical-errors-not-2-hours'),
    pytest.param(
        lambda: thirty_minutes('  florida: {tracking: "20-123456", hours: 0.5, subjects: [general]}\n'),
        [
        '{path}:14: error: Florida (CE Broker) credit needs an offering of at least 50 minutes (one contact hour, 64B3-11.002); the activity lasts 30 minutes: lengthen it or remove `designations.florida`',
        ], 1, id='florida-30-minute-session'),
    pytest.param(
        lambda: thirty_minutes('  california_cls: {course: "ASM-27-001"}\n'),
        [
        '{path}:14: error: California CLS credit needs an offering of at least 50 minutes (one contact hour, 17 CCR 1038.3); the activity lasts 30 minutes: lengthen it or remove `designations.california_cls`',
        ], 1, id='california-30-minute-session'),
    pytest.param(
        lambda: mutate(V, "hours: 1, subjects", "hours: 1.25, subjects"),
        [
        '{path}:15: error: 1.25 Florida (CE Broker) contact hours need at least 63 minutes of instruction (50 per contact hour, 64B3-11.002); the activity lasts 60 minutes: designate at most 1',
        ], 1, id='florida-hours-longer-than-activity'),
    pytest.param(
        lambda: mutate(mutate(J, "    explanation: It changes therapy now.\n", ""), "designations:\n", "outcomes: [competence]\ndesignations:\n"),
        [
        '{path}:20: warning: question 1 has no `explanation`: learners who answer wrongly see only the right answer; a sentence on why it is right is good practice',
        ], 0, id='competence-question-without-explanation'),
    pytest.param(
        lambda: mutate(J, "    explanation: It changes therapy now.\n", ""),
        [
        ], 0, id='post-test-question-without-explanation'),
    pytest.param(
        lambda: mutate(V, "Interpret a blood culture Gram stain.", "Gain an understanding of blood cultures."),
        [
        '{path}:9: error: objective 1 starts with `gain an understanding of`, which cannot be measured; start with a verb such as describe, identify, interpret, compare or apply',
        ], 1, id='objective-gain-an-understanding'),
    pytest.param(
        lambda: mutate(V, "Interpret a blood culture Gram stain.", "Improve blood culture turnaround."),
        [
        '{path}:9: error: objective 1 starts with `improve`, which cannot be measured; start with a verb such as describe, identify, interpret, compare or apply',
        ], 1, id='objective-improve'),
]


@pytest.mark.parametrize("make, expected, code", ROWS)
def test_mistake_is_reported_exactly(make, expected, code, write_activity, run_check):
    path = write_activity(make())
    want = [e.replace("{path}", str(path)) for e in expected]
    assert problems(path) == want
    rc, lines, summary = run_check(path)
    assert lines == want
    assert rc == code
    errors = sum(": error: " in w for w in want)
    assert summary.startswith(f"checked 1 activity file: {errors} error")


def test_table_is_large_enough():
    assert len(ROWS) >= 40


def test_warnings_fail_only_with_strict(write_activity, run_check):
    path = write_activity(mutate(V, "Interpret a blood culture Gram stain.",
                                 "Interpret a Gram stain and select empiric therapy."))
    assert run_check(path)[0] == 0
    rc, lines, summary = run_check("--strict", path)
    assert rc == 1
    assert summary == "checked 1 activity file: 0 errors, 1 warning (warnings fail with --strict)"


def test_bad_file_name(write_activity):
    path = write_activity(V, name="Sepsis Update.md")
    assert problems(path) == [
        f"{path}:1: error: the file name `Sepsis Update` must be lower-case words joined by hyphens "
        "(it becomes the activity's address)"]


def test_same_slug_in_two_folders(write_activity, run_check):
    first = write_activity(V, folder="2026")
    second = write_activity(own_numbers(V, 2), folder="2027")
    want = [f"{second}:1: error: another activity already uses the address `sepsis-update` ({first}); "
            "rename one file"]
    assert problems(first.parent, second.parent) == want
    rc, lines, _ = run_check(first.parent, second.parent)
    assert (rc, lines) == (1, want)


def test_same_file_twice_is_checked_once(write_activity, run_check):
    path = write_activity(V)
    assert run_check(path, path, path.parent) == (0, [], "checked 1 activity file: 0 errors, 0 warnings")


def test_missing_path(tmp_path, run_check):
    rc, lines, _ = run_check(tmp_path / "nowhere.md")
    assert (rc, lines) == (1, [f"{tmp_path / 'nowhere.md'}:1: error: no such file or folder"])


def test_unreadable_path_is_a_problem_not_a_traceback(tmp_path, run_check):
    odd = tmp_path / "activities" / "odd.md"  # a folder whose name looks like an activity file
    odd.mkdir(parents=True)
    rc, lines, _ = run_check(odd.parent)
    assert (rc, lines) == (1, [f"{odd}:1: error: cannot read the file: Is a directory"])


def test_usage_error_exits_2_without_traceback(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["check", "--format", "xml"])
    assert exc.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


# ---- across the catalogue: numbers belong to one activity; UANs carry the society's provider -----
def test_the_same_uan_or_program_in_two_activities(write_activity, run_check):
    first = write_activity(V, name="sepsis-a.md")
    second = write_activity(mutate(V, "title: Sepsis Update", "title: Sepsis Update Again"),
                            name="sepsis-b.md")
    want = [
        f"{second}:13: error: UAN 0001-0000-27-001-L01-P is already used by {first}:13: give this "
        "activity its own UAN (a new sequence number)",
        f"{second}:14: error: P.A.C.E.® program number 116-001-27 is already used by {first}:14: give "
        "this activity its own program number",
    ]
    assert problems(first.parent) == want
    assert run_check(first.parent)[:2] == (1, want)


def test_a_draft_may_share_numbers_until_it_is_published(write_activity):
    first = write_activity(V, name="sepsis-update.md")
    write_activity(mutate(V, "title: Sepsis Update", "draft: true\ntitle: Sepsis Update"), name="copy.md")
    assert problems(first.parent) == []


def test_a_uan_with_another_providers_number(write_activity, run_check):
    path = write_activity(mutate(V, "0001-0000-27-001-L01-P", "0204-0000-27-001-L01-P"))
    want = [f"{path}:13: error: UAN 0204-0000-27-001-L01-P carries the ACPE provider number 0204, "
            "which is neither the society's (0001, JA0001234) nor a declared joint provider's: correct "
            "the UAN, or give the partner's number in `joint_provider_number:`"]
    assert run_check("--acpe-provider", "0001", "--acpe-provider", "JA0001234", path)[:2] == (1, want)
    assert [str(p) for p in load_catalog([path], acpe_providers=["0001", "JA0001234"]).problems] == want
    declared = write_activity(mutate(mutate(V, "0001-0000-27-001-L01-P", "0204-0000-27-001-L01-P"),
                                     "price: 25.00\n", 'price: 25.00\njoint_provider_number: "0204"\n'),
                              name="declared.md", folder="declared")
    assert run_check("--acpe-provider", "0001", declared)[:2] == (0, [])
    assert run_check("--acpe-provider", "", path)[:2] == (0, [])  # no society number: not checked


def test_the_cli_reads_the_societys_numbers_from_mkdocs_yml(write_activity, run_check, tmp_path,
                                                               monkeypatch):
    path = write_activity(mutate(V, "0001-0000-27-001-L01-P", "0204-0000-27-001-L01-P"))
    (tmp_path / "mkdocs.yml").write_text(
        "site_url: !ENV [CE_SITE_URL, 'http://x/']\nplugins:\n  - search\n  - ce_catalog:\n"
        "      claim_url: !ENV CE_CLAIM_URL\n      acpe_providers: ['0001']\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert society_acpe_providers() == ["0001"]
    rc, lines, _ = run_check(path)
    assert rc == 1 and lines[0].endswith("which is neither the society's (0001) nor a declared joint "
                                         "provider's: correct the UAN, or give the partner's number in "
                                         "`joint_provider_number:`")
    (tmp_path / "mkdocs.yml").write_text("plugins: [search]\n", encoding="utf-8")
    assert society_acpe_providers() == [] and run_check(path)[0] == 0
