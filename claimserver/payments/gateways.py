"""Payment gateways behind one interface shaped like real providers: start a payment, look it up,
refund it, list payments. Our server never receives card data: the learner types it on the
provider's page or element, and we only ever hold the provider's ids.

- `TestGateway` (PAYMENT_GATEWAY=test): a local, clearly marked test payment page stands in for the
  provider; its "provider records" are our PaymentAttempt rows.
- `StripeGateway` (PAYMENT_GATEWAY=stripe): PaymentIntents through the official `stripe` SDK; the
  browser collects the card with Stripe.js Elements and hands us a payment-method id.
"""
from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from flask import current_app, url_for

from catalog.status import PaymentStatus

log = logging.getLogger(__name__)

#: The test gateway's published test cards (the same numbers Stripe's test mode uses).
TEST_APPROVE = "4242424242424242"
TEST_DECLINE = "4000000000000002"
TEST_CARDS = {TEST_APPROVE: "approved", TEST_DECLINE: "declined"}

UNAVAILABLE = ("The payment service did not answer, and nothing was charged. "
               "Please try again in a minute.")
DECLINED = "Your card was declined. Try another card."


class GatewayError(Exception):
    """The provider refused or failed a request; `message` is for the person who asked."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class GatewayUnavailable(GatewayError):
    """The provider could not be reached or answered 5xx: nothing happened there, retry later."""

    def __init__(self, message: str = UNAVAILABLE):
        super().__init__(message)


@dataclass(frozen=True)
class Started:
    """What the browser needs to pay: the provider's payment id and a client secret or a page."""

    reference: str
    client_secret: str = ""
    redirect_url: str = ""


@dataclass(frozen=True)
class ProviderPayment:
    """A payment as the provider reports it."""

    reference: str
    status: PaymentStatus
    amount_cents: int
    currency: str  # upper case, like Order.currency
    metadata: dict = field(default_factory=dict)
    brand: str = ""
    last4: str = ""
    message: str = ""  # why it failed
    created: int = 0  # Unix time
    client_secret: str = ""
    needs_action: bool = False  # the browser must finish it (3-D Secure)


@dataclass(frozen=True)
class RefundDone:
    reference: str
    amount_cents: int


class Gateway(Protocol):
    name: str

    def start(self, order, idempotency_key: str) -> Started: ...

    def retrieve(self, reference: str) -> ProviderPayment: ...

    def refund(self, order, reason: str, idempotency_key: str) -> RefundDone: ...

    def payments(self, since: dt.datetime | None) -> Iterator[ProviderPayment]: ...


def metadata_for(order) -> dict[str, str]:
    """What every payment carries, and what a provider event must carry back unchanged."""
    return {"receipt_number": order.receipt_number, "learner_id": str(order.learner_id),
            "activity": order.activity.slug, "activity_version": str(order.version_id)}


# ------------------------------------------------------------------------------------------------
# Test gateway
# ------------------------------------------------------------------------------------------------
class TestGateway:
    """No money moves. The learner is sent to /payments/test/<reference>, a page marked TEST, where
    4242 4242 4242 4242 approves and 4000 0000 0000 0002 declines."""

    name = "test"

    def start(self, order, idempotency_key: str) -> Started:
        reference = "test_pi_" + secrets.token_hex(10)
        return Started(reference, redirect_url=url_for("payments.test_page", reference=reference))

    def retrieve(self, reference: str) -> ProviderPayment:
        from ..models import PaymentAttempt

        attempt = PaymentAttempt.get_or_none(PaymentAttempt.reference == reference)
        if attempt is None:
            raise GatewayError("No such test payment.")
        order = attempt.order
        paid = attempt.status == PaymentStatus.SUCCEEDED
        return ProviderPayment(reference, PaymentStatus(attempt.status), order.amount_cents, order.currency,
                               metadata_for(order), brand="Visa" if paid else "", last4="4242" if paid else "",
                               message=attempt.message, created=int(attempt.created_at.timestamp()))

    def refund(self, order, reason: str, idempotency_key: str) -> RefundDone:
        return RefundDone("test_re_" + secrets.token_hex(10), order.amount_cents)

    def payments(self, since: dt.datetime | None) -> Iterator[ProviderPayment]:
        from ..models import PaymentAttempt

        q = PaymentAttempt.select().where(PaymentAttempt.gateway == self.name,
                                          PaymentAttempt.status == PaymentStatus.SUCCEEDED)
        if since is not None:
            q = q.where(PaymentAttempt.created_at >= since)
        for attempt in q.order_by(PaymentAttempt.id):
            yield self.retrieve(attempt.reference)


