"""Credit types: who may claim each, how hours are counted, and every statement printed about them.

This is the only place that spells out an accreditation statement or certificate wording. The
catalogue site, the claim server and the certificates all render from these definitions, so they can
never disagree. Each fact names the body it comes from (see ../shared/CE-RULES.md); facts marked
*confirm* there live in plain tables here so a society can change them in one place.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# --------------------------------------------------------------------------------------------
# Learner groups (professions). Source: the seed's six groups, CE-RULES.md "Who claims what".
# --------------------------------------------------------------------------------------------
PROFESSIONS: dict[str, str] = {
    "physician": "Physician (MD, DO or international equivalent)",
    "diplomate": "Board diplomate or registrant (ABMM, ABMLI, NRCM, other)",
    "pharmacist": "Pharmacist",
    "pharmacy-technician": "Pharmacy technician",
    "laboratory-professional": "Clinical laboratory professional (incl. California CLS, Florida)",
    "other": "Other health professional or other CE licence",
}

#: Audience words a convener may write in `audience:` (who the activity is planned for).
AUDIENCES: dict[str, str] = {
    "physicians": "Physicians",
    "pharmacists": "Pharmacists",
    "pharmacy-technicians": "Pharmacy technicians",
    "laboratory-professionals": "Clinical laboratory professionals",
    "diplomates": "Board diplomates and registrants",
    "scientists": "Scientists and other health professionals",
}

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
# Reporting deadlines and warning days (CPE Monitor, CE Broker, PARS): catalog/destinations.py.
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
RELATIONSHIPS = (
    "employee", "owner", "stockholder", "consultant", "advisor", "speaker", "researcher",
    "grant", "royalties", "honoraria", "board-member", "other",
)
ROLES = ("speaker", "planner", "reviewer", "convener", "moderator", "author")

#: Days after a live activity ends during which credit may be claimed when `claim_until` is absent.
DEFAULT_CLAIM_DAYS = 365
#: Days after completion when the practice-change questionnaire goes out (seed: about 90).
DEFAULT_FOLLOW_UP_DAYS = 90
#: The price when a convener states none (the seed: $25).
DEFAULT_PRICE = Decimal("25.00")
#: The provider's name as printed in statements unless the site or server configures another.
DEFAULT_PROVIDER = "American Society for Microbiology"


# --------------------------------------------------------------------------------------------
# Statements. A statement is a run of segments so the credit name can be set in italics in HTML,
# Markdown and PDF alike without anyone typing it by hand.
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Statement:
    """Text with italic segments, renderable as plain text, HTML or Markdown."""

    segments: tuple[tuple[str, bool], ...]

    @classmethod
    def of(cls, *parts: str | tuple[str, bool]) -> "Statement":
        return cls(tuple(p if isinstance(p, tuple) else (p, False) for p in parts))

    @property
    def text(self) -> str:
        return "".join(s for s, _ in self.segments)

    def html(self) -> str:
        from markupsafe import escape

        return "".join(f"<em>{escape(s)}</em>" if it else str(escape(s)) for s, it in self.segments)

    def markdown(self) -> str:
        return "".join(f"*{s}*" if it else s for s, it in self.segments)

    def __str__(self) -> str:
        return self.text


def format_hours(hours: Decimal | float | int) -> str:
    """1.50 -> '1.5', 2.00 -> '2', 0.25 -> '0.25' (credit as printed everywhere)."""
    d = Decimal(str(hours)).normalize()
    s = format(d, "f")
    return s


def credit_word(hours: Decimal, singular: str, plural: str) -> str:
    return singular if Decimal(str(hours)) == 1 else plural


def the_provider(provider: str) -> str:
    """'American Society for Microbiology' -> 'The American Society for Microbiology'."""
    return provider if provider.lower().startswith("the ") else f"the {provider}"


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


@dataclass(frozen=True)
class CreditType:
    """One kind of credit a learner can claim, and everything printed about it."""

    key: str
    name: str                      # as printed, e.g. 'AMA PRA Category 1 Credit™'
    short: str                     # in listings and filters
    unit_singular: str
    unit_plural: str
    minutes_per_unit: int          # 60 (AMA, ACPE) or 50 (P.A.C.E.)
    increment: Decimal             # claims are multiples of this
    professions: frozenset[str]    # who may claim it
    body: str                      # accrediting or accepting body
    certificate_title: str
    reported_to: str | None = None  # key of the catalog.destinations record a claim is reported to
    needs: tuple[str, ...] = ()    # profile fields a claim requires
    is_official_certificate: bool = True

    @property
    def destination(self):
        """The `catalog.destinations.Destination` this credit is reported to, or None."""
        from .destinations import DESTINATIONS

        return DESTINATIONS.get(self.reported_to or "")

    def units(self, hours: Decimal) -> str:
        return f"{format_hours(hours)} {credit_word(hours, self.unit_singular, self.unit_plural)}"

    def valid_amount(self, hours: Decimal) -> bool:
        return hours > 0 and (hours / self.increment) == (hours / self.increment).to_integral_value()


QUARTER = Decimal("0.25")

CREDIT_TYPES: dict[str, CreditType] = {
    # ACCME / AMA PRA Booklet: physicians claim in 0.25 steps, only what their participation earned.
    "ama_pra_1": CreditType(
        key="ama_pra_1", name="AMA PRA Category 1 Credit™", short="AMA PRA Category 1",
        unit_singular="AMA PRA Category 1 Credit™", unit_plural="AMA PRA Category 1 Credits™",
        minutes_per_unit=60, increment=QUARTER, professions=frozenset({"physician"}),
        body="Accreditation Council for Continuing Medical Education (ACCME)",
        certificate_title="Certificate of AMA PRA Category 1 Credit™",
        reported_to="pars",
    ),
    # ACPE: contact hours of 60 minutes; CPE Monitor issues the official statement of credit.
    "acpe": CreditType(
        key="acpe", name="ACPE contact hours", short="ACPE (pharmacy)",
        unit_singular="contact hour", unit_plural="contact hours",
        minutes_per_unit=60, increment=QUARTER,
        professions=frozenset({"pharmacist", "pharmacy-technician"}),
        body="Accreditation Council for Pharmacy Education (ACPE)",
        certificate_title="Record of Participation (ACPE)",
        reported_to="cpe_monitor",
        needs=("nabp_epid", "birth_mmdd"), is_official_certificate=False,
    ),
    # ASCLS P.A.C.E.: contact hours of 50 minutes; increment *confirm*.
    "pace": CreditType(
        key="pace", name="P.A.C.E.® contact hours", short="P.A.C.E.® (laboratory)",
        unit_singular="P.A.C.E.® contact hour", unit_plural="P.A.C.E.® contact hours",
        minutes_per_unit=50, increment=QUARTER,
        professions=frozenset({"laboratory-professional"}),
        body="ASCLS P.A.C.E.® Program",
        certificate_title="Certificate of P.A.C.E.® Continuing Education",
    ),
    # CDPH Laboratory Field Services: P.A.C.E. or AMA hours accepted toward CLS renewal.
    "california_cls": CreditType(
        key="california_cls", name="California CLS continuing education", short="California CLS",
        unit_singular="contact hour", unit_plural="contact hours",
        minutes_per_unit=50, increment=QUARTER,
        professions=frozenset({"laboratory-professional"}),
        body="California Department of Public Health, Laboratory Field Services",
        certificate_title="Certificate of Continuing Education (California CLS)",
        needs=("california_licence",),
    ),
    # Florida Board of Clinical Laboratory Personnel: reported to CE Broker (catalog.destinations).
    "florida": CreditType(
        key="florida", name="Florida clinical laboratory continuing education", short="Florida (CE Broker)",
        unit_singular="contact hour", unit_plural="contact hours",
        minutes_per_unit=50, increment=QUARTER,
        professions=frozenset({"laboratory-professional"}),
        body="Florida Board of Clinical Laboratory Personnel (CE Broker)",
        certificate_title="Certificate of Continuing Education (Florida)",
        reported_to="ce_broker", needs=("florida_licence",),
    ),
    # Everyone else, including diplomates and registrants: a certificate of participation.
    "participation": CreditType(
        key="participation", name="Certificate of participation", short="Participation",
        unit_singular="hour", unit_plural="hours",
        minutes_per_unit=60, increment=QUARTER,
        professions=frozenset(PROFESSIONS),
        body="",
        certificate_title="Certificate of Participation",
    ),
}

#: Order in which credit types are listed on pages and certificates.
CREDIT_ORDER = tuple(CREDIT_TYPES)


def may_claim(profession: str | None, key: str) -> bool:
    """Whether a learner of this profession may claim this credit type (CE-RULES 'Who claims what')."""
    if key == "participation":
        return True
    return profession in CREDIT_TYPES[key].professions


#: What a credit type's `needs` ask for, as learners read it.
PROFILE_FIELD_LABELS: dict[str, str] = {
    "nabp_epid": "NABP e-Profile ID",
    "birth_mmdd": "birth month and day (MMDD)",
    "california_licence": "California CLS licence number",
    "florida_licence": "Florida licence number",
}


# --------------------------------------------------------------------------------------------
# Statement templates. Sources: ACCME accreditation and AMA designation statements; ACPE
# accreditation statement; ASCLS P.A.C.E. approval statement.
# --------------------------------------------------------------------------------------------
def ama_designation_statement(provider: str, fmt: str, credits: Decimal) -> Statement:
    """AMA PRA Booklet: the designation statement, never typed by hand."""
    learning = AMA_LEARNING_FORMATS[fmt]
    credit = "AMA PRA Category 1 Credit" if Decimal(credits) == 1 else "AMA PRA Category 1 Credits"
    return Statement.of(
        f"{_cap(the_provider(provider))} designates this {learning} for a maximum of "
        f"{format_hours(credits)} ",
        (credit, True),
        "™. Physicians should claim only the credit commensurate with the extent of their "
        "participation in the activity.",
    )


def accme_accreditation_statement(provider: str) -> Statement:
    return Statement.of(
        f"{_cap(the_provider(provider))} is accredited by the Accreditation Council for Continuing "
        "Medical Education (ACCME) to provide continuing medical education for physicians."
    )


def acpe_accreditation_statement(provider: str) -> Statement:
    return Statement.of(
        f"{_cap(the_provider(provider))} is accredited by the Accreditation Council for Pharmacy "
        "Education as a provider of continuing pharmacy education."
    )


def pace_approval_statement(provider: str) -> Statement:
    return Statement.of(
        f"{_cap(the_provider(provider))} is approved as a provider of continuing education programs "
        "in the clinical laboratory sciences by the ASCLS P.A.C.E.® Program."
    )


def california_statement(provider: str, course: str) -> Statement:
    return Statement.of(
        f"This activity is accepted for California Clinical Laboratory Scientist (CLS) licence "
        f"renewal by the California Department of Public Health, Laboratory Field Services, as "
        f"P.A.C.E.® or AMA PRA Category 1 continuing education. Course number: {course}."
    )


def florida_statement(provider: str, tracking: str) -> Statement:
    return Statement.of(
        "This activity is approved for Florida clinical laboratory personnel licence renewal. "
        f"Completion is reported to CE Broker (course tracking number {tracking}) within "
        f"{CREDIT_TYPES['florida'].destination.deadline_days} days."
    )


def acpe_record_statement() -> Statement:
    """ACPE since 2014: only CPE Monitor issues statements of credit."""
    return Statement.of(
        "This is a record of participation, not a statement of credit. Your official statement of "
        "credit is available in NABP's CPE Monitor once the society has reported your completion "
        f"(within {CREDIT_TYPES['acpe'].destination.deadline_days} days of participation)."
    )


def _designated_for(designated: Decimal) -> tuple[str | tuple[str, bool], ...]:
    """'This activity was designated for a maximum of 1.5 *AMA PRA Category 1 Credits*™.'"""
    credit = "AMA PRA Category 1 Credit" if Decimal(designated) == 1 else "AMA PRA Category 1 Credits"
    return (f"This activity was designated for a maximum of {format_hours(designated)} ", (credit, True), "™.")


def ama_participation_statement(designated: Decimal) -> Statement:
    """Certificates of participation for non-physicians: what the activity was designated for, without
    the physicians' designation statement (that is addressed to physicians claiming credit)."""
    return Statement.of(*_designated_for(designated))


