"""What each reporting destination receives: one column table per destination, and deadline arithmetic.

A changed upstream layout is a one-place edit: `LAYOUTS[destination].columns` is the file's header
row and how each value is made. Everything here is pure (no Flask, no database), so the docs page
(`flask reports layouts`) and the tests read the same tables the exports use.
Sources: NABP CPE Monitor batch upload, CE Broker roster upload, ACCME PARS learner data
(column names *confirm* with each body; see CE-RULES.md).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping
from zoneinfo import ZoneInfo

from catalog import credits
from catalog.destinations import DESTINATIONS

from ..text import valid_mmdd  # noqa: F401  (part of this module's API: reports and tests call L.valid_mmdd)

#: The date format every destination's files use, as printed in the docs.
DATE_FORMAT, DATE_FORMAT_DOC = "%m/%d/%Y", "MM/DD/YYYY"


@dataclass(frozen=True)
class Source:
    """What one row is made from: the report item's claim, its learner and the server settings."""

    claim: Any          # claimserver.models.Claim (designation snapshot, hours, participated_on)
    learner: Any        # claimserver.models.Learner
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
class Layout:
    destination: str
    name: str                       # as staff and learners read it
    body: str                       # who accepts or rejects the upload
    credit: str                     # the credit type reported there
    columns: tuple[Column, ...]
    requires: tuple[Requirement, ...]
    fix: str                        # what a rejected learner should check, formatted with the sent row
    warn_days: tuple[int, ...] = ()
    deadline_days: int | None = None  # None: taken from the setting named in deadline_setting
    deadline_setting: str = ""
    split_by_audience: bool = False
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

    def days(self, config: Mapping[str, Any]) -> int | None:
        if self.deadline_days is not None:
            return self.deadline_days
        days = int(config.get(self.deadline_setting) or 0) if self.deadline_setting else 0
        return days or None


# ------------------------------------------------------------------------------------------------
# Value helpers
# ------------------------------------------------------------------------------------------------
def us_date(d: dt.date) -> str:
    return d.strftime(DATE_FORMAT)


def hours(s: Source) -> str:
    return credits.format_hours(s.claim.hours)




def _need(label: str, attr: str, pattern: str | None = None, what: str = ""):
    def check(learner) -> str | None:
        value = (getattr(learner, attr, "") or "").strip()
        if not value:
            return f"missing {label}"
        if pattern and not re.fullmatch(pattern, value):
            return f"{label} {value!r} is not {what}"
        return None

    return Requirement(attr, label, check)


def _need_mmdd(learner) -> str | None:
    value = (learner.birth_mmdd or "").strip()
    if not value:
        return "missing birth month and day"
    if not valid_mmdd(value):
        return f"birth month and day {value!r} is not MMDD"
    return None


def _need_licence_or_board(learner) -> str | None:
    if (learner.board_id or "").strip() or (learner.state_licence_number or "").strip():
        return None
    return "missing licence number or board ID"


def licence_or_board(s: Source) -> str:
    return (s.learner.board_id or "").strip() or (s.learner.state_licence_number or "").strip()


def audience(claim) -> str:
    """ACPE: 'P' pharmacists or 'T' technicians, from the UAN's last letter (or the designation)."""
    uan = claim.designation.get("reference", "")
    return (uan[-1:] if uan[-1:] in ("P", "T") else claim.designation.get("audience", "")) or "P"


