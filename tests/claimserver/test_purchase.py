"""Purchase with the test gateway: one order per learner and activity, the local test payment page,
receipts, hidden activities, and races."""
from __future__ import annotations

import datetime as dt
import threading

import pytest

from catalog.status import OrderStatus, PaymentStatus
from claimserver.models import Activity, AuditLog, Order, PaymentAttempt, PaymentEvent
from tests.factories import DECLINED_CARD, PASSWORD, buy, create_learner, create_order, login, outbox

DECLINED = DECLINED_CARD
#: 12:30 PM EST on March 12, 2027: the stewardship webinar (12:00–1:30 PM EST) is on.
DURING_WEBINAR = dt.datetime(2027, 3, 12, 17, 30, tzinfo=dt.timezone.utc)
#: Before the free teleconference of February 10, 2027.
BEFORE_TELECONFERENCE = dt.datetime(2027, 2, 1, 15, 0, tzinfo=dt.timezone.utc)


def buy_live(client, clock, slug: str = "stewardship-webinar", card: dict | None = None,
             at: dt.datetime = DURING_WEBINAR):
    """Buy a live session while it is on (a finished one cannot be bought), then go back to now."""
    was, clock.at = clock.at, at
    try:
        return buy(client, slug, card)
    finally:
        clock.at = was


@pytest.fixture
def learner(client, rows):
    learner = create_learner()
    login(client, learner)
    return learner


def test_paid_purchase_makes_one_order_receipt_and_email(client, learner, app, clock):
    r = buy_live(client, clock)
    assert r.status_code == 302
    order = Order.get(Order.learner == learner)
    assert r.location == f"/receipts/{order.receipt_number}"
    assert order.status == OrderStatus.PAID and order.amount_cents == 2500
    assert order.gateway_ref.startswith("test_pi_") and order.gateway == "test"
    assert (order.method_brand, order.method_last4) == ("Visa", "4242")
    assert order.receipt_number.startswith("R") and len(order.receipt_number) == 11
    page = client.get(r.location).text
    assert order.receipt_number in page and "$25.00" in page and "Visa ending 4242" in page
    assert "Antimicrobial Stewardship in the Clinical Laboratory" in page
    [mail] = outbox("receipt")
    assert mail.to == learner.email and order.receipt_number in mail.body and "$25.00" in mail.body
    assert f"http://ce.test/receipts/{order.receipt_number}" in mail.body
    assert [a.status for a in PaymentAttempt.select()] == [PaymentStatus.SUCCEEDED]
    assert [e.event_id for e in PaymentEvent.select()] == [f"test_evt_{order.gateway_ref}"]
    assert AuditLog.get(AuditLog.action == "order.paid").target == f"order:{order.id}"


def test_purchase_sends_the_learner_to_the_marked_test_payment_page(client, learner, clock):
    clock.at = DURING_WEBINAR
    r = client.post("/activities/stewardship-webinar/purchase")
    assert r.status_code == 302 and r.location.startswith("/payments/test/test_pi_")
    page = client.get(r.location).text
    assert "TEST payment page" in page and "no money moves and no card is charged" in page
    assert "4242 4242 4242 4242 (approved)" in page and "4000 0000 0000 0002 (declined)" in page
    order = Order.get(Order.learner == learner)
    assert order.status == OrderStatus.PROCESSING and outbox("receipt") == []
    # a second click resumes the same payment instead of starting another
    again = client.post("/activities/stewardship-webinar/purchase")
    assert again.location == f"/payments/{order.receipt_number}/pay" and PaymentAttempt.select().count() == 1
    assert client.get(again.location).location == r.location
    # a number that is not a published test card is refused on the page, nothing changes
    bad = client.post(r.location, data={"test_card": "4111 1111 1111 1111"})
    assert bad.status_code == 422 and "Test mode accepts only the two test cards" in bad.text
    assert Order.get_by_id(order.id).status == OrderStatus.PROCESSING


