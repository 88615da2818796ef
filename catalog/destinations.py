"""Where completions are reported: one `Destination` record per reporting body.

CPE Monitor (NABP, for ACPE credit), CE Broker (Florida) and ACCME PARS (AMA PRA credit, for MOC
and state boards). Each record is the single home of that body's facts: the name learners read,
the deadline and warning days, what the learner must have on file, whether a learner must consent,
and the export layout (columns, file format). The claim page, My Activities, the ledger, the
deadlines page, the certificates' statements and the docs all ask these records.

Pure: no Flask, no database. Value functions read plain objects (`Source`: a claim with
`designation`, `participated_on`, `hours`, `activity.slug`; a learner with profile attributes;
a settings mapping), so the docs and the tests read the same tables the exports use.
Sources: ACPE and NABP (CPE Monitor: e-Profile ID, birth MMDD, 60 days), the Florida Board of
Clinical Laboratory Personnel and CE Broker's help page "Creating Excel Files (Partial Course
Credit)", ACCME's PARS learner-reporting guidance (see each record's `source`, printed on the
reporting docs page).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Mapping

from .dates import long_date

#: The date format of the CPE Monitor and PARS files, as printed in the docs.
DATE_FORMAT, DATE_FORMAT_DOC = "%m/%d/%Y", "MM/DD/YYYY"


def valid_mmdd(value: str | None) -> bool:
    """MMDD of a real birthday (0229 allowed): what NABP and PARS identify learners by."""
    if not re.fullmatch(r"[0-9]{4}", value or ""):
        return False
    try:
        dt.date(2000, int(value[:2]), int(value[2:]))  # 2000 is a leap year
    except ValueError:
        return False
    return True


# ------------------------------------------------------------------------------------------------
# The parts of a record
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Source:
    """What one row is made from: the report item's claim, its learner and the server settings."""

    claim: Any          # .designation (dict), .participated_on, .hours, .activity.slug
    learner: Any        # profile attributes (first_name, nabp_epid, florida_licence, …)
    config: Mapping[str, Any]

    @property
    def reference(self) -> str:
        return self.claim.designation.get("reference", "")


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Source], str]
    doc: str
    from_learner: bool = False  # a learner can correct it in their profile (re-queues a rejection)
    key: bool = False           # part of the natural key a response file is matched on


@dataclass(frozen=True)
class Requirement:
    """A learner field the destination cannot do without; `check` returns the blocking reason."""

    field: str
    label: str
    check: Callable[[Any], str | None]


@dataclass(frozen=True)
class FileFormat:
    """How the upload file is written: delimiter, whether a header row comes first, extension."""

    delimiter: str = ","
    header_row: bool = True
    extension: str = "csv"

    @property
    def doc(self) -> str:
        kind = "tab-delimited text" if self.delimiter == "\t" else "CSV (comma-separated)"
        head = "one header row" if self.header_row else "no header row (row 1 is the first learner)"
        return f"{kind}, UTF-8, CRLF line ends, {head}, `.{self.extension}`"