def diplomate_statement(provider: str, fmt: str, designated: Decimal, claimed: Decimal) -> Statement:
    """Diplomates and registrants: participation stating the AMA designation and the hours claimed."""
    return Statement.of(
        *_designated_for(designated),
        f" The participant attended {format_hours(claimed)} {credit_word(claimed, 'hour', 'hours')} "
        "and may submit this certificate toward recertification or registration maintenance.",
    )


def certificate_credit_line(key: str, hours: Decimal) -> Statement:
    """The line stating what a certificate awards: the credit **claimed**, not the maximum."""
    if key == "ama_pra_1":
        return Statement.of(
            "has claimed ", (f"{format_hours(hours)} {'AMA PRA Category 1 Credit' if hours == 1 else 'AMA PRA Category 1 Credits'}", True), "™"
        )
    ct = CREDIT_TYPES[key]
    if key == "participation":
        return Statement.of(f"participated for {format_hours(hours)} {credit_word(hours, 'hour', 'hours')}")
    return Statement.of(f"has completed {ct.units(hours)}")


def statements_for(provider: str, key: str, fmt: str, *, reference: str = "",
                   designated_ama: Decimal | None = None, hours: Decimal | None = None,
                   profession: str = "", certificate: bool = False) -> list[Statement]:
    """The designation, accreditation and approval statements printed with one credit type.

    The only place that chooses them: the catalogue's activity pages (`certificate=False`) and the
    certificates (`certificate=True`) both call it, so they can never disagree.
    `reference`: the designation's course/tracking number; `designated_ama`: the activity's AMA PRA
    designation (hours); `hours`: on a certificate the hours claimed, on a page the designated hours;
    `profession`: the learner's, on a certificate of participation.
    """
    if key == "ama_pra_1":
        return [ama_designation_statement(provider, fmt, designated_ama if designated_ama is not None else hours),
                accme_accreditation_statement(provider)]
    if key == "acpe":
        # ACPE since 2014: the portal's PDF is a record of participation; CPE Monitor issues credit.
        return ([acpe_record_statement()] if certificate else []) + [acpe_accreditation_statement(provider)]
    if key == "pace":
        return [pace_approval_statement(provider)]
    if key == "california_cls":
        # CDPH LFS accepts the course as P.A.C.E.® (or AMA) continuing education: state the approval.
        return [california_statement(provider, reference), pace_approval_statement(provider)]
    if key == "florida":
        return [florida_statement(provider, reference), pace_approval_statement(provider)]
    if key == "participation":
        if not certificate:
            return [participation_offer_statement(hours)] if hours is not None else []
        # A certificate of participation states the AMA designation (CE-RULES "Who claims what");
        # the physicians' designation statement is not addressed to these learners.
        if designated_ama is None:
            return []
        if profession == "diplomate":
            first = diplomate_statement(provider, fmt, designated_ama, hours)
        else:
            first = ama_participation_statement(designated_ama)
        return [first, accme_accreditation_statement(provider)]
    return []


