"""Course directors' outcome reports: who may see them, exact figures on known data, charts and CSV."""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import logging
import shutil

import pytest

from claimserver.charts import Bar, bar_chart
from claimserver.models import Activity, Certificate, Claim, FollowUp
from claimserver.outcomes import metrics
from tests.factories import create_evaluation, create_learner, create_order, create_participation, session_id

JOURNAL = "journal-candida-auris"  # three questions; targets performance
DIRECTOR_PAGES = [
    "/director/", "/director/activities/journal-candida-auris", "/director/activities/journal-candida-auris.csv",
    "/director/summary?year=2027", "/director/summary.csv", "/director/programme", "/director/programme.csv",
    "/director/brief?tag=mycology", "/director/brief.md?tag=mycology",
]


def log_in(client, learner) -> None:
    """Sign the test client in as this learner (the session flask-login reads).

    The `ctx` fixture's app context is reused by requests, so flask-login's cached user is dropped too.
    """
    from flask import g, has_app_context

    if has_app_context():
        g.pop("_login_user", None)
    with client.session_transaction() as s:
        s["_user_id"] = session_id(learner)
        s["_fresh"] = True


@pytest.fixture
def director(ctx):
    return create_learner(email="dr@example.org", roles="director", certificate_name="Helen Marsh, MD")


def known_data():
    """Four learners on the journal activity with answers whose figures are worked out by hand."""
    row = Activity.get(Activity.slug == JOURNAL)
    questions = row.current.model().questions
    right = [q.answer for q in questions]
    wrong = [(q.answer + 1) % len(q.choices) for q in questions]
    plan = [  # answers, satisfaction, bias_free, bias comment, intends change, follow-up answer
        (right, 5, True, "", True, "fully"),
        ([right[0], wrong[1], right[2]], 4, True, "", True, "partly"),
        ([right[0], wrong[1], wrong[2]], 4, False, "Slides named one <b>vendor</b> only", False, "not-yet"),
        (wrong, 2, True, "", True, None),
    ]
    learners = []
    for i, (answers, sat, free, comment, change, implemented) in enumerate(plan):
        learner = create_learner(profession="physician" if i < 2 else "pharmacist")
        create_order(learner, JOURNAL)
        create_order(create_learner(), JOURNAL, status="pending")  # not a registration
        create_participation(learner, JOURNAL)
        create_evaluation(learner, JOURNAL, answers=answers, correct=sum(a == r for a, r in zip(answers, right)),
                          satisfaction=sat, bias_free=free, bias_comment=comment, intends_change=change,
                          commitment="Screen contacts" if change else "")
        credit = "ama_pra_1" if i < 2 else "acpe"
        claim = Claim.create(learner=learner, activity=row, version=row.current, credit_type=credit,
                             quarter_hours=4 + i, designation={"credit": credit, "hours": "2"},
                             participated_on=dt.date(2027, 3, 12))
        Certificate.create(claim=claim, code=f"CODE-{i}", name=learner.display_name)
        sent = dt.datetime(2027, 6, 1, 12)
        FollowUp.create(learner=learner, activity=row, due_on=dt.date(2027, 6, 1), sent_at=sent,
                        answered_at=sent + dt.timedelta(days=2) if implemented else None,
                        implemented=implemented or "", barriers="Budget" if implemented == "not-yet" else "",
                        impact="Earlier isolation" if implemented == "fully" else "")
        learners.append(learner)
    return row, questions, learners


@pytest.mark.parametrize("url", DIRECTOR_PAGES)
def test_learners_who_are_not_directors_get_404_on_every_director_page(ctx, client, url):
    learner = create_learner(roles="staff")
    log_in(client, learner)
    assert client.get(url).status_code == 404
    assert client.post("/director/activities/journal-candida-auris/reviews", data={}).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client):
    for url in DIRECTOR_PAGES:
        resp = client.get(url)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_metrics_on_known_data_are_exact(ctx):
    row, questions, _ = known_data()
    o = metrics.activity_outcomes(row)
    assert (o.registrations, o.completions, o.evaluations) == (4, 4, 4)
    assert [(c.credit_type, c.claims, c.hours) for c in o.credits] == [("ama_pra_1", 2, 2.25), ("acpe", 2, 3.25)]
    assert o.satisfaction == {1: 0, 2: 1, 3: 0, 4: 2, 5: 1} and o.satisfaction_mean == 3.75
    assert [(b.comment) for b in o.bias_reports] == ["Slides named one <b>vendor</b> only"]
    assert [(q.question, q.correct, q.answered, q.percent) for q in o.questions] == [
        (questions[0].question, 3, 4, 75.0), (questions[1].question, 1, 4, 25.0), (questions[2].question, 2, 4, 50.0)]
    assert o.competence_percent == 50.0  # 6 of 12 answers
    assert o.commitment_rate == 75.0
    fu = o.follow_up
    assert (fu.sent, fu.answered, fu.response_rate) == (4, 3, 75.0)
    assert fu.implemented == {"fully": 1, "partly": 1, "not-yet": 1, "not-applicable": 0}
    assert fu.implementation_rate == 66.7
    assert fu.barriers == ("Budget",) and fu.impacts == ("Earlier isolation",)


