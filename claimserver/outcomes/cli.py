"""`flask outcomes send-due`: the cron job that schedules, queues and sends follow-up emails."""
from __future__ import annotations

from . import bp


@bp.cli.command("send-due")
def send_due() -> None:
    """Schedule follow-ups for new evaluations, queue due questionnaires and reminders, send the outbox."""
    from ..cli import run_email_job
    from .operations import send_due as run

    run_email_job(run)
