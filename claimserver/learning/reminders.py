"""Reminders a day and an hour before a live session, for its purchasers: `flask learning
send-reminders`, run every minute by a timer (deploy/systemd/ceportal-reminders.*).

Cron-safe like `flask outcomes send-due`: the command queues what is due, then drains the outbox.

- Each reminder is one outbox row whose unique `dedupe_key` names the activity, the learner, the
  session's start and which reminder it is. Two runs at once, or a run every minute, try to write
  the same key and the schema lets exactly one through; the sender's per-message claim (mail.py)
  then sends it once. A session moved to a new time gets its reminders again, for the new time.
- The day-before reminder is due from 24 hours before the start until the hour-before one takes
  over; a learner who bought after the day-before point has just had the receipt and gets only the
  hour-before one. A learner who bought in the last hour gets neither (the receipt says it all).
- Only paid orders (a free enrolment included) are reminded: pending, declined and refunded
  orders, and withdrawn activities, get nothing.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app

from catalog import credits, dates
from catalog.status import OrderStatus

from .. import clock, mail
from ..models import Activity, ActivityVersion, Learner, Order, Outbox
from . import joining

#: Which reminders, and how long before the start each becomes due (the earlier first).
LEADS: tuple[tuple[str, dt.timedelta], ...] = (("day", dt.timedelta(days=1)), ("hour", dt.timedelta(hours=1)))


@dataclass
class ReminderResult:
    day: int = 0
    hour: int = 0
    sent: int = 0
    failed: int = 0

    def summary(self) -> str:
        return (f"queued {self.day} day-before and {self.hour} hour-before reminder(s); "
                f"sent {self.sent}, failed {self.failed}")


def due_kind(starts: dt.datetime, now: dt.datetime) -> tuple[str, dt.datetime] | None:
    """Which reminder is due now for a session starting at `starts` (both aware), and from when."""
    if now >= starts:
        return None
    for (kind, lead), (_, later) in zip(LEADS, LEADS[1:] + (("", dt.timedelta(0)),)):
        if starts - lead <= now < starts - later:
            return kind, starts - lead
    return None


KEY_PREFIX = "join-reminder:"


def dedupe_key(activity_id: int, learner_id: int, kind: str, starts: dt.datetime) -> str:
    """'join-reminder:<activity>:<learner>:<day|hour>:<start in UTC>': one reminder, once."""
    return f"{KEY_PREFIX}{activity_id}:{learner_id}:{kind}:{starts.astimezone(dt.timezone.utc):%Y%m%dT%H%MZ}"


def _email(learner: Learner, row: Activity, model, kind: str) -> tuple[str, str]:
    lead = dict(LEADS)[kind]
    subject = f"Reminder: {model.title} starts {dates.reminder_lead(lead)}"
    how = joining.how_to_join(model, purchaser=True)
    body = (f"Dear {learner.display_name},\n\n"
            f"{model.title} starts {dates.reminder_lead(lead)}.\n\n"
            f"{joining.email_lines(model, how)}\n"
            f"After the session, record your attendance with the code given during it, then evaluate "
            f"and claim your credit in My Activities: {joining.activity_link(row)}\n\n"
            f"{current_app.config['SOCIETY_NAME'] or current_app.config['PROVIDER_NAME']}\n")
    return subject, body


def queue_due(now: dt.datetime | None = None) -> tuple[int, int]:
    """Queue every reminder due now, once each. Returns (day-before, hour-before) queued."""
    now = now or clock.now()
    naive = now.astimezone(dt.timezone.utc).replace(tzinfo=None)
    horizon = naive + max(lead for _, lead in LEADS)
    soon = {aid for (aid,) in ActivityVersion.select(ActivityVersion.activity)
            .where(ActivityVersion.starts > naive, ActivityVersion.starts <= horizon,
                   ActivityVersion.format.in_(sorted(credits.LIVE_FORMATS))).distinct().tuples()}
    counts = {"day": 0, "hour": 0}
    for aid, version in ActivityVersion.current_for(soon).items():
        row = version.activity
        model = version.model()
        due = due_kind(model.starts, now) if model.is_live and not row.hidden else None
        if due is None:
            continue
        kind, point = due
        orders = list(Order.select(Order, Learner).join(Learner)
                      .where(Order.activity == aid, Order.status == OrderStatus.PAID)
                      .order_by(Order.id))
        # One query for the reminders already queued, so a run every minute costs no query per
        # learner; the unique key still decides when two runs race for the same one.
        queued = {k for (k,) in Outbox.select(Outbox.dedupe_key)
                  .where(Outbox.dedupe_key.startswith(f"{KEY_PREFIX}{aid}:")).tuples()}
        for order in orders:
            paid = order.paid_at.replace(tzinfo=dt.timezone.utc) if order.paid_at else None
            if paid is None or paid > point:
                continue  # bought after this reminder's point: the receipt was the news
            key = dedupe_key(aid, order.learner_id, kind, model.starts)
            if key in queued:
                continue
            subject, body = _email(order.learner, row, model, kind)
            ics = joining.calendar_file(order.learner, row, model)
            if mail.queue(order.learner.email, subject, body, kind=f"reminder-{kind}", dedupe_key=key,
                          attachments=[ics] if ics else None) is not None:
                counts[kind] += 1
    return counts["day"], counts["hour"]


def send_reminders(echo=lambda s: None) -> ReminderResult:
    """The cron job: queue the reminders due, then send the outbox."""
    result = ReminderResult()
    result.day, result.hour = queue_due()
    echo(f"queued {result.day} day-before and {result.hour} hour-before reminder(s)")
    result.sent, result.failed = mail.drain(limit=10000)
    echo(f"sent {result.sent} message(s), {result.failed} failed (kept in the outbox for the next run)")
    return result
