"""A meeting on the claim server: one purchase, a code per session, overlapping sessions refused,
a short evaluation per session, one claim capped at the meeting maximum, a certificate listing the
sessions (read back with pypdf), and a staff roster of badge scans with bad rows, on both databases."""
from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from claimserver.meetings.operations import session_code
from claimserver.models import Activity, Claim, Participation, SessionAttendance, SessionEvaluation
from tests.factories import buy, create_evaluation, create_learner, create_order, login

MEETINGS = Path(__file__).parent.parent / "fixtures" / "meetings"
SLUG = "test-meeting-2027"
EDT = dt.timezone(dt.timedelta(hours=-4))
DURING = dt.datetime(2027, 9, 14, 9, 45, tzinfo=EDT)
AFTER = dt.datetime(2027, 9, 14, 18, 0, tzinfo=EDT)
CERTIFICATE_PDF = "/certificates/{id}.pdf"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "CATALOG_PATH": str(MEETINGS)}


@pytest.fixture
def learner(client, rows, clock):
    learner = create_learner()
    login(client, learner)
    clock.at = DURING
    assert buy(client, SLUG).status_code == 302
    return learner


def meeting() -> Activity:
    return Activity.get(Activity.slug == SLUG)


def code(client, sid: str, value: str | None = None):
    r = client.post(f"/meetings/{SLUG}/code", data={"session": sid, "code": value or session_code(meeting(), sid)})
    assert r.status_code == 303
    return client.get(r.location).text


def evaluate(client, sid: str):
    r = client.post(f"/meetings/{SLUG}/sessions/{sid}/evaluation",
                    data={"objectives_met": "yes", "bias_free": "yes", "quality": "4"})
    assert r.status_code == 303
    return client.get(r.location).text


def attended(learner) -> list[str]:
    return [a.session for a in SessionAttendance.select().where(SessionAttendance.learner == learner)
            .order_by(SessionAttendance.session)]


def test_one_purchase_then_a_code_per_session(client, learner, clock):
    page = code(client, "A")
    assert "Your attendance at session A is recorded. Next: evaluate the session." in page
    clock.at = AFTER
    assert ("That is not the code for session C. Enter it exactly as it was announced in the room."
            in code(client, "C", "WRONG1"))
    assert "Your attendance at session C is recorded" in code(client, "C")
    assert "Your attendance at session C was already recorded" in code(client, "C")
    assert attended(learner) == ["A", "C"]
    p = Participation.get(Participation.learner == learner)
    assert p.completed and p.participated_on == dt.date(2027, 9, 14)


def test_a_code_is_refused_before_its_session_starts(client, learner):
    page = code(client, "D")
    assert "Session D has not started yet (Tuesday, September 14, 2027, 3:00 PM–4:00 PM): the code is " \
           "announced during the session." in page
    assert attended(learner) == []


def test_a_learner_cannot_attend_two_overlapping_sessions(client, learner, clock):
    code(client, "A")
    page = code(client, "B")
    assert ("Your attendance at session A, “Blood cultures” (Tuesday, September 14, 2027, 9:00 AM–10:00 AM), "
            "overlaps session B (Tuesday, September 14, 2027, 9:30 AM–10:30 AM); a learner can be at only "
            "one of them, so only the first is recorded.") in page.replace("&#34;", '"')
    assert attended(learner) == ["A"]


def test_a_session_is_evaluated_only_after_attending_it(client, learner):
    assert "Your attendance at session C is not recorded" in evaluate(client, "C")
    code(client, "A")
    assert "Thank you: your evaluation of session A is recorded." in evaluate(client, "A")
    assert SessionEvaluation.select().where(SessionEvaluation.learner == learner).count() == 1


def _attend_and_evaluate(client, clock, sessions):
    for sid in sessions:
        clock.at = AFTER if sid in "CD" else DURING
        code(client, sid)
        evaluate(client, sid)


def test_one_claim_sums_the_sessions_capped_at_the_meeting_maximum(client, learner, clock):
    _attend_and_evaluate(client, clock, ["A", "C", "D"])  # 1 + 1.5 + 1 = 3.5 AMA; the meeting's maximum is 3
    create_evaluation(learner, SLUG)
    clock.at = AFTER
    page = client.get(f"/activities/{SLUG}/claim").text
    assert "AMA PRA Category 1 Credit™ (up to 3 AMA PRA Category 1 Credits™)" in page
    r = client.post(f"/activities/{SLUG}/claim", data={"credit": "ama_pra_1", "hours": "3.25", "attest": "y"})
    assert r.status_code == 400 and "You can claim at most 3 AMA PRA Category 1 Credits™ for this activity." in r.text
    r = client.post(f"/activities/{SLUG}/claim", data={"credit": "ama_pra_1", "hours": "3", "attest": "y"})
    assert r.status_code == 302
    claim = Claim.get(Claim.learner == learner)
    assert claim.hours == Decimal(3)
    assert claim.designation["sessions"] == [["A", "Blood cultures", "1"], ["C", "Fungi", "1.5"],
                                             ["D", "Parasites", "1"]]
    pdf = client.get(CERTIFICATE_PDF.format(id=claim.id))
    assert pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert len(reader.pages) == 2
    assert "Sessions attended: Test Annual Meeting 2027" in text
    for line in ("A Blood cultures 1 AMA PRA Category 1 Credit™", "C Fungi 1.5 AMA PRA Category 1 Credits™",
                 "D Parasites 1 AMA PRA Category 1 Credit™", "Total claimed: 3 AMA PRA Category 1 Credits™"):
        assert line in text.replace("\n", " ")