#: ACCME / AMA PRA Booklet: the learner's attestation when claiming credit.
CLAIM_ATTESTATION = ("I attest that I claim only the credit commensurate with the extent of my "
                     "participation in the activity.")

MITIGATION_STATEMENT = Statement.of(
    "All relevant financial relationships listed for these individuals have been mitigated."
)
NOTHING_TO_DISCLOSE = "has no relevant financial relationships with ineligible companies to disclose"


# --------------------------------------------------------------------------------------------
# Catalogue wording (ACCME Standards for Integrity and Independence: commercial support is
# disclosed to learners before the activity). Used by the catalogue site.
# --------------------------------------------------------------------------------------------
NO_COMMERCIAL_SUPPORT = Statement.of("This activity received no commercial support.")


def commercial_support_statement(company: str, kind: str) -> Statement:
    """One line per supporter: an educational grant or in-kind support."""
    what = "in-kind support" if kind == "in-kind" else "an educational grant"
    return Statement.of(f"This activity is supported by {what} from {company}.")


def participation_offer_statement(hours: Decimal) -> Statement:
    """What everyone else receives: a certificate of participation (CE-RULES 'Who claims what')."""
    return Statement.of(
        "Board diplomates and registrants, and learners with other CE licences, receive a certificate "
        f"of participation for up to {format_hours(hours)} {credit_word(hours, 'hour', 'hours')}."
    )
