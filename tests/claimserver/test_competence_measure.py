"""An evaluation that measures what it should: a journal or on-demand activity's post-test is its
competence measure (the evaluation does not ask the questions again; the first attempt is what
counts), commitment to change is never scored as competence, and the director's figures say which
measure they count."""
from __future__ import annotations

import html
import re

from claimserver.learning import operations as learning
from claimserver.models import Activity, Evaluation
from claimserver.outcomes import metrics
from tests import factories as F
from tests.claimserver.test_outcomes import director, log_in  # noqa: F401  (fixture)

JOURNAL = "journal-candida-auris"
URL = f"/activities/{JOURNAL}/evaluation"
EVALUATION = {"o0": "yes", "o1": "partly", "relevance": "4", "quality": "5", "satisfaction": "4",
              "bias_free": "yes", "commitment": "Send first isolates for MALDI-TOF.", "intends_change": "yes"}


def passed_the_post_test(attempts):
    """A learner who bought the journal activity and took its post-test with these answer lists."""
    who = F.create_learner()
    F.create_order(who, JOURNAL)
    row = Activity.get(Activity.slug == JOURNAL)
    learning.open_material(who, row)
    for answers in attempts:
        learning.submit_post_test(who, row, answers)
    return who


def test_the_evaluation_does_not_repeat_the_post_test(ctx, client):
    who = passed_the_post_test([[1, 0, 0], [0, 0, 1]])  # first attempt: 1 of 3; second: passed
    F.login(client, who)
    page = client.get(URL).get_data(as_text=True)
    assert "Which method commonly misidentifies C. auris?" not in page and 'name="q0"' not in page
    assert "Your post-test measured what you learned, so this evaluation does not ask its questions again." in page
    assert client.post(URL, data=EVALUATION).status_code == 302
    ev = Evaluation.get(Evaluation.learner == who)
    assert (ev.answers, ev.correct, ev.questions) == ([1, 0, 0], 1, 3)  # the first attempt, before feedback
    done = " ".join(client.get(URL).get_data(as_text=True).split())
    assert ("Your competence was measured by the post-test (first attempt: 1 of 3 right), so the evaluation "
            "did not ask its questions again.") in done


def test_a_live_activity_still_asks_its_case_questions(ctx, client):
    who = F.create_learner()
    F.create_order(who, "stewardship-webinar")
    F.create_participation(who, "stewardship-webinar")
    F.login(client, who)
    page = client.get("/activities/stewardship-webinar/evaluation").get_data(as_text=True)
    assert 'name="q0"' in page and "does not ask its questions again" not in page


def test_commitment_is_never_scored_as_competence_and_the_figures_name_their_measure(ctx, client, director):  # noqa: F811
    row = Activity.get(Activity.slug == JOURNAL)
    for attempts, change in (([[0, 0, 1]], "no"), ([[1, 1, 0], [0, 0, 1]], "yes")):
        who = passed_the_post_test(attempts)
        F.login(client, who)
        client.post(URL, data={**EVALUATION, "intends_change": change})
        client.post("/logout")
    o = metrics.activity_outcomes(row)
    assert (o.competence_percent, o.commitment_rate) == (50.0, 50.0)  # 3 of 6 first-attempt answers
    assert [(q.correct, q.answered) for q in o.questions] == [(1, 2), (1, 2), (1, 2)]
    log_in(client, director)
    text = html.unescape(" ".join(re.sub(r"<[^>]+>", "", client.get(f"/director/activities/{JOURNAL}").text).split()))
    assert "Measured by the post-test (each learner's first attempt)." in text
    assert ("Commitment to change: 50% (1 of 2 evaluations named a change). This is the learners' stated intent, "
            "not a competence score: it is never counted in the competence figures.") in text
    csv_text = client.get(f"/director/activities/{JOURNAL}.csv").text
    assert "competence,measured by,post-test,the post-test (each learner's first attempt)" in csv_text
    live = " ".join(re.sub(r"<[^>]+>", "", client.get("/director/activities/stewardship-webinar").text).split())
    assert "Measured by the case questions in the evaluation." in live
