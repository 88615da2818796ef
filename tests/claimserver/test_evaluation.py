"""The evaluation: after completed participation, competence questions with explanations after
submitting, required standard items, one per learner and activity."""
from __future__ import annotations

import re

import pytest

from claimserver.models import Evaluation
from tests import factories as F

SLUG = "stewardship-webinar"
URL = f"/activities/{SLUG}/evaluation"
GOOD = {"q0": "1", "o0": "yes", "o1": "partly", "o2": "no", "relevance": "4", "quality": "5",
        "satisfaction": "3", "bias_free": "yes", "commitment": "Call blood culture Gram stains first.",
        "intends_change": "yes"}


def participant(client, paid=True, completed=True):
    who = F.create_learner()
    if paid:
        F.create_order(who, SLUG)
    if completed:
        F.create_participation(who, SLUG)
    F.login(client, who)
    return who


def test_form_shows_vignettes_objectives_and_standard_items(ctx, client):
    participant(client)
    page = client.get(URL).get_data(as_text=True)
    for text in ("A 54-year-old man on day 3 of ceftriaxone", "Interpret a cumulative antibiogram",
                 "free of commercial bias", "What will you do differently in your practice?",
                 "Partly", "Overall, how satisfied"):
        assert text in page
    assert "Gram-negative rods in a blood culture can change therapy now" not in page  # not before


def test_submitting_stores_answers_and_shows_right_answers_with_explanations(ctx, client):
    who = participant(client)
    resp = client.post(URL, data=GOOD)
    assert resp.status_code == 302 and resp.headers["Location"] == URL
    ev = Evaluation.get(Evaluation.learner == who)
    assert (ev.answers, ev.correct, ev.questions, ev.objectives_met) == ([1], 0, 1, ["yes", "partly", "no"])
    assert (ev.relevance, ev.quality, ev.satisfaction, ev.bias_free, ev.intends_change) == (4, 5, 3, True, True)
    page = client.get(URL).get_data(as_text=True)
    assert "0 of 1 right" in page and "Not right" in page
    assert "the right answer is “Gram-negative rods in a blood culture”" in page
    assert "Gram-negative rods in a blood culture can change therapy now" in page
    assert f"/activities/{SLUG}/claim" in page


@pytest.mark.parametrize("change, field, message", [
    ({"bias_free": "no"}, "bias_comment", "describe the commercial bias"),
    ({"q0": ""}, "q0", "Choose an answer"),
    ({"q0": "7"}, "q0", "Not a valid choice"),
    ({"relevance": "9"}, "relevance", "Not a valid choice"),
    ({"o1": ""}, "o1", "objective was met"),
    ({"commitment": "  "}, "commitment", "what you will do differently"),
    ({"intends_change": ""}, "intends_change", "yes or no"),
])
def test_bad_input_marks_the_field_and_keeps_the_rest(ctx, client, change, field, message):
    participant(client)
    resp = client.post(URL, data={**GOOD, **change})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and message in page
    assert f'id="{field}-error"' in page
    assert re.search(r'<input checked[^>]*name="satisfaction"[^>]*value="3"', page)  # other input kept
    assert Evaluation.select().count() == 0


def test_bias_comment_is_kept_when_bias_reported(ctx, client):
    who = participant(client)
    client.post(URL, data={**GOOD, "bias_free": "no", "bias_comment": "Only one vendor's test shown."})
    ev = Evaluation.get(Evaluation.learner == who)
    assert ev.bias_free is False and ev.bias_comment == "Only one vendor's test shown."


def test_second_submission_shows_the_existing_evaluation(ctx, client):
    participant(client)
    client.post(URL, data=GOOD)
    resp = client.post(URL, data={**GOOD, "q0": "0", "relevance": "1"}, follow_redirects=True)
    assert "already evaluated" in resp.get_data(as_text=True)
    assert Evaluation.select().count() == 1 and Evaluation.get().relevance == 4


@pytest.mark.parametrize("paid, completed, target, message", [
    (True, False, f"/activities/{SLUG}/participate", "Complete your participation first"),
    (False, False, f"/activities/{SLUG}", "Purchase this activity first"),
])
def test_evaluation_needs_completed_participation(ctx, client, paid, completed, target, message):
    participant(client, paid=paid, completed=completed)
    resp = client.get(URL)
    assert resp.status_code == 302 and resp.headers["Location"] == target
    assert message in client.get(target).get_data(as_text=True)
    assert client.post(URL, data=GOOD).status_code == 302 and Evaluation.select().count() == 0


def test_unknown_activity_is_404_and_login_required(ctx, client):
    assert client.get(URL).status_code == 302
    participant(client)
    assert client.get("/activities/no-such-thing/evaluation").status_code == 404
    assert client.get("/activities/draft-activity/evaluation").status_code == 404


def test_each_objective_group_is_read_with_the_shared_question(ctx, client):
    """A screen reader landing on an objective's radio group hears "Were these objectives met for
    you?" after the objective, and after an error also the error."""
    participant(client)
    page = client.get(URL).get_data(as_text=True)
    assert re.search(r'id="objectives-hint"[^>]*>Were these objectives met for you\?<', page)
    groups = re.findall(r'<fieldset[^>]*id="o\d"[^>]*>', page)
    assert len(groups) == 3 and all('aria-describedby="objectives-hint"' in g for g in groups)
    bad = client.post(URL, data={**GOOD, "o1": ""}).get_data(as_text=True)
    o1 = re.search(r'<fieldset[^>]*id="o1"[^>]*>', bad).group(0)
    assert 'aria-describedby="objectives-hint o1-error"' in o1 and 'aria-invalid="true"' in o1
