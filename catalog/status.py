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


class ReportStatus(Vocabulary):
    """A report item's state in the reporting ledger."""

    DUE = "due", "Due"
    EXPORTED = "exported", "Sent"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    CORRECTED = "corrected", "Corrected"
    WITHDRAWN = "withdrawn", "Withdrawn (certificate revoked)"
    RETRACTED = "retracted", "Retracted"


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
