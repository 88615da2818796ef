"""A meeting (one activity, many sessions in a CSV beside it): the checker's rules with their exact
messages, session credit from duration, the most a learner can attend, and the sample meeting."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from catalog import meeting as M
from catalog.load import DEFAULT_FOLDER, load_catalog

MEETING = """\
---
title: Small Annual Meeting
format: live
starts: 2027-09-14T08:00:00-04:00
ends: 2027-09-14T17:00:00-04:00
sessions: small-meeting.sessions.csv
audience: [physicians, pharmacists, laboratory-professionals]
objectives:
  - Interpret new diagnostic methods.
designations:
  ama_pra_1: {credits: 2.5}
  acpe:
    - {hours: 1, activity_type: knowledge}
  pace: {program: "116-900-27", hours: 2, level: basic}
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
A small meeting.
"""
HEAD = ",".join(M.COLUMNS)
#: A, B overlap (09:00-10:00, 09:30-10:30); C is alone in the afternoon. Most without overlaps: 2.5 AMA.
SESSIONS = [
    HEAD,
    'A,Blood cultures,Bacteriology,2027-09-14T09:00-04:00,2027-09-14T10:00-04:00,Hall A,ama_pra_1 pace,,,"Jane Doe, PhD",Interpret Gram stains',
    'B,Stewardship,Pharmacy,2027-09-14T09:30-04:00,2027-09-14T10:30-04:00,Hall B,ama_pra_1 acpe,0001-0000-27-901-L01-P,,"Jane Doe, PhD",Recommend therapy',
    'C,Fungi,Mycology,2027-09-14T13:00-04:00,2027-09-14T14:30-04:00,Hall A,ama_pra_1 pace,,,"Ravi Patel, MD",Identify moulds | Interpret galactomannan',
]


def check(tmp_path, sessions=SESSIONS, meeting=MEETING):
    (tmp_path / "small-meeting.md").write_text(meeting)
    (tmp_path / "small-meeting.sessions.csv").write_text("\n".join(sessions) + "\n")
    cat = load_catalog([tmp_path])
    base = str(tmp_path) + "/"
    return cat, [str(p).replace(base, "") for p in cat.problems]


def test_a_valid_meeting_loads_with_its_sessions_and_their_credit(tmp_path):
    cat, problems = check(tmp_path)
    assert problems == []
    a = cat.activities["small-meeting"]
    assert [s.id for s in a.sessions] == ["A", "B", "C"]
    c = a.session("C")
    assert c.objectives == ("Identify moulds", "Interpret galactomannan")
    assert (c.hours("ama_pra_1"), c.hours("pace"), c.hours("acpe")) == (Decimal("1.5"), Decimal("1.75"), 0)
    assert a.session("B").uan == "0001-0000-27-901-L01-P"
    assert M.most_without_overlaps(a.sessions, "ama_pra_1") == Decimal("2.5")


def test_session_credit_comes_from_duration_in_each_types_units():
    tz = dt.timezone(dt.timedelta(hours=-4))
    s = M.Session("X", "t", "k", dt.datetime(2027, 9, 14, 9, 0, tzinfo=tz),
                  dt.datetime(2027, 9, 14, 10, 14, tzinfo=tz), credits=("ama_pra_1", "pace"))
    # 74 minutes: AMA 1 (1.25 needs 75), P.A.C.E. 74/50 = 1.48 -> 1.25
    assert s.hours("ama_pra_1") == Decimal("1") and s.hours("pace") == Decimal("1.25")
    assert s.hours("california_cls") == Decimal("1.25")  # state hours follow the 50-minute hours


def test_the_meeting_maximum_cannot_exceed_what_a_learner_can_attend(tmp_path):
    _, problems = check(tmp_path, meeting=MEETING.replace("credits: 2.5", "credits: 3.5"))
    assert problems == [
        "small-meeting.md:11: error: the meeting's maximum of 3.5 AMA PRA Category 1 Credits™ is more "
        "than the 2.5 AMA PRA Category 1 Credits™ a learner can earn in sessions that do not overlap; "
        "lower it to 2.5 or less"]


def test_bad_sessions_are_reported_by_their_line(tmp_path):
    rows = SESSIONS + [
        # a duplicate UAN, a short P.A.C.E. session, an undisclosed speaker, a duplicate id
        'D,Quick,Pharmacy,2027-09-14T15:00-04:00,2027-09-14T15:40-04:00,Hall B,ama_pra_1 acpe pace,0001-0000-27-901-L01-P,,"Nobody Known",Recommend',
        'A,Again,Bacteriology,2027-09-14T16:00-04:00,2027-09-14T16:10-04:00,Hall A,ama_pra_1,,,"Jane Doe, PhD",List',
        'E,Broken,Bacteriology,tomorrow,2027-09-14T16:10,Hall A,ama_pra_1,,,"Jane Doe, PhD",List',
        'F,Pharmacy without UAN,Pharmacy,2027-09-14T16:00-04:00,2027-09-14T17:00-04:00,Hall B,acpe florida,,,"Jane Doe, PhD",',
    ]
    _, problems = check(tmp_path, rows)
    csv = "small-meeting.sessions.csv"
    assert problems == sorted([  # problems come sorted by line, then message
        f"{csv}:5: error: session D: a P.A.C.E.® program lasts at least 50 minutes; this session lasts 40",
        f"{csv}:5: error: session D: UAN 0001-0000-27-901-L01-P is already used by session B (line 3); "
        "each session needs its own UAN",
        f"{csv}:5: error: session D: `Nobody Known` is not in the meeting's `faculty:` list; everyone in a "
        "session needs their disclosure there",
        f"{csv}:6: error: session A: 10 minutes earn no AMA PRA Category 1 Credits™ (at least 15 minutes "
        "are needed)",
        f"{csv}:6: error: session A: the id is already used on line 2; give each session its own id",
        f"{csv}:7: error: session E: `starts` 'tomorrow' is not a date and time like "
        "2027-06-18T09:00-04:00; `ends` 2027-09-14T16:10 needs a UTC offset, like 2027-06-18T09:00-04:00",
        f"{csv}:8: error: session F: `objectives` is empty",
    ])


def test_credit_not_designated_and_missing_uan(tmp_path):
    rows = SESSIONS + ['F,Pharmacy,Pharmacy,2027-09-14T16:00-04:00,2027-09-14T17:00-04:00,Hall B,'
                       'acpe florida,,,"Jane Doe, PhD",Recommend']
    _, problems = check(tmp_path, rows)
    assert problems == [
        "small-meeting.sessions.csv:5: error: session F: `florida` is not a session credit; use "
        "ama_pra_1, acpe, pace",
        "small-meeting.sessions.csv:5: error: session F: it carries ACPE credit but has no `uan`; give it "
        "its own UAN",
    ]


def test_a_missing_column_is_one_clear_error(tmp_path):
    rows = [HEAD.replace(",faculty", "")] + [r.replace(',"Jane Doe, PhD"', "") for r in SESSIONS[1:]]
    _, problems = check(tmp_path, rows)
    assert problems == ["small-meeting.sessions.csv:1: error: missing column `faculty`; the columns are: "
                        + ", ".join(M.COLUMNS)]


def test_an_activity_that_is_not_a_meeting_still_needs_its_uan(tmp_path):
    text = MEETING.replace("sessions: small-meeting.sessions.csv\n", "").replace(
        "ends: 2027-09-14T17:00:00-04:00", "ends: 2027-09-14T09:00:00-04:00").replace(
        "credits: 2.5", "credits: 1").replace("hours: 2, level", "hours: 1, level")
    (tmp_path / "plain.md").write_text(text)
    problems = [str(p).replace(str(tmp_path) + "/", "") for p in load_catalog([tmp_path]).problems]
    assert problems == [
        "plain.md:12: error: missing required key `uan` in `designations.acpe.0` (Universal Activity "
        "Number, e.g. 0001-0000-27-001-L01-P; a -9999- second block needs `joint_provider`, a JA… "
        "provider means Joint Accreditation)"]


def test_the_sample_meeting_is_realistic():
    a = load_catalog([DEFAULT_FOLDER]).activities["asm-clinical-microbiology-meeting-2027"]
    assert len(a.sessions) >= 40
    assert len({s.starts.date() for s in a.sessions}) == 3
    assert len({s.track for s in a.sessions}) >= 4
    assert {c for s in a.sessions for c in s.credits} == {"ama_pra_1", "acpe", "pace"}
    uans = [s.uan for s in a.sessions if s.uan]
    assert len(uans) == len(set(uans)) >= 9


def test_sessions_survive_serialisation():
    from catalog import serialize
    a = load_catalog([DEFAULT_FOLDER]).activities["asm-clinical-microbiology-meeting-2027"]
    assert serialize.from_dict(serialize.to_dict(a)).sessions == a.sessions


PLANNER_EXPORT = """Session Code,Session Title,Track,Date,Start Time,End Time,Room,Speakers,Learning Objectives,CE Types,UAN
A,Blood cultures,Bacteriology,09/14/2027,9:00 AM,10:00 AM,Hall A,"Jane Doe, PhD","Interpret Gram stains; Select reflex tests","AMA, P.A.C.E."
B,Stewardship,Pharmacy,2027-09-14,09:30,10:30,Hall B,"Jane Doe, PhD",Recommend therapy,"AMA; ACPE",0001-0000-27-901-L01-P
C,Fungi,Mycology,14.09.2027,1:00 PM,2:30 PM,Hall A,"Ravi Patel, MD",Identify moulds,AMA
D,Parasites,Parasitology,2027-09-14,noon,4:00 PM,Hall A,,Identify Plasmodium,"AMA, CNE"
"""


def test_import_programme_writes_the_sessions_file_or_reports_bad_rows(tmp_path, capsys):
    from catalog.__main__ import main

    src, out = tmp_path / "export.csv", tmp_path / "small-meeting.sessions.csv"
    src.write_text(PLANNER_EXPORT)
    assert main(["import-programme", str(src), str(out), "--offset=-04:00"]) == 1
    lines = capsys.readouterr().out.replace(str(src), "export.csv").splitlines()
    assert lines == [
        "export.csv:4: error: session C: date '14.09.2027' is not like 2027-09-14 or 09/14/2027",
        "export.csv:5: error: session D: `faculty` is empty; start time 'noon' is not like 9:00 AM or "
        "09:00; credit 'CNE' is not one of AMA, ACPE, P.A.C.E.",
        "2 bad rows: nothing written; fix them and import again",
    ]
    assert not out.exists()
    src.write_text("\n".join(PLANNER_EXPORT.splitlines()[:3]) + "\n")
    assert main(["import-programme", str(src), str(out), "--offset=-04:00"]) == 0
    assert out.read_text().splitlines() == [
        ",".join(M.COLUMNS),
        'A,Blood cultures,Bacteriology,2027-09-14T09:00-04:00,2027-09-14T10:00-04:00,Hall A,ama_pra_1 pace,,,'
        '"Jane Doe, PhD",Interpret Gram stains | Select reflex tests',
        'B,Stewardship,Pharmacy,2027-09-14T09:30-04:00,2027-09-14T10:30-04:00,Hall B,ama_pra_1 acpe,'
        '0001-0000-27-901-L01-P,,"Jane Doe, PhD",Recommend therapy',
    ]
    (tmp_path / "small-meeting.md").write_text(MEETING.replace("credits: 2.5", "credits: 1")
                                             .replace("hours: 2, level", "hours: 1, level"))
    assert [str(p) for p in load_catalog([tmp_path]).errors] == []