def test_another_learners_test_payment_page_is_404(client, learner, app, clock):
    clock.at = DURING_WEBINAR
    r = client.post("/activities/stewardship-webinar/purchase")
    other = app.test_client()
    login(other, create_learner())
    assert other.get(r.location).status_code == 404
    assert other.post(r.location, data={"test_card": "4242424242424242"}).status_code == 404
    assert Order.get(Order.learner == learner).status == OrderStatus.PROCESSING


def test_declined_card_keeps_the_order_and_a_retry_pays_it(client, learner, app):
    r = buy(client, "journal-candida-auris", DECLINED)
    assert r.status_code == 302 and r.location == "/activities/journal-candida-auris"
    page = client.get(r.location).text
    assert "Your card was declined. Try another card." in page
    assert "Your last payment was declined; you can try again." in page
    order = Order.get(Order.learner == learner)
    assert order.status == OrderStatus.DECLINED and outbox("receipt") == []
    r = buy(client, "journal-candida-auris")
    assert r.status_code == 302 and r.location.startswith("/receipts/")
    assert Order.select().count() == 1 and Order.get_by_id(order.id).status == OrderStatus.PAID
    assert [a.status for a in PaymentAttempt.select().order_by(PaymentAttempt.id)] == [
        PaymentStatus.FAILED, PaymentStatus.SUCCEEDED]
    assert len(outbox("receipt")) == 1
    assert Order.get_by_id(order.id).amount_cents == 1500


def test_buying_twice_gives_the_same_order_and_no_second_charge(client, learner, app, clock):
    first = buy_live(client, clock)
    second = buy_live(client, clock)
    assert second.status_code == 302 and second.location == first.location
    assert Order.select().count() == 1 and len(outbox("receipt")) == 1
    assert PaymentAttempt.select().count() == 1


def test_free_activity_needs_no_payment(client, learner, app, clock):
    clock.at = BEFORE_TELECONFERENCE
    page = client.get("/activities/free-teleconference-tb").text
    assert "Free" in page and "test payment page" not in page
    r = client.post("/activities/free-teleconference-tb/purchase")
    assert r.status_code == 302 and r.location.startswith("/receipts/")
    order = Order.get(Order.learner == learner)
    assert order.status == OrderStatus.PAID and order.amount_cents == 0 and order.gateway == "free"
    assert PaymentAttempt.select().count() == 0  # a $0 order never reaches a gateway
    receipt = client.get(r.location).text
    assert "Free" in receipt and "No payment (free activity)" in receipt
    assert len(outbox("receipt")) == 1


def test_bought_activity_page_says_in_my_activities(client, learner, clock):
    buy_live(client, clock)
    page = client.get("/activities/stewardship-webinar").text  # the session is over: buyers keep it
    assert "In My Activities" in page and "Pay $25.00" not in page and "no longer be purchased" not in page
    r = buy(client, "stewardship-webinar")
    assert r.status_code == 302 and r.location.startswith("/receipts/")


def test_a_live_session_that_has_ended_cannot_be_bought(client, learner, clock):
    clock.at = dt.datetime(2027, 3, 12, 18, 31, tzinfo=dt.timezone.utc)  # 1:31 PM EST, a minute after
    page = client.get("/activities/stewardship-webinar").text
    assert "This session took place on March 12, 2027; it can no longer be purchased." in page
    assert "Pay $25.00" not in page
    r = buy(client, "stewardship-webinar")
    assert r.status_code == 302 and r.location == "/activities/stewardship-webinar"
    assert "This session took place on March 12, 2027" in client.get(r.location).text
    assert Order.select().count() == 0 and PaymentAttempt.select().count() == 0
    # home study stays on sale until its claim deadline (January 14, 2028, New York)
    assert buy(client, "journal-candida-auris").location.startswith("/receipts/")
    clock.at = dt.datetime(2028, 1, 15, 4, 59, tzinfo=dt.timezone.utc)  # 11:59 PM on the 14th there
    other = client.application.test_client()
    login(other, create_learner())
    assert buy(other, "journal-candida-auris").location.startswith("/receipts/")
    clock.at = dt.datetime(2028, 1, 15, 5, 0, tzinfo=dt.timezone.utc)
    late = client.application.test_client()
    login(late, create_learner())
    r = buy(late, "journal-candida-auris")
    assert r.status_code == 302 and r.location == "/activities/journal-candida-auris"
    assert "closed on January 14, 2028" in late.get(r.location).text


