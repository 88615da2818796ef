"""Every write of the outcomes feature: follow-up scheduling and sending, answers, opt-outs, reviews.

Sending is safe to run from cron, twice, or on two hosts at once: a follow-up is *claimed* by one
conditional UPDATE (`sent_at IS NULL`) in the same transaction that queues its email with a dedupe
key, and the outbox is drained by `mail.drain`, which claims each message before sending it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from peewee import IntegrityError, JOIN

from catalog.status import Implemented, ReviewBody, ReviewPhase, ReviewVerdict

from .. import clock, mail
from ..db import database
from ..learning.operations import session_dates
from ..models import ActivityVersion, Claim, Evaluation, FollowUp, Learner, Review, audit
from . import tokens

#: value -> label, for forms and templates (the vocabularies are catalog.status enums).
IMPLEMENTED = Implemented.labels()
BODIES = ReviewBody.labels()
PHASES = ReviewPhase.labels()
VERDICTS = ReviewVerdict.labels()


def follow_up_days(activity_days: int | None) -> int:
    """The activity's `follow_up_days` when its convener set one, else the site's FOLLOW_UP_DAYS."""
    if activity_days is not None:
        return activity_days
    return int(current_app.config["FOLLOW_UP_DAYS"])


@dataclass
class SendResult:
    scheduled: int = 0
    questionnaires: int = 0
    reminders: int = 0
    sent: int = 0
    failed: int = 0

    def summary(self) -> str:
        return (f"scheduled {self.scheduled}, queued {self.questionnaires} questionnaires, "
                f"{self.reminders} reminders; sent {self.sent}, failed {self.failed}")


def schedule_follow_ups() -> int:
    """Create the missing FollowUp row of every evaluation of an activity that targets performance.

    Due `follow_up_days` after the evaluation; for a meeting, after the meeting's last day (in its
    time zone), and only for attendees who claimed credit: the questionnaire asks about the practice
    change since the meeting, and one evaluated without claiming has not completed the activity."""
    days: dict[int, int] = {}
    meeting_due: dict[int, dt.date] = {}  # version id -> the meeting's follow-up date
    for v in ActivityVersion.select(ActivityVersion.id, ActivityVersion.data):
        model = v.model()
        if model.targets_performance:
            days[v.id] = follow_up_days(model.follow_up_days)
            if model.is_meeting:
                meeting_due[v.id] = session_dates(model)[1] + dt.timedelta(days=days[v.id])
    if not days:
        return 0
    missing = (Evaluation.select(Evaluation, Learner)
               .join(Learner)
               .switch(Evaluation)
               .join(FollowUp, JOIN.LEFT_OUTER,
                     on=((FollowUp.learner == Evaluation.learner) & (FollowUp.activity == Evaluation.activity)))
               .where(FollowUp.id.is_null(), Evaluation.version.in_(list(days)))
               .order_by(Evaluation.id))
    missing = list(missing)  # read fully first: SQLite cannot start a write while a read is open
    meetings = {ev.activity_id for ev in missing if ev.version_id in meeting_due}
    claimed = set(Claim.select(Claim.learner, Claim.activity).where(Claim.activity.in_(list(meetings)))
                  .distinct().tuples()) if meetings else set()
    created = 0
    for ev in missing:
        if ev.version_id in meeting_due:
            if (ev.learner_id, ev.activity_id) not in claimed:
                continue  # scheduled once they claim
            due = meeting_due[ev.version_id]
        else:
            due = ev.submitted_at.date() + dt.timedelta(days=days[ev.version_id])
        try:
            with database.atomic():
                FollowUp.create(learner=ev.learner_id, activity=ev.activity_id, due_on=due,
                                opted_out=ev.learner.follow_up_opt_out)
            created += 1
        except IntegrityError:
            pass  # another sender scheduled it first
    return created


def _email(fu: FollowUp, reminder: bool, title: str, commitment: str) -> tuple[str, str, str]:
    server = current_app.config["SERVER_URL"].rstrip("/")
    link = f"{server}/follow-up/{tokens.make(tokens.QUESTIONNAIRE, f=fu.id)}"
    stop = f"{server}/follow-up/stop/{tokens.make(tokens.OPT_OUT, l=fu.learner_id)}"
    subject = ("Reminder: " if reminder else "") + f"Did you make the change? A 2-minute follow-up on {title}"
    body = current_app.jinja_env.get_template("outcomes/email/questionnaire.txt").render(
        fu=fu, title=title, learner=fu.learner, commitment=commitment, link=link, stop=stop,
        reminder=reminder, link_days=current_app.config["FOLLOW_UP_LINK_DAYS"],
        provider=current_app.config["PROVIDER_NAME"])
    return subject, body, stop


@dataclass(frozen=True)
class _Letter:
    """What one follow-up email says besides the learner: the activity's title and their commitment."""

    follow_up: int
    title: str
    commitment: str


