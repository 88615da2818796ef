"""Import a programme CSV exported from a meeting-planning tool into a meeting's sessions file.

Planning tools name their columns differently ("Session Code", "Start Time", "Speakers" …): the
aliases below map them to the sessions file's columns (`catalog.meeting.COLUMNS`). Dates and times
are read in the common forms (2027-09-14 or 09/14/2027; 9:00 AM or 09:00) at the meeting's UTC
offset. Each bad row is reported by its line; nothing is written while any row is bad.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

from . import meeting as M

#: Column names as planning tools export them (lower case, spaces and punctuation ignored).
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "sessionid", "sessioncode", "code", "sessionnumber"),
    "title": ("title", "sessiontitle", "name", "sessionname"),
    "track": ("track", "tracks", "category", "stream"),
    "date": ("date", "sessiondate", "day"),
    "start": ("start", "starttime", "begins", "from"),
    "end": ("end", "endtime", "ends", "to"),
    "room": ("room", "location", "venue"),
    "faculty": ("faculty", "speakers", "speaker", "presenters", "presenter"),
    "objectives": ("objectives", "learningobjectives", "objective"),
    "credits": ("credits", "cetypes", "credittypes", "ce"),
    "uan": ("uan", "acpeuan"),
    "pace_program": ("paceprogram", "paceprogramnumber", "pace"),
}
REQUIRED = ("id", "title", "track", "date", "start", "end", "faculty", "objectives", "credits")
#: Credit names in planning tools -> credit keys.
CREDIT_NAMES = {"ama": "ama_pra_1", "amapra1": "ama_pra_1", "amapracategory1": "ama_pra_1", "cme": "ama_pra_1",
                "acpe": "acpe", "pharmacy": "acpe", "cpe": "acpe", "pace": "pace", "ascls": "pace"}
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y")
_TIME_FORMATS = ("%H:%M", "%I:%M %p", "%I:%M%p", "%I %p")


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _parse(value: str, formats) -> dt.datetime | None:
    for f in formats:
        try:
            return dt.datetime.strptime(value.strip().upper() if "%p" in f else value.strip(), f)
        except ValueError:
            continue
    return None


def _split(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;\n]", text) if p.strip()]


def import_programme(text: str, offset: dt.timezone) -> tuple[list[M.Session], list[tuple[int, str]]]:
    """Sessions from a planning tool's CSV, and (line, message) for every bad row."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        return [], [(1, "the file is empty")]
    where: dict[str, int] = {}
    for i, h in enumerate(header):
        for key, names in ALIASES.items():
            if _norm(h) in names and key not in where:
                where[key] = i
    missing = [k for k in REQUIRED if k not in where]
    if missing:
        return [], [(1, "no column for " + ", ".join(f"`{k}`" for k in missing)
                     + f" (the header is: {', '.join(header)})")]
    sessions: list[M.Session] = []
    problems: list[tuple[int, str]] = []
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        v = {k: (cells[i].strip() if i < len(cells) else "") for k, i in where.items()}
        bad = [f"`{k}` is empty" for k in REQUIRED if not v.get(k)]
        day = _parse(v.get("date", ""), _DATE_FORMATS) if v.get("date") else None
        start = _parse(v.get("start", ""), _TIME_FORMATS) if v.get("start") else None
        end = _parse(v.get("end", ""), _TIME_FORMATS) if v.get("end") else None
        if v.get("date") and day is None:
            bad.append(f"date {v['date']!r} is not like 2027-09-14 or 09/14/2027")
        for k, t in (("start", start), ("end", end)):
            if v.get(k) and t is None:
                bad.append(f"{k} time {v[k]!r} is not like 9:00 AM or 09:00")
        credits = []
        for name in _split(v.get("credits", "").replace(",", ";")):
            key = CREDIT_NAMES.get(_norm(name))
            if key is None:
                bad.append(f"credit {name!r} is not one of AMA, ACPE, P.A.C.E.")
            elif key not in credits:
                credits.append(key)
        if bad:
            problems.append((line, f"session {v.get('id') or '?'}: " + "; ".join(bad)))
            continue
        starts = dt.datetime.combine(day.date(), start.time(), offset)
        ends = dt.datetime.combine(day.date(), end.time(), offset)
        sessions.append(M.Session(id=v["id"], title=v["title"], track=v["track"], starts=starts, ends=ends,
                                  room=v.get("room", ""), credits=tuple(credits), uan=v.get("uan", ""),
                                  pace_program=v.get("pace_program", ""), faculty=tuple(_split(v["faculty"])),
                                  objectives=tuple(_split(v["objectives"])), line=line))
    return sessions, problems


def parse_offset(text: str) -> dt.timezone | None:
    m = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", text.strip())
    if not m:
        return None
    delta = dt.timedelta(hours=int(m[2]), minutes=int(m[3]))
    return dt.timezone(delta if m[1] == "+" else -delta)
