"""The activity model: immutable dataclasses for an activity and its parts.

An `Activity` is what a convener's Markdown file means once it has been loaded and checked. The
catalogue site renders it and the claim server stores it; neither reads the YAML itself.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Mapping

from . import credits as C


def duration_hours(starts: dt.datetime, ends: dt.datetime | None) -> Decimal:
    """Whole quarter hours between two times (1 hour when there is no end, e.g. home study)."""
    if ends is None:
        return Decimal(1)
    return C.clock_hours((ends - starts).total_seconds() // 60)


@dataclass(frozen=True)
class Disclosure:
    """A financial relationship with an ineligible company, as the convener wrote it."""

    company: str
    relationship: str            # free text (ACCME); `label` is what learners see
    mitigation: str
    ended: dt.date | None = None
    exception: str = ""          # key in credits.DISCLOSURE_EXCEPTIONS, for owners and employees

    @property
    def label(self) -> str:
        return C.relationship_label(self.relationship)

    @property
    def is_owner_or_employee(self) -> bool:
        return self.label in C.OWNER_OR_EMPLOYEE


@dataclass(frozen=True)
class Person:
    name: str
    role: str
    disclosures: tuple[Disclosure, ...]
    attested: dt.date
    affiliation: str = ""

    @property
    def has_relationships(self) -> bool:
        return bool(self.disclosures)


@dataclass(frozen=True)
class CommercialSupport:
    company: str
    kind: str
    agreement_signed: dt.date | None = None


@dataclass(frozen=True)
class Question:
    question: str
    choices: tuple[str, ...]
    answer: int
    explanation: str
    case: str = ""


@dataclass(frozen=True)
class JoinDetails:
    """How a purchaser joins a live online session: shown by the claim server, never published."""

    url: str
    dial_in: str = ""
    note: str = ""

    def as_dict(self) -> dict:
        return {"url": self.url, "dial_in": self.dial_in, "note": self.note}


@dataclass(frozen=True)
class Designation:
    """One credit an activity carries: its type, maximum hours and the type's own details."""

    credit: str                  # key in credits.CREDIT_TYPES
    hours: Decimal               # designated maximum (credits for AMA)
    reference: str = ""          # UAN, P.A.C.E. program, California course or CE Broker tracking no.
    level: str = ""              # P.A.C.E. level of instruction
    audience: str = ""           # ACPE: 'P' pharmacists or 'T' technicians
    topic: str = ""              # ACPE topic designator ('01' …)
    subjects: tuple[str, ...] = ()  # Florida subject areas (the keys of `subject_hours`)
    activity_type: str = ""      # ACPE: key in credits.ACPE_ACTIVITY_TYPES
    subject_hours: tuple[tuple[str, Decimal], ...] = ()  # Florida: hours per subject area

    def __post_init__(self) -> None:
        # Either form gives the other: readers of `subjects` keep working, and one subject takes all.
        if self.subject_hours and not self.subjects:
            object.__setattr__(self, "subjects", tuple(s for s, _ in self.subject_hours))
        elif len(self.subjects) == 1 and not self.subject_hours:
            object.__setattr__(self, "subject_hours", ((self.subjects[0], self.hours),))

    @property
    def type(self) -> C.CreditType:
        return C.CREDIT_TYPES[self.credit]

    @property
    def topic_name(self) -> str:
        return C.ACPE_TOPICS.get(self.topic, "")

    def as_dict(self) -> dict:
        d = {"credit": self.credit, "hours": str(self.hours)}
        for k in ("reference", "level", "audience", "topic", "activity_type"):
            if getattr(self, k):
                d[k] = getattr(self, k)
        if self.subjects:
            d["subjects"] = list(self.subjects)
        if len(self.subject_hours) > 1:  # one subject takes all the hours: `subjects` says it
            d["subject_hours"] = [[s, str(h)] for s, h in self.subject_hours]
        return d

    @classmethod
    def from_dict(cls, d: Mapping) -> "Designation":
        return cls(credit=d["credit"], hours=Decimal(d["hours"]), reference=d.get("reference", ""),
                   level=d.get("level", ""), audience=d.get("audience", ""), topic=d.get("topic", ""),
                   subjects=tuple(d.get("subjects", ())), activity_type=d.get("activity_type", ""),
                   subject_hours=tuple((s, Decimal(h)) for s, h in d.get("subject_hours", ())))


