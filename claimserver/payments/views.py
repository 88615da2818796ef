"""Payment pages: the pay page (Stripe Elements), the local test payment page, the return page that
waits for the provider, Stripe's webhook, and the staff payments page. Writes happen in `operations`."""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import login_required

from catalog.status import CertificateOnRefund, OrderStatus, PaymentEventOutcome, PaymentStatus

from ..auth import me, role_required
from ..extensions import csrf
from ..models import Order, PaymentAttempt, PaymentEvent
from ..refusals import Refused
from . import bp, gateways, operations, webhook
from .gateways import GatewayError, ProviderPayment, TEST_CARDS

log = logging.getLogger(__name__)
#: The processing page reloads itself this often (seconds) until the provider's answer is in.
PROCESSING_REFRESH = 2


def _my_order(number: str) -> Order:
    order = Order.get_or_none(Order.receipt_number == number, Order.learner == me())
    if order is None:
        abort(404)
    return order


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _stripe_csp() -> str:
    """The pay page loads Stripe.js, which frames Stripe's card fields and talks to Stripe's API."""
    cfg = current_app.config
    js = _origin(cfg["STRIPE_JS_URL"]) or "https://js.stripe.com"
    api = _origin(cfg["STRIPE_API_BASE"]) or "https://api.stripe.com"
    return (f"default-src 'self'; script-src 'self' {js}; frame-src {js} https://hooks.stripe.com; "
            f"connect-src 'self' {api} {js}; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'self'")


@bp.get("/payments/<number>/pay")
@login_required
def pay(number: str):
    order = _my_order(number)
    if order.is_paid:
        return redirect(url_for("learning.receipt", number=number))
    attempt = operations.open_attempt(order)
    if attempt is None:
        return redirect(url_for("learning.activity", slug=order.activity.slug))
    if attempt.gateway == "test":
        return redirect(url_for("payments.test_page", reference=attempt.reference))
    resp = current_app.make_response(render_template(
        "payments/pay.html", order=order, version=order.version, attempt=attempt))
    resp.headers["Content-Security-Policy"] = _stripe_csp()
    return resp


@bp.post("/payments/<number>/confirm")
@login_required
def confirm(number: str):
    """The browser's Stripe.js made a payment method; confirm the intent with it (JSON in, JSON out)."""
    order = _my_order(number)
    attempt = operations.open_attempt(order)
    if order.is_paid or attempt is None or attempt.gateway != "stripe":
        return jsonify(next=url_for("payments.return_page", number=number))
    method = str((request.get_json(silent=True) or {}).get("payment_method", ""))
    if not (method.startswith(("pm_", "card_")) and method.replace("_", "").isalnum() and len(method) < 100):
        return jsonify(error="The card could not be read. Reload the page and enter it again."), 400
    gw = gateways.gateway()
    try:
        payment = gw.confirm(attempt.reference, method)
    except GatewayError as e:
        if isinstance(e, gateways.GatewayUnavailable):
            return jsonify(error=e.message), 503
        operations.record_failure("stripe", ProviderPayment(attempt.reference, PaymentStatus.FAILED, 0, "",
                                                            message=e.message))
        return jsonify(error=e.message, retry=url_for("learning.activity", slug=order.activity.slug)), 402
    out = {"next": url_for("payments.return_page", number=number)}
    if payment.needs_action:
        out["client_secret"] = payment.client_secret
    return jsonify(out)


@bp.get("/payments/<number>/return")
@login_required
def return_page(number: str):
    """Where the learner lands after paying. The provider is asked; a succeeded payment goes
    through the same fulfilment as the webhook; until an answer is in, a page that reloads itself."""
    order = _my_order(number)
    if order.is_paid or order.is_refunded:
        return redirect(url_for("learning.receipt", number=number))
    attempt = (PaymentAttempt.select().where(PaymentAttempt.order == order)
               .order_by(PaymentAttempt.id.desc()).first())
    if attempt is None or not attempt.reference:
        return redirect(url_for("learning.activity", slug=order.activity.slug))
    if attempt.status == PaymentStatus.STARTED:
        try:
            payment = gateways.gateway().retrieve(attempt.reference)
        except GatewayError as e:
            log.warning("return page could not ask the provider about %s: %s", attempt.reference, e.message)
            payment = None
        if payment is not None and payment.status == PaymentStatus.SUCCEEDED:
            operations.fulfil(attempt.gateway, payment)
        elif payment is not None and payment.status == PaymentStatus.FAILED:
            operations.record_failure(attempt.gateway, payment)
        order = Order.get_by_id(order.id)
        attempt = PaymentAttempt.get_by_id(attempt.id)
    if order.is_paid:
        flash("Thank you: the activity is in My Activities.", "success")
        return redirect(url_for("learning.receipt", number=number))
    if attempt.status == PaymentStatus.FAILED:
        flash(attempt.message or gateways.DECLINED, "error")
        return redirect(url_for("learning.activity", slug=order.activity.slug))
    resp = current_app.make_response(render_template(
        "payments/processing.html", order=order, version=order.version, refresh=PROCESSING_REFRESH))
    resp.headers["Refresh"] = str(PROCESSING_REFRESH)
    return resp