def test_activity_report_shows_the_figures_charts_and_comments(ctx, client, director):
    _, questions, _ = known_data()
    log_in(client, director)
    page = client.get(f"/director/activities/{JOURNAL}")
    assert page.status_code == 200
    text = page.text
    for needle in ("Registrations (paid)", "3.75", "Slides named one &lt;b&gt;vendor&lt;/b&gt; only",
                   questions[1].question, "25%", "Commitment to change: <strong>75%", "66.7%",
                   "AMA PRA Category 1", "<svg", "Satisfaction ratings", "Follow-up: did learners make the change?"):
        assert needle in text, needle
    assert "<b>vendor</b>" not in text


def test_activity_csv_has_the_same_numbers(ctx, client, director):
    known_data()
    log_in(client, director)
    resp = client.get(f"/director/activities/{JOURNAL}.csv")
    assert resp.mimetype == "text/csv" and "attachment" in resp.headers["Content-Disposition"]
    rows = {(r[0], r[1]): r[2:] for r in csv.reader(io.StringIO(resp.text))}
    assert rows[("satisfaction", "mean (1-5)")][0] == "3.75"
    assert rows[("competence", "Q2 percent correct")][0] == "25"
    assert rows[("follow-up", "implementation rate percent")][0] == "66.7"
    assert rows[("commercial bias", "report 1")][1] == "Slides named one <b>vendor</b> only"


def test_yearly_summary_and_its_csv(ctx, client, director):
    known_data()
    log_in(client, director)
    page = client.get("/director/summary?year=2027")
    assert "Programme summary 2027" in page.text and "Candida auris" in page.text
    assert client.get("/director/summary?year=banana").status_code == 200  # bad input: this year
    rows = list(csv.DictReader(io.StringIO(client.get("/director/summary.csv?year=2027").text)))
    journal = next(r for r in rows if r["slug"] == JOURNAL)
    assert (journal["completions"], journal["competence percent"], journal["implementation rate percent"]) == (
        "4", "50", "66.7")
    assert client.get("/director/summary.csv?year=2025").text.count("\n") == 2  # header + past workshop


def test_unknown_activity_is_404_for_directors_too(ctx, client, director):
    log_in(client, director)
    assert client.get("/director/activities/no-such-thing").status_code == 404


