"""Payment gateways behind one small interface, and the built-in test gateway.

A gateway is asked to `charge(order, card)` once per attempt; the order's receipt number and attempt
number form an idempotency key a real gateway can use to refuse a duplicate charge. Card data is
never stored: only the gateway's reference and a message are kept (PaymentAttempt).
"""
from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from typing import Protocol

from flask import current_app


@dataclass(frozen=True)
class Card:
    number: str      # digits only
    exp_month: int
    exp_year: int    # four digits
    cvc: str
    name: str = ""

    @property
    def last4(self) -> str:
        return self.number[-4:]


@dataclass(frozen=True)
class Result:
    approved: bool
    reference: str = ""
    message: str = ""


class Gateway(Protocol):
    name: str

    def charge(self, order, card: Card, idempotency_key: str = "") -> Result: ...


class TestGateway:
    """Test mode: 4242 4242 4242 4242 approves, 4000 0000 0000 0002 declines, others decline too.

    Every charge is recorded in `charges` (per app) so tests can count approved charges.
    """

    name = "test"
    APPROVE = "4242424242424242"
    DECLINE = "4000000000000002"

    def __init__(self) -> None:
        self.charges: list[tuple[str, int, bool]] = []
        self._lock = threading.Lock()

    def charge(self, order, card: Card, idempotency_key: str = "") -> Result:
        approved = card.number == self.APPROVE
        with self._lock:
            self.charges.append((idempotency_key, order.amount_cents, approved))
        if approved:
            return Result(True, "test_" + secrets.token_hex(8), "Approved (test mode).")
        if card.number == self.DECLINE:
            return Result(False, "", "Your card was declined. Try another card.")
        return Result(False, "", "Test mode accepts only the test card 4242 4242 4242 4242.")


def gateway() -> Gateway:
    """The configured gateway, one per app (PAYMENT_GATEWAY)."""
    gw = current_app.extensions.get("payment_gateway")
    if gw is None:
        name = current_app.config["PAYMENT_GATEWAY"]
        if name != "test":
            raise RuntimeError(f"unknown PAYMENT_GATEWAY {name!r}: only 'test' is built in")
        # setdefault: concurrent first requests end up sharing one gateway
        gw = current_app.extensions.setdefault("payment_gateway", TestGateway())
    return gw


def luhn_ok(number: str) -> bool:
    if not number.isdigit() or not number.isascii():
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0
