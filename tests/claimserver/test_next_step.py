"""The next step you can't miss (issue 14 item 2): a learner follows the "Next step" links through a
whole activity, and at every stage every page of the activity shows the step My Activities reports,
linking to that step's own page (never back to My Activities)."""
from __future__ import annotations

import html as H
import re

import pytest

from catalog.status import NextAction, Step
from tests.claimserver.test_purchase import buy_live
from tests.factories import buy, create_learner, login

BOX = re.compile(r'<p class="next-step" data-step="([a-z-]+)">(.*?)</p>', re.S)
BUTTON = re.compile(r'<a class="button" href="([^"]+)">([^<]+)</a>')
EVALUATION = {"q0": "1", "o0": "yes", "o1": "yes", "o2": "yes", "relevance": "4", "quality": "5",
              "satisfaction": "4", "bias_free": "yes", "commitment": "Call positive blood cultures first.",
              "intends_change": "yes"}


def boxes(page: str) -> list[tuple[str, str | None, str]]:
    """Each next-step box on a page: (step, the Next link's address or None, its text)."""
    out = []
    for step, inner in BOX.findall(page):
        link = BUTTON.search(inner)
        text = " ".join(H.unescape(re.sub(r"<[^>]+>", "", inner)).split())
        out.append((step, H.unescape(link.group(1)) if link else None, text))
    return out


def the_box(client, url: str) -> tuple[str, str | None, str]:
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code, r.location)
    found = boxes(r.text)
    assert len(found) == 1, (url, found)  # one next step per page, never two that could disagree
    return found[0]


def my_activities(client, title: str) -> tuple[str, str | None, str]:
    page = client.get("/my-activities").text
    start = page.index(title)
    card = page[start:page.index("</section>", start)]
    [box] = boxes(card)
    return box


def check_every_page(client, pages: list[str], title: str) -> str:
    """Every page shows My Activities' step; its link is that step's page (or says 'on this page'
    there). Returns the step's page, which the learner then opens."""
    step, target, text = my_activities(client, title)
    assert target is not None and target != "/my-activities", text
    for url in pages:
        s, link, words = the_box(client, url)
        assert s == step, (url, s, step)
        if url == target:
            assert link is None and "on this page" in words, (url, words)
        else:
            assert link == target, (url, link, target)
    page = client.get(target)
    assert page.status_code == 200  # the step's page itself, not a redirect elsewhere
    return target


@pytest.fixture
def learner(client, rows):
    who = create_learner()
    login(client, who)
    return who


def test_a_live_webinar_from_purchase_to_certificate(client, learner, clock):
    slug, title = "stewardship-webinar", "Antimicrobial Stewardship in the Clinical Laboratory"
    activity, participate = f"/activities/{slug}", f"/activities/{slug}/participate"
    evaluation, claim = f"/activities/{slug}/evaluation", f"/activities/{slug}/claim"
    receipt = buy_live(client, clock).location
    assert receipt.startswith("/receipts/")
    clock.at = clock.at.replace(day=12, hour=17, minute=45)  # during the session

    # after purchase: Next is taking part, and the link lands on the attendance page
    pages = [activity, receipt]
    assert check_every_page(client, pages, title) == participate
    assert the_box(client, receipt)[2] == f"Next step: {NextAction.ATTEND.label}"
    assert "Enter the attendance code announced during the session." in client.get(participate).text

    from claimserver.models import Activity
    code = Activity.get(Activity.slug == slug).attendance_code
    r = client.post(participate, data={"code": code})
    assert r.location == participate
    pages.append(participate)
    assert check_every_page(client, pages, title) == evaluation

    r = client.post(evaluation, data=EVALUATION)
    assert r.status_code == 302
    pages.append(evaluation)  # now the evaluation, as submitted
    assert check_every_page(client, pages, title) == claim

    r = client.post(claim, data={"credit": "ama_pra_1", "hours": "1.5", "attest": "y"})
    assert r.status_code == 302 and r.location.startswith("/certificates/")
    certificate = r.location
    pages += [claim, certificate]
    # a physician has claimed what they can: no Next link anywhere, the certificate is offered instead
    step, link, text = my_activities(client, title)
    assert step == Step.CERTIFICATE and link is None
    # "claimed: Certificate of …" read as if the credit were the certificate (issue 14 QA)
    assert text.startswith("All your credit for this activity is claimed. Your certificate: Certificate of AMA PRA")
    for url in pages:
        s, link, words = the_box(client, url)
        assert (s, link) == (Step.CERTIFICATE, None), url
        assert "Certificate of AMA PRA Category 1 Credit™" in words
    assert f'href="{certificate}"' in client.get(claim).text


