"""Participation: attendance codes for live sessions, material and post-test for home study, rosters."""
from __future__ import annotations

import datetime as dt
import io

import pytest

from claimserver.models import Activity, AuditLog, Participation, PostTestAttempt
from tests.claimserver.test_purchase import buy_live
from tests.factories import buy, create_learner, create_order, login


@pytest.fixture
def learner(client, rows):
    learner = create_learner()
    login(client, learner)
    return learner


def _code(slug="stewardship-webinar"):
    return Activity.get(Activity.slug == slug).attendance_code


def _part(learner, slug):
    return Participation.get_or_none(Participation.learner == learner,
                                     Participation.activity == Activity.get(Activity.slug == slug))


@pytest.mark.parametrize("method, path", [
    ("get", "/activities/stewardship-webinar/participate"),
    ("post", "/activities/stewardship-webinar/participate"),
    ("post", "/activities/journal-candida-auris/material"),
    ("post", "/activities/journal-candida-auris/participate"),
])
def test_no_participation_before_purchase(client, learner, method, path):
    r = getattr(client, method)(path, data={"code": "ABCDEF", "q0": "0"})
    assert r.status_code == 302 and r.location == "/activities/" + path.split("/")[2]
    assert "Purchase this activity first" in client.get(r.location).text
    assert Participation.select().count() == 0


def test_attendance_code_is_refused_before_the_session_starts(client, learner, clock):
    buy_live(client, clock)
    clock.at = dt.datetime(2027, 3, 12, 16, 59, tzinfo=dt.timezone.utc)  # 11:59 EST, a minute early
    page = client.get("/activities/stewardship-webinar/participate").text
    assert "The session has not started yet" in page and 'name="code"' not in page
    r = client.post("/activities/stewardship-webinar/participate", data={"code": _code()})
    assert r.status_code == 302
    assert "has not started yet" in client.get(r.location).text
    assert _part(learner, "stewardship-webinar") is None or not _part(learner, "stewardship-webinar").completed


@pytest.mark.parametrize("code, error", [
    ("", "Enter the code given during the session."),
    ("WRONG1", "That code does not match this session."),
])
def test_wrong_attendance_code_is_marked(client, learner, clock, code, error):
    buy_live(client, clock)
    r = client.post("/activities/stewardship-webinar/participate", data={"code": code})
    assert r.status_code == 200 and error in r.text and 'aria-invalid="true"' in r.text
    assert not (_part(learner, "stewardship-webinar") and _part(learner, "stewardship-webinar").completed)


def test_right_code_records_the_session_date_in_its_time_zone(client, learner, clock):
    buy_live(client, clock)
    clock.at = dt.datetime(2027, 3, 13, 2, 0, tzinfo=dt.timezone.utc)  # still March 12 in New York
    r = client.post("/activities/stewardship-webinar/participate", data={"code": " " + _code().lower() + " "})
    # back on the same page: it says so and links on to the evaluation (not to My Activities)
    assert r.status_code == 302 and r.location == "/activities/stewardship-webinar/participate"
    p = _part(learner, "stewardship-webinar")
    assert p.completed and p.method == "code" and p.participated_on == dt.date(2027, 3, 12)
    page = client.get(r.location).text
    assert "Your attendance on March 12, 2027 is recorded" in page
    assert '<a class="button" href="/activities/stewardship-webinar/evaluation">Evaluate the activity</a>' in page
    assert AuditLog.select().where(AuditLog.action == "participation.completed").count() == 1


def test_a_late_code_entry_still_records_the_session_day(client, learner, clock):
    buy_live(client, clock)
    clock.advance(days=5)
    client.post("/activities/stewardship-webinar/participate", data={"code": _code()})
    assert _part(learner, "stewardship-webinar").participated_on == dt.date(2027, 3, 12)


def test_post_test_needs_the_material_opened_first(client, learner):
    buy(client, "journal-candida-auris")
    page = client.get("/activities/journal-candida-auris/participate").text
    assert "The pass mark is <strong>70%</strong>" in page  # shown before starting
    assert "Open the material first" in page
    r = client.post("/activities/journal-candida-auris/participate", data={"q0": "0", "q1": "0", "q2": "1"})
    assert r.status_code == 302
    assert "Open the material first" in client.get(r.location).text
    assert PostTestAttempt.select().count() == 0


