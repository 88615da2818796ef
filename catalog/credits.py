"""Credit types: what each is called, how its hours are counted, who may claim it and where it is
reported; plus the activity formats and the accreditors' tables (ACPE topics, Florida subjects, …).

This module owns credit arithmetic: hours ⇄ the quarter hours claims are stored in, minutes per
unit, increments, rounding, CEU and the units' names. Nothing else multiplies or divides hours.
Statements live in `catalog.statements`, professions in `catalog.professions`, reporting bodies in
`catalog.destinations`, date wording in `catalog.dates`. Each fact names the body it comes from;
tables a society may need to change (*confirm* in the accreditors' texts) are plain tables here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from . import professions as P
from .destinations import DESTINATIONS, Destination

# --------------------------------------------------------------------------------------------
# Activity formats and their learning formats (ACCME, ACPE).
# --------------------------------------------------------------------------------------------
FORMATS: dict[str, str] = {
    "live": "Live session at a society meeting",
    "teleconference": "Teleconference",
    "webinar": "Live webinar",
    "workshop": "Workshop",
    "journal": "Journal-based material",
    "on-demand": "On-demand recording",
}
LIVE_FORMATS = frozenset({"live", "teleconference", "webinar", "workshop"})
HOME_STUDY_FORMATS = frozenset({"journal", "on-demand"})
#: Live formats held in a room when the `location` is a venue (not Online): a room, not a join link.
IN_PERSON_FORMATS = frozenset({"live", "workshop"})
#: The `location` word for a session held online.
ONLINE_LOCATION = "Online"

#: ACCME learning format per activity format (AMA PRA Booklet): conferences, teleconferences,
#: live webinars and workshops are live; recordings are enduring; journal material is journal-based.
AMA_LEARNING_FORMATS: dict[str, str] = {
    "live": "live activity",
    "teleconference": "live activity",
    "webinar": "live activity",
    "workshop": "live activity",
    "on-demand": "enduring material",
    "journal": "journal-based CME activity",
}

# --------------------------------------------------------------------------------------------
# ACPE topic designators (ACPE, *confirm the newer codes*): the two digits after L/H in a UAN.
# --------------------------------------------------------------------------------------------
ACPE_TOPICS: dict[str, str] = {
    "01": "Disease state management / drug therapy",
    "02": "HIV/AIDS therapy",
    "03": "Law related to pharmacy practice",
    "04": "General pharmacy",
    "05": "Patient safety",
    "06": "Immunizations",
    "07": "Compounding",
    "08": "Pain management, opioids and substance use disorder",
}
#: ACPE: Universal Activity Number. Provider (or JA + 7 digits for joint accreditation),
#: joint-provider flag, year, sequence, L/H + topic, P/T.
UAN_PATTERN = r"^(?:\d{4}|JA\d{7})-(?:0000|9999)-\d{2}-\d{3}-[LH]\d{2}-[PT]$"
#: ACPE: home-study activities expire within three years of release.
ACPE_HOME_STUDY_MAX_YEARS = 3
#: ACPE: 0.1 CEU is one contact hour.
CEU_PER_CONTACT_HOUR = Decimal("0.1")
#: Florida subject areas a CE Broker course may count toward (*confirm* with CE Broker).
FLORIDA_SUBJECTS: dict[str, str] = {
    "general": "General clinical laboratory",
    "hiv-aids": "HIV/AIDS",
    "medical-errors": "Prevention of medical errors",
    "florida-laws": "Florida laws and rules",
    "supervision": "Supervision and administration",
}
#: Contact hours a licensee needs per 2-year cycle: California CLS (CDPH LFS) and Florida
#: clinical laboratory personnel (Board of Clinical Laboratory Personnel). Shown on the transcript.
CALIFORNIA_CYCLE_HOURS = 24
FLORIDA_BIENNIUM_HOURS = 24
#: P.A.C.E. levels of instruction (ASCLS).
PACE_LEVELS = ("basic", "intermediate", "advanced")
#: P.A.C.E.: a program lasts at least 50 minutes, at most 7 contact hours a day.
PACE_MAX_HOURS_PER_DAY = Decimal(7)

#: ACCME Standards for Integrity and Independence: relationships disclosed over the past 24 months.
DISCLOSURE_LOOKBACK_MONTHS = 24
#: The nature of a relationship is free text (ACCME Standard 3). Known terms, written in any case or
#: spacing and with their usual synonyms, map to the one label learners see; others are shown as
#: written. Keys are normalised by `relationship_key`.
RELATIONSHIPS: dict[str, str] = {
    "employee": "Employee", "employment": "Employee", "employed": "Employee",
    "researcher": "Researcher",
    "consultant": "Consultant", "consulting": "Consultant", "consultancy": "Consultant",
    "advisor": "Advisor", "adviser": "Advisor", "advisory": "Advisor",
    "advisory board": "Advisory board", "advisory board member": "Advisory board",
    "advisory committee": "Advisory board",
    "speaker": "Speaker", "speakers bureau": "Speaker", "speaker's bureau": "Speaker",
    "speakers' bureau": "Speaker",
    "independent contractor": "Independent contractor",
    "contractor": "Independent contractor",
    "contracted research": "Independent contractor (contracted research)",
    "independent contractor (including contracted research)":
        "Independent contractor (contracted research)",
    "royalties": "Royalties or patent beneficiary", "royalty": "Royalties or patent beneficiary",
    "patent beneficiary": "Royalties or patent beneficiary",
    "patent holder": "Royalties or patent beneficiary",
    "royalties or patent beneficiary": "Royalties or patent beneficiary",
    "royalties/patent beneficiary": "Royalties or patent beneficiary",
    "executive role": "Executive role", "executive": "Executive role", "officer": "Executive role",
    "ceo": "Executive role", "chief executive officer": "Executive role",
    "chief medical officer": "Executive role", "chief scientific officer": "Executive role",
    "president": "Executive role", "vice president": "Executive role",
    "ownership interest": "Ownership interest", "owner": "Ownership interest",
    "ownership": "Ownership interest", "co-founder": "Ownership interest",
    "founder": "Ownership interest",
    "stockholder": "Stockholder", "shareholder": "Stockholder", "stock": "Stockholder",
    "stock options": "Stockholder",
    "grant": "Grant/research support", "grants": "Grant/research support",
    "research support": "Grant/research support", "grant support": "Grant/research support",
    "grant/research support": "Grant/research support", "research grant": "Grant/research support",
    "honoraria": "Honoraria", "honorarium": "Honoraria",
    "board member": "Board member", "board of directors": "Board member",
}
#: ACCME Standard 3.2: owners and employees of ineligible companies may not be in control of
#: accredited content unless one of the Standard's exceptions applies (the labels above).
OWNER_OR_EMPLOYEE = frozenset({"Employee", "Executive role", "Ownership interest"})
#: ACCME Standard 3.2: the three exceptions, as `exception:` values, in the Standard's words.
DISCLOSURE_EXCEPTIONS: dict[str, str] = {
    "unrelated-content": "The content of the accredited activity is not related to the business "
                         "lines or products of their employer/company.",
    "technical-instruction": "They are participating as technicians to teach the safe and proper use "
                             "of medical devices, and do not recommend whether or when a device is used.",
    "research": "The content of the accredited activity is limited to basic science research, such as "
                "pre-clinical research and drug discovery, or the methodologies of research, and they "
                "do not make care recommendations.",
}
#: ACCME Standard 3.3: a mitigation is an action. These words (normalised) say that nothing was done.
NOT_A_MITIGATION = frozenset({
    "", "none", "no", "nil", "n/a", "na", "n.a", "-", "--", "not applicable", "nothing", "no action",
    "none needed", "none required", "not needed", "not required", "no mitigation", "tbd", "unknown",
})
#: The society's rule: a disclosure and attestation form signed more than 12 months before the
#: activity starts is out of date (ACCME expects disclosures of the past 24 months as of the role).
ATTESTATION_VALID_MONTHS = 12


def relationship_key(text: str) -> str:
    """'Advisory  Board' / 'advisory-board' / 'ADVISORY_BOARD.' -> 'advisory board'."""
    s = re.sub(r"\s*/\s*", "/", text.strip().lower().rstrip(".;,"))
    return re.sub(r"[\s_-]+", " ", s).strip()


_RELATIONSHIP_LABELS = {relationship_key(k): v for k, v in RELATIONSHIPS.items()}
_NOT_A_MITIGATION = {relationship_key(k) for k in NOT_A_MITIGATION}


def relationship_label(text: str) -> str:
    """The label learners see for a relationship: a known term's, else the text as written."""
    return _RELATIONSHIP_LABELS.get(relationship_key(text), text.strip())


