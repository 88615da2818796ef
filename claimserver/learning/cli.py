"""`flask learning send-reminders`: the every-minute job that queues and sends session reminders."""
from __future__ import annotations

from . import bp


@bp.cli.command("send-reminders")
def send_reminders() -> None:
    """Queue the reminders due a day and an hour before live sessions, then send the outbox."""
    from ..cli import run_email_job
    from .reminders import send_reminders as run

    run_email_job(run)