@dataclass(frozen=True)
class Activity:
    slug: str
    title: str
    format: str
    starts: dt.datetime
    ends: dt.datetime | None
    claim_until: dt.date
    price: Decimal
    objectives: tuple[str, ...]
    designations: tuple[Designation, ...]
    faculty: tuple[Person, ...]
    description: str = ""
    timezone: str = ""
    conference: str = ""
    location: str = "Online"
    material: str = ""
    audience: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    follow_up_days: int | None = None  # None: the claim server's FOLLOW_UP_DAYS setting decides
    commercial_support: tuple[CommercialSupport, ...] = ()
    questions: tuple[Question, ...] = ()
    pass_mark: int | None = None
    tags: tuple[str, ...] = ()
    draft: bool = False
    joint_provider: str = ""     # ACCME joint providership: the partner organisation's name
    sessions: tuple = ()         # a meeting's sessions (catalog.meeting.Session), in programme order
    free_for_registrants: bool = False  # a meeting: registrants enrol free (claimserver.meetings)
    join: JoinDetails | None = None  # purchasers only: never rendered by the catalogue site
    room: str = ""               # in-person sessions: where to go (claim server, to purchasers)
    registration: str = ""       # in-person sessions: the conference's registration note
    presale: bool = True         # home study released later: may it be bought before its release?
    path: str = field(default="", compare=False)
    content_hash: str = field(default="", compare=False)

    # ----- derived facts -------------------------------------------------------------------
    @property
    def is_live(self) -> bool:
        return self.format in C.LIVE_FORMATS

    @property
    def is_in_person(self) -> bool:
        """A live session in a room (format live or workshop, at a venue rather than Online)."""
        return (self.format in C.IN_PERSON_FORMATS
                and self.location.strip().lower() != C.ONLINE_LOCATION.lower())

    def released_later(self, now: dt.datetime) -> bool:
        """Home study whose release (`starts`) is still ahead: 'Available from <date>'."""
        return self.is_home_study and now < self.starts

    @property
    def is_home_study(self) -> bool:
        return self.format in C.HOME_STUDY_FORMATS

    @property
    def format_name(self) -> str:
        return C.FORMATS[self.format]

    @property
    def learning_format(self) -> str:
        """The ACCME learning format (live activity, enduring material, journal-based CME)."""
        return C.AMA_LEARNING_FORMATS[self.format]

    @property
    def jointly_accredited(self) -> bool:
        """A `JA…` UAN: the provider is jointly accredited (Joint Accreditation for the team)."""
        return any(d.credit == "acpe" and d.reference.startswith(C.UAN_JOINT_ACCREDITATION_PREFIX)
                   for d in self.designations)

    @property
    def price_cents(self) -> int:
        return int(self.price * 100)


    @property
    def credit_keys(self) -> tuple[str, ...]:
        seen: list[str] = []
        for d in self.designations:
            if d.credit not in seen:
                seen.append(d.credit)
        return tuple(k for k in C.CREDIT_ORDER if k in seen)

    def designation(self, credit: str, audience: str = "") -> Designation | None:
        for d in self.designations:
            if d.credit == credit and (not audience or not d.audience or d.audience == audience):
                return d
        return None

    @property
    def max_hours(self) -> Decimal:
        """The largest designated amount: what a certificate of participation may state."""
        return max((d.hours for d in self.designations if d.credit != "participation"),
                   default=self.duration_hours)

    @property
    def duration_hours(self) -> Decimal:
        return duration_hours(self.starts, self.ends)

    @property
    def is_meeting(self) -> bool:
        return bool(self.sessions)

    def session(self, session_id: str):
        for s in self.sessions:
            if s.id == session_id:
                return s
        return None

    @property
    def targets_performance(self) -> bool:
        return "performance" in self.outcomes