def test_closed_activity_cannot_be_bought(client, learner):
    page = client.get("/activities/past-workshop-2025").text
    assert "can no longer be purchased" in page
    r = buy(client, "past-workshop-2025")
    assert r.status_code == 302 and r.location == "/activities/past-workshop-2025"
    assert "can no longer be purchased" in client.get(r.location).text
    assert Order.select().count() == 0


def test_hidden_activity_is_gone_for_new_buyers_but_kept_for_buyers(client, learner, app):
    buyer = create_learner()
    create_order(buyer, "stewardship-webinar")
    Activity.update(hidden=True).where(Activity.slug == "stewardship-webinar").execute()
    assert client.get("/activities/stewardship-webinar").status_code == 404
    assert buy(client, "stewardship-webinar").status_code == 404
    other = app.test_client()
    login(other, buyer)
    assert other.get("/activities/stewardship-webinar").status_code == 200
    assert "stewardship" in other.get("/my-activities").text.lower()


def test_unknown_activity_is_404(client, learner):
    assert client.get("/activities/no-such-thing").status_code == 404
    assert client.get("/activities/draft-activity").status_code == 404


def test_another_learners_receipt_is_404(client, learner):
    theirs = create_order(create_learner(), "stewardship-webinar")
    assert client.get(f"/receipts/{theirs.receipt_number}").status_code == 404
    assert client.get("/receipts/RNOSUCHTHING").status_code == 404


def test_anonymous_purchase_goes_to_login(client, rows, clock):
    clock.at = DURING_WEBINAR
    page = client.get("/activities/stewardship-webinar").text
    assert "Log in to purchase" in page and "/login?next=/activities/stewardship-webinar" in page
    r = buy(client, "stewardship-webinar")
    assert r.status_code == 302 and r.location.startswith("/login?next=")
    assert Order.select().count() == 0


def test_activity_page_shows_dates_price_credit_and_catalogue_link(client, rows, clock):
    clock.at = DURING_WEBINAR
    page = client.get("/activities/stewardship-webinar").text
    assert "Friday, March 12, 2027, 12:00 PM – 1:30 PM EST" in page  # the catalogue's wording
    assert "$25.00" in page
    assert "1.5 AMA PRA Category 1 Credits™" in page and "ACPE contact hours: 1.5 contact hours" in page
    assert "P.A.C.E.® contact hours: 1.5 P.A.C.E.® contact hours" in page
    assert 'href="http://catalogue.test/activities/stewardship-webinar/"' in page
    assert "Test mode" in page


def test_many_simultaneous_purchases_make_one_order_and_one_payment(app, rows, clock):
    """8 clicks at once: one order, one payment started at the gateway, all sent to the same page."""
    clock.at = DURING_WEBINAR
    learner = create_learner()
    n = 8
    clients = [app.test_client() for _ in range(n)]
    for c in clients:
        login(c, learner, PASSWORD)
    barrier = threading.Barrier(n)
    locations, errors = [], []

    def go(c):
        try:
            barrier.wait(timeout=30)
            r = c.post("/activities/stewardship-webinar/purchase")
            locations.append((r.status_code, r.location))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=go, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert Order.select().count() == 1
    [attempt] = PaymentAttempt.select()
    pay_page = f"/payments/test/{attempt.reference}"
    resume = f"/payments/{attempt.order.receipt_number}/pay"
    # everyone is sent to the one payment, or (while it was being started) back to the activity page
    assert all(code == 302 for code, _ in locations) and len(locations) == n
    assert {loc for _, loc in locations} <= {pay_page, resume, "/activities/stewardship-webinar"}
    assert sum(loc == pay_page for _, loc in locations) == 1
    r = clients[0].post(pay_page, data={"test_card": "4242424242424242"})
    assert clients[0].get(r.location).location.startswith("/receipts/")
    assert Order.get().status == OrderStatus.PAID and len(outbox("receipt")) == 1


