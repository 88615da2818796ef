"""`flask learning send-reminders`: the every-minute job that queues and sends session reminders."""
from __future__ import annotations

import click

from . import bp


@bp.cli.command("send-reminders")
def send_reminders() -> None:
    """Queue the reminders due a day and an hour before live sessions, then send the outbox."""
    from flask import current_app

    from ..config import DEFAULTS
    from ..db import database
    from .reminders import send_reminders as run

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
