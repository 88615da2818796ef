"""`flask outcomes send-due`: the cron job that schedules, queues and sends follow-up emails."""
from __future__ import annotations

import click

from . import bp


@bp.cli.command("send-due")
def send_due() -> None:
    """Schedule follow-ups for new evaluations, queue due questionnaires and reminders, send the outbox."""
    from flask import current_app

    from ..config import DEFAULTS
    from ..db import database
    from .operations import send_due as run

    cfg = current_app.config
    if cfg["CE_ENV"] != "testing" and cfg["SERVER_URL"].rstrip("/") == DEFAULTS["SERVER_URL"].rstrip("/"):
        click.echo(f"warning: SERVER_URL is the default {DEFAULTS['SERVER_URL']}: links in the emails point "
                   "there. Set CE_SERVER_URL to this server's public address.", err=True)
    opened = database.connect(reuse_if_open=True)
    try:
        result = run(echo=click.echo)
    finally:
        if opened:
            database.close()
    click.echo(result.summary())