def test_only_attended_and_evaluated_sessions_count(client, learner, clock):
    _attend_and_evaluate(client, clock, ["A"])
    clock.at = AFTER
    code(client, "C")  # attended, not evaluated: does not count yet
    create_evaluation(learner, SLUG)
    page = client.get(f"/activities/{SLUG}/claim").text
    assert "AMA PRA Category 1 Credit™ (up to 1 AMA PRA Category 1 Credit™)" in page


def test_pace_hours_are_per_session_in_50_minute_hours(client, rows, clock):
    learner = create_learner(profession="laboratory-professional", degree="MLS")
    login(client, learner)
    clock.at = DURING
    buy(client, SLUG)
    _attend_and_evaluate(client, clock, ["A", "C"])  # 60 min -> 1, 90 min -> 1.75
    create_evaluation(learner, SLUG)
    page = client.get(f"/activities/{SLUG}/claim").text
    assert "P.A.C.E.® contact hours (up to 2.75 P.A.C.E.® contact hours)" in page


ROSTER = """badge_id,session,time
B-100,A,2027-09-14T09:05-04:00
B-100,A,2027-09-14T09:06-04:00
B-100,B,2027-09-14T09:35-04:00
B-999,C,2027-09-14T13:10-04:00
B-100,Z,2027-09-14T13:10-04:00
B-100,C,yesterday
B-100,D,2027-09-14T11:00-04:00
B-200,C,2027-09-14T13:20
"""


def test_staff_import_a_badge_scan_roster_with_bad_rows(client, rows, clock):
    a = create_learner(badge_id="B-100")
    b = create_learner(badge_id="B-200")
    for x in (a, b):
        create_order(x, SLUG)
    staff = create_learner(roles="staff")
    login(client, staff)
    clock.at = AFTER
    r = client.post(f"/staff/meetings/{SLUG}/roster",
                    data={"file": (io.BytesIO(ROSTER.encode()), "scans.csv")},
                    content_type="multipart/form-data")
    text = r.text.replace("&#39;", "'")
    assert r.status_code == 200
    assert "8 rows: 2 recorded, 1 already recorded, 5 with problems." in text
    for line, message in [
        (4, "badge B-100 is already recorded at session A, which overlaps session B; only one can count"),
        (5, "badge B-999 belongs to nobody who bought this meeting's CE (the learner adds it to their profile)"),
        (6, "no session 'Z' in this meeting"),
        (7, "time 'yesterday' is not a date and time like 2027-09-14T13:00-04:00"),
        (8, "the scan at 2027-09-14T11:00-04:00 is not during session D (Tuesday, September 14, 2027, "
            "3:00 PM–4:00 PM)"),
    ]:
        assert f"<tr><td>{line}</td><td>{message}</td></tr>" in text
    assert attended(a) == ["A"] and attended(b) == ["C"]  # B-200's time is read in the meeting's zone
    assert Participation.get(Participation.learner == b).method == "badge"
    # the same file again records nothing twice
    r = client.post(f"/staff/meetings/{SLUG}/roster",
                    data={"file": (io.BytesIO(ROSTER.encode()), "scans.csv")},
                    content_type="multipart/form-data")
    assert "8 rows: 0 recorded, 3 already recorded, 5 with problems." in r.text
    assert SessionAttendance.select().count() == 2


def test_a_learner_saves_their_badge_id(client, learner):
    r = client.post(f"/meetings/{SLUG}/badge", data={"badge_id": " b-7 7 "})
    assert "Your badge ID is saved" in client.get(r.location).text
    other = client.application.test_client()
    login(other, create_learner())
    r = other.post(f"/meetings/{SLUG}/badge", data={"badge_id": "B-77"})
    assert ("That badge ID is already on another account: check it, or ask the registration desk."
            in other.get(r.location).text)


def test_staff_see_a_code_per_session(client, rows):
    login(client, create_learner(roles="staff"))
    page = client.get(f"/staff/meetings/{SLUG}/codes").text
    for sid in "ABCD":
        assert f"<code>{session_code(meeting(), sid)}</code>" in page
    assert len({session_code(meeting(), s) for s in "ABCD"}) == 4


