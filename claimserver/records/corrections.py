"""Correcting a claim's hours (issue 14): within the claim window and until the credit has been
reported, a learner may change the hours they claimed, within the designated maximum and in the
credit type's increment (the claim's own rule, `operations.check_hours`).

A correction reissues the certificate through the one reissue operation
(`records.operations.reissue`, which staff use for a name correction too), in one transaction: the
claim's hours change, a new certificate row states them, the old row stays `superseded_by` it (its
verify page says "superseded by …" and still shows the hours it stated), an open report item not yet
sent simply carries the new hours (a rejected one is re-queued), and the audit log records it. Two
corrections at once never leave two current certificates: the loser is refused.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from catalog import credits

from ..models import Certificate, Claim, Learner, ReportItem
from ..refusals import Refused
from ..reports.layouts import LAYOUTS
from .operations import Offer, certificate_for, check_hours, check_window, reissue

HOURS_LOCKED = "The hours you claimed can no longer be changed."
SESSIONS_LOCKED = "Sessions can no longer be added to it."
#: Report item states in which the destination has the credit (or is processing it): too late to change.
REPORTED = ("exported", "accepted")
#: The reason a correction gives its reissue (the audit log keeps it).
HOURS_CORRECTED = "hours corrected"
SESSIONS_ADDED = "sessions added"


def _offer(claim: Claim) -> Offer:
    """The designation the claim was made under (its snapshot), as the claim rule reads it."""
    return Offer(claim.credit_type, claim.designation_model)


def correction_refusal(claim: Claim, cert: Certificate | None = None) -> Refused | None:
    """Why this claim's hours can no longer be changed, or None when they can."""
    cert = cert or certificate_for(claim)
    if not cert.is_valid:
        return Refused("This certificate was revoked, so its hours cannot be changed.")
    try:
        check_window(claim.version.model())
    except Refused as e:
        return Refused(f"{e.message} {HOURS_LOCKED}")
    sent = (ReportItem.select().where((ReportItem.claim == claim) & ReportItem.status.in_(REPORTED))
            .order_by(ReportItem.id.desc()).first())
    if sent is not None:
        name = LAYOUTS[sent.destination].name
        return Refused(f"This credit has already been sent to {name}, so the hours you claimed can no "
                       "longer be changed here. Please contact us if they are wrong.")
    return None


def hours_choices(claim: Claim) -> str:
    """The valid amounts to suggest, never above the maximum: '0.75, 1.25 or 1.5 hours'."""
    ct, maximum = claim.credit, _offer(claim).maximum
    picks = [credits.format_hours(h) for h in ct.amounts_up_to(maximum)]
    listed = picks[0] if len(picks) == 1 else f"{', '.join(picks[:-1])} or {picks[-1]}"
    return (f"Up to {ct.units(maximum)}, in steps of {credits.format_hours(ct.increment)}: "
            f"for example {listed}.")


@dataclass
class Correction:
    claim: Claim
    certificate: Certificate  # the current one (the new one when the hours changed)
    old_code: str
    changed: bool  # False: the claim already had these hours (a resent form)


def correct_hours(learner: Learner, claim: Claim, hours: Decimal) -> Correction:
    """Change the hours of `learner`'s claim and reissue its certificate; Refused when not allowed."""
    if claim.learner_id != learner.id:
        raise Refused("This is not your claim.")
    cert = certificate_for(claim)
    refusal = correction_refusal(claim, cert)
    if refusal is not None:
        raise refusal
    quarters = check_hours(_offer(claim), hours)
    return _reissue(learner, claim, cert, quarters)


def add_sessions(learner: Learner, claim: Claim, offer: Offer, hours: Decimal) -> Correction:
    """A meeting: the learner attended more sessions after claiming. The claim takes the offer as it
    is now (its designation snapshot lists every counted session, with the learner's new maximum) and
    `hours` (more than before, still within that maximum), and its certificate is reissued like any
    correction: new code, the old one superseded, the open report item carrying the new hours."""
    if claim.learner_id != learner.id:
        raise Refused("This is not your claim.")
    cert = certificate_for(claim)
    refusal = correction_refusal(claim, cert)
    if refusal is not None:
        raise Refused(refusal.message.replace(HOURS_LOCKED, SESSIONS_LOCKED))
    quarters = check_hours(offer, hours)
    from .operations import snapshot

    return _reissue(learner, claim, cert, quarters, designation=snapshot(offer), reason=SESSIONS_ADDED)


def _reissue(learner: Learner, claim: Claim, cert: Certificate, quarters: int, *, designation: dict | None = None,
             reason: str = HOURS_CORRECTED) -> Correction:
    """The claim's new hours (and designation snapshot) with its certificate reissued by the one reissue
    operation (one transaction, the claim locked, audited)."""
    if quarters == claim.quarter_hours and (designation is None or designation == claim.designation):
        return Correction(claim, cert, cert.code, False)
    changes = {"quarter_hours": quarters, **({"designation": designation} if designation is not None else {})}
    new = reissue(cert, reason, learner, **changes)
    return Correction(Claim.get_by_id(claim.id), new, cert.code, True)
