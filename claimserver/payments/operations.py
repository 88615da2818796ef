"""Every write of the payment feature: start a payment, fulfil it once, record a failure, refund.

`fulfil` is the one idempotent path from "the provider says this payment succeeded" to a paid order:
the webhook, the return page and the test payment page all call it. Only the request whose UPDATE
moves the order to paid writes the audit line and queues the receipt email, so a redelivered event,
or the learner's return racing the webhook on another worker, changes nothing more.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, url_for
from peewee import IntegrityError, fn

from catalog.status import CertificateOnRefund, OrderStatus, PaymentEventOutcome, PaymentStatus

from .. import clock, mail
from ..db import database
from ..filters import money
from ..models import Certificate, Claim, Learner, Order, PaymentAttempt, PaymentEvent, Refund, audit
from ..refusals import Refused
from . import gateways
from .gateways import GatewayError, ProviderPayment, Started

log = logging.getLogger(__name__)
#: An order another request took for starting a payment, with no attempt after this long, may be retaken.
STALE_START = dt.timedelta(minutes=2)

#: The refund policy, as the staff page prints it and `refund` enforces it.
REFUND_POLICY = (
    "A refund is always the full amount, through the payment provider. Refunded before a claim: "
    "no credit can be claimed for the activity. Refunded after a certificate was issued: choose "
    "whether the certificates are revoked (as on the certificate page, with the refund as the "
    "reason) or kept; the choice is recorded in the audit log.")


class NeedsCertificateChoice(Refused):
    """A refund of an order whose learner holds certificates: staff must choose revoke or keep."""


# ------------------------------------------------------------------------------------------------
# Start
# ------------------------------------------------------------------------------------------------
def open_attempt(order: Order) -> PaymentAttempt | None:
    return (PaymentAttempt.select().where(PaymentAttempt.order == order,
                                          PaymentAttempt.status == PaymentStatus.STARTED)
            .order_by(PaymentAttempt.id.desc()).first())


def start(order: Order) -> Started:
    """Start (or resume) the payment of a priced order and say where the browser goes next.

    One request takes the order (its UPDATE moves it to processing); a double click or a second tab
    resumes the payment already started. A provider that is down leaves the order retryable."""
    if order.amount_cents == 0:
        raise ValueError("a free order never reaches a gateway")
    gw = gateways.gateway()
    now = clock.utcnow_naive()
    version = order.activity.current
    with database.atomic():
        taken = (Order.update(status=OrderStatus.PROCESSING, charge_started_at=now, version=version,
                              amount_cents=version.price_cents, gateway=gw.name)
                 .where(Order.id == order.id,
                        (Order.status << (OrderStatus.PENDING, OrderStatus.DECLINED))
                        | ((Order.status == OrderStatus.PROCESSING) & (Order.charge_started_at < now - STALE_START)
                           & ~fn_exists_open(order)))
                 .execute())
    order = Order.get_by_id(order.id)
    if not taken:
        attempt = open_attempt(order)
        if attempt is not None:
            return Started(attempt.reference, redirect_url=pay_url(order))
        raise Refused("A payment for this activity is being started. Reload the page in a moment.")
    number = PaymentAttempt.select().where(PaymentAttempt.order == order).count() + 1
    key = f"{order.receipt_number}-{number}"
    try:
        started = gw.start(order, key)
    except GatewayError as e:
        with database.atomic():
            PaymentAttempt.create(order=order, gateway=gw.name, status=PaymentStatus.ERROR, idempotency_key=key,
                                  message=e.message[:300])
            Order.update(status=OrderStatus.PENDING).where(Order.id == order.id,
                                                           Order.status == OrderStatus.PROCESSING).execute()
            audit(order.learner, "payment.start_failed", f"order:{order.id}", message=e.message[:200])
        raise Refused(e.message) from None
    with database.atomic():
        PaymentAttempt.create(order=order, gateway=gw.name, status=PaymentStatus.STARTED,
                              reference=started.reference, idempotency_key=key)
        audit(order.learner, "payment.started", f"order:{order.id}", gateway=gw.name, reference=started.reference)
    return Started(started.reference, started.client_secret, started.redirect_url or pay_url(order))


def fn_exists_open(order: Order):
    """SQL: this order has an open attempt (a started payment nobody has finished yet)."""
    return fn.EXISTS(PaymentAttempt.select(PaymentAttempt.id).where(
        PaymentAttempt.order == order.id, PaymentAttempt.status == PaymentStatus.STARTED))


def pay_url(order: Order) -> str:
    return url_for("payments.pay", number=order.receipt_number)


# ------------------------------------------------------------------------------------------------
# Fulfil, fail
# ------------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    outcome: PaymentEventOutcome
    order: Order | None = None
    message: str = ""
    duplicate: bool = False  # this event id was processed before: nothing changed


def mismatches(order: Order, payment: ProviderPayment) -> list[str]:
    """Where the provider's payment disagrees with our order (amount, currency, metadata)."""
    out = []
    if payment.amount_cents != order.amount_cents:
        out.append(f"amount {payment.amount_cents} cents, the order says {order.amount_cents}")
    if payment.currency != order.currency.upper():
        out.append(f"currency {payment.currency}, the order says {order.currency}")
    expected = gateways.metadata_for(order)
    for key, value in expected.items():
        if str(payment.metadata.get(key, "")) != value:
            out.append(f"metadata {key}={payment.metadata.get(key, '')!r}, the order says {value!r}")
    return out