def is_real_mitigation(text: str) -> bool:
    """False for 'none', 'n/a', '-', 'not applicable' … (ACCME: a mitigation is an action)."""
    return relationship_key(text) not in _NOT_A_MITIGATION


#: ACPE: every activity has an activity type (`activity_type:` key -> label on page and record).
ACPE_ACTIVITY_TYPES: dict[str, str] = {
    "knowledge": "Knowledge-based", "application": "Application-based", "practice": "Practice-based",
}
#: ACPE: a UAN's year is when the activity was developed or first offered, never after the
#: activity's year; a repeated live activity keeps it for up to 3 years.
UAN_MAX_AGE_YEARS = 3
#: ACPE: the UAN's second block. 9999 = jointly provided (needs `joint_provider:`); JA = Joint Accreditation.
UAN_JOINT_PROVIDER_BLOCK = "9999"
UAN_JOINT_ACCREDITATION_PREFIX = "JA"
#: 64B3-11.001: the Board-approved prevention-of-medical-errors course is a 2-hour course.
FLORIDA_MEDICAL_ERRORS_HOURS = Decimal(2)
#: Offerings of at least one credit hour of instruction, counted in the credit type's own minutes
#: (California: 17 CCR 1038.3; Florida: 64B3-11.002(6)).
STATE_MINIMUM_RULES: dict[str, str] = {"california_cls": "17 CCR 1038.3", "florida": "64B3-11.002"}
ROLES = ("speaker", "planner", "reviewer", "convener", "moderator", "author")

