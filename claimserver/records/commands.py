"""Staff commands for certificates: `flask certificates show CODE` and `flask certificates revoke CODE`."""
from __future__ import annotations

import click
from flask.cli import AppGroup

certificates_cli = AppGroup("certificates", help="Look up and revoke issued certificates.")


def _find(code: str):
    from ..models import Certificate
    from .operations import normalise_code

    norm = normalise_code(code)
    cert = Certificate.get_or_none(Certificate.code == norm) if norm else None
    if cert is None:
        raise click.ClickException(f"no certificate with code {code}")
    return cert


@certificates_cli.command("show")
@click.argument("code")
def show(code: str) -> None:
    """Print what a certificate states and whether it is valid."""
    cert = _find(code)
    claim = cert.claim
    click.echo(f"{cert.code}  {cert.name}  {claim.version.title}  {claim.credit.name} {cert.hours}  "
               f"issued {cert.issued_at:%Y-%m-%d}  "
               + (f"SUPERSEDED by {cert.superseded_by.code}" if cert.is_superseded
                  else f"REVOKED {cert.revoked_at:%Y-%m-%d}: {cert.revoked_reason}" if cert.revoked_at else "valid"))


@certificates_cli.command("revoke")
@click.argument("code")
@click.option("--reason", required=True, help="Why, as shown to anyone who verifies it.")
def revoke(code: str, reason: str) -> None:
    """Revoke a certificate: it stays on record and /verify shows it as revoked."""
    from .operations import revoke as do_revoke

    cert = _find(code)
    if cert.revoked_at:
        raise click.ClickException(f"{cert.code} was already revoked on {cert.revoked_at:%Y-%m-%d}")
    if not do_revoke(cert, None, reason.strip()):  # revoked by someone else meanwhile
        raise click.ClickException(f"{cert.code} was already revoked")
    click.echo(f"{cert.code} revoked: {reason.strip()}")