def test_charts_escape_every_text():
    svg = str(bar_chart([Bar('<script>alert("x")</script>', 3, text="3 & more")], title="A <title>"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "3 &amp; more" in svg
    assert 'aria-label="A &lt;title&gt;"' in svg
    assert "No data yet" in str(bar_chart([], title="empty"))


def test_csv_cells_never_start_a_formula(ctx, client, director):
    from claimserver.text import csv_safe

    assert csv_safe("=HYPERLINK(1)") == "'=HYPERLINK(1)" and csv_safe("ok") == "ok" and csv_safe(None) == ""
    known_data()
    FollowUp.update(impact='=HYPERLINK("http://x.test")').execute()
    log_in(client, director)
    rows = list(csv.reader(io.StringIO(client.get(f"/director/activities/{JOURNAL}.csv").text)))
    assert ["activity", "slug", JOURNAL] == rows[1][:3] and not any(c.startswith("=") for r in rows for c in r)


@contextlib.contextmanager
def count_queries():
    """Collect the SQL peewee runs inside the block (it logs each query at DEBUG on logger 'peewee')."""
    sql: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            sql.append(str(record.msg[0]) if isinstance(record.msg, tuple) else record.getMessage())

    logger, handler = logging.getLogger("peewee"), Collect(logging.DEBUG)
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield sql
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def new_year_eve_catalogue(tmp_path):
    """The fixture catalogue with the journal starting at 19:00 in New York on 31 December 2026
    (00:00 UTC on 1 January 2027); synced, so the journal gets a second version."""
    from claimserver.catalog_sync import sync
    from tests.conftest import ACTIVITIES

    folder = tmp_path / "acts"
    shutil.copytree(ACTIVITIES, folder)
    path = folder / f"{JOURNAL}.md"
    path.write_text(path.read_text().replace("starts: 2027-01-15T09:00:00-05:00", "starts: 2026-12-31T19:00:00-05:00")
                    .replace("0001-0000-27-002-H01-P", "0001-0000-26-002-H01-P"))  # a UAN's year: never after
    assert sync(folder).updated == [JOURNAL]


def test_an_evening_session_on_31_december_counts_in_its_local_year(ctx, client, director, tmp_path):
    new_year_eve_catalogue(tmp_path)
    known_data()
    assert Activity.get(Activity.slug == JOURNAL).current.starts == dt.datetime(2027, 1, 1, 0, 0)  # stored UTC
    assert metrics.activity_outcomes(Activity.get(Activity.slug == JOURNAL)).starts_on == dt.date(2026, 12, 31)
    assert 2026 in metrics.years()
    assert [o.slug for o in metrics.programme_summary(2026).activities] == [JOURNAL]
    assert JOURNAL not in [o.slug for o in metrics.programme_summary(2027).activities]
    log_in(client, director)
    rows = list(csv.DictReader(io.StringIO(client.get("/director/summary.csv?year=2026").text)))
    assert [(r["slug"], r["starts"], r["completions"]) for r in rows] == [(JOURNAL, "2026-12-31", "4")]
    assert JOURNAL not in client.get("/director/summary.csv?year=2027").text
    review = list(csv.DictReader(io.StringIO(client.get("/director/programme.csv?year=2026").text)))
    assert [(r["slug"], r["starts"]) for r in review] == [(JOURNAL, "2026-12-31")]
    assert "Candida auris" not in client.get("/director/programme?year=2027").text
    assert "| 2026-12-31 |" in client.get("/director/brief.md?tag=mycology").text
    for url in ("/director/", "/director/summary?year=2026", "/director/programme?year=2026",
                "/director/brief?tag=mycology"):
        page = client.get(url).text
        assert "2026-12-31" in page and "2027-01-01" not in page, url
    assert "December 31, 2026" in client.get(f"/director/activities/{JOURNAL}").text


def test_director_pages_cost_the_same_number_of_queries_however_many_activities(ctx, client, director, tmp_path):
    from claimserver.catalog_sync import sync
    from tests.conftest import ACTIVITIES

    known_data()
    log_in(client, director)
    pages = ("/director/", "/director/summary?year=2027", "/director/programme?year=2027",
             "/director/brief?tag=mycology")

    def counts():
        out = {}
        for url in pages:
            with count_queries() as sql:
                assert client.get(url).status_code == 200
            out[url] = len(sql)
        return out

    client.get("/director/")  # the first request of a session costs more (loading the user)
    before = counts()
    folder = tmp_path / "more"
    shutil.copytree(ACTIVITIES, folder)
    for n in range(3):  # three more journals in 2027 on the same tag, each with learners
        text = (folder / f"{JOURNAL}.md").read_text()  # each activity has its own UAN
        (folder / f"journal-copy-{n}.md").write_text(text.replace("-27-002-H01-P", f"-27-30{n}-H01-P"))
    sync(folder)
    for n in range(3):
        for _ in range(2):
            learner = create_learner()
            create_order(learner, f"journal-copy-{n}")
            create_participation(learner, f"journal-copy-{n}")
            create_evaluation(learner, f"journal-copy-{n}")
    after = counts()
    assert after == before
    assert before["/director/"] <= 15, before


def test_not_applicable_answers_leave_the_implementation_rate_and_the_pages_say_so(ctx, client, director):
    from claimserver.outcomes.metrics import follow_up_stats

    answered = dt.datetime(2027, 6, 3)
    rows = [FollowUp(sent_at=answered, answered_at=answered, implemented=k, opted_out=False)
            for k in ("fully", "not-yet", "not-applicable", "not-applicable")]
    stats = follow_up_stats(rows)
    assert (stats.answered, stats.applicable, stats.implementation_rate) == (4, 2, 50.0)  # 1 of 2, not 1 of 4
    known_data()
    log_in(client, director)
    page = client.get(f"/director/activities/{JOURNAL}").text
    assert "among the 3 answers other than “Not applicable to my work”" in page
    assert "other than “Not applicable to my work”" in client.get("/director/").text


def test_yearly_summary_titles_its_chart_and_says_not_targeted_like_the_index(ctx, client, director):
    log_in(client, director)
    index = client.get("/director/").text
    summary = client.get("/director/summary?year=2027").text
    # the teleconference (2027-02-10) does not target performance: no "0/0" follow-up figure on either page
    for page in (index, summary):
        tele = page.split("/director/activities/free-teleconference-tb")[1].split("</tr>")[0]
        assert "not targeted" in tele and "0/0" not in tele
    assert "<figcaption>Competence in 2027: percent of evaluation answers correct, per activity</figcaption>" in summary
    assert '<div class="table-scroll"' in index and '<div class="table-scroll"' in summary
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "claimserver" / "static" / "portal.css").read_text()
    assert ".table-scroll { max-width:100%; overflow-x:auto; }" in css