def _record_event(gateway: str, event_id: str | None, type_: str, reference: str) -> PaymentEvent | None | bool:
    """The event's row, inserted first in the caller's transaction; False if it was processed before."""
    if not event_id:
        return None
    try:
        with database.atomic():
            return PaymentEvent.create(gateway=gateway, event_id=event_id, type=type_, reference=reference,
                                       outcome=PaymentEventOutcome.IGNORED)
    except IntegrityError:
        return False


def _finish(event, outcome: Outcome) -> Outcome:
    if event:
        PaymentEvent.update(outcome=outcome.outcome, message=outcome.message[:300],
                            order=outcome.order.id if outcome.order else None).where(
            PaymentEvent.id == event.id).execute()
    return outcome


def _our_attempt(gateway: str, payment: ProviderPayment) -> PaymentAttempt | None:
    """The attempt a provider's payment belongs to, or None (logged) when it is not one of ours."""
    attempt = PaymentAttempt.get_or_none(PaymentAttempt.reference == payment.reference,
                                         PaymentAttempt.gateway == gateway)
    if attempt is None:
        log.warning("%s payment %s is not one of ours: ignored", gateway, payment.reference)
    return attempt


def fulfil(gateway: str, payment: ProviderPayment, event_id: str | None = None,
           event_type: str = "payment_intent.succeeded") -> Outcome:
    """The provider says `payment` succeeded: mark its order paid, once, with one receipt email."""
    with database.atomic():
        event = _record_event(gateway, event_id, event_type, payment.reference)
        if event is False:
            return Outcome(PaymentEventOutcome.ALREADY_PAID, duplicate=True)
        attempt = _our_attempt(gateway, payment)
        if attempt is None:
            return _finish(event, Outcome(PaymentEventOutcome.UNKNOWN, message="no order has this payment"))
        order = Order.get_by_id(attempt.order_id)
        problems = mismatches(order, payment)
        if problems:
            text = "; ".join(problems)
            log.error("payment %s for receipt %s not fulfilled: %s", payment.reference, order.receipt_number, text)
            audit(None, "payment.mismatch", f"order:{order.id}", reference=payment.reference, problems=problems)
            return _finish(event, Outcome(PaymentEventOutcome.MISMATCH, order, "Not fulfilled: " + text))
        PaymentAttempt.update(status=PaymentStatus.SUCCEEDED, updated_at=clock.utcnow_naive()).where(
            PaymentAttempt.id == attempt.id).execute()
        moved = mark_paid(order, reference=payment.reference, brand=payment.brand, last4=payment.last4)
        result = Outcome(PaymentEventOutcome.FULFILLED if moved else PaymentEventOutcome.ALREADY_PAID,
                         Order.get_by_id(order.id))
        if not moved and order.gateway_ref and order.gateway_ref != payment.reference:
            result.message = (f"A second payment {payment.reference} succeeded for an order already paid "
                              f"by {order.gateway_ref}: refund one of them")
            result.outcome = PaymentEventOutcome.MISMATCH
            audit(None, "payment.duplicate", f"order:{order.id}", reference=payment.reference)
        _finish(event, result)
    return result