def test_a_pharmacist_gets_one_claim_and_one_cpe_monitor_item_per_session_uan(client, app, rows, clock):
    from claimserver.models import ReportItem
    from claimserver.reports import ledger

    learner = create_learner(profession="pharmacist", degree="PharmD", nabp_epid="123456",
                             birth_mmdd="0704")
    login(client, learner)
    clock.at = DURING
    buy(client, SLUG)
    _attend_and_evaluate(client, clock, ["B"])  # B is the ACPE session (UAN 0001-0000-27-901-L01-P)
    create_evaluation(learner, SLUG)
    page = client.get(f"/activities/{SLUG}/claim").text
    assert "ACPE contact hours (up to 1 contact hour)" in page
    r = client.post(f"/activities/{SLUG}/claim", data={"credit": "acpe", "hours": "1", "attest": "y"})
    assert r.status_code == 302
    claims = list(Claim.select().where(Claim.learner == learner))
    assert [(c.session, c.designation["reference"], c.hours, c.participated_on) for c in claims] == [
        ("B", "0001-0000-27-901-L01-P", Decimal(1), dt.date(2027, 9, 14))]
    assert ReportItem.select().where(ReportItem.claim == claims[0]).count() == 1
    with app.app_context():
        result = ledger.export("cpe_monitor")
    assert result.exported == 1
    content = result.batches[0].content
    assert "0001-0000-27-901-L01-P" in content and "123456" in content


def test_directors_see_sessions_ranked_by_their_evaluations(client, app, rows, clock):
    row = meeting()
    for quality, met in ((3, "yes"), (5, "partly")):
        learner = create_learner()
        create_order(learner, SLUG)
        SessionAttendance.create(learner=learner, activity=row, session="C", method="code")
        SessionAttendance.create(learner=learner, activity=row, session="A", method="code")
        SessionEvaluation.create(learner=learner, activity=row, session="C", objectives_met=met,
                                 bias_free=True, quality=quality)
        SessionEvaluation.create(learner=learner, activity=row, session="A", objectives_met="yes",
                                 bias_free=quality == 5, quality=2)
    login(client, create_learner(roles="director"))
    page = client.get(f"/director/meetings/{SLUG}/sessions").text
    cells = [re.sub(r"<[^>]+>", " ", r).split() for r in re.findall(r"<tr><td>(.*?)</tr>", page, re.S)]
    assert [c[:2] + c[-5:] for c in cells] == [
        ["1", "C", "2", "2", "75%", "100%", "4"],
        ["2", "A", "2", "2", "100%", "50%", "2"],
        ["3", "B", "0", "0", "—", "—", "—"],
        ["4", "D", "0", "0", "—", "—", "—"],
    ]
    other = client.application.test_client()
    login(other, create_learner())
    assert other.get(f"/director/meetings/{SLUG}/sessions").status_code == 404


def test_a_roster_row_with_an_empty_badge_id_says_so(client, rows, clock):
    create_order(create_learner(badge_id="B-100"), SLUG)
    login(client, create_learner(roles="staff"))
    clock.at = AFTER
    scans = "badge_id,session,time\n,A,2027-09-14T09:30-04:00\nB-100,A,2027-09-14T09:30-04:00\n"
    r = client.post(f"/staff/meetings/{SLUG}/roster", data={"file": (io.BytesIO(scans.encode()), "scans.csv")},
                    content_type="multipart/form-data")
    assert "2 rows: 1 recorded, 0 already recorded, 1 with problems." in r.text
    assert "<tr><td>2</td><td>the badge ID is empty</td></tr>" in r.text and "(empty)" not in r.text


def test_staff_attendance_page_sends_a_meeting_to_its_session_codes_and_badge_scans(client, rows):
    login(client, create_learner(roles="staff"))
    page = client.get("/staff/attendance").text
    assert f'<a href="/staff/meetings/{SLUG}/codes">4 session codes</a>' in page
    assert f'<a href="/staff/meetings/{SLUG}/roster">Import badge scans</a>' in page
    # not the meeting's own secret code, which no session accepts, nor the one-session roster
    assert meeting().attendance_code not in page and f"/staff/activities/{SLUG}/roster" not in page


@pytest.mark.parametrize("kind", ["roster", "registrations"])
def test_a_staff_upload_that_is_not_utf8_or_over_the_limit_is_refused_saying_why(client, rows, kind, monkeypatch):
    from claimserver.meetings import views

    login(client, create_learner(roles="staff"))
    url = f"/staff/meetings/{SLUG}/{kind}"
    r = client.post(url, data={"file": (io.BytesIO("badge_id\nB-1 é".encode("latin-1")), "x.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 400 and "The file is not UTF-8 text: export it as CSV (UTF-8)." in r.text
    monkeypatch.setattr(views, "ROSTER_MAX_BYTES", 4)  # a tiny limit: a real 8 MB upload is slow to build
    r = client.post(url, data={"text": "badge_id,email\n"})
    assert r.status_code == 400 and "The file is larger than" in r.text and "split it." in r.text
    assert SessionAttendance.select().count() == 0
