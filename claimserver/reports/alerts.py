"""Telling learners their credit is at risk (issue 14): a report item rejected by the reporting body,
or one we cannot send because the learner's profile lacks what the body needs.

The learner gets an email through the outbox the moment it happens (a rejection recorded, a claim
whose item is blocked) and a banner on My Activities; `flask reports remind-at-risk` (cron-safe,
idempotent) sends any first notice not yet sent and a second one `AT_RISK_REMINDER_DAYS` before
the last day the credit can still be reported. Each email has a dedupe key per item and kind, so
running the command twice sends each once. Advice stops once it can no longer help: the item was
corrected, sent, withdrawn, or its deadline is over.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app

from catalog.dates import long_date
from catalog.destinations import AT_RISK_REMINDER_DAYS, Destination

from .. import mail
from ..models import Claim, Learner, ReportItem
from . import layouts as L
from . import ledger


@dataclass
class AtRisk:
    item: ReportItem
    layout: Destination
    rejected: bool         # True: the body rejected it; False: blocked by missing profile data
    problem: str           # what is wrong, from the destination's own words
    deadline: dt.date | None

    @property
    def claim(self) -> Claim:
        return self.item.claim

    @property
    def title(self) -> str:
        return self.claim.version.title

    @property
    def field(self) -> str:
        """The profile field to correct (its input's id): a rejection questions the first detail the
        body needs (CPE Monitor: the NABP e-Profile ID); a blocked item, the first one missing."""
        if not self.rejected:
            learner = self.claim.learner
            missing = [r.field for r in self.layout.requires if r.check(learner)]
            if missing:
                return missing[0]
        return self.layout.needs[0] if self.layout.needs else ""

    def advice(self) -> str:
        """What happened, what to fix and by when: the banner's and the email's words."""
        credit, name = self.claim.credit.name, self.layout.name
        when = f"“{self.title}” (completed {long_date(self.claim.participated_on)})"
        if self.rejected:
            head = f"{name} rejected the report of your {credit} for {when}. {self.problem}"
            said = f" {name} said: “{self.item.response}”." if self.item.response else ""
            by = (f" Correct your profile by {long_date(self.deadline)}, the last day it can still be "
                  f"reported to {name}; we send it again automatically." if self.deadline
                  else " Correct your profile and we send it again automatically.")
            return head + said + by
        head = f"We cannot report your {credit} for {when} to {name} yet: {self.problem}."
        by = (f" Add it to your profile by {long_date(self.deadline)}, the last day it can still be "
              f"reported to {name}." if self.deadline else " Add it to your profile.")
        return head + by


def _assess(item: ReportItem, on: dt.date) -> AtRisk | None:
    layout = L.LAYOUTS[item.destination]
    if item.deadline is not None and on > item.deadline:
        return None  # too late: the advice could no longer help
    if item.status == "rejected":
        return AtRisk(item, layout, True, L.fix_hint(layout, item.sent_row), item.deadline)
    if item.status == "due":
        reason = L.blocked_reason(layout, item.claim.learner)
        if reason:
            return AtRisk(item, layout, False, reason, item.deadline)
    return None


def at_risk(learner: Learner | None = None) -> list[AtRisk]:
    """Open items (of one learner, or everyone's) whose credit is at risk, soonest deadline first."""
    on = ledger.today()
    q = ledger._with_claims().where(ReportItem.status.in_(("due", "rejected")) & ~ledger.revoked_claim())
    if learner is not None:
        q = q.where(Claim.learner == learner)
    found = [r for r in (_assess(item, on) for item in q.order_by(ReportItem.id)) if r]
    return sorted(found, key=lambda r: (r.deadline or dt.date.max, r.item.id))


def _queue(risk: AtRisk, reminder: bool) -> bool:
    cfg = current_app.config
    link = cfg["SERVER_URL"].rstrip("/") + "/profile"
    # The credit's name is the object, never the subject: "ACPE contact hours" is plural, "California
    # CLS continuing education" singular ("your ACPE contact hours has not been reported").
    credit, to = risk.claim.credit.name, risk.layout.name
    subject = (f"Reminder: we still cannot report your {credit} to {to}" if reminder
               else f"Action needed: we could not report your {credit} to {to}")
    body = (f"{risk.advice()}\n\nOpen your profile: {link}\n"
            f"My Activities shows where each of your credits stands.\n\n{cfg['PROVIDER_NAME']}\n")
    kind = "at-risk-reminder" if reminder else "at-risk"
    # one per item, kind and cause: a later rejection of the re-sent item is a new item
    key = f"{kind}:{risk.item.id}:{'rejected' if risk.rejected else 'blocked'}"
    return mail.queue(risk.claim.learner.email, subject, body, kind=kind, dedupe_key=key) is not None


def notify(item: ReportItem) -> bool:
    """The first notice for one item, if it is at risk (call in the transaction that made it so)."""
    risk = _assess(ReportItem.get_by_id(item.id), ledger.today())
    return _queue(risk, reminder=False) if risk else False


@dataclass
class RemindResult:
    notices: int = 0
    reminders: int = 0

    def __str__(self) -> str:
        return f"{self.notices} first notice(s), {self.reminders} reminder(s) queued"


def remind_at_risk() -> RemindResult:
    """Queue every first notice not yet sent and, from `AT_RISK_REMINDER_DAYS` before an item's last
    day, its reminder. Idempotent (dedupe keys): run it from cron as often as you like."""
    on = ledger.today()
    result = RemindResult()
    for risk in at_risk():
        if _queue(risk, reminder=False):
            result.notices += 1
        if risk.deadline is not None and (risk.deadline - on).days <= AT_RISK_REMINDER_DAYS:
            if _queue(risk, reminder=True):
                result.reminders += 1
    return result