@bp.route("/payments/test/<reference>", methods=["GET", "POST"])
@login_required
def test_page(reference: str):
    """The test gateway's stand-in for a provider's payment page: no money moves."""
    if current_app.config["PAYMENT_GATEWAY"] != "test":
        abort(404)
    attempt = PaymentAttempt.get_or_none(PaymentAttempt.reference == reference, PaymentAttempt.gateway == "test")
    if attempt is None or attempt.order.learner_id != me().id:
        abort(404)
    order = attempt.order
    error = None
    if request.method == "POST" and attempt.status == PaymentStatus.STARTED:
        number = "".join(request.form.get("test_card", "").split())
        verdict = TEST_CARDS.get(number)
        if verdict is None:
            error = "Test mode accepts only the two test cards listed on this page."
        else:
            payment = ProviderPayment(reference, PaymentStatus.SUCCEEDED if verdict == "approved" else PaymentStatus.FAILED,
                                      order.amount_cents, order.currency, gateways.metadata_for(order),
                                      brand="Visa", last4=number[-4:],
                                      message="" if verdict == "approved" else gateways.DECLINED)
            event_id = f"test_evt_{reference}"
            if verdict == "approved":
                operations.fulfil("test", payment, event_id)
            else:
                operations.record_failure("test", payment, event_id)
            return redirect(url_for("payments.return_page", number=order.receipt_number))
    elif request.method == "POST":
        return redirect(url_for("payments.return_page", number=order.receipt_number))
    return render_template("payments/test_page.html", order=order, version=order.version, attempt=attempt,
                           error=error, cards=TEST_CARDS), 200 if error is None else 422


@bp.post("/payments/stripe/webhook")
@csrf.exempt
def stripe_webhook():
    """Stripe's events. 400 for anything not verified; 200 (and a log line) for the rest."""
    if current_app.config["PAYMENT_GATEWAY"] != "stripe":
        abort(404)
    payload = request.get_data(cache=False, as_text=False)
    try:
        event = webhook.verify(payload, request.headers.get("Stripe-Signature"))
    except webhook.BadEvent as e:
        log.warning("Stripe webhook refused: %s", e)
        return jsonify(error="invalid signature"), 400
    result = webhook.handle(event)
    if result is None:
        return jsonify(received=True, ignored=event.get("type", ""))
    if result.outcome == PaymentEventOutcome.UNKNOWN:
        log.info("Stripe event %s (%s) names no order of ours", event.get("id"), event.get("type"))
    return jsonify(received=True, outcome=str(result.outcome), duplicate=result.duplicate)


# ------------------------------------------------------------------------------------------------
# Staff
# ------------------------------------------------------------------------------------------------
@bp.get("/staff/payments")
@role_required("staff")
def staff_payments():
    q = (request.args.get("q") or "").strip().upper()
    orders = Order.select().where(Order.status != OrderStatus.PENDING, Order.amount_cents > 0)
    if q:
        orders = orders.where(Order.receipt_number == q)
    orders = list(orders.order_by(Order.id.desc()).limit(50))
    undecided = [o for o in Order.select().where(Order.status == OrderStatus.REFUNDED)
                 if operations.certificates_of(o) and not any(r.certificates for r in o.refunds)]
    return render_template("payments/staff.html", orders=orders, q=q, alerts=operations.alerts(),
                           undecided=undecided, policy=operations.REFUND_POLICY,
                           certificates={o.id: operations.certificates_of(o) for o in orders},
                           choices=list(CertificateOnRefund))


@bp.post("/staff/payments/<number>/refund")
@role_required("staff")
def staff_refund(number: str):
    order = Order.get_or_none(Order.receipt_number == number)
    if order is None:
        abort(404)
    try:
        line = operations.refund(order, me(), request.form.get("reason", ""),
                                 request.form.get("certificates") or None)
    except (Refused, ValueError) as e:
        flash(getattr(e, "message", "Choose revoke or keep for the certificates."), "error")
    else:
        flash(f"Refunded receipt {number}: refund {line.reference}.", "success")
    return redirect(url_for("payments.staff_payments", q=number))


@bp.post("/staff/payments/<number>/certificates")
@role_required("staff")
def staff_certificates(number: str):
    order = Order.get_or_none(Order.receipt_number == number)
    if order is None:
        abort(404)
    try:
        n = operations.decide_certificates(order, me(), request.form.get("certificates", ""),
                                           request.form.get("reason", ""))
    except (Refused, ValueError) as e:
        flash(getattr(e, "message", "Choose revoke or keep for the certificates."), "error")
    else:
        flash(f"Receipt {number}: {n} certificate(s) {'revoked' if request.form['certificates'] == 'revoke' else 'kept'}.",
              "success")
    return redirect(url_for("payments.staff_payments"))


@bp.post("/staff/payments/alerts/<int:event_id>/resolve")
@role_required("staff")
def staff_resolve(event_id: int):
    event = PaymentEvent.get_or_none(PaymentEvent.id == event_id)
    if event is None:
        abort(404)
    operations.resolve_alert(event, me())
    flash("Alert marked as dealt with.", "success")
    return redirect(url_for("payments.staff_payments"))