@dataclass(frozen=True)
class Destination:
    key: str
    name: str                       # as learners and staff read it
    body: str                       # who accepts or rejects the upload
    columns: tuple[Column, ...]
    requires: tuple[Requirement, ...]
    fix: str                        # what a rejected learner should check, formatted with the sent row
    source: str                     # where the layout comes from, and what is not confirmed
    warn_days: tuple[int, ...] = ()
    deadline_days: int | None = None  # None: taken from the setting named in deadline_setting
    deadline_setting: str = ""
    #: True when the body is where the credit lives (CPE Monitor issues ACPE statements of
    #: credit; CE Broker records Florida hours): credit that can no longer be reported is not
    #: issued. False (PARS): the credit stands; a completion past the deadline is simply not reported.
    gates_credit: bool = True
    #: Learner field that must be true before anything is reported ("" = no consent asked).
    consent_field: str = ""
    consent_text: str = ""
    split_by_audience: bool = False
    #: Server settings the file cannot be written without (staff set them; nothing is exported before).
    required_settings: tuple[str, ...] = ()
    file: FileFormat = FileFormat()
    notes: tuple[str, ...] = field(default=())

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @property
    def key_headers(self) -> list[str]:
        return [c.header for c in self.columns if c.key]

    @property
    def learner_headers(self) -> list[str]:
        return [c.header for c in self.columns if c.from_learner]

    @property
    def credit_keys(self) -> tuple[str, ...]:
        """The credit types reported here: those whose `CreditType.reported_to` is this key."""
        from .credits import CREDIT_TYPES

        return tuple(k for k, ct in CREDIT_TYPES.items() if ct.reported_to == self.key)

    @property
    def needs(self) -> tuple[str, ...]:
        """The learner fields this destination needs on file (profile attribute names)."""
        return tuple(r.field for r in self.requires)

    def days(self, config: Mapping[str, Any] | None = None) -> int | None:
        """Calendar days after participation by which the completion must be reported, or None."""
        if self.deadline_days is not None:
            return self.deadline_days
        days = int((config or {}).get(self.deadline_setting) or 0) if self.deadline_setting else 0
        return days or None

    def deadline(self, participated_on: dt.date, config: Mapping[str, Any] | None = None) -> dt.date | None:
        """The last day a completion can still be reported (the deadline day itself is in time)."""
        days = self.days(config)
        return participated_on + dt.timedelta(days=days) if days else None

    def missed(self, participated_on: dt.date, today: dt.date,
               config: Mapping[str, Any] | None = None) -> bool:
        """Whether the deadline is over on `today`: the one rule the claim page and the ledger share."""
        deadline = self.deadline(participated_on, config)
        return deadline is not None and today > deadline

    def late_message(self, participated_on: dt.date, config: Mapping[str, Any] | None = None) -> str:
        """What a learner reads once the deadline is over (claim page, transcript)."""
        deadline = self.deadline(participated_on, config)
        limit = f"the {self.days(config)}-day limit ended on {long_date(deadline)}"
        if self.gates_credit:
            return f"{self.name} no longer accepts this completion: {limit}."
        return (f"This credit will not be reported to {self.name}: {limit}. Your certificate is "
                "not affected.")

    def settings_missing(self, config: Mapping[str, Any]) -> str | None:
        """Why no file can be written with these settings (staff's to fix), or None."""
        unset = [k for k in self.required_settings if not str(config.get(k) or "").strip()]
        return f"setting {', '.join(unset)} is not set" if unset else None

    def consented(self, learner: Any) -> bool:
        return not self.consent_field or bool(getattr(learner, self.consent_field, False))


# ------------------------------------------------------------------------------------------------
# Value functions (over plain objects)
# ------------------------------------------------------------------------------------------------
def us_date(d: dt.date) -> str:
    return d.strftime(DATE_FORMAT)


def excel_date(d: dt.date) -> str:
    """CE Broker's example date form: month/day/year without leading zeros (12/3/2008)."""
    return f"{d.month}/{d.day}/{d.year}"


def hours(s: Source) -> str:
    from .credits import format_hours

    return format_hours(Decimal(str(s.claim.hours)))


def _text(value: Any) -> str:
    return (value or "").strip()


def licence_number(value: Any) -> str:
    """A licence number as the boards list it: spaces removed, letters upper case ('cl 12 345' -> 'CL12345')."""
    return "".join(_text(value).split()).upper()


def without_prefix(value: Any, prefix: str) -> str:
    """CE Broker numbers are uploaded without their type prefix ('50-1234' -> '1234')."""
    v = _text(str(value) if value is not None else "")
    return v[len(prefix):] if v.startswith(prefix) else v


def audience(claim: Any) -> str:
    """ACPE: 'P' pharmacists or 'T' technicians, from the UAN's last letter (or the designation)."""
    uan = claim.designation.get("reference", "")
    return (uan[-1:] if uan[-1:] in ("P", "T") else claim.designation.get("audience", "")) or "P"


def acpe_provider(s: Source) -> str:
    """The ACPE provider number: the UAN's first part (####, or JA + 7 digits), else the setting."""
    return s.reference.split("-", 1)[0] if "-" in s.reference else str(s.config.get("ACPE_PROVIDER_ID", ""))


def _need(label: str, attr: str, pattern: str | None = None, what: str = "") -> Requirement:
    def check(learner) -> str | None:
        value = _text(getattr(learner, attr, ""))
        if not value:
            return f"missing {label}"
        if pattern and not re.fullmatch(pattern, value):
            return f"{label} {value!r} is not {what}"
        return None

    return Requirement(attr, label, check)


def _need_mmdd(learner) -> str | None:
    value = _text(learner.birth_mmdd)
    if not value:
        return "missing birth month and day"
    if not valid_mmdd(value):
        return f"birth month and day {value!r} is not MMDD"
    return None


def _need_board_or_licence(learner) -> str | None:
    if _text(learner.board_id):
        return None
    if _text(learner.state_licence_number):
        return None if _text(learner.state_licence_state) else "missing the state of the licence"
    return "missing board ID or state licence number"


def _licence_state(s: Source) -> str:
    return _text(s.learner.state_licence_state) if _text(s.learner.state_licence_number) else ""


