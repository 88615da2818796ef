"""`flask outcomes send-due`: the cron job that schedules, queues and sends follow-up emails."""
from __future__ import annotations

import click

from . import bp


@bp.cli.command("send-due")
def send_due() -> None:
    """Schedule follow-ups for new evaluations, queue due questionnaires and reminders, send the outbox."""
    from ..db import database
    from .operations import send_due as run

    opened = database.connect(reuse_if_open=True)
    try:
        result = run(echo=click.echo)
    finally:
        if opened:
            database.close()
    click.echo(result.summary())
