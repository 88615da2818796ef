"""My Activities: each purchase with its status, next step and deadlines (claim window, CPE Monitor)."""
from __future__ import annotations

import datetime as dt

import pytest

from claimserver.models import Certificate, Claim
from tests.claimserver.test_purchase import DURING_WEBINAR, buy_live
from tests.factories import (
    activity, buy, create_claim, create_evaluation, create_learner, create_order, create_participation, login,
)


@pytest.fixture
def learner(client, rows):
    learner = create_learner()
    login(client, learner)
    return learner


def _card(page: str, title: str) -> str:
    start = page.index(title)
    return page[start:page.index("</section>", start)]


def test_no_activities_points_to_the_catalogue(client, learner):
    page = client.get("/my-activities").text
    assert "You have no activities yet" in page and 'href="http://catalogue.test"' in page


def test_each_step_links_to_the_next(client, learner):
    title = "Antimicrobial Stewardship in the Clinical Laboratory"
    create_order(learner, "stewardship-webinar")
    card = _card(client.get("/my-activities").text, title)
    assert "Purchased" in card and 'href="/activities/stewardship-webinar/participate"' in card
    assert "Claim credit until March 11, 2028 (364 days left)" in card

    create_participation(learner, "stewardship-webinar")
    card = _card(client.get("/my-activities").text, title)
    assert "Participated March 12, 2027" in card and 'href="/activities/stewardship-webinar/evaluation"' in card

    create_evaluation(learner, "stewardship-webinar")
    card = _card(client.get("/my-activities").text, title)
    assert 'href="/activities/stewardship-webinar/claim"' in card

    row, v = activity("stewardship-webinar")
    d = v.model().designation("ama_pra_1")
    claim = Claim.create(learner=learner, activity=row, version=v, credit_type="ama_pra_1",
                         quarter_hours=6, designation=d.as_dict(), participated_on=dt.date(2027, 3, 12))
    Certificate.create(claim=claim, code="TESTCODE00000001", name=learner.certificate_name)
    card = _card(client.get("/my-activities").text, title)
    assert "Credit claimed" in card and f'href="/certificates/{claim.id}"' in card


def test_home_study_next_step_is_the_post_test(client, learner):
    buy(client, "journal-candida-auris")
    card = _card(client.get("/my-activities").text, "Candida auris")
    assert "Open the material and take the post-test" in card


def test_pharmacists_see_the_cpe_monitor_deadline(client, rows):
    pharmacist = create_learner(profession="pharmacist", nabp_epid="1234567", birth_mmdd="0714")
    login(client, pharmacist)
    create_order(pharmacist, "stewardship-webinar")
    create_participation(pharmacist, "stewardship-webinar", on=dt.date(2027, 3, 12))
    card = _card(client.get("/my-activities").text, "Antimicrobial Stewardship")
    assert "CPE Monitor: we must report your participation by May 11, 2027" in card


def test_pharmacists_are_told_when_the_cpe_monitor_limit_has_passed(client, rows, clock):
    pharmacist = create_learner(profession="pharmacist", nabp_epid="1234567", birth_mmdd="0714")
    login(client, pharmacist)
    create_order(pharmacist, "stewardship-webinar")
    create_participation(pharmacist, "stewardship-webinar", on=dt.date(2027, 3, 12))
    clock.at = dt.datetime(2027, 5, 20, 15, tzinfo=dt.timezone.utc)
    card = _card(client.get("/my-activities").text, "Antimicrobial Stewardship")
    assert "CPE Monitor's 60-day limit ended on May 11, 2027" in card
    assert "claim before then" not in card


def test_physicians_see_no_cpe_monitor_deadline(client, learner):
    create_order(learner, "stewardship-webinar")
    create_participation(learner, "stewardship-webinar")
    assert "CPE Monitor" not in client.get("/my-activities").text


def test_unpaid_order_asks_to_complete_payment(client, learner, clock):
    buy_live(client, clock, card={"number": "4000 0000 0000 0002", "expiry": "12/29", "cvc": "123"})
    clock.at = DURING_WEBINAR
    card = _card(client.get("/my-activities").text, "Antimicrobial Stewardship")
    assert "Payment not completed" in card and "Complete payment" in card


def test_unpaid_order_of_a_finished_session_says_it_can_no_longer_be_bought(client, learner):
    create_order(learner, "stewardship-webinar", status="declined")
    card = _card(client.get("/my-activities").text, "Antimicrobial Stewardship")
    assert "Payment not completed" in card and "Complete payment" not in card
    assert "Not purchased: This session took place on March 12, 2027; it can no longer be purchased." in card
    assert "Claim credit until" not in card  # no claim window for what was never bought


def test_days_left_count_in_the_activitys_own_time_zone(client, learner, clock):
    create_order(learner, "journal-candida-auris")  # claim until January 14, 2028, New York
    clock.at = dt.datetime(2028, 1, 14, 3, 0, tzinfo=dt.timezone.utc)  # still January 13 there
    card = _card(client.get("/my-activities").text, "Candida auris")
    assert "(1 day left)" in card
    clock.at = dt.datetime(2028, 1, 15, 3, 0, tzinfo=dt.timezone.utc)  # 10 PM on the 14th there
    card = _card(client.get("/my-activities").text, "Candida auris")
    assert "Closed" not in card and "(0 days left)" in card
    clock.at = dt.datetime(2028, 1, 15, 5, 0, tzinfo=dt.timezone.utc)  # midnight: closed
    card = _card(client.get("/my-activities").text, "Candida auris")
    assert "Closed" in card and "the claim window ended on January 14, 2028" in card


def test_my_activities_queries_do_not_grow_with_the_orders(client, learner, monkeypatch):
    from claimserver.db import database

    def queries() -> int:
        seen = []
        db = database.obj
        real = db.execute_sql

        def counting(sql, *a, **kw):
            seen.append(sql)
            return real(sql, *a, **kw)

        with monkeypatch.context() as m:
            m.setattr(db, "execute_sql", counting)
            assert client.get("/my-activities").status_code == 200
        return len(seen)

    create_order(learner, "stewardship-webinar")
    create_claim(learner, "stewardship-webinar", "pace")  # the claims' report items: one query for all
    one = queries()
    for slug in ("journal-candida-auris", "free-teleconference-tb", "past-workshop-2025"):
        create_order(learner, slug)
        create_participation(learner, slug)
        if slug == "past-workshop-2025":
            create_claim(learner, slug, "participation")
    assert queries() == one


def test_closed_claim_window_is_shown(client, learner, clock):
    create_order(learner, "stewardship-webinar")
    clock.at = dt.datetime(2028, 3, 20, 12, tzinfo=dt.timezone.utc)
    card = _card(client.get("/my-activities").text, "Antimicrobial Stewardship")
    assert "Closed" in card and "the claim window ended on March 11, 2028" in card


def test_only_my_own_activities_are_listed(client, learner):
    create_order(create_learner(), "journal-candida-auris")
    create_order(learner, "stewardship-webinar")
    page = client.get("/my-activities").text
    assert "Antimicrobial Stewardship" in page and "Candida auris" not in page


def test_profile_reminder_links_back(client, rows):
    login(client, create_learner(certificate_name="", profession=""))
    page = client.get("/my-activities").text
    assert 'href="/profile?next=/my-activities"' in page
