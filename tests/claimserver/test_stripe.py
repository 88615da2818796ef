"""Stripe, against localstripe (a real, stateful Stripe-compatible server) through the official SDK.

localstripe runs once per test worker on a port of 5100-5199 (fixture `localstripe`, tests/conftest.py); each test's app is served over HTTP
(its own port) and registered as the webhook endpoint, so events arrive signed, as from Stripe. The
browser's part (Stripe.js) is done the way the stand-in does it: card details go to localstripe,
our server only ever sees the card's id. Every test runs on SQLite and PostgreSQL.
"""
from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from catalog.dates import long_date
from catalog.status import OrderStatus, PaymentEventOutcome, PaymentStatus
from claimserver.models import AuditLog, Certificate, Order, PaymentAttempt, PaymentEvent, Refund
from tests.factories import (
    create_claim, create_evaluation, create_learner, create_participation, login, outbox,
)
from tests.localstripe_server import PUBLISHABLE_KEY, SECRET_KEY

SLUG = "journal-candida-auris"  # home study, $15.00, on sale on the default test date
SECRET = "whsec_ceportal_test"
APPROVE, DECLINE, THREE_D_SECURE = "4242424242424242", "4000000000000341", "4000002500003155"


@pytest.fixture
def app_config(app_config, localstripe):
    return {**app_config, "PAYMENT_GATEWAY": "stripe", "STRIPE_SECRET_KEY": SECRET_KEY,
            "STRIPE_PUBLISHABLE_KEY": PUBLISHABLE_KEY, "STRIPE_WEBHOOK_SECRET": SECRET,
            "STRIPE_API_BASE": localstripe.url, "STRIPE_JS_URL": localstripe.js_url,
            "SOCIETY_NAME": "American Society for Microbiology",
            "SOCIETY_ADDRESS": "1752 N Street NW\\nWashington, DC 20036"}