def test_post_test_fail_with_feedback_then_pass(client, learner, clock):
    buy(client, "journal-candida-auris")
    r = client.post("/activities/journal-candida-auris/material")
    assert r.status_code == 302 and r.location == "https://journals.example.org/jcm/candida-auris-2027"
    assert _part(learner, "journal-candida-auris").material_opened_at is not None
    page = client.get("/activities/journal-candida-auris/participate").text
    assert "Which method commonly misidentifies C. auris?" in page

    r = client.post("/activities/journal-candida-auris/participate", data={"q0": "0", "q1": "1", "q2": "0"})
    assert r.status_code == 200
    assert "You scored 33% (pass mark 70%) on attempt 1" in r.text and "Not yet passed" in r.text
    assert "Act on the first isolate." in r.text and "List P agents are effective" in r.text
    assert "Older biochemical panels call it" not in r.text  # question 1 was right
    p = _part(learner, "journal-candida-auris")
    assert not p.completed and p.attempts == 1 and p.best_score == 33

    clock.advance(days=1)
    r = client.post("/activities/journal-candida-auris/participate", data={"q0": "0", "q1": "0", "q2": "1"})
    assert "You scored 100%" in r.text and "You passed" in r.text
    p = _part(learner, "journal-candida-auris")
    assert p.completed and p.method == "post-test" and p.attempts == 2 and p.best_score == 100
    assert p.participated_on == dt.date(2027, 3, 14)  # completion date, New York time
    assert [(a.score, a.passed) for a in PostTestAttempt.select().order_by(PostTestAttempt.id)] == \
        [(33, False), (100, True)]
    again = client.post("/activities/journal-candida-auris/participate", data={"q0": "0", "q1": "0", "q2": "1"})
    assert "already passed" in client.get(again.location).text
    assert PostTestAttempt.select().count() == 2


def test_unanswered_questions_are_marked(client, learner):
    buy(client, "journal-candida-auris")
    client.post("/activities/journal-candida-auris/material")
    r = client.post("/activities/journal-candida-auris/participate", data={"q0": "0", "q2": "1"})
    assert r.status_code == 200 and "Choose an answer." in r.text and 'id="q1-error"' in r.text
    assert '<input checked id="q0-0"' in r.text and '<input checked id="q2-1"' in r.text  # answers kept
    assert PostTestAttempt.select().count() == 0


def test_a_live_code_does_not_work_for_home_study(client, learner):
    buy(client, "journal-candida-auris")
    page = client.get("/activities/journal-candida-auris/participate").text
    assert 'name="code"' not in page


def test_staff_pages_are_404_for_learners(client, learner):
    assert client.get("/staff/attendance").status_code == 404
    assert client.get("/staff/activities/stewardship-webinar/roster").status_code == 404


def test_staff_see_attendance_codes(client, rows):
    staff = create_learner(roles="staff")
    login(client, staff)
    page = client.get("/staff/attendance").text
    assert _code("stewardship-webinar") in page and _code("free-teleconference-tb") in page
    assert _code("journal-candida-auris") not in page  # home study has no session code


def test_roster_import_reports_unmatched_rows_and_is_idempotent(client, rows):
    staff = create_learner(roles="staff")
    ann, bob = create_learner(email="ann@example.org"), create_learner(email="bob@example.org")
    create_order(ann, "stewardship-webinar")
    create_order(bob, "stewardship-webinar", status="declined")
    login(client, staff)
    csv = ("email,participated_on\nANN@example.org,2027-03-12\nbob@example.org,2027-03-12\n"
           "nobody@example.org,2027-03-12\nann@example.org,12/03/2027\nann@example.org,2027-03-20\n")

    def upload():
        return client.post("/staff/activities/stewardship-webinar/roster",
                           data={"roster": (io.BytesIO(csv.encode()), "roster.csv")},
                           content_type="multipart/form-data")

    page = upload().text
    assert "1 recorded, 0 already recorded, 4 not matched." in page
    assert "no paid purchase of this activity by this email" in page
    assert "is not a date like 2027-03-12" in page and "is not a day of this session" in page
    p = _part(ann, "stewardship-webinar")
    assert p.completed and p.method == "roster" and p.participated_on == dt.date(2027, 3, 12)
    assert _part(bob, "stewardship-webinar") is None
    assert "0 recorded, 1 already recorded, 4 not matched." in upload().text
    assert Participation.select().count() == 1


def test_roster_refuses_future_dates(client, rows, clock):
    login(client, create_learner(roles="staff"))
    create_order(create_learner(email="early@example.org"), "stewardship-webinar")
    clock.at = dt.datetime(2027, 3, 1, tzinfo=dt.timezone.utc)
    page = client.post("/staff/activities/stewardship-webinar/roster",
                       data={"roster": (io.BytesIO(b"email,participated_on\nearly@example.org,2027-03-12\n"), "r.csv")},
                       content_type="multipart/form-data").text
    assert "2027-03-12 is in the future" in page and Participation.select().count() == 0


