"""Reconciliation: our orders against the provider's payments. Three kinds of mismatch: paid at the
provider but not here, paid here but not at the provider, and amounts that differ."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from catalog.status import OrderStatus, PaymentStatus

from ..filters import money
from ..models import Order, PaymentAttempt
from . import gateways

PROGRESS_EVERY = 100


@dataclass
class Report:
    checked: int = 0
    orders: int = 0
    mismatches: list[str] = field(default_factory=list)


def reconcile(since: dt.datetime | None = None, progress: Callable[[int], None] = lambda n: None) -> Report:
    gw = gateways.gateway()
    report = Report()
    theirs: dict[str, gateways.ProviderPayment] = {}
    for p in gw.payments(since):
        report.checked += 1
        if report.checked % PROGRESS_EVERY == 0:
            progress(report.checked)
        theirs[p.reference] = p
    progress(report.checked)
    attempts = {a.reference: a for a in PaymentAttempt.select().where(
        PaymentAttempt.gateway == gw.name, PaymentAttempt.reference << list(theirs))} if theirs else {}
    for ref, p in theirs.items():
        if p.status != PaymentStatus.SUCCEEDED:
            continue
        attempt = attempts.get(ref)
        if attempt is None:
            report.mismatches.append(f"paid at {gw.name}, not here: {ref} {money(p.amount_cents)} "
                                     f"(receipt {p.metadata.get('receipt_number', '?')}): no order has this payment")
            continue
        order = attempt.order
        if order.gateway_ref != ref or order.status not in (OrderStatus.PAID, OrderStatus.REFUNDED):
            report.mismatches.append(f"paid at {gw.name}, not here: {ref} {money(p.amount_cents)} for receipt "
                                     f"{order.receipt_number}, which is {order.status}"
                                     + (f" by {order.gateway_ref}" if order.gateway_ref and order.gateway_ref != ref else ""))
        elif p.amount_cents != order.amount_cents:
            report.mismatches.append(f"amount differs: receipt {order.receipt_number} is {money(order.amount_cents)}, "
                                     f"{gw.name} {ref} took {money(p.amount_cents)}")
    ours = Order.select().where(Order.gateway == gw.name, Order.amount_cents > 0,
                                Order.status << (OrderStatus.PAID, OrderStatus.REFUNDED))
    if since is not None:
        ours = ours.where(Order.paid_at >= since)
    for order in ours:
        report.orders += 1
        p = theirs.get(order.gateway_ref)
        if p is None or p.status != PaymentStatus.SUCCEEDED:
            if p is None and since is not None and order.paid_at and order.charge_started_at and order.charge_started_at < since:
                continue  # started before the window: the provider listed it outside it
            report.mismatches.append(f"paid here, not at {gw.name}: receipt {order.receipt_number} "
                                     f"{money(order.amount_cents)} ({order.gateway_ref or 'no payment id'}"
                                     f"{': ' + p.status if p else ': unknown there'})")
    return report