# ------------------------------------------------------------------------------------------------
# Stripe
# ------------------------------------------------------------------------------------------------
class StripeGateway:
    """PaymentIntents in USD, amounts in integer cents, metadata naming the receipt, learner and
    activity, an idempotency key per attempt."""

    name = "stripe"

    def __init__(self, secret_key: str, api_base: str = "", retries: int = 1):
        import stripe

        self._stripe = stripe
        options = {"base_addresses": {"api": api_base.rstrip("/")}} if api_base else {}
        self.client = stripe.StripeClient(secret_key, max_network_retries=retries, **options)

    def _call(self, fn, *args, **kwargs):
        """Run one API call; the SDK's errors become ours (a retryable one when the provider is down)."""
        s = self._stripe
        try:
            return fn(*args, **kwargs)
        except (s.APIConnectionError, s.RateLimitError) as e:
            log.warning("Stripe unreachable: %s", e)
            raise GatewayUnavailable() from e
        except s.CardError as e:
            raise GatewayError(e.user_message or DECLINED) from e
        except s.StripeError as e:
            if (e.http_status or 500) >= 500:
                log.warning("Stripe answered %s: %s", e.http_status, e)
                raise GatewayUnavailable() from e
            log.error("Stripe refused a request: %s", e)
            raise GatewayError(e.user_message or "The payment service refused the request.") from e

    def start(self, order, idempotency_key: str) -> Started:
        pi = self._call(self.client.v1.payment_intents.create, params={
            "amount": order.amount_cents, "currency": order.currency.lower(),
            "metadata": metadata_for(order), "payment_method_types": ["card"],
        }, options={"idempotency_key": idempotency_key})
        return Started(pi.id, client_secret=pi.client_secret)

    def confirm(self, reference: str, payment_method: str) -> ProviderPayment:
        """Attach the payment method the browser created with Stripe.js and confirm on the server
        (Stripe's "finalize payments on the server"); 3-D Secure is then finished in the browser."""
        self._call(self.client.v1.payment_intents.update, reference, params={"payment_method": payment_method})
        pi = self._call(self.client.v1.payment_intents.confirm, reference)
        return self.from_intent(pi.to_dict())

    def retrieve(self, reference: str) -> ProviderPayment:
        pi = self._call(self.client.v1.payment_intents.retrieve, reference)
        return self.from_intent(pi.to_dict())

    def refund(self, order, reason: str, idempotency_key: str) -> RefundDone:
        r = self._call(self.client.v1.refunds.create, params={
            "payment_intent": order.gateway_ref,
            "metadata": {"receipt_number": order.receipt_number, "reason": reason[:450]},
        }, options={"idempotency_key": idempotency_key})
        if r.status not in ("succeeded", "pending"):
            raise GatewayError(f"Stripe did not make the refund (status {r.status}).")
        return RefundDone(r.id, int(r.amount))

    def payments(self, since: dt.datetime | None) -> Iterator[ProviderPayment]:
        after = int(since.replace(tzinfo=dt.timezone.utc).timestamp()) if since else 0
        page = self._call(self.client.v1.payment_intents.list, params={"limit": 100})
        while True:
            for pi in page.data:
                if pi.created >= after:
                    yield self.from_intent(pi.to_dict(), describe=False)
            if not page.has_more or not page.data:
                return
            # Stripe lists newest first: past `since`, the rest is older still (a stand-in that lists
            # oldest first, like localstripe, is read to the end)
            if page.data[0].created > page.data[-1].created and page.data[-1].created < after:
                return
            page = self._call(self.client.v1.payment_intents.list,
                              params={"limit": 100, "starting_after": page.data[-1].id})

    # --------------------------------------------------------------------------------------------
    def from_intent(self, pi: dict, describe: bool = True) -> ProviderPayment:
        """Our view of a PaymentIntent (a dict, e.g. from a webhook event's data.object)."""
        status = pi.get("status")
        error = pi.get("last_payment_error") or {}
        if status == "succeeded":
            st = PaymentStatus.SUCCEEDED
        elif status == "canceled" or (status == "requires_payment_method" and error):
            st = PaymentStatus.FAILED
        else:
            st = PaymentStatus.STARTED
        brand = last4 = ""
        if describe and st == PaymentStatus.SUCCEEDED:
            brand, last4 = self._method(pi)
        return ProviderPayment(pi["id"], st, int(pi.get("amount") or 0), str(pi.get("currency") or "").upper(),
                               dict(pi.get("metadata") or {}), brand, last4,
                               message=error.get("message") or "", created=int(pi.get("created") or 0),
                               client_secret=pi.get("client_secret") or "",
                               needs_action=status == "requires_action")

    def _method(self, pi: dict) -> tuple[str, str]:
        """Card brand and last 4 as Stripe reports them: the charge's payment_method_details, or
        the payment method itself. Best effort: a lookup failure leaves them blank."""
        try:
            charge = pi.get("latest_charge")
            if isinstance(charge, str):
                charge = self._call(self.client.v1.charges.retrieve, charge).to_dict()
            card = ((charge or {}).get("payment_method_details") or {}).get("card")
            if card:
                return str(card.get("brand", "")).title(), str(card.get("last4", ""))
            method = pi.get("payment_method")
            if isinstance(method, str) and method:
                method = self._call(self.client.v1.payment_methods.retrieve, method).to_dict()
            if isinstance(method, dict):
                card = method.get("card") if method.get("object") == "payment_method" else method
                if isinstance(card, dict):
                    return str(card.get("brand", "")).title(), str(card.get("last4", ""))
        except GatewayError as e:
            log.warning("could not read the payment method of %s: %s", pi.get("id"), e.message)
        return "", ""


def gateway() -> Gateway:
    """The configured gateway (PAYMENT_GATEWAY), made from the current settings."""
    cfg = current_app.config
    name = cfg["PAYMENT_GATEWAY"]
    if name == "test":
        return TestGateway()
    if name == "stripe":
        return StripeGateway(cfg["STRIPE_SECRET_KEY"], cfg["STRIPE_API_BASE"])
    raise RuntimeError(f"unknown PAYMENT_GATEWAY {name!r}: 'test' or 'stripe'")
