"""Fixed vocabularies, as enums: the states a record can be in and the words for them.

Stored as their string values (a `StrEnum` compares equal to its value, so a row read back as a
plain string still matches), and each carries the label people read. Code compares against these
members, never against a bare string typed in another module.
"""
from __future__ import annotations

from enum import StrEnum


class Vocabulary(StrEnum):
    """A StrEnum whose members are declared as `NAME = "value", "Label people read"`."""

    def __new__(cls, value: str, label: str = ""):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value
        return member

    @classmethod
    def labels(cls) -> dict[str, str]:
        """value -> label, in declaration order (for forms and templates)."""
        return {m.value: m.label for m in cls}


class OrderStatus(Vocabulary):
    """Where a learner's one order for an activity stands.

    pending: created, no payment started; processing: a payment was started with the provider and no
    verified outcome has arrived yet; paid: the provider confirmed it (or the activity is free);
    declined: the last payment failed, a new one may be started; refunded: paid, then fully refunded.
    """

    PENDING = "pending", "Not paid"
    PROCESSING = "processing", "Payment processing"
    PAID = "paid", "Paid"
    DECLINED = "declined", "Payment declined"
    REFUNDED = "refunded", "Refunded"


class PaymentStatus(Vocabulary):
    """One payment attempt at the provider (a PaymentIntent, or the test gateway's equivalent).

    started: the provider has it and waits for the payer; succeeded / failed: a verified outcome;
    error: the provider could not be reached or answered with an error, nothing was charged.
    """

    STARTED = "started", "Started"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    ERROR = "error", "Provider unavailable"


class PaymentEventOutcome(Vocabulary):
    """What processing one provider event (a webhook delivery or a confirmed return) did."""

    FULFILLED = "fulfilled", "Order paid"
    ALREADY_PAID = "already-paid", "Already paid"
    FAILED = "failed", "Failure recorded"
    REFUNDED = "refunded", "Refund recorded"
    MISMATCH = "mismatch", "Needs staff attention"  # amount, currency or metadata disagree; not fulfilled
    UNKNOWN = "unknown", "Not one of our payments"
    IGNORED = "ignored", "Ignored"


class CertificateOnRefund(Vocabulary):
    """What staff chose for certificates already issued when an order is refunded."""

    REVOKE = "revoke", "Revoke the certificates"
    KEEP = "keep", "Keep the certificates"


class CertificateStatus(Vocabulary):
    """Where an issued certificate stands (its verification page, staff pages): a reissue supersedes
    it (the new code is the valid one), a revocation ends it."""

    VALID = "valid", "Valid"
    SUPERSEDED = "superseded", "Superseded"
    REVOKED = "revoked", "Revoked"


class ParticipationMethod(Vocabulary):
    """How a learner's participation was recorded."""

    CODE = "code", "Attendance code"
    ROSTER = "roster", "Roster"
    BADGE = "badge", "Badge scan"
    ATTESTED = "attested", "Attested by the learner"
    POST_TEST = "post-test", "Post-test"


class Step(Vocabulary):
    """Where one purchase stands on My Activities: the learner's next step."""

    PAY = "pay", "Payment not completed"
    PARTICIPATE = "participate", "Purchased"
    EVALUATE = "evaluate", "Participated"
    CLAIM = "claim", "Evaluated"
    CERTIFICATE = "certificate", "Credit claimed"
    CLOSED = "closed", "Closed"
    REFUNDED = "refunded", "Refunded"


class NextAction(Vocabulary):
    """What a learner does next for one purchase, as the "Next step" link on every page of the
    activity and on My Activities words it (`Step.action` chooses)."""

    PAY = "pay", "Complete payment"
    JOIN = "join", "Join the session"  # before a live session starts; its page words the time (catalog.dates.join_on)
    ATTEND = "attend", "Enter attendance code"
    ATTEND_SESSIONS = "attend-sessions", "Record your attendance at the sessions"
    STUDY = "study", "Open the material and take the post-test"
    EVALUATE = "evaluate", "Evaluate the activity"
    CLAIM = "claim", "Claim credit"


def step_action(step: "Step", *, live: bool, meeting: bool = False, started: bool = True) -> NextAction | None:
    """The action of a step: taking part reads differently for a live session (joining it before it
    starts, its attendance code once it has), a meeting and home study. None when nothing is left to
    do (all claimed, closed, refunded)."""
    if step == Step.PARTICIPATE:
        if meeting:
            return NextAction.ATTEND_SESSIONS
        if live:
            return NextAction.ATTEND if started else NextAction.JOIN
        return NextAction.STUDY
    return {Step.PAY: NextAction.PAY, Step.EVALUATE: NextAction.EVALUATE, Step.CLAIM: NextAction.CLAIM}.get(step)


class CreditStanding(Vocabulary):
    """Where one credit type of one purchase stands for the learner (My Activities, the transcript)."""

    CLAIMABLE = "claimable", "Not claimed yet"
    CLAIMED = "claimed", "Claimed"
    REPORTED = "reported", "Reported"
    REJECTED = "rejected", "Rejected"
    MISSED = "missed", "Missed"


class ReportStatus(Vocabulary):
    """A report item's state in the reporting ledger."""

    DUE = "due", "Due"
    EXPORTED = "exported", "Sent"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    CORRECTED = "corrected", "Corrected"
    WITHDRAWN = "withdrawn", "Withdrawn (certificate revoked)"
    RETRACTED = "retracted", "Retracted"


class CompetenceMeasure(Vocabulary):
    """What an activity's competence figures count (director reports): journal and on-demand
    activities are measured by their post-test, live ones by the evaluation's case questions.
    Commitment to change is an intent, reported beside competence and never scored as it."""

    POST_TEST = "post-test", "the post-test (each learner's first attempt)"
    EVALUATION = "evaluation", "the case questions in the evaluation"


class ReviewBody(Vocabulary):
    DIRECTOR = "director", "Course director"
    COMMITTEE = "committee", "Program committee"


class ReviewPhase(Vocabulary):
    COMPETENCE = "competence", "After the competence results"
    FOLLOW_UP = "follow-up", "After the follow-ups"


class ReviewVerdict(Vocabulary):
    ACCEPTABLE = "acceptable", "Results acceptable"
    CHANGES_NEEDED = "changes-needed", "Changes needed"


class Implemented(Vocabulary):
    """A follow-up answer: was the intended change made?"""

    FULLY = "fully", "Yes, fully"
    PARTLY = "partly", "Partly"
    NOT_YET = "not-yet", "Not yet"
    NOT_APPLICABLE = "not-applicable", "Not applicable to my work"
