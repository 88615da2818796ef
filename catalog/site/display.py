"""How an activity's facts read on the site: dates with time zones, prices, designations, disclosures.

All wording of accreditation statements comes from `catalog.statements` and of dates from
`catalog.dates`; this module only arranges an activity's facts for its page.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .. import credits as C
from .. import statements as S
from ..dates import long_date, moment_text, release_text, short_date, time_text, weekday_date, zone_abbreviation  # noqa: F401
from ..professions import BY_ACPE_LETTER
from ..model import Activity


@dataclass(frozen=True)
class SiteSettings:
    """What a catalogue build needs besides the activities."""

    provider: str = C.DEFAULT_PROVIDER
    claim_url: str = "http://127.0.0.1:5000"
    today: dt.date = field(default_factory=dt.date.today)
    site_url: str = ""  # absolute base for links in activities.json and calendar.ics, may be ""

    def purchase_url(self, slug: str) -> str:
        return f"{self.claim_url.rstrip('/')}/activities/{slug}"


# ------------------------------------------------------------------------------------------
# Money, dates and times
# ------------------------------------------------------------------------------------------
def price_text(price: Decimal) -> str:
    """0 -> 'Free'; 25 -> '$25.00'; 1250 -> '$1,250.00'."""
    return "Free" if price == 0 else f"${price:,.2f}"


def purchase_text(price: Decimal) -> str:
    return "Enroll for free" if price == 0 else f"Purchase for {price_text(price)}"


@lru_cache(maxsize=None)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def local(a: Activity, moment: dt.datetime) -> dt.datetime:
    """A moment in the activity's display time zone (or its own UTC offset when it has none)."""
    tz = _zone(a.timezone)
    return moment.astimezone(tz) if tz else moment






def when_text(a: Activity) -> str:
    """Live: 'Friday, March 12, 2027, 12:00 PM – 1:30 PM EST'; home study: 'Released March 12, 2027'."""
    start = local(a, a.starts)
    if not a.is_live or a.ends is None:
        return f"Released {long_date(start)}"
    end = local(a, a.ends)
    zs, ze = zone_abbreviation(start), zone_abbreviation(end)
    if end.date() == start.date():
        if zs == ze:
            return f"{weekday_date(start)}, {time_text(start)} – {time_text(end)} {ze}"
        return f"{weekday_date(start)}, {time_text(start)} {zs} – {time_text(end)} {ze}"
    return f"{weekday_date(start)}, {time_text(start)} {zs} – {weekday_date(end)}, {time_text(end)} {ze}"


def moment_for(a: Activity, moment: dt.datetime) -> str:
    """Any moment about an activity (when it was paid for), worded as its session's time is: in its
    zone, the zone named ('Monday, March 1, 2027, 10:00 AM EST'; naive = UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment_text(local(a, moment))


def session_time(a: Activity) -> str:
    """A live session's time, one wording on the activity page, the receipt (page and email), the
    next step and reminders: its start and end (`when_text`), or its start alone with its zone."""
    return when_text(a) if a.ends is not None else moment_text(local(a, a.starts))


#: What everyone but a purchaser reads about joining a live online session (the catalogue page and
#: the claim server's activity page): the link itself is never shown to them.
JOIN_AFTER_PURCHASE = ("The meeting link and dial-in are sent after purchase: in the receipt email, "
                       "with a calendar file, and in My Activities.")


def availability_text(a: Activity, today: dt.date) -> str:
    """Home study released after `today` (its day, in its own zone): 'Available from March 12, 2027;
    it can be bought now.' (catalog.dates); '' once released, and for live sessions."""
    if not a.is_home_study:
        return ""
    day = local(a, a.starts).date()
    return release_text(day, a.presale) if day > today else ""


def claim_deadline_text(a: Activity) -> str:
    return f"Claim credit by {weekday_date(a.claim_until)}"


# ------------------------------------------------------------------------------------------
# Where an activity sits in the catalogue on a given day
# ------------------------------------------------------------------------------------------
UPCOMING, ON_DEMAND, PAST = "upcoming", "on-demand", "past"


def phase(a: Activity, today: dt.date) -> str:
    """Live activities are upcoming until the day they end (in their own time zone), then past;
    journal and on-demand activities are listed while credit can still be claimed."""
    if a.is_live:
        return UPCOMING if local(a, a.ends or a.starts).date() >= today else PAST
    return ON_DEMAND if a.claim_until >= today else PAST