#: NABP CPE Monitor action code for reporting a completion (*not confirmed*: NABP's batch
#: specification is given to providers, not published; see the record's `source`).
CPE_MONITOR_ADD = "A"
#: CE Broker's state column: the licensee's state in CE Broker's "State=XX" form.
FLORIDA = "FL"
#: CE Broker subject area code per Florida subject key of an activity file (catalog.credits
#: FLORIDA_SUBJECTS), for partial credit. *Not confirmed*: CE Broker's "Subject Area Codes" list is
#: not public; a key missing here is written as it is in the activity file.
CE_BROKER_SUBJECT_CODES: dict[str, str] = {}


def _partial(s: Source) -> bool:
    """CE Broker partial credit: the learner claimed less than the course's full hours."""
    return Decimal(str(s.claim.hours)) < Decimal(str(s.claim.designation.get("hours", "0")))


def ce_broker_subject(s: Source) -> str:
    if not _partial(s):
        return ""
    subjects = s.claim.designation.get("subjects") or ["general"]
    return CE_BROKER_SUBJECT_CODES.get(subjects[0], subjects[0])

# ------------------------------------------------------------------------------------------------
# The records. Change a column here and the export, the response matching, the learner's
# rejection hint and the docs page all follow.
# ------------------------------------------------------------------------------------------------
CPE_MONITOR = Destination(
    key="cpe_monitor", name="CPE Monitor", body="NABP",
    columns=(
        Column("Provider ID", acpe_provider, "ACPE provider number: the UAN's first part (setting "
               "ACPE_PROVIDER_ID when the UAN has none)"),
        Column("Action Code", lambda s: CPE_MONITOR_ADD, f"`{CPE_MONITOR_ADD}`: report (add) a completion"),
        Column("NABP e-Profile ID", lambda s: _text(s.learner.nabp_epid),
               "learner's NABP e-Profile ID (digits)", from_learner=True, key=True),
        Column("Birth Date (MMDD)", lambda s: _text(s.learner.birth_mmdd),
               "learner's birth month and day, MMDD", from_learner=True),
        Column("UAN", lambda s: s.reference, "the ACPE Universal Activity Number claimed", key=True),
        Column("Date of Participation", lambda s: us_date(s.claim.participated_on),
               f"participation date, {DATE_FORMAT_DOC}", key=True),
        Column("Contact Hours", hours, "contact hours claimed, e.g. 1.5"),
    ),
    requires=(
        _need("NABP e-Profile ID", "nabp_epid", r"\d{1,10}", "digits"),
        Requirement("birth_mmdd", "birth month and day", _need_mmdd),
    ),
    fix="NABP rejected the e-Profile ID {NABP e-Profile ID} with birth date {Birth Date (MMDD)}: "
        "check your NABP e-Profile ID and birth month and day in your profile.",
    source="ACPE/NABP: e-Profile ID, birth MMDD, UAN, date, within 60 days. The "
           "column names, their order and the action code are *not confirmed*: NABP gives its "
           "batch-upload specification to providers, it is not public.",
    warn_days=(30, 50), deadline_days=60, split_by_audience=True,
    notes=("Pharmacist (UAN ending -P) and technician (-T) completions go in separate files, one "
           "export batch each (`cpe_monitor-P-…csv`, `cpe_monitor-T-…csv`).",
           "NABP accepts nothing after the deadline: later items are listed as missed, never "
           "exported, and the claim page no longer offers the credit."),
)

CE_BROKER = Destination(
    key="ce_broker", name="CE Broker", body="CE Broker",
    columns=(
        Column("Provider Tracking Number", lambda s: without_prefix(s.config.get("CE_BROKER_PROVIDER_ID"), "50-"),
               "setting CE_BROKER_PROVIDER_ID without its `50-` prefix"),
        Column("Course Tracking Number", lambda s: without_prefix(s.reference, "20-"),
               "the activity's Florida tracking number (designations: florida: tracking) without "
               "its `20-` prefix", key=True),
        Column("Provider Course ID", lambda s: "", "blank (CE Broker: column B or C)"),
        Column("Publishing Number", lambda s: "", "blank (optional in CE Broker)"),
        Column("License Number", lambda s: licence_number(s.learner.florida_licence),
               "learner's Florida licence number, spaces removed", from_learner=True, key=True),
        Column("Completion Date", lambda s: excel_date(s.claim.participated_on),
               "participation date, M/D/YYYY (CE Broker's example: 12/3/2008)", key=True),
        Column("State", lambda s: f"State={FLORIDA}", f"`State={FLORIDA}`"),
        Column("Profession", lambda s: f"Profession={_text(s.config.get('CE_BROKER_PROFESSION_CODE'))}",
               "`Profession=` + setting CE_BROKER_PROFESSION_CODE"),
        Column("Subject Area Code", ce_broker_subject, "partial credit only: the subject area "
               "code of the course's first Florida subject (`CE_BROKER_SUBJECT_CODES`); blank for "
               "full credit"),
        Column("Partial Hours", lambda s: hours(s) if _partial(s) else "",
               "partial credit only: the hours claimed; blank for full credit"),
    ),
    requires=(
        _need("Florida licence number", "florida_licence"),
    ),
    fix="CE Broker rejected the Florida licence number {License Number}: check your licence "
        "number in your profile.",
    source="CE Broker help: \"Creating Excel Files (Partial Course Credit)\" (one sheet for "
           "full and partial credit): columns A–J in this order, provider number without 50-, "
           "course number without 20-, `State=FL`, `Profession=` code, then subject area code "
           "and hours for partial credit. CE Broker asks for an .xls file: open the CSV in Excel "
           "and save it as .xls. *Not confirmed*: whether row 1 may be a header (the export "
           "writes none), the profession code for Florida clinical laboratory personnel (a "
           "setting) and the subject area codes (`CE_BROKER_SUBJECT_CODES`).",
    warn_days=(20,), deadline_days=30, file=FileFormat(header_row=False),
    required_settings=("CE_BROKER_PROVIDER_ID", "CE_BROKER_PROFESSION_CODE"),
    notes=("Florida expects completions within the deadline; later items are listed as missed, "
           "never exported, and the claim page no longer offers the credit.",
           "A response file for this headerless export needs the column headers shown here (or "
           "an Item column)."),
)

