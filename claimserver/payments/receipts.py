"""A receipt a finance office accepts: number, date, payer, activity, amount, payment method as the
provider reports it, the society's name and address, and refund lines. One `Receipt` feeds both
the printable page and the PDF, so they cannot disagree."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import current_app
from fpdf import FPDF

from catalog import dates
from catalog.site import display

from ..certificates import BODY, FONTS, needs_shaping
from ..filters import money
from ..models import Order, Refund
from .operations import society_name


@dataclass(frozen=True)
class Receipt:
    number: str
    society: str
    address: list[str]
    paid_at: dt.datetime | None
    payer: str
    email: str
    activity: str
    amount: str  # "$25.00 USD" or "Free"
    method: str  # "Visa ending 4242", "" when the provider told us nothing, "No payment (free)"
    reference: str
    test_mode: bool
    refunds: list[tuple[dt.datetime, str, str, str]] = field(default_factory=list)  # date, amount, reference, reason
    balance: str = ""  # amount after refunds
    paid: str = ""     # when it was paid, worded as the session's time is (in the activity's zone)
    when: str = ""     # a live session's time, as its activity page words it

    def lines(self) -> list[tuple[str, str]]:
        """(label, value) rows, in the order both the page and the PDF print them."""
        rows = [("Receipt number", self.number),
                ("Date", self.paid or "not paid"),
                ("Paid by", f"{self.payer} ({self.email})"),
                ("Activity", self.activity)]
        if self.when:
            rows.append(("Session", self.when))
        rows.append(("Amount", self.amount))
        if self.method:
            rows.append(("Payment method", self.method))
        if self.reference:
            rows.append(("Payment reference", self.reference + (" (test mode: no money moved)" if self.test_mode else "")))
        return rows


def build(order: Order) -> Receipt:
    cfg = current_app.config
    free = order.amount_cents == 0
    refunds = [(r.created_at, money(r.amount_cents), r.reference, r.reason)
               for r in order.refunds.order_by(Refund.id)]
    refunded = sum(r.amount_cents for r in order.refunds)
    method = ("No payment (free activity)" if free else
              f"{order.method_brand or 'Card'} ending {order.method_last4}" if order.method_last4 else "")
    model = order.activity.current.model()  # the session as it is now, as the receipt email says
    return Receipt(
        paid=paid_text(order) if order.paid_at else "",
        when=display.session_time(model) if model.is_live else "",
        number=order.receipt_number, society=society_name(),
        address=[line.strip() for line in (cfg["SOCIETY_ADDRESS"] or "").replace("\\n", "\n").splitlines() if line.strip()],
        paid_at=order.paid_at, payer=order.learner.display_name, email=order.learner.email,
        activity=order.version.title,
        amount="Free" if free else f"{money(order.amount_cents)} {order.currency}",
        method=method, reference="" if free else order.gateway_ref, test_mode=order.gateway == "test",
        refunds=refunds,
        balance=f"{_amount(order.amount_cents - refunded)} {order.currency}" if refunds else "")


def paid_text(order: Order) -> str:
    """When an order was paid, on its receipt page, PDF and email alike."""
    return display.moment_for(order.activity.current.model(), order.paid_at)


def _amount(cents: int) -> str:
    """An amount of money, never 'Free' (what a price of 0 reads as): a balance of $0.00."""
    return money(cents) if cents else "$0.00"


def render_pdf(r: Receipt, generated_at: dt.datetime) -> bytes:
    """The receipt as an A4 PDF (fonts as on certificates, so any name prints)."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_creation_date(generated_at)
    pdf.set_creator("CE Portal")
    pdf.set_producer("CE Portal")
    pdf.set_title(f"Receipt {r.number}")
    texts = [r.society, *r.address, *(f"{a}: {b}" for a, b in r.lines()),
             *(f"{dates.long_date(d)} {a} {ref} {why}" for d, a, ref, why in r.refunds), r.balance]
    text = "\n".join(texts)
    FONTS.setup(pdf, text, styles="B", shaping=needs_shaping(text))
    pdf.set_margins(20, 20, 20)
    pdf.add_page()

    def line(s: str, h: float = 6) -> None:
        pdf.set_text_shaping(needs_shaping(s))
        pdf.multi_cell(0, h, s, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_shaping(False)

    pdf.set_font(BODY, "B", 14)
    line(r.society, 8)
    pdf.set_font(BODY, "", 10)
    for a in r.address:
        line(a, 5)
    pdf.ln(6)
    pdf.set_font(BODY, "B", 16)
    line("Receipt" + (" (test mode)" if r.test_mode else ""), 9)
    pdf.set_font(BODY, "", 11)
    for label, value in r.lines():
        line(f"{label}: {value}")
    if r.refunds:
        pdf.ln(4)
        pdf.set_font(BODY, "B", 12)
        line("Refunds", 7)
        pdf.set_font(BODY, "", 11)
        for d, amount, ref, why in r.refunds:
            line(f"Refunded {amount} on {dates.long_date(d)} ({ref}): {why}")
        line(f"Balance after refunds: {r.balance}")
    return bytes(pdf.output())
