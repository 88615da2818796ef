"""Machine-readable outputs: /activities.json (versioned) and iCalendar files for live activities."""
from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from typing import Callable, Iterable

from icalendar import Calendar, Event

from ..model import Activity
from .display import SiteSettings
from .programme import session_anchor, session_record

SCHEMA = "ce-portal/activities"
VERSION = 1
PRODID = "-//CE Portal//Activity catalogue//EN"


def activity_record(a: Activity, settings: SiteSettings, url: str) -> dict:
    """One activity as it appears in activities.json (schema version 1)."""
    return {
        "slug": a.slug,
        "title": a.title,
        "format": a.format,
        "learning_format": a.learning_format,
        "starts": a.starts.isoformat(),
        "ends": a.ends.isoformat() if a.ends else None,
        "timezone": a.timezone or None,
        "claim_until": a.claim_until.isoformat(),
        "price": f"{a.price:.2f}",
        "price_cents": a.price_cents,
        "location": a.location,
        "conference": a.conference or None,
        "audience": list(a.audience),
        "objectives": list(a.objectives),
        "designations": [d.as_dict() for d in a.designations],
        "tags": list(a.tags),
        "url": url,
        "purchase_url": settings.purchase_url(a.slug),
        **({"sessions": [session_record(a, s, url) for s in a.sessions]} if a.sessions else {}),
    }


def activities_json(published: Iterable[Activity], settings: SiteSettings,
                    url_of: Callable[[Activity], str], generated: dt.datetime | None = None) -> str:
    generated = generated or dt.datetime.now(dt.timezone.utc)
    doc = {
        "schema": SCHEMA,
        "version": VERSION,
        "generated": generated.astimezone(dt.timezone.utc).isoformat(timespec="seconds"),
        "activities": [activity_record(a, settings, url_of(a)) for a in published],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def _summary(description: str, limit: int = 400) -> str:
    """The description's first paragraph, for calendar applications (the page has the rest)."""
    first = " ".join(description.strip().split("\n\n", 1)[0].split())
    if len(first) > limit:
        first = first[:limit].rsplit(" ", 1)[0] + " …"
    return first + "\n\n" if first else ""


def utc_span(a: Activity) -> tuple[dt.datetime, dt.datetime]:
    """An activity's start and end in UTC, as every calendar file writes them (no end: the start)."""
    return a.starts.astimezone(dt.timezone.utc), (a.ends or a.starts).astimezone(dt.timezone.utc)


def where_text(a: Activity) -> str:
    """Where a session is, for calendars and emails: 'Room 204B, Convention Center, Denver (Annual
    Meeting 2027)'; 'Online'."""
    return ", ".join(x for x in (a.room, a.location) if x) + (f" ({a.conference})" if a.conference else "")


def _event(a: Activity, settings: SiteSettings, url: str, stamp: dt.datetime) -> Event:
    ev = Event()
    ev.add("uid", f"{a.slug}@ce-portal")
    ev.add("dtstamp", stamp)
    start, end = utc_span(a)
    ev.add("dtstart", start)
    ev.add("dtend", end)
    ev.add("summary", a.title)
    ev.add("location", where_text(a))
    ev.add("url", url)
    ev.add("description", _summary(a.description) + f"Details and enrolment: {url}\n"
           f"Purchase: {settings.purchase_url(a.slug)}")
    return ev


def _wrap(events: Iterable[bytes], name: str) -> bytes:
    """A VCALENDAR around already serialised VEVENTs (each event is serialised once per build)."""
    return _head(name) + b"".join(events) + b"END:VCALENDAR\r\n"


@lru_cache(maxsize=8)
def _head(name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    return cal.to_ical().rpartition(b"END:VCALENDAR")[0]


def event_bytes(a: Activity, settings: SiteSettings, url: str, stamp: dt.datetime | None = None) -> bytes:
    """One live activity as a serialised VEVENT (UID <slug>@ce-portal, times in UTC)."""
    stamp = (stamp or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc).replace(microsecond=0)
    return _event(a, settings, url, stamp).to_ical() + b"".join(
        _session_event(a, s, url, stamp).to_ical() for s in a.sessions)


def _session_event(a: Activity, s, url: str, stamp: dt.datetime) -> Event:
    """A meeting's session: its own VEVENT (UID <id>.<slug>@ce-portal) linking to its anchor."""
    ev = Event()
    ev.add("uid", f"{s.id}.{a.slug}@ce-portal")
    ev.add("dtstamp", stamp)
    ev.add("dtstart", s.starts.astimezone(dt.timezone.utc))
    ev.add("dtend", s.ends.astimezone(dt.timezone.utc))
    ev.add("summary", f"{s.title} ({a.title})")
    ev.add("location", ", ".join(x for x in (s.room, a.location) if x))
    ev.add("url", f"{url}#{session_anchor(s.id)}")
    return ev


def calendar(live: Iterable[Activity], settings: SiteSettings, url_of: Callable[[Activity], str],
             name: str = "CE activities", stamp: dt.datetime | None = None,
             events: dict[str, bytes] | None = None) -> bytes:
    """A VCALENDAR with one VEVENT per live activity; `events` (slug -> VEVENT) reuses serialised ones."""
    events = events or {}
    return _wrap((events.get(a.slug) or event_bytes(a, settings, url_of(a), stamp)
                  for a in live if a.is_live), name)


def personal_calendar(a: Activity, *, uid: str, location: str, description: str, url: str,
                      stamp: dt.datetime, name: str = "CE activities") -> bytes:
    """One purchaser's calendar file for a live activity (the claim server attaches it to the receipt
    email): the site calendar's times in UTC, with `location` the join link or the room. The site
    never calls this: join details are not published."""
    ev = Event()
    ev.add("uid", uid)
    ev.add("dtstamp", stamp.astimezone(dt.timezone.utc).replace(microsecond=0))
    start, end = utc_span(a)
    ev.add("dtstart", start)
    ev.add("dtend", end)
    ev.add("summary", a.title)
    ev.add("location", location)
    ev.add("url", url)
    ev.add("description", description)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")  # an email attachment says what it is for (RFC 6047)
    cal.add("x-wr-calname", name)
    cal.add_component(ev)
    return cal.to_ical()