@pytest.mark.parametrize("moment, tz, shown", [
    (dt.datetime(2027, 3, 12, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))), "America/New_York",
     "Friday, March 12, 2027, 12:00 PM EST"),
    (dt.datetime(2027, 7, 12, 17, 0, tzinfo=dt.timezone.utc), "America/Chicago",
     "Monday, July 12, 2027, 12:00 PM CDT"),
    # no time zone named: the offset the convener wrote, always named (it was hidden for -05:00)
    (dt.datetime(2027, 3, 12, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))), "",
     "Friday, March 12, 2027, 12:00 PM UTC−05:00"),
    (dt.datetime(2027, 3, 12, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=-6))), "",
     "Friday, March 12, 2027, 11:00 AM UTC−06:00"),
    (dt.datetime(2027, 3, 12, 17, 0), "", "Friday, March 12, 2027, 5:00 PM UTC"),
])
def test_local_time_always_names_the_zone_as_the_catalogue_does(moment, tz, shown):
    from claimserver.filters import local_time

    assert local_time(moment, tz) == shown


def test_staff_refund_with_the_test_gateway_ends_the_learners_path(client, learner, app):
    """What `make run` shows: buy on the test page, staff refund it, the credit is no longer claimable."""
    buy(client, "journal-candida-auris")
    order = Order.get(Order.learner == learner)
    staff = create_learner(roles="staff")
    s = app.test_client()
    login(s, staff)
    page = s.get("/staff/payments").text
    assert "Refund policy" in page and order.receipt_number in page and "Refund $15.00" in page
    r = s.post(f"/staff/payments/{order.receipt_number}/refund", data={"reason": "  "}, follow_redirects=True)
    assert "Give the reason for the refund" in r.text and Order.get_by_id(order.id).is_paid
    r = s.post(f"/staff/payments/{order.receipt_number}/refund", data={"reason": "Booked twice"}, follow_redirects=True)
    assert f"Refunded receipt {order.receipt_number}: refund test_re_" in r.text
    order = Order.get_by_id(order.id)
    assert order.status == OrderStatus.REFUNDED
    audit = AuditLog.get(AuditLog.action == "order.refunded")
    assert audit.actor_id == staff.id and audit.details["reason"] == "Booked twice"
    assert "Refunded on March 13, 2027" in client.get("/my-activities").text
    assert "Booked twice" in client.get(f"/receipts/{order.receipt_number}").text
    refused = client.get("/activities/journal-candida-auris/participate", follow_redirects=True).text
    assert ("Your purchase of this activity was refunded on March 13, 2027, so it is no longer in your "
            "activities and credit cannot be claimed for it.") in refused
    again = client.post("/activities/journal-candida-auris/purchase", follow_redirects=True).text
    assert "was refunded on March 13, 2027" in again and Order.select().count() == 1
    [mail] = outbox("refund")
    assert mail.to == learner.email and "$15.00 USD" in mail.body


def test_the_stripe_webhook_is_not_served_with_the_test_gateway(client, rows):
    assert client.post("/payments/stripe/webhook", data=b"{}").status_code == 404


def test_two_staff_refunds_at_once_make_one_refund(client, learner, app):
    from claimserver.models import Refund

    buy(client, "journal-candida-auris")
    order = Order.get(Order.learner == learner)
    staff = [app.test_client() for _ in range(2)]
    for s in staff:
        login(s, create_learner(roles="staff"))
    barrier = threading.Barrier(2)
    codes = []

    def go(s):
        barrier.wait(timeout=30)
        codes.append(s.post(f"/staff/payments/{order.receipt_number}/refund", data={"reason": "Booked twice"}).status_code)

    threads = [threading.Thread(target=go, args=(s,)) for s in staff]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert codes == [302, 302]
    assert Refund.select().count() == 1 and Order.get_by_id(order.id).status == OrderStatus.REFUNDED
    assert AuditLog.select().where(AuditLog.action == "order.refunded").count() == 1
    assert len(outbox("refund")) == 1