#: Days after a live activity ends during which credit may be claimed when `claim_until` is absent.
DEFAULT_CLAIM_DAYS = 365
#: Days after completion when the practice-change questionnaire goes out (seed: about 90).
DEFAULT_FOLLOW_UP_DAYS = 90
#: The price when a convener states none (the seed: $25).
DEFAULT_PRICE = Decimal("25.00")
#: The provider's name as printed in statements unless the site or server configures another.
DEFAULT_PROVIDER = "American Society for Microbiology"


#: Claims are stored as whole quarter hours (`Claim.quarter_hours`); every credit type's increment
#: is a whole number of quarters.
QUARTER = Decimal("0.25")
QUARTERS_PER_HOUR = 4


def to_quarters(hours: Decimal | int | str) -> int:
    """1.5 -> 6. Refuses an amount that is not a whole number of quarter hours."""
    q = Decimal(str(hours)) * QUARTERS_PER_HOUR
    if q != q.to_integral_value():
        raise ValueError(f"{hours} is not a whole number of quarter hours")
    return int(q)


def from_quarters(quarters: int) -> Decimal:
    """6 -> Decimal('1.5')."""
    return Decimal(int(quarters)) / QUARTERS_PER_HOUR


def clock_hours(minutes: int | float) -> Decimal:
    """Whole quarter hours in a span of minutes (60-minute hours, rounded down): 95 -> 1.5."""
    return from_quarters(int(minutes) * QUARTERS_PER_HOUR // 60)


def format_hours(hours: Decimal | float | int) -> str:
    """1.50 -> '1.5', 2.00 -> '2', 0.25 -> '0.25' (credit as printed everywhere)."""
    return format(Decimal(str(hours)).normalize(), "f")


def plural(amount: Decimal | int, singular: str, plural_: str) -> str:
    return singular if Decimal(str(amount)) == 1 else plural_


@dataclass(frozen=True)
class CreditType:
    """One kind of credit a learner can claim, with its arithmetic and its names."""

    key: str
    name: str                      # as printed, e.g. 'AMA PRA Category 1 Credit™'
    short: str                     # in listings and filters
    unit_singular: str
    unit_plural: str
    minutes_per_unit: int          # 60 (AMA, ACPE) or 50 (P.A.C.E., California, Florida)
    increment: Decimal             # claims are multiples of this
    body: str                      # accrediting or accepting body
    certificate_title: str
    reported_to: str | None = None  # key of the Destination a claim is reported to
    needs: tuple[str, ...] = ()    # profile fields (catalog.professions.PROFILE_FIELDS) a claim requires
    is_official_certificate: bool = True
    ceu_per_unit: Decimal | None = None  # ACPE: 0.1 CEU per contact hour
    #: The unit (singular, plural) where several credit types share a line ("in brief", under an
    #: activity's title): it must say whose hours they are. Empty: the unit already says it.
    brief_units: tuple[str, str] = ()

    # ----- who and where ------------------------------------------------------------------
    @property
    def professions(self) -> frozenset[str]:
        """Keys of the professions that may claim it (catalog.professions decides)."""
        return P.professions_for(self.key)

    @property
    def destination(self) -> Destination | None:
        return DESTINATIONS.get(self.reported_to or "")

    # ----- arithmetic ---------------------------------------------------------------------
    def to_quarters(self, hours: Decimal) -> int:
        return to_quarters(hours)

    def from_quarters(self, quarters: int) -> Decimal:
        return from_quarters(quarters)

    def minutes(self, hours: Decimal | int) -> Decimal:
        """Minutes of instruction the hours stand for: 1.5 P.A.C.E. hours -> 75."""
        return Decimal(str(hours)) * self.minutes_per_unit

    def hours_in(self, minutes: int | Decimal) -> Decimal:
        """The most hours a span of minutes earns, rounded down to the increment: 75 P.A.C.E. -> 1.5."""
        steps = (Decimal(str(minutes)) / self.minutes_per_unit / self.increment).to_integral_value(ROUND_FLOOR)
        return steps * self.increment

    def round_down(self, hours: Decimal) -> Decimal:
        """Hours rounded down to the increment: 1.3 -> 1.25."""
        return (Decimal(str(hours)) / self.increment).to_integral_value(ROUND_FLOOR) * self.increment

    def valid_amount(self, hours: Decimal) -> bool:
        """More than 0 and a whole number of increments."""
        return hours > 0 and (hours / self.increment) == (hours / self.increment).to_integral_value()

    def amounts_up_to(self, maximum: Decimal) -> list[Decimal]:
        """Valid amounts to suggest for a maximum, never above it: 1.5 -> [0.75, 1.25, 1.5]."""
        top = self.round_down(maximum)
        picks = {self.round_down(top / 2), top - self.increment, top}
        return sorted(p for p in picks if p > 0)

    def ceu(self, hours: Decimal) -> Decimal | None:
        """ACPE: 1.5 contact hours -> 0.15 CEU (None for credit that has no CEU)."""
        return (Decimal(str(hours)) * self.ceu_per_unit).normalize() if self.ceu_per_unit else None

    def increment_minutes(self) -> Decimal:
        """How long one increment is: 0.25 of a 60-minute hour is 15 minutes, of a 50-minute one 12.5."""
        return self.minutes(self.increment)

    # ----- names --------------------------------------------------------------------------
    def unit_name(self, hours: Decimal | int) -> str:
        return plural(hours, self.unit_singular, self.unit_plural)

    def units(self, hours: Decimal | int) -> str:
        """'1.5 contact hours', '1 AMA PRA Category 1 Credit™'."""
        return f"{format_hours(hours)} {self.unit_name(hours)}"

    def brief(self, hours: Decimal | int) -> str:
        """'1.5 ACPE contact hours', '1 AMA PRA Category 1 Credit™': one credit among others on a line."""
        if not self.brief_units:
            return self.units(hours)
        return f"{format_hours(hours)} {plural(hours, *self.brief_units)}"


CREDIT_TYPES: dict[str, CreditType] = {
    # ACCME / AMA PRA Booklet: physicians claim in 0.25 steps, only what their participation earned.
    "ama_pra_1": CreditType(
        key="ama_pra_1", name="AMA PRA Category 1 Credit™", short="AMA PRA Category 1",
        unit_singular="AMA PRA Category 1 Credit™", unit_plural="AMA PRA Category 1 Credits™",
        minutes_per_unit=60, increment=QUARTER,
        body="Accreditation Council for Continuing Medical Education (ACCME)",
        certificate_title="Certificate of AMA PRA Category 1 Credit™",
        reported_to="pars",
    ),
    # ACPE: contact hours of 60 minutes; CPE Monitor issues the official statement of credit.
    "acpe": CreditType(
        key="acpe", name="ACPE contact hours", short="ACPE (pharmacy)",
        unit_singular="contact hour", unit_plural="contact hours",
        minutes_per_unit=60, increment=QUARTER,
        body="Accreditation Council for Pharmacy Education (ACPE)",
        certificate_title="Record of Participation (ACPE)",
        reported_to="cpe_monitor", ceu_per_unit=CEU_PER_CONTACT_HOUR,
        needs=("nabp_epid", "birth_mmdd"), is_official_certificate=False,
        brief_units=("ACPE contact hour", "ACPE contact hours"),
    ),
    # ASCLS P.A.C.E.: contact hours of 50 minutes; increment *confirm*.
    "pace": CreditType(
        key="pace", name="P.A.C.E.® contact hours", short="P.A.C.E.® (laboratory)",
        unit_singular="P.A.C.E.® contact hour", unit_plural="P.A.C.E.® contact hours",
        minutes_per_unit=50, increment=QUARTER,
        body="ASCLS P.A.C.E.® Program",
        certificate_title="Certificate of P.A.C.E.® Continuing Education",
    ),
    # CDPH Laboratory Field Services: P.A.C.E. or AMA hours accepted toward CLS renewal.
    "california_cls": CreditType(
        key="california_cls", name="California CLS continuing education", short="California CLS",
        unit_singular="contact hour", unit_plural="contact hours",
        minutes_per_unit=50, increment=QUARTER,
        body="California Department of Public Health, Laboratory Field Services",
        certificate_title="Certificate of Continuing Education (California CLS)",
        needs=("california_licence",),
        brief_units=("California CLS contact hour", "California CLS contact hours"),
    ),
    # Florida Board of Clinical Laboratory Personnel: reported to CE Broker (catalog.destinations).
    "florida": CreditType(
        key="florida", name="Florida clinical laboratory continuing education", short="Florida (CE Broker)",
        unit_singular="contact hour", unit_plural="contact hours",
        minutes_per_unit=50, increment=QUARTER,
        body="Florida Board of Clinical Laboratory Personnel (CE Broker)",
        certificate_title="Certificate of Continuing Education (Florida)",
        reported_to="ce_broker", needs=("florida_licence",),
        brief_units=("Florida contact hour", "Florida contact hours"),
    ),
    # Everyone else, including diplomates and registrants: a certificate of participation.
    "participation": CreditType(
        key="participation", name="Certificate of participation", short="Participation",
        unit_singular="hour", unit_plural="hours",
        minutes_per_unit=60, increment=QUARTER,
        body="",
        certificate_title="Certificate of Participation",
        brief_units=("hour of participation", "hours of participation"),
    ),
}

#: Order in which credit types are listed on pages and certificates.
CREDIT_ORDER = tuple(CREDIT_TYPES)


def required_fields(profession: str | None) -> tuple[str, ...]:
    """Profile fields a learner of this profession must have to claim any of their credit: those every
    one of their credit types needs (pharmacists: NABP e-Profile ID and birth MMDD for CPE Monitor)."""
    p = P.profession(profession)
    if p is None or not p.credit_types:
        return ()
    needs = [set(CREDIT_TYPES[k].needs) for k in p.credit_types]
    common = set.intersection(*needs)
    return tuple(f for f in P.PROFILE_FIELDS if f in common)


def may_claim(profession: str | None, key: str) -> bool:
    """Whether a learner of this profession may claim this credit type (catalog.professions)."""
    return P.may_claim(profession, key)