@pytest.fixture
def live(app, localstripe):
    """The app on a real port, registered with localstripe as its webhook endpoint."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    url = f"http://127.0.0.1:{server.server_port}"
    localstripe.register_webhook("ceportal", f"{url}/payments/stripe/webhook", SECRET)
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture
def learner(client, rows):
    learner = create_learner()
    login(client, learner)
    return learner


def start(client, slug: str = SLUG) -> Order:
    """Press Purchase: a PaymentIntent is created and the learner is sent to the pay page."""
    r = client.post(f"/activities/{slug}/purchase")
    assert r.status_code == 302 and r.location.startswith("/payments/") and r.location.endswith("/pay"), r.location
    return Order.get(Order.receipt_number == r.location.split("/")[2])


def pay(client, localstripe, order: Order, number: str = APPROVE):
    return client.post(f"/payments/{order.receipt_number}/confirm", json={"payment_method": localstripe.card(number)})


def wait_for(condition, seconds: float = 15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def event_seen(order: Order, type_: str) -> bool:
    return PaymentEvent.select().where(PaymentEvent.reference == order_ref(order), PaymentEvent.type == type_).exists()


def order_ref(order: Order) -> str:
    return PaymentAttempt.select().where(PaymentAttempt.order == order.id).order_by(PaymentAttempt.id.desc()).get().reference


def sign(payload: bytes, secret: str = SECRET, at: int | None = None) -> str:
    at = int(time.time()) if at is None else at
    return f"t={at},v1=" + hmac.new(secret.encode(), f"{at}.".encode() + payload, hashlib.sha256).hexdigest()


def deliver(url: str, payload: bytes, signature: str | None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    req = urllib.request.Request(f"{url}/payments/stripe/webhook", data=payload, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def succeeded_event(app, reference: str, event_id: str = "evt_test_1", **changes) -> bytes:
    """A payment_intent.succeeded event for `reference`, built from the intent localstripe holds."""
    import stripe

    client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": app.config["STRIPE_API_BASE"]})
    intent = client.v1.payment_intents.retrieve(reference).to_dict()
    intent.update(status="succeeded", **changes)
    return json.dumps({"id": event_id, "object": "event", "type": "payment_intent.succeeded",
                       "created": int(time.time()), "data": {"object": intent}}).encode()


# ------------------------------------------------------------------------------------------------
# Purchase
# ------------------------------------------------------------------------------------------------
def test_purchase_end_to_end_with_the_webhook(client, learner, live, localstripe, app):
    order = start(client)
    page = client.get(f"/payments/{order.receipt_number}/pay")
    assert f'<script src="{localstripe.js_url}"></script>' in page.text
    assert f'data-publishable-key="{PUBLISHABLE_KEY}"' in page.text
    assert f"script-src 'self' {localstripe.url}" in page.headers["Content-Security-Policy"]
    assert "card" not in {k.lower() for k in page.text.split('name="')[1:]}  # no card field of ours
    attempt = PaymentAttempt.get()
    assert attempt.status == PaymentStatus.STARTED and attempt.reference.startswith("pi_")
    assert attempt.idempotency_key == f"{order.receipt_number}-1"
    r = pay(client, localstripe, order)
    assert r.status_code == 200 and r.json == {"next": f"/payments/{order.receipt_number}/return"}
    assert wait_for(lambda: event_seen(order, "payment_intent.succeeded"))
    order = Order.get_by_id(order.id)
    assert order.status == OrderStatus.PAID and order.gateway_ref == attempt.reference
    assert (order.method_brand, order.method_last4, order.amount_cents, order.currency) == ("Visa", "4242", 1500, "USD")
    back = client.get(f"/payments/{order.receipt_number}/return")
    assert back.location == f"/receipts/{order.receipt_number}"
    receipt = client.get(back.location).text
    assert "Visa ending 4242" in receipt and "$15.00 USD" in receipt and "1752 N Street NW" in receipt
    assert [m.to for m in outbox("receipt")] == [learner.email]
    assert AuditLog.select().where(AuditLog.action == "order.paid").count() == 1


def test_metadata_amount_and_idempotency_key_go_to_stripe(client, learner, live, localstripe, app):
    import stripe

    order = start(client)
    intent = stripe.StripeClient(SECRET_KEY, base_addresses={"api": localstripe.url}).v1.payment_intents.retrieve(
        order_ref(order))
    assert (intent.amount, intent.currency) == (1500, "usd")
    assert intent.metadata.to_dict() == {"receipt_number": order.receipt_number, "learner_id": str(learner.id),
                                          "activity": SLUG, "activity_version": str(order.version_id)}


def test_returning_before_the_webhook_shows_processing_then_the_receipt(client, learner, live, localstripe):
    order = start(client)
    r = pay(client, localstripe, order, THREE_D_SECURE)  # the bank asks for 3-D Secure first
    assert r.status_code == 200 and r.json["client_secret"].startswith(order_ref(order))
    page = client.get(f"/payments/{order.receipt_number}/return")
    assert page.status_code == 200 and "Payment processing" in page.text
    assert page.headers["Refresh"] == "2" and '<meta http-equiv="refresh" content="2">' in page.text
    localstripe.authenticate(order_ref(order), r.json["client_secret"])  # the learner completes it
    assert wait_for(lambda: Order.get_by_id(order.id).is_paid)
    assert client.get(f"/payments/{order.receipt_number}/return").location == f"/receipts/{order.receipt_number}"
    assert len(outbox("receipt")) == 1


def test_decline_records_the_failure_and_a_new_attempt_pays(client, learner, live, localstripe):
    order = start(client)
    r = pay(client, localstripe, order, DECLINE)
    assert r.status_code == 402 and r.json["error"] == "Your card was declined."
    assert Order.get_by_id(order.id).status == OrderStatus.DECLINED
    assert PaymentAttempt.get().status == PaymentStatus.FAILED and outbox("receipt") == []
    assert wait_for(lambda: event_seen(order, "payment_intent.payment_failed"))  # the webhook changes nothing
    assert Order.get_by_id(order.id).status == OrderStatus.DECLINED
    start(client)
    assert pay(client, localstripe, order).status_code == 200
    assert client.get(f"/payments/{order.receipt_number}/return").location == f"/receipts/{order.receipt_number}"
    assert [a.status for a in PaymentAttempt.select().order_by(PaymentAttempt.id)] == [
        PaymentStatus.FAILED, PaymentStatus.SUCCEEDED]
    assert Order.select().count() == 1 and len(outbox("receipt")) == 1


class _Answer500(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's name
        body = b'{"error": {"message": "internal", "type": "api_error"}}'
        self.send_response(500)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("failure", ["down", "5xx"])
def test_provider_down_or_5xx_while_starting_is_retryable(client, learner, live, localstripe, app, failure):
    if failure == "down":
        with __import__("socket").socket() as s:
            s.bind(("127.0.0.1", 0))
            bad = f"http://127.0.0.1:{s.getsockname()[1]}"  # closed again: nothing listens there
        server = None
    else:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Answer500)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        bad = f"http://127.0.0.1:{server.server_port}"
    app.config["STRIPE_API_BASE"] = bad
    try:
        r = client.post(f"/activities/{SLUG}/purchase")
    finally:
        app.config["STRIPE_API_BASE"] = localstripe.url
        if server:
            server.shutdown()
            server.server_close()
    assert r.status_code == 302 and r.location == f"/activities/{SLUG}"
    assert ("The payment service did not answer, and nothing was charged. Please try again in a minute."
            in client.get(r.location).text)
    order = Order.get()
    assert order.status == OrderStatus.PENDING and [a.status for a in PaymentAttempt.select()] == [PaymentStatus.ERROR]
    start(client)  # the retry works
    assert pay(client, localstripe, order).status_code == 200
    assert client.get(f"/payments/{order.receipt_number}/return").location == f"/receipts/{order.receipt_number}"
    assert len(outbox("receipt")) == 1


def test_free_activity_never_reaches_stripe(client, learner, live, clock):
    import datetime as dt

    clock.at = dt.datetime(2027, 2, 1, 15, 0, tzinfo=dt.timezone.utc)
    r = client.post("/activities/free-teleconference-tb/purchase")
    assert r.location.startswith("/receipts/")
    assert PaymentAttempt.select().count() == 0 and Order.get().gateway == "free"


# ------------------------------------------------------------------------------------------------
# Webhook
# ------------------------------------------------------------------------------------------------
def _tamper(payload: bytes) -> tuple[bytes, str]:
    sig = sign(payload)
    return payload.replace(b'"amount": 1500', b'"amount": 1'), sig


def _reserialised(payload: bytes) -> tuple[bytes, str]:
    sig = sign(payload)
    return json.dumps(json.loads(payload), separators=(",", ":"), sort_keys=True).encode(), sig


@pytest.mark.parametrize("case", ["tampered body", "no signature", "wrong secret", "301 seconds old",
                                  "re-serialised body"])
def test_webhook_refuses_what_stripe_did_not_sign(client, learner, live, app, case):
    order = start(client)
    payload = succeeded_event(app, order_ref(order))
    body, sig = {
        "tampered body": lambda: _tamper(payload),
        "no signature": lambda: (payload, None),
        "wrong secret": lambda: (payload, sign(payload, "whsec_someone_else")),
        "301 seconds old": lambda: (payload, sign(payload, at=int(time.time()) - 301)),
        "re-serialised body": lambda: _reserialised(payload),
    }[case]()
    status, answer = deliver(live, body, sig)
    assert status == 400 and answer == {"error": "invalid signature"}
    assert Order.get_by_id(order.id).status == OrderStatus.PROCESSING
    assert PaymentEvent.select().where(PaymentEvent.event_id == "evt_test_1").count() == 0
    assert outbox("receipt") == []


def test_webhook_accepts_any_v1_signature_during_rotation(client, learner, live, app):
    order = start(client)
    payload = succeeded_event(app, order_ref(order))
    at = int(time.time())
    old, new = (sign(payload, secret, at).split(",")[1] for secret in ("whsec_old_secret", SECRET))
    status, answer = deliver(live, payload, f"t={at},{old},{new}")
    assert status == 200 and answer["outcome"] == PaymentEventOutcome.FULFILLED
    assert Order.get_by_id(order.id).is_paid


def test_webhook_secret_rotation_on_our_side(client, learner, live, app):
    app.config["STRIPE_WEBHOOK_SECRET"] = f"whsec_new_one, {SECRET}"
    order = start(client)
    payload = succeeded_event(app, order_ref(order))
    assert deliver(live, payload, sign(payload))[0] == 200 and Order.get_by_id(order.id).is_paid


def test_same_event_five_times_at_once_and_an_hour_later_fulfils_once(client, learner, live, app, clock):
    order = start(client)
    payload = succeeded_event(app, order_ref(order), event_id="evt_redelivered")
    barrier = threading.Barrier(5)
    answers = []

    def send():
        barrier.wait(timeout=30)
        answers.append(deliver(live, payload, sign(payload)))

    threads = [threading.Thread(target=send) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert [s for s, _ in answers] == [200] * 5
    assert sorted(a["duplicate"] for _, a in answers) == [False, True, True, True, True]
    clock.advance(hours=1)
    status, later = deliver(live, payload, sign(payload))  # Stripe re-signs every retry
    assert status == 200 and later["duplicate"] is True
    assert Order.select().where(Order.status == OrderStatus.PAID).count() == 1
    assert PaymentEvent.select().where(PaymentEvent.event_id == "evt_redelivered").count() == 1
    assert AuditLog.select().where(AuditLog.action == "order.paid").count() == 1
    assert len(outbox("receipt")) == 1


@pytest.fixture
def second_worker(app, app_config):
    """The same app in another process (another worker, as under gunicorn), on the same database."""
    import os
    import subprocess
    import sys

    from claimserver.config import DEFAULTS
    from tests.conftest import DEFAULT_NOW

    env = {k: v for k, v in os.environ.items() if not k.startswith("CE_")}
    for key, value in {**app_config, "CLOCK": DEFAULT_NOW.isoformat()}.items():
        if key in DEFAULTS:
            name = key if key in ("SECRET_KEY", "DATABASE_URL") or key.startswith("CE_") else f"CE_{key}"
            env[name] = ("1" if value else "0") if isinstance(value, bool) else str(value)
    proc = subprocess.Popen([sys.executable, "-m", "tests.worker_server"], env=env, stdout=subprocess.PIPE,
                            text=True, cwd=Path(__file__).resolve().parents[2])
    line = proc.stdout.readline()
    assert line.startswith("port "), f"the second worker did not start: {line!r}"
    yield f"http://127.0.0.1:{int(line.split()[1])}"
    proc.terminate()
    proc.wait(timeout=10)
    proc.stdout.close()


def test_return_page_and_webhook_at_the_same_moment_on_two_workers_fulfil_once(app, rows, live, localstripe,
                                                                               second_worker):
    """Five orders, each paid at Stripe; then the learner's return (worker 2, another process) and
    the webhook (worker 1) arrive at the same moment. Stripe's own delivery of the event follows."""
    import stripe

    sdk = stripe.StripeClient(SECRET_KEY, base_addresses={"api": localstripe.url})
    orders = []
    for _ in range(5):
        c = app.test_client()
        login(c, create_learner())
        order = start(c)
        ref = order_ref(order)
        sdk.v1.payment_intents.update(ref, params={"payment_method": localstripe.card(APPROVE)})
        sdk.v1.payment_intents.confirm(ref)
        orders.append((c.get_cookie("session").value, order, ref))
    for cookie, order, ref in orders:
        payload = succeeded_event(app, ref, event_id=f"evt_race_{order.id}")
        barrier = threading.Barrier(2)
        results = {}

        def back():
            req = urllib.request.Request(f"{second_worker}/payments/{order.receipt_number}/return",
                                         headers={"Cookie": f"session={cookie}"})
            opener = urllib.request.build_opener(_NoRedirect)
            barrier.wait(timeout=30)
            try:
                opener.open(req, timeout=30)
            except urllib.error.HTTPError as e:
                results["return"] = (e.code, e.headers["Location"])
                e.close()

        def hook():
            barrier.wait(timeout=30)
            results["webhook"] = deliver(live, payload, sign(payload))[0]

        threads = [threading.Thread(target=back), threading.Thread(target=hook)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert results == {"return": (302, f"/receipts/{order.receipt_number}"), "webhook": 200}
    # Stripe's own payment_intent.succeeded for each (delivered a second later) changes nothing either
    assert wait_for(lambda: PaymentEvent.select().where(PaymentEvent.type == "payment_intent.succeeded").count() >= 10)
    assert Order.select().where(Order.status == OrderStatus.PAID).count() == 5
    assert AuditLog.select().where(AuditLog.action == "order.paid").count() == 5
    assert sorted(m.to for m in outbox("receipt")) == sorted(o.learner.email for _, o, _ in orders)
    assert PaymentEvent.select().where(PaymentEvent.outcome == PaymentEventOutcome.FULFILLED).count() <= 5


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_mismatched_amount_is_not_fulfilled_and_staff_see_an_alert(client, learner, live, app, rows):
    order = start(client)
    payload = succeeded_event(app, order_ref(order), amount=100)
    status, answer = deliver(live, payload, sign(payload))
    assert status == 200 and answer["outcome"] == PaymentEventOutcome.MISMATCH
    assert Order.get_by_id(order.id).status == OrderStatus.PROCESSING and outbox("receipt") == []
    staff = create_learner(roles="staff")
    s = app.test_client()
    login(s, staff)
    page = s.get("/staff/payments").text
    assert "Alerts" in page and "Not fulfilled: amount 100 cents, the order says 1500" in page
    event = PaymentEvent.get(PaymentEvent.event_id == "evt_test_1")
    s.post(f"/staff/payments/alerts/{event.id}/resolve")
    assert PaymentEvent.get_by_id(event.id).resolved_by_id == staff.id
    assert "Not fulfilled" not in s.get("/staff/payments").text


def test_mismatched_metadata_is_not_fulfilled(client, learner, live, app):
    order = start(client)
    payload = succeeded_event(app, order_ref(order), metadata={"receipt_number": "RSOMEONEELSE"})
    assert deliver(live, payload, sign(payload))[1]["outcome"] == PaymentEventOutcome.MISMATCH
    assert not Order.get_by_id(order.id).is_paid


def test_unknown_intent_and_unknown_type_get_200(client, learner, live, app, caplog):
    payload = json.dumps({"id": "evt_unknown", "type": "payment_intent.succeeded", "data": {"object": {
        "id": "pi_not_ours", "amount": 1500, "currency": "usd", "status": "succeeded", "metadata": {}}}}).encode()
    status, answer = deliver(live, payload, sign(payload))
    assert status == 200 and answer["outcome"] == PaymentEventOutcome.UNKNOWN
    other = json.dumps({"id": "evt_other", "type": "customer.created", "data": {"object": {}}}).encode()
    assert deliver(live, other, sign(other)) == (200, {"received": True, "ignored": "customer.created"})


# ------------------------------------------------------------------------------------------------
# Refunds
# ------------------------------------------------------------------------------------------------
def _paid(client, localstripe) -> Order:
    order = start(client)
    assert pay(client, localstripe, order).status_code == 200
    assert client.get(f"/payments/{order.receipt_number}/return").location.startswith("/receipts/")
    return Order.get_by_id(order.id)


def test_refund_before_a_claim_from_the_command_line(client, learner, live, localstripe, runner):
    import stripe

    order = _paid(client, localstripe)
    result = runner.invoke(args=["payments", "refund", order.receipt_number, "--reason", "Cannot attend"])
    assert result.exit_code == 0, result.output
    [line] = Refund.select()
    assert result.output.startswith(f"refunded receipt {order.receipt_number}: 15.00 USD, refund {line.reference}")
    intent = stripe.StripeClient(SECRET_KEY, base_addresses={"api": localstripe.url}).v1.payment_intents.retrieve(
        order.gateway_ref)
    assert intent.latest_charge.refunded is True  # refunded at the provider, not only here
    order = Order.get_by_id(order.id)
    assert order.status == OrderStatus.REFUNDED and (line.amount_cents, line.reason) == (1500, "Cannot attend")
    audit = AuditLog.get(AuditLog.action == "order.refunded")
    assert audit.details["via"] == "command line" and audit.details["certificates"] == "none"
    # the learner sees it, and can no longer take part or claim
    mine = client.get("/my-activities").text
    assert f"Refunded on {long_date(order.refunded_at)}" in mine and "credit can no longer be claimed" in mine
    receipt = client.get(f"/receipts/{order.receipt_number}").text
    assert "Refunds" in receipt and line.reference in receipt and "Cannot attend" in receipt
    assert "Balance after refunds: $0.00 USD" in receipt
    r = client.get(f"/activities/{SLUG}/claim", follow_redirects=True)
    assert "was refunded on" in r.text and "credit cannot be claimed" in r.text
    again = runner.invoke(args=["payments", "refund", order.receipt_number, "--reason", "Again"])
    assert again.exit_code == 1 and "was already refunded" in again.output
    assert len(outbox("refund")) == 1


def _certificate(learner, slug=SLUG) -> Certificate:
    import datetime as dt

    create_participation(learner, slug, on=dt.date(2027, 3, 10), method="post-test")
    create_evaluation(learner, slug)
    claim = create_claim(learner, slug, "ama_pra_1")
    return Certificate.create(claim=claim, code=f"TEST-{claim.id:04d}-CERT", name=learner.display_name)


def test_refund_after_a_certificate_asks_then_revokes(client, learner, live, localstripe, app):
    order = _paid(client, localstripe)
    cert = _certificate(learner)
    staff = create_learner(roles="staff")
    s = app.test_client()
    login(s, staff)
    page = s.get(f"/staff/payments?q={order.receipt_number}").text
    assert "A refund is always the full amount" in page and "1 valid certificate" in page
    r = s.post(f"/staff/payments/{order.receipt_number}/refund", data={"reason": "Duplicate purchase"},
               follow_redirects=True)
    assert "The learner holds 1 certificate for this activity: choose whether to revoke or keep them." in r.text
    assert Order.get_by_id(order.id).is_paid and Refund.select().count() == 0
    r = s.post(f"/staff/payments/{order.receipt_number}/refund",
               data={"reason": "Duplicate purchase", "certificates": "revoke"}, follow_redirects=True)
    assert f"Refunded receipt {order.receipt_number}" in r.text
    cert = Certificate.get_by_id(cert.id)
    assert cert.revoked_at is not None and cert.revoked_reason == "Purchase refunded: Duplicate purchase"
    assert AuditLog.get(AuditLog.action == "order.refunded").details["certificates"] == "revoke"
    assert AuditLog.get(AuditLog.action == "certificate.revoked").actor_id == staff.id
    assert Refund.get().certificates == "revoke"


def test_refund_after_a_certificate_may_keep_it(client, learner, live, localstripe, runner):
    order = _paid(client, localstripe)
    cert = _certificate(learner)
    r = runner.invoke(args=["payments", "refund", order.receipt_number, "--reason", "Goodwill"])
    assert r.exit_code == 1 and "--certificates revoke or --certificates keep" in r.output
    r = runner.invoke(args=["payments", "refund", order.receipt_number, "--reason", "Goodwill", "--certificates", "keep"])
    assert r.exit_code == 0 and r.output.rstrip().endswith("certificates: keep")
    assert Certificate.get_by_id(cert.id).revoked_at is None
    assert AuditLog.get(AuditLog.action == "certificate.kept_after_refund").target == f"certificate:{cert.id}"


def test_refund_made_in_the_stripe_dashboard_arrives_as_charge_refunded(client, learner, live, localstripe, app):
    import stripe

    order = _paid(client, localstripe)
    sdk = stripe.StripeClient(SECRET_KEY, base_addresses={"api": localstripe.url})
    refund = sdk.v1.refunds.create(params={"payment_intent": order.gateway_ref})
    charge = sdk.v1.payment_intents.retrieve(order.gateway_ref).latest_charge.to_dict()
    payload = json.dumps({"id": "evt_refund_1", "type": "charge.refunded", "data": {"object": charge}}).encode()
    for _ in range(2):
        assert deliver(live, payload, sign(payload))[0] == 200
    order = Order.get_by_id(order.id)
    assert order.status == OrderStatus.REFUNDED
    assert [(r.reference, r.amount_cents) for r in Refund.select()] == [(refund.id, 1500)]
    assert len(outbox("refund")) == 1


def test_receipt_pdf_has_what_a_finance_office_needs(client, learner, live, localstripe, runner):
    import io

    from pypdf import PdfReader

    order = _paid(client, localstripe)
    runner.invoke(args=["payments", "refund", order.receipt_number, "--reason", "Cannot attend"])
    r = client.get(f"/receipts/{order.receipt_number}.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages)
    for expected in ("American Society for Microbiology", "1752 N Street NW", "Washington, DC 20036",
                     f"Receipt number: {order.receipt_number}", f"Paid by: {learner.display_name} ({learner.email})",
                     "Amount: $15.00 USD", "Payment method: Visa ending 4242", order.gateway_ref,
                     "Refunded $15.00", "Cannot attend", "Balance after refunds: $0.00 USD"):
        assert expected in text, expected
    [mail] = outbox("receipt")
    assert f"http://ce.test/receipts/{order.receipt_number}" in mail.body


# ------------------------------------------------------------------------------------------------
# Reconciliation
# ------------------------------------------------------------------------------------------------
def test_reconcile_lists_each_kind_of_mismatch(client, learner, live, localstripe, runner, app):
    import stripe

    localstripe.flush()  # only this test's payments at the provider
    good = _paid(client, localstripe)
    result = runner.invoke(args=["payments", "reconcile"])
    assert result.exit_code == 0, result.output
    assert "1 provider payments and 1 paid orders checked: 0 mismatches" in result.output

    sdk = stripe.StripeClient(SECRET_KEY, base_addresses={"api": localstripe.url})
    stray = sdk.v1.payment_intents.create(params={"amount": 999, "currency": "usd", "metadata": {"receipt_number": "RSTRAY"}})
    sdk.v1.payment_intents.update(stray.id, params={"payment_method": localstripe.card(APPROVE)})
    sdk.v1.payment_intents.confirm(stray.id)
    Order.update(amount_cents=2000).where(Order.id == good.id).execute()
    ghost = Order.create(learner=create_learner(), activity=good.activity, version=good.version, amount_cents=1500,
                         status=OrderStatus.PAID, gateway="stripe", gateway_ref="pi_nowhere", receipt_number="RGHOST00001",
                         paid_at=good.paid_at)
    result = runner.invoke(args=["payments", "reconcile", "--since", "2020-01-01"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"paid at stripe, not here: {stray.id} $9.99 (receipt RSTRAY): no order has this payment" in lines
    assert f"amount differs: receipt {good.receipt_number} is $20.00, stripe {good.gateway_ref} took $15.00" in lines
    assert f"paid here, not at stripe: receipt {ghost.receipt_number} $15.00 (pi_nowhere: unknown there)" in lines
    assert "checked 2 provider payments …" in result.output
    assert lines[-1].endswith("2 provider payments and 2 paid orders checked since 2020-01-01: 3 mismatches")
    bad = runner.invoke(args=["payments", "reconcile", "--since", "March"])
    assert bad.exit_code == 2 and "is not a date like 2027-03-01" in bad.output