def record_failure(gateway: str, payment: ProviderPayment, event_id: str | None = None,
                   event_type: str = "payment_intent.payment_failed") -> Outcome:
    """The provider says `payment` failed: the attempt is closed and the order may be paid again."""
    with database.atomic():
        event = _record_event(gateway, event_id, event_type, payment.reference)
        if event is False:
            return Outcome(PaymentEventOutcome.FAILED, duplicate=True)
        attempt = _our_attempt(gateway, payment)
        if attempt is None:
            return _finish(event, Outcome(PaymentEventOutcome.UNKNOWN, message="no order has this payment"))
        message = (payment.message or gateways.DECLINED)[:300]
        closed = PaymentAttempt.update(status=PaymentStatus.FAILED, message=message,
                                       updated_at=clock.utcnow_naive()).where(
            PaymentAttempt.id == attempt.id, PaymentAttempt.status == PaymentStatus.STARTED).execute()
        order = Order.get_by_id(attempt.order_id)
        if closed:
            Order.update(status=OrderStatus.DECLINED).where(
                Order.id == order.id, Order.status == OrderStatus.PROCESSING, ~fn_exists_open(order)).execute()
            audit(order.learner, "order.declined", f"order:{order.id}", message=message[:200])
        return _finish(event, Outcome(PaymentEventOutcome.FAILED, Order.get_by_id(order.id), message))


def mark_paid(order: Order, *, reference: str = "", brand: str = "", last4: str = "") -> bool:
    """Paid receipts and emails happen once: only the request whose UPDATE moves the row does them."""
    now = clock.utcnow_naive()
    changed = (Order.update(status=OrderStatus.PAID, paid_at=now, gateway_ref=reference,
                            method_brand=brand[:30], method_last4=last4[:4])
               .where(Order.id == order.id, Order.status != OrderStatus.PAID,
                      Order.status != OrderStatus.REFUNDED).execute())
    if changed:
        order = Order.get_by_id(order.id)
        audit(order.learner, "order.paid", f"order:{order.id}", receipt=order.receipt_number,
              amount_cents=order.amount_cents, gateway=order.gateway)
        _queue_receipt(order)
    return bool(changed)


def receipt_link(order: Order) -> str:
    """The receipt's public address under SERVER_URL, in a request or not (`flask payments refund`)."""
    server = urlsplit(current_app.config["SERVER_URL"])
    adapter = current_app.url_map.bind(server.netloc, script_name=server.path or "/", url_scheme=server.scheme)
    return adapter.build("learning.receipt", {"number": order.receipt_number}, force_external=True)


def _queue_receipt(order: Order) -> None:
    """The receipt email; for a live session it also says how to join (or where to go) and carries
    the purchaser's calendar file (claimserver.learning.joining)."""
    from ..learning import joining  # learning imports payments: read at call time
    from . import receipts

    v = order.version
    model = order.activity.current.model()  # the session as it is now (a moved time, a new link)
    how = joining.how_to_join(model, purchaser=True)
    ics = joining.calendar_file(order.learner, order.activity, model)
    joined = joining.email_lines(model, how)
    method = f"{order.method_brand} ending {order.method_last4}\n" if order.method_last4 else ""
    mail.queue(order.learner.email, f"Receipt {order.receipt_number}: {v.title}",
               f"Thank you. This is your receipt.\n\n"
               f"Receipt number: {order.receipt_number}\n"
               f"Activity: {v.title}\n"
               f"Amount: {money(order.amount_cents)} {order.currency if order.amount_cents else ''}\n"
               f"{'Paid with: ' + method if method else ''}"
               f"Paid: {receipts.paid_text(order)}\n\n"
               + (f"{joined}\n" if joined else "")
               + ("The calendar file attached adds the session to your calendar.\n\n" if ics else "")
               + f"The activity is now in My Activities. Printable receipt and PDF: {receipt_link(order)}\n\n"
               f"{society_name()}\n",
               kind="receipt", dedupe_key=f"receipt:{order.id}", attachments=[ics] if ics else None)