def test_home_study_next_steps_go_to_the_post_test_then_the_evaluation(client, learner):
    slug, title = "journal-candida-auris", "Candida auris: Detection and Containment"
    activity, participate = f"/activities/{slug}", f"/activities/{slug}/participate"
    receipt = buy(client, slug).location
    assert check_every_page(client, [activity, receipt], title) == participate
    assert the_box(client, activity)[2] == f"Next step: {NextAction.STUDY.label}"
    client.post(f"/activities/{slug}/material")
    r = client.post(participate, data={"q0": "0", "q1": "0", "q2": "1"})
    assert "You passed." in r.text
    [(step, link, _)] = boxes(r.text)  # the answer page itself links on
    assert (step, link) == (Step.EVALUATE, f"/activities/{slug}/evaluation")
    assert check_every_page(client, [activity, receipt, participate], title) == f"/activities/{slug}/evaluation"


def test_a_learner_with_credit_still_to_claim_is_sent_back_to_the_claim_page(client, rows, clock):
    from tests import factories as F

    who = create_learner(profession="laboratory-professional", california_licence="CLS-1234567")
    login(client, who)
    F.create_order(who, "stewardship-webinar")
    F.create_participation(who, "stewardship-webinar")
    F.create_evaluation(who, "stewardship-webinar")
    c = F.create_claim(who, "stewardship-webinar", "pace")
    from claimserver.models import Certificate
    Certificate.create(claim=c, code="NEXTSTEP00000001", name=who.certificate_name)
    title = "Antimicrobial Stewardship in the Clinical Laboratory"
    step, link, text = my_activities(client, title)
    assert (step, link) == (Step.CERTIFICATE, "/activities/stewardship-webinar/claim")
    assert text.startswith(f"Next step: {NextAction.CLAIM.label}")
    s, link, words = the_box(client, f"/certificates/{c.id}")
    assert (s, link) == (Step.CERTIFICATE, "/activities/stewardship-webinar/claim")
    assert "Certificate of P.A.C.E.® Continuing Education" in words  # this page's own, not a link to itself
    assert f'href="/certificates/{c.id}"' not in BOX.search(client.get(f"/certificates/{c.id}").text).group(2)


def test_an_unpaid_order_is_sent_to_the_activity_page_and_a_visitor_sees_no_step(client, learner, clock):
    buy_live(client, clock, card={"number": "4000 0000 0000 0002", "expiry": "12/29", "cvc": "123"})
    clock.at = clock.at.replace(day=12, hour=17, minute=45)
    step, link, text = my_activities(client, "Antimicrobial Stewardship")
    assert (step, link) == (Step.PAY, "/activities/stewardship-webinar")
    assert the_box(client, "/activities/stewardship-webinar")[2] == f"Next step: {NextAction.PAY.label}, on this page."
    visitor = client.application.test_client()
    assert boxes(visitor.get("/activities/stewardship-webinar").text) == []


def test_before_a_live_session_the_next_step_is_to_join_it_on_its_day(client, learner, clock):
    """QA: eleven days before the webinar, the receipt and My Activities said "Enter attendance
    code", which led to "The session has not started yet". Before it starts, she is told when to join."""
    import datetime as dt

    slug, title = "stewardship-webinar", "Antimicrobial Stewardship in the Clinical Laboratory"
    eleven_days_before = dt.datetime(2027, 3, 1, 15, 0, tzinfo=dt.timezone.utc)
    receipt = buy_live(client, clock, at=eleven_days_before).location
    clock.at = eleven_days_before
    join = "Next step: Join the session on Friday, March 12, 2027, 12:00 PM – 1:30 PM EST"
    for step, link, text in (the_box(client, receipt), my_activities(client, title)):
        assert (step, link, text) == ("participate", f"/activities/{slug}", join)
        assert NextAction.ATTEND.label not in text
    page = client.get(f"/activities/{slug}").text
    assert "Friday, March 12, 2027, 12:00 PM – 1:30 PM EST" in page  # the activity page words the time alike
    assert the_box(client, f"/activities/{slug}")[2] == join.replace("Next step: ", "Next step: ") + ", on this page."

    clock.at = dt.datetime(2027, 3, 12, 17, 1, tzinfo=dt.timezone.utc)  # the session has begun
    assert the_box(client, receipt) == ("participate", f"/activities/{slug}/participate",
                                        f"Next step: {NextAction.ATTEND.label}")
