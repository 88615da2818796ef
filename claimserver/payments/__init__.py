"""Payments: start a payment with the provider, the test payment page, the return page, Stripe's
webhook, refunds, receipts as finance offices want them, and `flask payments refund|reconcile`.

`operations` holds every write (start, fulfil, record_failure, refund); `gateways` the providers
(test and Stripe) behind one interface; `webhook` Stripe's event verification and dispatch;
`receipts` the printable receipt and its PDF; `views` the pages; `commands` the CLI.
"""
from flask import Blueprint

bp = Blueprint("payments", __name__, template_folder="templates", static_folder="static",
               static_url_path="/payments/static", cli_group="payments")

from . import commands, views  # noqa: E402,F401
