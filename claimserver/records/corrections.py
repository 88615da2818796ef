"""Correcting a claim's hours (issue 14): within the claim window and until the credit has been
reported, a learner may change the hours they claimed, within the designated maximum and in the
credit type's increment (the claim's own rule, `operations.check_hours`).

A correction reissues the certificate in one transaction: the live `Certificate` row takes a new
code and issue time, the old code is kept in `SupersededCertificate` (its verify page says
"superseded by …"), the claim's hours change, an open report item not yet sent simply carries the
new hours (a rejected one is re-queued), and the audit log records it. The live row is taken with a
conditional update on its old code, so two corrections at once never leave two valid certificates:
there is one certificate row per claim, and the loser is refused.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from catalog import credits

from .. import clock
from ..db import database
from ..models import Certificate, Claim, Learner, ReportItem, SupersededCertificate, audit
from ..refusals import Refused
from ..reports import ledger
from ..reports.layouts import LAYOUTS
from .operations import Offer, certificate_for, check_hours, check_window, new_code

HOURS_LOCKED = "The hours you claimed can no longer be changed."
SESSIONS_LOCKED = "Sessions can no longer be added to it."
#: Report item states in which the destination has the credit (or is processing it): too late to change.
REPORTED = ("exported", "accepted")


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
    certificate: Certificate
    old_code: str
    changed: bool  # False: the claim already had these hours (a resent form)


def _unused_code() -> str:
    for _ in range(5):
        code = new_code()
        if not (Certificate.select().where(Certificate.code == code).exists()
                or SupersededCertificate.select().where(SupersededCertificate.code == code).exists()):
            return code
    raise RuntimeError("could not allocate a unique verification code")


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

    return _reissue(learner, claim, cert, quarters, designation=snapshot(offer), reason="sessions added",
                    action="claim.sessions_added")


def _reissue(learner: Learner, claim: Claim, cert: Certificate, quarters: int, *, designation: dict | None = None,
             reason: str = "hours corrected", action: str = "claim.corrected") -> Correction:
    """The claim's new hours (and designation snapshot) with its certificate reissued, in one transaction."""
    if quarters == claim.quarter_hours and (designation is None or designation == claim.designation):
        return Correction(claim, cert, cert.code, False)
    now = clock.utcnow_naive()
    code = _unused_code()
    with database.atomic():
        taken = (Certificate.update(code=code, issued_at=now)
                 .where((Certificate.id == cert.id) & (Certificate.code == cert.code)
                        & Certificate.revoked_at.is_null()).execute())
        if not taken:  # corrected (or revoked) by another request since this one read it
            raise Refused("Your claim was changed in another window a moment ago: check your certificate "
                          "and correct it again if needed.")
        # Inside the transaction: an item sent since the check above makes this one fail (rolled back).
        if ReportItem.select().where((ReportItem.claim == claim) & ReportItem.status.in_(REPORTED)).exists():
            raise correction_refusal(claim, cert) or Refused("This credit has already been sent.")
        SupersededCertificate.create(certificate=cert, code=cert.code, name=cert.name,
                                     quarter_hours=claim.quarter_hours, issued_at=cert.issued_at,
                                     superseded_at=now, superseded_by=code, reason=reason)
        Claim.update(quarter_hours=quarters, **({"designation": designation} if designation else {})
                     ).where(Claim.id == claim.id).execute()
        # The open item not yet sent carries the claim's hours when it is exported; touch it so the
        # ledger's pages (and the transcript's cache) see the change.
        ReportItem.update(updated_at=now).where((ReportItem.claim == claim)
                                                & ReportItem.status.in_(ledger.OPEN)).execute()
        details = {"from_quarter_hours": claim.quarter_hours, "to_quarter_hours": quarters,
                   "old_certificate": cert.code, "certificate": code}
        if designation is not None:
            details["sessions"] = [sid for sid, _, _ in designation.get("sessions", ())]
        audit(learner, action, f"claim:{claim.id}", **details)
        for item in ReportItem.select().where((ReportItem.claim == claim) & (ReportItem.status == "rejected")):
            ledger.requeue(item, learner, why=reason)
    claim = Claim.get_by_id(claim.id)
    return Correction(claim, Certificate.get_by_id(cert.id), cert.code, True)


def superseded(code: str) -> tuple[SupersededCertificate, Certificate] | None:
    """An old code: the row that keeps it and the certificate that replaced it (for /verify)."""
    old = SupersededCertificate.get_or_none(SupersededCertificate.code == code)
    return (old, Certificate.get_by_id(old.certificate_id)) if old else None