def society_name() -> str:
    return current_app.config["SOCIETY_NAME"] or current_app.config["PROVIDER_NAME"]


# ------------------------------------------------------------------------------------------------
# Refunds
# ------------------------------------------------------------------------------------------------
def certificates_of(order: Order) -> list[Certificate]:
    """Valid certificates the order's learner holds for its activity."""
    return list(Certificate.select().join(Claim).where(
        Claim.learner == order.learner_id, Claim.activity == order.activity_id,
        Certificate.revoked_at.is_null(), Certificate.current()))  # not those a reissue superseded


def refund(order: Order, actor: Learner | None, reason: str,
           certificates: CertificateOnRefund | str | None = None, via: str = "staff page") -> Refund:
    """Refund a paid order in full through its gateway, audited, applying REFUND_POLICY."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise Refused("Give the reason for the refund (it is kept in the audit log).")
    if order.is_refunded:
        raise Refused(f"Receipt {order.receipt_number} was already refunded.")
    if not order.is_paid:
        raise Refused(f"Receipt {order.receipt_number} is not paid, so there is nothing to refund.")
    if order.amount_cents == 0 or order.gateway == "free":
        raise Refused(f"Receipt {order.receipt_number} is for a free activity: nothing to refund.")
    certs = certificates_of(order)
    choice = CertificateOnRefund(certificates) if certificates else None
    if certs and choice is None:
        raise NeedsCertificateChoice(
            f"The learner holds {len(certs)} certificate{'s' if len(certs) != 1 else ''} for this activity: "
            "choose whether to revoke or keep them.")
    gw = gateways.gateway()
    if gw.name != order.gateway:
        raise Refused(f"Receipt {order.receipt_number} was paid through the {order.gateway} gateway, "
                      f"but this server uses {gw.name}: refund it there.")
    try:
        done = gw.refund(order, reason, idempotency_key=f"refund-{order.receipt_number}")
    except GatewayError as e:
        raise Refused(e.message) from None
    decided = choice.value if (choice and certs) else ""
    with database.atomic():
        # Only the request whose UPDATE moves the order writes the refund line, the audit and the email:
        # a double click, or Stripe's charge.refunded arriving first, finds it done.
        moved = Order.update(status=OrderStatus.REFUNDED, refunded_at=clock.utcnow_naive()).where(
            Order.id == order.id, Order.status == OrderStatus.PAID).execute()
        line = Refund.get_or_none(Refund.reference == done.reference)
        if line is None and not moved:
            line = order.refunds.order_by(Refund.id.desc()).first()
        if line is None:
            line = Refund.create(order=order, amount_cents=done.amount_cents, reference=done.reference,
                                 reason=reason[:300], certificates=decided, created_by=actor)
        if moved:
            audit(actor, "order.refunded", f"order:{order.id}", receipt=order.receipt_number, reason=reason,
                  amount_cents=done.amount_cents, reference=done.reference, via=via,
                  certificates=decided or "none")
            _queue_refund_email(Order.get_by_id(order.id), line)
        if certs and choice is not None:
            _apply_certificate_choice(certs, choice, actor, reason)
            Refund.update(certificates=decided).where(Refund.order == order, Refund.certificates == "").execute()
    return Refund.get_by_id(line.id)


def _apply_certificate_choice(certs: list[Certificate], choice: CertificateOnRefund, actor: Learner | None,
                              reason: str) -> None:
    """REFUND_POLICY for certificates already issued: revoke them (the usual revocation path) or keep them."""
    from ..records.operations import revoke

    for cert in certs:
        if choice == CertificateOnRefund.REVOKE:
            revoke(cert, actor, f"Purchase refunded: {reason}")
        else:
            audit(actor, "certificate.kept_after_refund", f"certificate:{cert.id}", reason=reason)


def _queue_refund_email(order: Order, line: Refund) -> None:
    mail.queue(order.learner.email, f"Refund of receipt {order.receipt_number}: {order.version.title}",
               f"We have refunded {money(line.amount_cents)} {order.currency} for {order.version.title}.\n"
               f"It reaches your card within 5 to 10 business days.\n\n"
               f"Credit can no longer be claimed for this activity.\n"
               f"Receipt with the refund: {receipt_link(order)}\n\n{society_name()}\n",
               kind="refund", dedupe_key=f"refund:{order.id}")


def record_provider_refund(gateway: str, reference: str, refunds: list[tuple[str, int]], event_id: str,
                           event_type: str = "charge.refunded") -> Outcome:
    """A refund the provider reports (made in its dashboard, or ours echoed back): refund lines and
    the refunded status, once per event."""
    with database.atomic():
        event = _record_event(gateway, event_id, event_type, reference)
        if event is False:
            return Outcome(PaymentEventOutcome.REFUNDED, duplicate=True)
        order = Order.get_or_none(Order.gateway_ref == reference, Order.gateway == gateway)
        if order is None:
            log.warning("%s refund of %s: no paid order has this payment", gateway, reference)
            return _finish(event, Outcome(PaymentEventOutcome.UNKNOWN, message="no paid order has this payment"))
        for ref_id, amount in refunds:
            if amount > 0 and Refund.get_or_none(Refund.reference == ref_id) is None:
                Refund.create(order=order, amount_cents=amount, reference=ref_id,
                              reason="Refunded at the payment provider")
        message = ""
        if sum(r.amount_cents for r in order.refunds) >= order.amount_cents:
            moved = Order.update(status=OrderStatus.REFUNDED, refunded_at=clock.utcnow_naive()).where(
                Order.id == order.id, Order.status == OrderStatus.PAID).execute()
            if moved:
                audit(None, "order.refunded", f"order:{order.id}", receipt=order.receipt_number,
                      reference=reference, via=f"{gateway} event")
                _queue_refund_email(Order.get_by_id(order.id), order.refunds.order_by(Refund.id.desc()).first())
                if certificates_of(order):
                    message = "Refunded at the provider while certificates are valid: choose revoke or keep"
        outcome = Outcome(PaymentEventOutcome.MISMATCH if message else PaymentEventOutcome.REFUNDED,
                          Order.get_by_id(order.id), message)
        _finish(event, outcome)
    return outcome


def decide_certificates(order: Order, actor: Learner, choice: CertificateOnRefund | str, reason: str = "") -> int:
    """Staff's choice for certificates of an order refunded at the provider; how many it touched."""
    choice = CertificateOnRefund(choice)
    if not order.is_refunded:
        raise Refused("Only a refunded order's certificates are decided here.")
    certs = certificates_of(order)
    with database.atomic():
        _apply_certificate_choice(certs, choice, actor, reason or "refunded at the payment provider")
        Refund.update(certificates=choice.value).where(Refund.order == order, Refund.certificates == "").execute()
        PaymentEvent.update(resolved_at=clock.utcnow_naive(), resolved_by=actor).where(
            PaymentEvent.order == order, PaymentEvent.resolved_at.is_null(),
            PaymentEvent.outcome == PaymentEventOutcome.MISMATCH).execute()
    return len(certs)


def alerts() -> list[PaymentEvent]:
    """Events staff must look at: mismatched payments, refunds that left certificates undecided."""
    return list(PaymentEvent.select().where(PaymentEvent.outcome == PaymentEventOutcome.MISMATCH,
                                            PaymentEvent.resolved_at.is_null())
                .order_by(PaymentEvent.id.desc()))


def resolve_alert(event: PaymentEvent, actor: Learner) -> None:
    with database.atomic():
        if PaymentEvent.update(resolved_at=clock.utcnow_naive(), resolved_by=actor).where(
                PaymentEvent.id == event.id, PaymentEvent.resolved_at.is_null()).execute():
            audit(actor, "payment.alert_resolved", f"payment_event:{event.id}", event_id=event.event_id)
