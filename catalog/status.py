"""Vocabularies of the portal's records, one `enum.StrEnum` per vocabulary.

The values are what the database stores, so a member compares equal to its stored string
(`OrderStatus.PAID == "paid"`); code names the member, never the bare string.
"""
from __future__ import annotations

import enum


class OrderStatus(enum.StrEnum):
    """Where a learner's one order for an activity stands.

    pending: created, no payment started; processing: a payment was started with the provider and no
    verified outcome has arrived yet; paid: the provider confirmed it (or the activity is free);
    declined: the last payment failed, a new one may be started; refunded: paid, then fully refunded.
    """

    PENDING = "pending"
    PROCESSING = "processing"
    PAID = "paid"
    DECLINED = "declined"
    REFUNDED = "refunded"


class PaymentStatus(enum.StrEnum):
    """One payment attempt at the provider (a PaymentIntent, or the test gateway's equivalent).

    started: the provider has it and waits for the payer; succeeded / failed: a verified outcome;
    error: the provider could not be reached or answered with an error, nothing was charged.
    """

    STARTED = "started"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    ERROR = "error"


class PaymentEventOutcome(enum.StrEnum):
    """What processing one provider event (a webhook delivery or a confirmed return) did."""

    FULFILLED = "fulfilled"        # this event marked the order paid
    ALREADY_PAID = "already-paid"  # the order was paid by an earlier event or the return page
    FAILED = "failed"              # a failed payment was recorded
    REFUNDED = "refunded"          # the order was marked refunded
    MISMATCH = "mismatch"          # amount, currency or metadata disagree: not fulfilled, staff alerted
    UNKNOWN = "unknown"            # no order of ours has this payment
    IGNORED = "ignored"            # an event type we do not act on


class CertificateOnRefund(enum.StrEnum):
    """What staff chose for certificates already issued when an order is refunded."""

    REVOKE = "revoke"
    KEEP = "keep"