PARS = Destination(
    key="pars", name="ACCME PARS", body="ACCME",
    columns=(
        Column("Provider Activity ID", lambda s: s.claim.activity.slug,
               "the provider's activity ID (the catalogue slug)", key=True),
        Column("First Name", lambda s: _text(s.learner.first_name), "learner's first name",
               from_learner=True),
        Column("Last Name", lambda s: _text(s.learner.last_name), "learner's last name",
               from_learner=True),
        Column("Birth Date (MMDD)", lambda s: _text(s.learner.birth_mmdd),
               "learner's birth month and day, MMDD", from_learner=True),
        Column("Board ID", lambda s: _text(s.learner.board_id), "learner's certifying board ID",
               from_learner=True, key=True),
        Column("State License Number", lambda s: licence_number(s.learner.state_licence_number),
               "learner's state medical licence number, spaces removed", from_learner=True, key=True),
        Column("State License State", _licence_state, "the licence's state (two letters)",
               from_learner=True),
        Column("Credits Claimed", hours, "AMA PRA Category 1 Credits™ claimed"),
        Column("Completion Date", lambda s: us_date(s.claim.participated_on),
               f"participation date, {DATE_FORMAT_DOC}", key=True),
    ),
    requires=(
        _need("first name", "first_name"),
        _need("last name", "last_name"),
        Requirement("birth_mmdd", "birth month and day", _need_mmdd),
        Requirement("board_id", "board ID or state licence number", _need_board_or_licence),
    ),
    fix="ACCME rejected the learner data sent for {First Name} {Last Name} (board ID {Board ID}, "
        "licence {State License Number} {State License State}, birth date {Birth Date (MMDD)}): "
        "check them in your profile.",
    source="ACCME: name, birth MMDD, board ID and/or state licence with its state in "
           "separate fields, only with the learner's consent. *Not confirmed*: ACCME's \"Learner "
           "Template B\" column names and order (ACCME's tab-delimited upload also expects no "
           "header row); the export keeps one header row until they are checked.",
    deadline_setting="PARS_REPORT_DAYS", gates_credit=False,
    consent_field="pars_consent",
    consent_text=("Report my completions of AMA PRA Category 1 Credit™ activities to ACCME's "
                  "Program and Activity Reporting System (PARS): my name, birth month and day, "
                  "board ID and state licence, the activity, the credit and the date, which ACCME "
                  "passes to my certifying board (MOC) and state medical board."),
    notes=("Queued for every AMA PRA claim of a learner who consented (profile checkbox) when "
           "PARS_REPORTING is \"all\" (the default); none when \"off\". Consent given later "
           "queues the claims still inside the deadline.",
           "ACCME sets no deadline: none unless PARS_REPORT_DAYS is set. When set, the claim "
           "page and the ledger use the same rule: a claim made after it still gets its "
           "certificate (the credit does not depend on PARS), but no PARS item is made, and the "
           "claim page and transcript say so."),
)

#: Every destination by key (the keys `CreditType.reported_to` holds).
DESTINATIONS: dict[str, Destination] = {d.key: d for d in (CPE_MONITOR, CE_BROKER, PARS)}


def destination_for_credit(credit_key: str) -> Destination | None:
    """The destination a credit type's claims are reported to (`CreditType.reported_to`), or None."""
    from .credits import CREDIT_TYPES

    ct = CREDIT_TYPES.get(credit_key)
    return DESTINATIONS.get(ct.reported_to or "") if ct else None
