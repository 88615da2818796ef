"""Stripe's signed webhook: verify the raw body with the SDK, then hand each event to one operation.

`payment_intent.succeeded` fulfils, `payment_intent.payment_failed` records the failure,
`charge.refunded` records the refund; every other type is acknowledged and ignored. A bad or missing
signature, the wrong secret, a timestamp older than the tolerance or a body changed in transit
(even re-serialised) is refused with 400 and changes nothing.
"""
from __future__ import annotations

import json
import logging

from flask import current_app

from . import operations
from .gateways import StripeGateway

log = logging.getLogger(__name__)
#: Seconds a signed event stays acceptable (Stripe's default; the SDK compares it with the clock).
TOLERANCE = 300
HANDLED = ("payment_intent.succeeded", "payment_intent.payment_failed", "charge.refunded")


class BadEvent(Exception):
    """The delivery is not a genuine, fresh Stripe event; `message` says why (for the log)."""


def secrets_() -> list[str]:
    """CE_STRIPE_WEBHOOK_SECRET; while rotating, the old and new secrets separated by commas."""
    return [s.strip() for s in current_app.config["STRIPE_WEBHOOK_SECRET"].split(",") if s.strip()]


def verify(payload: bytes, header: str | None) -> dict:
    """The event, if `header` carries a valid signature of exactly these bytes (any `v1=` of it
    under any configured secret), made within TOLERANCE seconds."""
    import stripe

    if not header:
        raise BadEvent("no Stripe-Signature header")
    keys = secrets_()
    if not keys:
        raise BadEvent("CE_STRIPE_WEBHOOK_SECRET is not set")
    last = "signature does not match"
    for secret in keys:
        try:
            stripe.WebhookSignature.verify_header(payload.decode("utf-8"), header, secret, TOLERANCE)
        except stripe.SignatureVerificationError as e:
            last = str(e.user_message or e)
            continue
        except UnicodeDecodeError:
            raise BadEvent("body is not UTF-8") from None
        try:
            event = json.loads(payload)
        except ValueError:
            raise BadEvent("body is not JSON") from None
        if not isinstance(event, dict) or not isinstance(event.get("data"), dict):
            raise BadEvent("not an event")
        return event
    raise BadEvent(last)


def handle(event: dict) -> operations.Outcome | None:
    """Apply one verified event; None for a type we do not act on."""
    kind = event.get("type", "")
    if kind not in HANDLED:
        return None
    obj = event["data"].get("object") or {}
    event_id = str(event.get("id") or "")
    gw = StripeGateway(current_app.config["STRIPE_SECRET_KEY"], current_app.config["STRIPE_API_BASE"])
    if kind == "charge.refunded":
        refunds = [(str(r["id"]), int(r.get("amount") or 0)) for r in (obj.get("refunds") or {}).get("data", [])]
        if not refunds and obj.get("amount_refunded"):
            refunds = [(f"{obj.get('id')}-refund", int(obj["amount_refunded"]))]
        return operations.record_provider_refund("stripe", str(obj.get("payment_intent") or ""), refunds,
                                                 event_id, kind)
    payment = gw.from_intent(obj, describe=kind == "payment_intent.succeeded")
    if kind == "payment_intent.succeeded":
        return operations.fulfil("stripe", payment, event_id, kind)
    return operations.record_failure("stripe", payment, event_id, kind)
