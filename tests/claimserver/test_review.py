"""Programme review: recording reviews (directors only, never overwritten), the yearly programme
summary with its filters and CSV, and the planning brief with its shared link and Markdown."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from claimserver.models import Activity, AuditLog, Review
from tests.claimserver.test_outcomes import known_data, log_in
from tests.factories import create_learner

JOURNAL = "journal-candida-auris"
WEBINAR = "stewardship-webinar"
OK = {"body": "director", "members": "Helen Marsh", "reviewed_on": "2027-03-13", "phase": "competence",
      "verdict": "acceptable", "rationale": "Results meet the targets."}
CHANGES = {**OK, "body": "committee", "members": "Helen Marsh; Ravi Patel", "verdict": "changes-needed",
           "changes": "Add a screening case.", "owners": "Jane Doe (convener)",
           "rationale": "Only a quarter answered Q2."}


@pytest.fixture
def director(ctx):
    return create_learner(email="dr@example.org", roles="director", certificate_name="Helen Marsh, MD")


def review(client, slug, **data):
    return client.post(f"/director/activities/{slug}/reviews", data=data)


def test_a_director_records_reviews_in_order_each_kept_attributed_and_audited(ctx, client, director):
    log_in(client, director)
    first = review(client, JOURNAL, **CHANGES)
    assert first.status_code == 302 and first.headers["Location"].endswith(f"/director/activities/{JOURNAL}#reviews")
    review(client, JOURNAL, **{**OK, "phase": "follow-up", "rationale": "Changes made; results fine now."})
    page = client.get(f"/director/activities/{JOURNAL}").text
    assert page.index("Add a screening case.") < page.index("Changes made; results fine now.")
    assert "Owner: Jane Doe (convener)" in page and "Recorded by Helen Marsh, MD" in page
    reviews = list(Review.select().order_by(Review.id))
    assert [(r.verdict, r.created_by.id) for r in reviews] == [("changes-needed", director.id), ("acceptable", director.id)]
    assert reviews[0].changes == "Add a screening case."  # the later review did not overwrite it
    audits = AuditLog.select().where(AuditLog.action == "review.recorded")
    assert sorted(a.target for a in audits) == sorted(f"review:{r.id}" for r in reviews)
    assert all(a.actor_id == director.id for a in audits)


@pytest.mark.parametrize("change, field, message", [
    ({"changes": ""}, "changes", "Describe the changes to make."),
    ({"owners": " "}, "owners", "Name who owns the changes."),
    ({"members": ""}, "members", "Name who took part."),
    ({"reviewed_on": "13/03/2027"}, "reviewed_on", "Not a valid date value."),
    ({"reviewed_on": "2027-03-14"}, "reviewed_on", "A review cannot be dated in the future."),
    ({"verdict": "fine"}, "verdict", "Not a valid choice."),
    ({"rationale": ""}, "rationale", "Say why."),
])
def test_a_review_with_a_mistake_is_refused_with_the_field_marked(ctx, client, director, change, field, message):
    log_in(client, director)
    resp = review(client, JOURNAL, **{**CHANGES, **change})
    assert resp.status_code == 400
    assert message in resp.text and f'id="{field}-error"' in resp.text
    assert Review.select().count() == 0


def test_only_directors_may_record_and_nothing_can_be_edited_or_deleted(ctx, client, director):
    learner = create_learner()
    log_in(client, learner)
    assert review(client, JOURNAL, **OK).status_code == 404
    assert Review.select().count() == 0
    log_in(client, director)
    resp = review(client, JOURNAL, **OK)
    assert resp.status_code == 302, resp.text
    url = f"/director/activities/{JOURNAL}/reviews"
    assert client.delete(url).status_code == 405 and client.put(url, data=OK).status_code == 405
    assert Review.select().count() == 1


def test_programme_summary_counts_match_the_reviews_and_filters_work(ctx, client, director):
    log_in(client, director)
    review(client, JOURNAL, **CHANGES)
    review(client, WEBINAR, **OK)
    review(client, WEBINAR, **{**CHANGES, "changes": "Shorten the antibiogram section."})
    review(client, WEBINAR, **{**OK, "rationale": "Shortened; fine."})  # closes the webinar's changes
    year_2027 = [a for a in Activity.select() if a.current.starts.year == 2027]
    page = client.get("/director/programme?year=2027").text
    assert f"{len(year_2027)} activities" in page
    assert "Add a screening case." in page and "Shorten the antibiogram section." not in page
    assert "3 reviews</span>" in page and "1 review</span>" in page
    changes = client.get("/director/programme?year=2027&verdict=changes-needed").text
    assert "1 activity" in changes and "Candida auris" in changes
    assert "1 activity" in client.get("/director/programme?year=2027&verdict=acceptable").text
    none = client.get("/director/programme?year=2027&verdict=none").text
    assert f"{len(year_2027) - 2} activit" in none
    tagged = client.get("/director/programme?year=2027&tag=stewardship").text
    assert "1 activity" in tagged and "Antimicrobial Stewardship" in tagged
    rows = list(csv.DictReader(io.StringIO(client.get("/director/programme.csv?year=2027").text)))
    by_slug = {r["slug"]: r for r in rows}
    assert by_slug[JOURNAL]["latest verdict"] == "Changes needed" and by_slug[JOURNAL]["reviews"] == "1"
    assert by_slug[JOURNAL]["open changes"] == "Add a screening case."
    assert by_slug[WEBINAR]["latest verdict"] == "Results acceptable" and by_slug[WEBINAR]["reviews"] == "3"
    assert client.get("/director/programme?year=2027&verdict=<x>").status_code == 200  # ignored, not an error
    assert 'media="print"' in page  # printable: print.css hides navigation and filters


def test_planning_brief_page_markdown_and_private_link(ctx, client, director, clock):
    known_data()
    log_in(client, director)
    review(client, JOURNAL, **CHANGES)
    page = client.get("/director/brief?tag=Mycology")
    assert page.status_code == 200
    for needle in ("Planning brief: Mycology", "Candida auris", "50%", "75%", "66.7%", "Add a screening case."):
        assert needle in page.text, needle
    md = client.get("/director/brief.md?tag=mycology")
    assert md.mimetype == "text/markdown"
    assert "| 50% | 75% | 66.7% | 1 |" in md.text and "Add a screening case. — owner: Jane Doe (convener)" in md.text
    share = page.text.split('readonly value="')[1].split('"')[0]
    path = share.replace("http://ce.test", "")
    assert path.startswith("/brief/")
    anonymous = client.application.test_client()
    shared = anonymous.get(path)
    assert shared.status_code == 200 and "Add a screening case." in shared.text and "Record a review" not in shared.text
    assert "Share with a convener" not in shared.text
    assert anonymous.get(path[:-2] + "xx").status_code == 404
    clock.advance(days=31)
    expired = anonymous.get(path)
    assert expired.status_code == 410 and "This link has expired" in expired.text


def test_brief_leaves_out_future_activities(ctx, client, director, clock):
    clock.at = dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc)
    log_in(client, director)
    assert "No past activities on this topic yet." in client.get("/director/brief?tag=stewardship").text


@pytest.mark.parametrize("slug, change, field, message", [
    # the journal starts 2027-01-15: a review cannot come before the activity took place
    (JOURNAL, {"reviewed_on": "2020-01-01"}, "reviewed_on",
     "A review cannot be dated before the activity took place (January 15, 2027)."),
    # the teleconference does not target performance: it has no follow-ups to review
    ("free-teleconference-tb", {"phase": "follow-up"}, "phase", "This activity does not target performance"),
])
def test_a_review_before_the_activity_or_of_follow_ups_it_never_had_is_refused(
        ctx, client, director, slug, change, field, message):
    log_in(client, director)
    resp = review(client, slug, **{**OK, **change})
    assert resp.status_code == 400
    assert message in resp.text and f'id="{field}-error"' in resp.text
    assert Review.select().count() == 0
    assert review(client, slug, **{**OK, "reviewed_on": "2027-03-01"}).status_code == 302  # on/after: fine
