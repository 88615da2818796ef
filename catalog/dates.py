"""How dates and times read, everywhere: the catalogue, the claim server, certificates and emails.

The one home of date wording. Portable by construction: the day and hour are written from the numbers, never with a
platform-only strftime flag. Exports to reporting bodies use their own formats (catalog.destinations),
and ISO dates (2027-03-12) are for tables staff sort and filter.
"""
from __future__ import annotations

import datetime as dt
import re


def long_date(d: dt.date | dt.datetime) -> str:
    """'March 12, 2027': certificates, deadlines, refusals."""
    return f"{d:%B} {d.day}, {d.year}"


def weekday_date(d: dt.date | dt.datetime) -> str:
    """'Friday, March 12, 2027': when a live session takes place."""
    return f"{d:%A}, {long_date(d)}"


def short_date(d: dt.date | dt.datetime) -> str:
    """'Mar 12, 2027': listings."""
    return f"{d:%b} {d.day}, {d.year}"


def iso_date(d: dt.date | dt.datetime) -> str:
    """'2027-03-12': staff tables, CSV files, transcript rows."""
    return f"{d:%Y-%m-%d}"


def date_range(first: dt.date, last: dt.date) -> str:
    """'March 12, 2027'; 'March 12–14, 2027'; 'March 30, 2027 – April 2, 2027'."""
    if first == last:
        return long_date(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%B} {first.day}–{last.day}, {last.year}"
    return f"{long_date(first)} – {long_date(last)}"


def period(start: dt.date | None, end: dt.date | None, *, open_start: str = "the beginning",
           open_end: str = "today") -> str:
    """A filter's period: 'January 1, 2027 – December 31, 2027', 'the beginning – March 1, 2027'."""
    return f"{long_date(start) if start else open_start} – {long_date(end) if end else open_end}"


def time_text(t: dt.datetime) -> str:
    """'12:00 PM', '1:30 PM'."""
    h = t.hour % 12 or 12
    return f"{h}:{t.minute:02d} {'AM' if t.hour < 12 else 'PM'}"


def zone_abbreviation(moment: dt.datetime) -> str:
    """'EST', 'CEST'; for a bare offset 'UTC−05:00' (zoneinfo names some zones '+03': use UTC+03:00)."""
    name = moment.tzname() or ""
    if name in ("UTC", "GMT") or re.fullmatch(r"[A-Z]{2,5}", name):
        return name
    off = moment.utcoffset() or dt.timedelta(0)
    sign = "+" if off >= dt.timedelta(0) else "−"
    minutes = abs(int(off.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def moment_text(t: dt.datetime) -> str:
    """'Friday, March 12, 2027, 12:00 PM EST': a moment with its zone always named (naive = UTC)."""
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return f"{weekday_date(t)}, {time_text(t)} {zone_abbreviation(t)}"


def join_on(when: str) -> str:
    """'Join the session on Friday, March 12, 2027, 12:00 PM – 1:30 PM EST': the next step before a
    live session starts (`when` is the session's time as its activity page words it)."""
    return f"Join the session on {when}"


def utc_stamp(t: dt.datetime) -> str:
    """'March 12, 2027, 14:05 UTC': when something was paid, recorded or exported (naive = UTC)."""
    if t.tzinfo is not None:
        t = t.astimezone(dt.timezone.utc)
    return f"{long_date(t)}, {t:%H:%M} UTC"


def days_text(n: int) -> str:
    """'1 day', '12 days'."""
    return f"{n} {'day' if n == 1 else 'days'}"


def available_from(d: dt.date | dt.datetime) -> str:
    """'Available from March 12, 2027': home study released later (its day, in its own zone)."""
    return f"Available from {long_date(d)}"


def release_text(d: dt.date | dt.datetime, presale: bool, bought: bool = False) -> str:
    """The catalogue's and the server's one sentence on material released later, and when it can
    be bought: 'Available from March 12, 2027; it can be bought now.' (to a purchaser: when it opens)."""
    if bought:
        return f"{available_from(d)}: the material and its post-test open that day."
    if presale:
        return f"{available_from(d)}; it can be bought now."
    return f"{available_from(d)}; it can be bought from that day."


def not_yet_released(d: dt.date | dt.datetime) -> str:
    """The refusal before a release date, naming it."""
    return f"This material is not available yet: it is available from {long_date(d)}. Come back then."


def not_on_sale_yet(d: dt.date | dt.datetime) -> str:
    """The refusal to sell material released later that is not sold before its release."""
    return f"This material can be bought from {long_date(d)}, when it is released."


def reminder_lead(lead: dt.timedelta) -> str:
    """'tomorrow' / 'in one hour': how far off a session is, in a reminder's subject."""
    hours = int(lead.total_seconds()) // 3600
    if hours >= 24:
        return "tomorrow"
    return "in one hour" if hours <= 1 else f"in {hours} hours"