@lru_cache(maxsize=4096)
def slugify(text: str) -> str:
    """'Antimicrobial Resistance' -> 'antimicrobial-resistance' (topic addresses)."""
    s = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-") or "topic"


# ------------------------------------------------------------------------------------------
# Designations and disclosures, as learners read them before the activity
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreditBlock:
    """One credit type on an activity page: its name, facts (label, value) and statements."""

    key: str
    name: str
    facts: tuple[tuple[str, str], ...]
    statements: tuple[S.Statement, ...]


def credit_blocks(a: Activity, provider: str) -> list[CreditBlock]:
    acc = S.Accreditation.of(provider, a)
    ama = a.designation("ama_pra_1")
    blocks: list[CreditBlock] = []
    for key in a.credit_keys:
        ds = [d for d in a.designations if d.credit == key]
        ct = C.CREDIT_TYPES[key]
        facts: list[tuple[str, str]] = []
        if key == "acpe":
            for d in ds:
                facts += [("UAN", d.reference),
                          ("Audience", BY_ACPE_LETTER[d.audience].audience_label if d.audience in BY_ACPE_LETTER
                           else d.audience),
                          ("Contact hours", f"{ct.units(d.hours)} ({C.format_hours(ct.ceu(d.hours))} CEU)"),
                          ("Topic", f"{d.topic} {d.topic_name}".strip())]
                kind = C.ACPE_ACTIVITY_TYPES.get(d.activity_type)
                if kind:
                    facts.append(("Activity type", kind))
        elif key == "pace":
            d = ds[0]
            facts = [("Program number", d.reference), ("Level", d.level.capitalize()),
                     ("Contact hours", ct.units(d.hours))]
        elif key == "california_cls":
            d = ds[0]
            facts = [("Course number", d.reference), ("Contact hours", ct.units(d.hours))]
        elif key == "florida":
            d = ds[0]
            facts = [("CE Broker tracking number", d.reference), ("Contact hours", ct.units(d.hours))]
            if len(d.subject_hours) > 1:
                facts.append(("Subject areas", ", ".join(f"{C.FLORIDA_SUBJECTS.get(s, s)} ({ct.units(h)})"
                                                         for s, h in d.subject_hours)))
            elif d.subjects:
                facts.append(("Subject areas", ", ".join(C.FLORIDA_SUBJECTS.get(s, s) for s in d.subjects)))
        # The statements come from the one function the certificates also use.
        statements = S.statements_for(acc, key, a.format, reference=ds[0].reference, hours=ds[0].hours,
                                      designated_ama=ama.hours if ama else None, credit_keys=a.credit_keys)
        blocks.append(CreditBlock(key, ct.name, tuple(facts), tuple(statements)))
    return blocks


@dataclass(frozen=True)
class DisclosureRow:
    name: str
    role: str
    affiliation: str
    relationships: tuple[tuple[str, str], ...]   # (company, relationship)
    nothing: str                                  # '<name> has no relevant …' or ''


def disclosure_rows(a: Activity) -> list[DisclosureRow]:
    rows = []
    for p in a.faculty:
        rels = tuple((d.company, d.label) for d in p.disclosures)
        rows.append(DisclosureRow(p.name, p.role.capitalize(), p.affiliation, rels,
                                  "" if rels else f"{p.name} {S.NOTHING_TO_DISCLOSE}."))
    return rows


def support_statements(a: Activity) -> list[S.Statement]:
    if not a.commercial_support:
        return [S.NO_COMMERCIAL_SUPPORT]
    return [S.commercial_support_statement(s.company, s.kind) for s in a.commercial_support]


def credit_summary(a: Activity) -> str:
    """'AMA PRA Category 1 · ACPE (pharmacy) · Participation' for listings."""
    return " · ".join(C.CREDIT_TYPES[k].short for k in a.credit_keys)


def credit_brief(a: Activity) -> str:
    """'1.5 AMA PRA Category 1 Credits™ · 1.5 ACPE contact hours · 1.5 hours of participation': each
    credit type's designated maximum on one line (under an activity's title, on the home page).
    Participation states the most any designation gives, as its certificate may."""
    parts = []
    for key in a.credit_keys:
        ct = C.CREDIT_TYPES[key]
        hours = (a.max_hours if key == "participation"
                 else max(d.hours for d in a.designations if d.credit == key))
        parts.append(ct.brief(hours))
    return " · ".join(parts)
