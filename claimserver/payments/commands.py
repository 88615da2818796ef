"""`flask payments refund RECEIPT --reason …` and `flask payments reconcile [--since DATE]`.

Each command parses options, calls `operations` or `reconcile`, and prints; exit 1 on refusal or
on any mismatch, so a cron job can alert."""
from __future__ import annotations

import datetime as dt

import click

from . import bp


@bp.cli.command("refund")
@click.argument("receipt")
@click.option("--reason", required=True, help="Why (kept in the audit log and on the receipt).")
@click.option("--certificates", type=click.Choice(["revoke", "keep"]), default=None,
              help="When the learner already holds certificates for the activity: revoke or keep them.")
def refund_command(receipt: str, reason: str, certificates: str | None) -> None:
    """Refund receipt RECEIPT in full through its payment gateway."""
    from ..models import Order
    from ..refusals import Refused
    from . import operations

    order = Order.get_or_none(Order.receipt_number == receipt.strip().upper())
    if order is None:
        raise click.ClickException(f"no order has receipt number {receipt}")
    try:
        line = operations.refund(order, None, reason, certificates, via="command line")
    except operations.NeedsCertificateChoice as e:
        raise click.ClickException(f"{e.message} (add --certificates revoke or --certificates keep)") from None
    except Refused as e:
        raise click.ClickException(e.message) from None
    click.echo(f"refunded receipt {order.receipt_number}: {line.amount_cents / 100:.2f} {order.currency}, "
               f"refund {line.reference}" + (f"; certificates: {line.certificates}" if line.certificates else ""))


@bp.cli.command("reconcile")
@click.option("--since", default=None, help="Only payments from this date on (YYYY-MM-DD).")
def reconcile_command(since: str | None) -> None:
    """List mismatches between our orders and the provider's payments; exit 1 when there are any."""
    from .reconcile import reconcile

    start = None
    if since:
        try:
            start = dt.datetime.combine(dt.date.fromisoformat(since), dt.time())
        except ValueError:
            raise click.BadParameter(f"{since!r} is not a date like 2027-03-01", param_hint="--since") from None

    def progress(n: int) -> None:
        click.echo(f"checked {n} provider payments …", err=True)

    try:
        report = reconcile(start, progress)
    except Exception as e:  # noqa: BLE001 - a provider failure is reported, not a traceback
        from .gateways import GatewayError

        if isinstance(e, GatewayError):
            raise click.ClickException(e.message) from None
        raise
    for m in report.mismatches:
        click.echo(m)
    click.echo(f"{report.checked} provider payments and {report.orders} paid orders checked"
               f"{' since ' + since if since else ''}: {len(report.mismatches)} mismatch"
               f"{'es' if len(report.mismatches) != 1 else ''}")
    if report.mismatches:
        raise SystemExit(1)