def _letters(where) -> list[_Letter]:
    """The follow-ups `where` selects (joined to Learner), with their evaluations' commitments and their
    activities' titles: two queries however many are due."""
    rows = list(FollowUp.select(FollowUp.id, FollowUp.activity, Evaluation.commitment)
                .join(Learner).switch(FollowUp)
                .join(Evaluation, JOIN.LEFT_OUTER,
                      on=((Evaluation.learner == FollowUp.learner) & (Evaluation.activity == FollowUp.activity)))
                .where(where).order_by(FollowUp.id).tuples())
    titles = {aid: v.title for aid, v in ActivityVersion.current_for({aid for _, aid, _ in rows}).items()}
    return [_Letter(fid, titles[aid], commitment or "") for fid, aid, commitment in rows]


def _claim_and_queue(letter: _Letter, reminder: bool) -> bool:
    """Mark one follow-up sent (or reminded) and queue its email, in one transaction, once."""
    now = clock.utcnow_naive()
    column = FollowUp.reminded_at if reminder else FollowUp.sent_at
    with database.atomic():
        got = (FollowUp.update({column: now})
               .where(FollowUp.id == letter.follow_up, column.is_null(), FollowUp.answered_at.is_null(),
                      FollowUp.opted_out == False)  # noqa: E712
               .execute())
        if not got:
            return False  # another sender took it, or it was answered / opted out meanwhile
        fu = FollowUp.select(FollowUp, Learner).join(Learner).where(FollowUp.id == letter.follow_up).get()
        if fu.learner.follow_up_opt_out:
            FollowUp.update(opted_out=True, **{column.name: None}).where(FollowUp.id == fu.id).execute()
            return False
        subject, body, stop = _email(fu, reminder, letter.title, letter.commitment)
        # RFC 2369 / 8058: mail clients show an unsubscribe button that POSTs to the same link.
        mail.queue(fu.learner.email, subject, body, kind="follow-up-reminder" if reminder else "follow-up",
                   dedupe_key=f"followup:{fu.id}:{'r' if reminder else 'q'}",
                   headers={"List-Unsubscribe": f"<{stop}>",
                            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
    return True


def queue_due() -> tuple[int, int]:
    """Queue every questionnaire due today and every reminder due. Returns (questionnaires, reminders)."""
    today = clock.today()
    open_ = ((FollowUp.answered_at.is_null()) & (FollowUp.opted_out == False)  # noqa: E712
             & (Learner.follow_up_opt_out == False))  # noqa: E712
    due = _letters(open_ & FollowUp.sent_at.is_null() & (FollowUp.due_on <= today))
    questionnaires = sum(_claim_and_queue(letter, False) for letter in due)
    cutoff = clock.utcnow_naive() - dt.timedelta(days=int(current_app.config["FOLLOW_UP_REMINDER_DAYS"]))
    remind = _letters(open_ & (FollowUp.sent_at <= cutoff) & FollowUp.reminded_at.is_null())
    reminders = sum(_claim_and_queue(letter, True) for letter in remind)
    return questionnaires, reminders


def send_due(echo=lambda s: None) -> SendResult:
    """The cron job: schedule, queue what is due, then send the outbox."""
    result = SendResult()
    result.scheduled = schedule_follow_ups()
    echo(f"scheduled {result.scheduled} new follow-up(s)")
    result.questionnaires, result.reminders = queue_due()
    echo(f"queued {result.questionnaires} questionnaire(s) and {result.reminders} reminder(s)")
    result.sent, result.failed = mail.drain(limit=10000)
    echo(f"sent {result.sent} message(s), {result.failed} failed (kept in the outbox for the next run)")
    return result


def record_answer(fu_id: int, implemented: str, barriers: str, impact: str) -> bool:
    """Store a learner's answer; False when the follow-up was already answered (one answer each)."""
    if implemented not in IMPLEMENTED:
        raise ValueError(implemented)
    with database.atomic():
        got = (FollowUp.update(answered_at=clock.utcnow_naive(), implemented=implemented,
                               barriers=barriers.strip(), impact=impact.strip())
               .where(FollowUp.id == fu_id, FollowUp.answered_at.is_null()).execute())
        if got:
            audit(None, "follow_up.answered", f"follow_up:{fu_id}", implemented=implemented)
    return bool(got)


def opt_out(learner_id: int) -> None:
    """Stop every future follow-up email to this learner."""
    with database.atomic():
        Learner.update(follow_up_opt_out=True).where(Learner.id == learner_id).execute()
        FollowUp.update(opted_out=True).where(FollowUp.learner == learner_id,
                                              FollowUp.answered_at.is_null()).execute()
        audit(None, "follow_up.opted_out", f"learner:{learner_id}")


def record_review(activity, actor: Learner, *, body: str, members: str, reviewed_on: dt.date, phase: str,
                  verdict: str, changes: str, owners: str, rationale: str) -> Review:
    """Add a review; reviews are never edited or deleted, a correction is a new review."""
    with database.atomic():
        review = Review.create(activity=activity, body=body, members=members.strip(),
                               reviewed_on=reviewed_on, phase=phase, verdict=verdict,
                               changes=changes.strip() if verdict == "changes-needed" else "",
                               owners=owners.strip() if verdict == "changes-needed" else "",
                               rationale=rationale.strip(), created_by=actor)
        audit(actor, "review.recorded", f"review:{review.id}", activity=activity.slug, verdict=verdict,
              phase=phase, body=body)
    return review