@pytest.mark.parametrize("content, error", [
    (b"", "Choose a CSV file."),
    (b"name,date\nx,y\n", "The first line must name the columns"),
    (b"\xff\xfe\x00bad", "Save the file as UTF-8"),
    (b"email,participated_on\n" + b"x" * 200_000 + b",2027-03-12\n", "Line 2 is not a CSV row"),
])
def test_bad_roster_files_are_refused(client, rows, content, error):
    login(client, create_learner(roles="staff"))
    data = {"roster": (io.BytesIO(content), "r.csv")} if content else {}
    r = client.post("/staff/activities/stewardship-webinar/roster", data=data,
                    content_type="multipart/form-data")
    assert r.status_code == 200 and error in r.text


def test_wrong_attendance_codes_are_rate_limited_per_learner_and_session(app, client, learner, clock):
    buy_live(client, clock)
    for _ in range(10):
        r = client.post("/activities/stewardship-webinar/participate", data={"code": "WRONG1"})
        assert r.status_code == 200 and "That code does not match" in r.text
    r = client.post("/activities/stewardship-webinar/participate", data={"code": _code()})
    assert r.status_code == 429 and "Too many wrong codes for this session. Wait 15 minutes" in r.text
    assert not (_part(learner, "stewardship-webinar") and _part(learner, "stewardship-webinar").completed)
    other = app.test_client()  # someone else's count is their own
    buyer = create_learner()
    create_order(buyer, "stewardship-webinar")
    login(other, buyer)
    assert other.post("/activities/stewardship-webinar/participate", data={"code": _code()}).status_code == 302
    clock.advance(minutes=16)
    r = client.post("/activities/stewardship-webinar/participate", data={"code": _code()})
    assert r.status_code == 302 and _part(learner, "stewardship-webinar").completed


def test_a_simultaneous_better_post_test_score_is_never_lowered(client, learner, monkeypatch):
    # Another submit of the same learner commits 100% between this one's reads and its write: the
    # best score stays 100 and both attempts count.
    buy(client, "journal-candida-auris")
    client.post("/activities/journal-candida-auris/material")
    real_get_by_id = Participation.get_by_id.__func__
    raced = []

    def get_by_id(cls, pk):
        row = real_get_by_id(cls, pk)
        if not raced:
            raced.append(pk)
            Participation.update(best_score=100, attempts=Participation.attempts + 1).where(
                Participation.id == pk).execute()
        return row

    monkeypatch.setattr(Participation, "get_by_id", classmethod(get_by_id))
    r = client.post("/activities/journal-candida-auris/participate", data={"q0": "0", "q1": "1", "q2": "0"})
    assert "You scored 33%" in r.text
    monkeypatch.undo()
    p = _part(learner, "journal-candida-auris")
    assert raced and p.best_score == 100 and p.attempts == 2


def _upload_in_memory(client, path: str, content: bytes, filename: str):
    """A multipart upload built in memory (the test client spools large bodies to a temporary file
    it never closes)."""
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    boundary, body = encode_multipart({"roster": FileStorage(io.BytesIO(content), filename, content_type="text/csv")})
    return client.post(path, input_stream=io.BytesIO(body), content_length=len(body),
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_a_roster_larger_than_the_limit_is_refused_not_cut_short(client, rows):
    from claimserver.learning.forms import ROSTER_MAX_BYTES

    path = "/staff/activities/stewardship-webinar/roster"
    login(client, create_learner(roles="staff"))
    last = create_learner(email="last@example.org")
    create_order(last, "stewardship-webinar")
    head = b"email,participated_on\n"
    line = b"nobody@example.org,2027-03-12\n"
    filler = line * (ROSTER_MAX_BYTES // len(line) + 1)
    content = head + filler + b"last@example.org,2027-03-12\n"
    assert len(content) > ROSTER_MAX_BYTES
    r = _upload_in_memory(client, path, content, "big.csv")
    assert r.status_code == 200 and "The file is larger than 2 MB" in r.text and 'id="roster-error"' in r.text
    assert "recorded," not in r.text and Participation.select().count() == 0
    exact = head + b"last@example.org,2027-03-12\n"
    exact += b"\n" * (ROSTER_MAX_BYTES - len(exact))  # exactly at the limit is read whole
    r = _upload_in_memory(client, path, exact, "ok.csv")
    assert "1 recorded" in r.text


def test_a_get_of_the_material_writes_nothing_and_asks_for_the_click(client, learner):
    buy(client, "journal-candida-auris")
    before = (Participation.select().count(), AuditLog.select().count())
    r = client.get("/activities/journal-candida-auris/material")
    assert r.status_code == 200 and "Open the material" in r.text
    assert (Participation.select().count(), AuditLog.select().count()) == before
    r = client.post("/activities/journal-candida-auris/material")
    assert r.location == "https://journals.example.org/jcm/candida-auris-2027"
    assert _part(learner, "journal-candida-auris").material_opened_at is not None