# ------------------------------------------------------------------------------------------------
# The tables. Change a column here and the export, the response matching, the learner's rejection
# hint and the docs page all follow.
# ------------------------------------------------------------------------------------------------
CPE_MONITOR = Layout(
    destination="cpe_monitor", name="CPE Monitor", body="NABP", credit="acpe",
    columns=(
        Column("NABP e-Profile ID", lambda s: s.learner.nabp_epid.strip(),
               "learner's NABP e-Profile ID (digits)", from_learner=True, key=True),
        Column("Birth Date (MMDD)", lambda s: s.learner.birth_mmdd.strip(),
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
    warn_days=DESTINATIONS["cpe_monitor"].warn_days, deadline_days=DESTINATIONS["cpe_monitor"].deadline_days,
    split_by_audience=True,
    notes=("Pharmacist (UAN ending -P) and technician (-T) completions go in separate files, one "
           "export batch each (`cpe_monitor-P-…csv`, `cpe_monitor-T-…csv`).",
           f"NABP accepts nothing after {DESTINATIONS['cpe_monitor'].deadline_days} days: later items are listed as "
           "missed, never exported."),
)

CE_BROKER = Layout(
    destination="ce_broker", name="CE Broker", body="CE Broker", credit="florida",
    columns=(
        Column("Provider ID", lambda s: str(s.config["CE_BROKER_PROVIDER_ID"]),
               "setting CE_BROKER_PROVIDER_ID"),
        Column("Course Tracking Number", lambda s: s.reference,
               "the activity's Florida tracking number (designations: florida: tracking)", key=True),
        Column("License Number", lambda s: s.learner.florida_licence.strip(),
               "learner's Florida licence number", from_learner=True, key=True),
        Column("First Name", lambda s: s.learner.first_name.strip(), "learner's first name",
               from_learner=True),
        Column("Last Name", lambda s: s.learner.last_name.strip(), "learner's last name",
               from_learner=True),
        Column("Completion Date", lambda s: us_date(s.claim.participated_on),
               f"participation date, {DATE_FORMAT_DOC}", key=True),
        Column("Hours", hours, "contact hours claimed"),
    ),
    requires=(
        _need("Florida licence number", "florida_licence"),
        _need("first name", "first_name"),
        _need("last name", "last_name"),
    ),
    fix="CE Broker rejected the Florida licence number {License Number} for {First Name} "
        "{Last Name}: check your licence number and name in your profile.",
    warn_days=DESTINATIONS["ce_broker"].warn_days, deadline_days=DESTINATIONS["ce_broker"].deadline_days,
    notes=(f"Florida expects completions within {DESTINATIONS['ce_broker'].deadline_days} days; later items are "
           "listed as missed, never exported.",),
)

PARS = Layout(
    destination="pars", name="ACCME PARS", body="ACCME", credit="ama_pra_1",
    columns=(
        Column("Activity ID", lambda s: s.claim.activity.slug,
               "the provider's activity ID (the catalogue slug)", key=True),
        Column("First Name", lambda s: s.learner.first_name.strip(), "learner's first name",
               from_learner=True),
        Column("Last Name", lambda s: s.learner.last_name.strip(), "learner's last name",
               from_learner=True),
        Column("Birth Date (MMDD)", lambda s: s.learner.birth_mmdd.strip(),
               "learner's birth month and day, MMDD", from_learner=True),
        Column("License or Board ID", licence_or_board,
               "learner's board ID, else state licence number", from_learner=True, key=True),
        Column("Credits Claimed", hours, "AMA PRA Category 1 Credits™ claimed"),
        Column("Completion Date", lambda s: us_date(s.claim.participated_on),
               f"participation date, {DATE_FORMAT_DOC}", key=True),
    ),
    requires=(
        _need("first name", "first_name"),
        _need("last name", "last_name"),
        Requirement("birth_mmdd", "birth month and day", _need_mmdd),
        Requirement("board_id", "licence number or board ID", _need_licence_or_board),
    ),
    fix="ACCME rejected the learner data sent for {First Name} {Last Name} (licence or board ID "
        "{License or Board ID}, birth date {Birth Date (MMDD)}): check them in your profile.",
    deadline_setting="PARS_REPORT_DAYS",
    notes=("Queued for every AMA PRA claim when PARS_REPORTING is \"all\" (the default); none "
           "when \"off\". No deadline unless PARS_REPORT_DAYS is set.",),
)

LAYOUTS: dict[str, Layout] = {x.destination: x for x in (CPE_MONITOR, CE_BROKER, PARS)}
#: Credit type -> destination, from catalog.credits (each type's `reported_to`).
DESTINATION_OF: dict[str, str] = {
    key: ct.reported_to for key, ct in credits.CREDIT_TYPES.items() if ct.reported_to in LAYOUTS
}


# ------------------------------------------------------------------------------------------------
# Rows and files
# ------------------------------------------------------------------------------------------------
def build_row(layout: Layout, source: Source) -> dict[str, str]:
    return {c.header: c.value(source) for c in layout.columns}


def blocked_reason(layout: Layout, learner) -> str | None:
    """Why this learner's item cannot be sent yet (all reasons, joined), or None."""
    reasons = [r for r in (req.check(learner) for req in layout.requires) if r]
    return "; ".join(reasons) or None


def render_csv(layout: Layout, rows: list[dict[str, str]]) -> str:
    """CSV with a header row, CRLF line ends (RFC 4180), every value as text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(layout.headers)
    for row in rows:
        writer.writerow([row[h] for h in layout.headers])
    return out.getvalue()


def fix_hint(layout: Layout, sent_row: Mapping[str, str] | None) -> str:
    values = {h: (sent_row or {}).get(h, "") or "(blank)" for h in layout.headers}
    try:
        return layout.fix.format_map(values)
    except (KeyError, IndexError, ValueError):
        return layout.fix


def layouts_markdown() -> str:
    """The docs page: every destination's columns, straight from the tables above."""
    lines = [
        "# Reporting formats",
        "",
        "<!-- Generated by `flask --app claimserver reports layouts` from "
        "claimserver/reports/layouts.py; edit the tables there, then regenerate this page. -->",
        "",
        "Staff export completions from the claim server (Reporting page, or "
        "`flask --app claimserver reports export DESTINATION`) and upload the files to each body. "
        "Every file is CSV (UTF-8, comma-separated, CRLF line ends) with one header row; dates are "
        f"{DATE_FORMAT_DOC}. This page is generated from the column tables the exports use "
        "(`flask --app claimserver reports layouts`), so it cannot drift from them.",
        "",
        "Deadlines count calendar days from the activity's participation date; \"today\" is the "
        "date in the society's time zone (setting `REPORTING_TIMEZONE`, default America/New_York), "
        "so a claim at 23:30 in New York counts as that day even though it is already the next "
        "day in UTC.",
        "",
        "Results come back as a CSV the staff upload (`flask --app claimserver reports "
        "record-results DESTINATION FILE`): a `Status` column (accepted or rejected), an optional "
        "`Message` column, and either an `Item` column (the report item number shown on the "
        "staff pages) or the destination's key columns (marked *key* below), so the exported "
        "file itself with `Status` and `Message` appended is a valid response file.",
        "",
        "Each claim that must be reported has one report item per destination: **due** → "
        "**exported** (in a stored export batch) → **accepted** or **rejected** (with the "
        "body's message, shown to the learner with what to fix in their profile). Items are never "
        "deleted: when the learner corrects the data that was sent, a new **due** item supersedes "
        "the rejected one, which becomes **corrected**. An export sends only items never sent; "
        "`--all` (the page's checkbox) also re-sends exported items not yet accepted. Items whose "
        "learner lacks required data, or whose deadline has passed, are listed as blocked and "
        "never silently dropped.",
        "",
    ]
    for layout in LAYOUTS.values():
        days = (f"{layout.deadline_days} days after participation" if layout.deadline_days
                else f"none unless `{layout.deadline_setting}` is set")
        warn = ", ".join(f"day {d}" for d in layout.warn_days) or "none"
        lines += [
            f"## {layout.name} (`{layout.destination}`)",
            "",
            f"For `{layout.credit}` claims. Deadline: {days}. Staff warnings from: {warn}.",
            "",
            "| # | column header | value | key | learner can fix |",
            "|---|---|---|---|---|",
        ]
        for i, c in enumerate(layout.columns, 1):
            lines.append(f"| {i} | {c.header} | {c.doc} | {'key' if c.key else ''} | "
                         f"{'yes' if c.from_learner else ''} |")
        lines += ["", "Not exported (listed as blocked) while the learner's profile lacks: "
                  + ", ".join(r.label for r in layout.requires) + ".", ""]
        lines += [f"- {n}" for n in layout.notes]
        lines.append("")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------
# Deadlines: calendar days from the participation date to "today" in the society's time zone.
# ------------------------------------------------------------------------------------------------
def reporting_today(now: dt.datetime, tz: str) -> dt.date:
    """The calendar date in the society's time zone (REPORTING_TIMEZONE) at the aware moment `now`."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.timezone.utc)
    return now.astimezone(ZoneInfo(tz)).date()


def deadline_for(participated_on: dt.date, days: int | None) -> dt.date | None:
    return participated_on + dt.timedelta(days=days) if days else None


@dataclass(frozen=True)
class DeadlineState:
    days_since: int
    days_left: int | None
    level: str  # none | ok | warn | urgent | missed

    @property
    def missed(self) -> bool:
        return self.level == "missed"

    @property
    def label(self) -> str:
        if self.level == "missed":
            return "missed — cannot be reported"
        if self.days_left is None:
            return "no deadline"
        if self.days_left == 0:
            return "due today"
        return f"{self.days_left} day{'s' if self.days_left != 1 else ''} left"


def deadline_state(participated_on: dt.date, deadline: dt.date | None, warn_days: tuple[int, ...],
                   today: dt.date) -> DeadlineState:
    """Day N of the window is N calendar days after participation; the deadline day itself is in time."""
    since = (today - participated_on).days
    if deadline is None:
        return DeadlineState(since, None, "none")
    left = (deadline - today).days
    if left < 0:
        level = "missed"
    else:
        passed = [d for d in sorted(warn_days) if since >= d]
        level = "ok" if not passed else ("urgent" if len(passed) > 1 else "warn")
    return DeadlineState(since, left, level)
