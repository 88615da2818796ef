"""Each credit type's own state for one learner (issue 14): claimable, claimed, reported, rejected
(with what to fix) or missed, so My Activities and the transcript never show one summary that
hides a credit still to claim, such as a laboratory scientist's California credit after P.A.C.E.

Read-only: it asks the claim rules (`operations.offers`, the claim window, reporting deadlines)
and the ledger (`ledger.claim_statuses`) and words the answer; it decides nothing new.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app

from catalog import credits
from catalog.dates import long_date
from catalog.model import Activity as ActivityModel
from catalog.status import CreditStanding

from ..models import Claim, Learner
from ..learning.operations import session_dates
from ..refusals import Refused
from ..reports import ledger
from .operations import check_reporting_deadline, offers

CSS = {CreditStanding.CLAIMABLE: "warn", CreditStanding.CLAIMED: "", CreditStanding.REPORTED: "done",
       CreditStanding.REJECTED: "bad", CreditStanding.MISSED: "bad"}


@dataclass
class CreditState:
    key: str
    standing: CreditStanding
    text: str                 # one sentence: where it stands
    claim: Claim | None = None
    fix: str = ""             # what the learner must do (rejected, blocked, profile details missing)
    message: str = ""         # a rejection: what the reporting body said
    deadline: dt.date | None = None  # the last day it can still be claimed or reported

    @property
    def type(self) -> credits.CreditType:
        return credits.CREDIT_TYPES[self.key]

    @property
    def css(self) -> str:
        return CSS[self.standing]


def _claimed(claim: Claim) -> CreditState:
    amount = credits.format_hours(claim.hours)
    statuses = ledger.claim_statuses(claim)
    rejected = [s for s in statuses if s.status == "rejected"]
    if rejected:
        s = rejected[0]
        return CreditState(claim.credit_type, CreditStanding.REJECTED, f"{amount} claimed; {s.label}.",
                           claim, s.fix, s.message, s.deadline)
    missed = [s for s in statuses if s.status == "due" and s.css == "bad"]
    if missed:
        return CreditState(claim.credit_type, CreditStanding.MISSED, f"{amount} claimed; {missed[0].label}.",
                           claim, deadline=missed[0].deadline)
    if statuses and all(s.status == "accepted" for s in statuses):
        return CreditState(claim.credit_type, CreditStanding.REPORTED, f"{amount} claimed; {statuses[0].label}.",
                           claim)
    text = f"{amount} claimed" + "".join(f"; {s.label}" for s in statuses) + "."
    fix = next((s.fix for s in statuses if s.fix), "")
    return CreditState(claim.credit_type, CreditStanding.CLAIMED, text, claim, fix,
                       deadline=next((s.deadline for s in statuses if s.deadline), None))


def credit_states(learner: Learner, model: ActivityModel, claim_until: dt.date, claims: list[Claim],
                  participated_on: dt.date | None, today: dt.date) -> list[CreditState]:
    """Every credit this learner may claim for the activity, claimed or not, in the activity's order."""
    claimed = {c.credit_type: c for c in claims}
    out = [_claimed(c) for c in claims]
    for o in offers(learner, model):
        if o.key in claimed or (o.key == "participation" and claimed):
            continue
        up_to = credits.format_hours(o.maximum)
        if today > claim_until:
            out.append(CreditState(o.key, CreditStanding.MISSED,
                                   f"Not claimed: the claim window closed on {long_date(claim_until)}."))
            continue
        last = claim_until
        if participated_on is not None:
            try:
                check_reporting_deadline(o.key, participated_on, model)
            except Refused as e:
                out.append(CreditState(o.key, CreditStanding.MISSED, e.message))
                continue
        # Before a live session is attended its day is known: a pharmacist must claim within CPE
        # Monitor's deadline after it, not by the claim window's end a year later (issue 14 QA).
        on = participated_on or (session_dates(model)[0] if model.is_live and not model.is_meeting else None)
        dest = o.type.destination
        if on is not None and dest is not None and dest.gates_credit:
            last = min(last, dest.deadline(on, current_app.config) or last)
        fix = f"Add your {o.missing_text} to your profile to claim it." if o.missing else ""
        out.append(CreditState(o.key, CreditStanding.CLAIMABLE,
                               f"Up to {up_to}, claim by {long_date(last)}.",  # the label says "Not claimed yet"
                               fix=fix, deadline=last))
    order = {k: i for i, k in enumerate(model.credit_keys)}
    return sorted(out, key=lambda s: order.get(s.key, 99))


def for_journeys(learner: Learner, journeys) -> dict[int, list[CreditState]]:
    """Order id -> its credit states, for every paid purchase on My Activities (the report items of
    all claims in one query: the page's queries do not grow with the purchases)."""
    claims = [c for j in journeys for c in j.claims]
    for c in claims:
        c.learner = learner
    ledger.prefetch_statuses(claims)
    return {j.order.id: credit_states(learner, j.model, j.version.claim_until, j.claims,
                                      j.participation.participated_on if j.participation else None, j.today)
            for j in journeys if j.order.is_paid}


def still_to_claim(states: list[CreditState]) -> bool:
    return any(s.standing == CreditStanding.CLAIMABLE for s in states)


def headline(states: list[CreditState]) -> tuple[str, str] | None:
    """The purchase's summary once something is claimed, naming the worst state rather than hiding
    it: (words, css), or None when every credit is claimed and nothing is wrong."""
    if any(s.standing == CreditStanding.REJECTED for s in states):
        return "Credit rejected: action needed", "bad"
    if any(s.standing == CreditStanding.MISSED and s.claim is not None for s in states):
        return "Credit not reported", "bad"
    if still_to_claim(states):
        return "Credit still to claim", "warn"
    return None


def unclaimed(learner: Learner) -> list[tuple[object, list[CreditState]]]:
    """(journey, its credits never claimed) for purchases with credit still to claim or missed:
    the transcript lists them beside the claims, so none is hidden."""
    from ..learning.operations import journeys

    js = journeys(learner)
    states = for_journeys(learner, js)
    out = []
    for j in js:
        left = [s for s in states.get(j.order.id, []) if s.claim is None]
        if left:
            out.append((j, left))
    return out
