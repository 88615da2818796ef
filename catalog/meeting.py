"""A meeting: one CE activity made of many sessions (the society's annual meeting).

The meeting's Markdown file carries what is said once (designations and their maxima, everyone in
control of content with their disclosures, objectives, dates); its `sessions:` key names a CSV file
beside it with one row per session, so a 300-session programme is a 300-line table whose git diff
shows exactly the session that changed. This module owns the session model, the credit a session
earns (from its duration, through `CreditType.hours_in`), overlaps, the most a learner can attend,
and the checker's meeting rules; the claim server imports all of it.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Iterable

from . import credits as C

#: The columns of a sessions file, in order; `optional` ones may be empty.
COLUMNS = ("id", "title", "track", "starts", "ends", "room", "credits", "uan", "pace_program",
           "faculty", "objectives")
REQUIRED_COLUMNS = ("id", "title", "track", "starts", "ends", "credits", "faculty", "objectives")
#: Separators inside one cell: faculty names, objectives, credit keys.
FACULTY_SEP = ";"
OBJECTIVES_SEP = "|"
#: The most sessions a meeting file may hold (a guard against a wrong file, not a policy).
MAX_SESSIONS = 5000
#: Credit types a session may carry; the state types follow P.A.C.E. and AMA hours by session.
SESSION_CREDITS = ("ama_pra_1", "acpe", "pace")
#: Credit types a learner's own attested selection of sessions may count. The AMA PRA Booklet lets
#: the physician self-claim credit commensurate with their participation; ACPE (a provider-verified
#: record per UAN for CPE Monitor) and P.A.C.E.® (verified attendance, and the California and
#: Florida hours that follow it) need the session's code or a badge scan.
SELF_ATTESTED_CREDITS = ("ama_pra_1",)


def counts_attested(credit: str) -> bool:
    """Whether a session the learner only attested counts toward this credit type."""
    return credit in SELF_ATTESTED_CREDITS


@dataclass(frozen=True)
class Session:
    """One session of a meeting, as its row in the sessions file says."""

    id: str
    title: str
    track: str
    starts: dt.datetime
    ends: dt.datetime
    room: str = ""
    credits: tuple[str, ...] = ()   # keys of credits.CREDIT_TYPES the session carries
    uan: str = ""                   # ACPE: the session's own Universal Activity Number
    pace_program: str = ""          # P.A.C.E.: the session's program number, if it has its own
    faculty: tuple[str, ...] = ()   # names, each in the meeting's `faculty:` with disclosures
    objectives: tuple[str, ...] = ()
    line: int = 0                   # its line in the sessions file

    @property
    def minutes(self) -> int:
        return int((self.ends - self.starts).total_seconds() // 60)

    def hours(self, credit: str) -> Decimal:
        """What the session earns in a credit type: its minutes in the type's units, rounded down to
        the increment (AMA 0.25 per 15 minutes; P.A.C.E. 50-minute hours). 0 when it does not carry it."""
        key = _base(credit)
        if key not in self.credits:
            return Decimal(0)
        return C.CREDIT_TYPES[key].hours_in(self.minutes)

    def overlaps(self, other: "Session") -> bool:
        return self.starts < other.ends and other.starts < self.ends

    def as_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "track": self.track,
                "starts": self.starts.isoformat(), "ends": self.ends.isoformat(), "room": self.room,
                "credits": list(self.credits), "uan": self.uan, "pace_program": self.pace_program,
                "faculty": list(self.faculty), "objectives": list(self.objectives), "line": self.line}

    @classmethod
    def from_dict(cls, d: dict) -> "Session":
        return cls(id=d["id"], title=d["title"], track=d["track"],
                   starts=dt.datetime.fromisoformat(d["starts"]), ends=dt.datetime.fromisoformat(d["ends"]),
                   room=d.get("room", ""), credits=tuple(d.get("credits", ())), uan=d.get("uan", ""),
                   pace_program=d.get("pace_program", ""), faculty=tuple(d.get("faculty", ())),
                   objectives=tuple(d.get("objectives", ())), line=d.get("line", 0))


def _base(credit: str) -> str:
    """State credit follows the session hours of the type it is counted in (50-minute hours)."""
    return "pace" if credit in ("california_cls", "florida") else credit


def carries(session: Session, credit: str) -> bool:
    return _base(credit) in session.credits


def most_without_overlaps(sessions: Iterable[Session], credit: str) -> Decimal:
    """The most credit one learner can earn: the best set of sessions none of which overlap
    (weighted interval scheduling, O(n log n))."""
    items = sorted((s for s in sessions if carries(s, credit)), key=lambda s: s.ends)
    best: list[Decimal] = [Decimal(0)]
    ends = [s.ends for s in items]
    import bisect
    for i, s in enumerate(items):
        j = bisect.bisect_right(ends, s.starts, 0, i)  # sessions ending no later than s starts
        best.append(max(best[i], best[j] + s.hours(credit)))
    return best[-1]


def first_overlap(chosen: Iterable[Session], session: Session) -> Session | None:
    """A session already chosen that overlaps this one (a learner cannot be in both)."""
    for s in chosen:
        if s.id != session.id and s.overlaps(session):
            return s
    return None


def credited_hours(sessions: Iterable[Session], credit: str, maximum: Decimal) -> Decimal:
    """A learner's credit for the sessions they attended: the sum of their credit, capped at the
    meeting's designated maximum (AMA PRA Booklet: claim only what the participation earned)."""
    total = sum((s.hours(credit) for s in sessions), Decimal(0))
    return min(total, maximum)


# ----------------------------------------------------------------------------------------------
# Reading a sessions file
# ----------------------------------------------------------------------------------------------
@dataclass
class SessionsFile:
    """A sessions file once read: the sessions that parsed, and (line, message) for every bad row."""

    path: str
    sessions: list[Session]
    problems: list[tuple[int, str]]
    digest: str = ""


def _when(text: str) -> dt.datetime | None:
    try:
        t = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return t


def parse_sessions(text: str, path: str = "sessions.csv") -> SessionsFile:
    """Parse a sessions CSV. Each bad row is reported by its line; good rows become Sessions."""
    out = SessionsFile(path, [], [], hashlib.sha256(text.encode()).hexdigest())
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("missing column" + ("s " if len(missing) > 1 else " ")
                         + ", ".join(f"`{c}`" for c in missing))
        if unknown:
            parts.append("unknown column" + ("s " if len(unknown) > 1 else " ")
                         + ", ".join(f"`{c}`" for c in unknown))
        out.problems.append((1, "; ".join(parts) + f"; the columns are: {', '.join(COLUMNS)}"))
        return out
    for row in reader:
        line = reader.line_num
        if len(out.sessions) >= MAX_SESSIONS:
            out.problems.append((line, f"more than {MAX_SESSIONS} sessions: is this the right file?"))
            break
        if None in row:
            out.problems.append((line, f"this row has more cells than the {len(header)} columns: "
                                       "quote a value that contains a comma"))
            continue
        v = {k: (row.get(k) or "").strip() for k in COLUMNS}
        sid = v["id"] or "?"
        bad = [f"`{c}` is empty" for c in REQUIRED_COLUMNS if not v[c] and c != "id"]
        if not v["id"]:
            bad.insert(0, "`id` is empty")
        starts, ends = _when(v["starts"]), _when(v["ends"])
        for c, t in (("starts", starts), ("ends", ends)):
            if v[c] and t is None:
                bad.append(f"`{c}` {v[c]!r} is not a date and time like 2027-06-18T09:00-04:00")
            elif t is not None and t.tzinfo is None:
                bad.append(f"`{c}` {v[c]} needs a UTC offset, like 2027-06-18T09:00-04:00")
        if bad:
            out.problems.append((line, f"session {sid}: " + "; ".join(bad)))
            continue
        out.sessions.append(Session(
            id=v["id"], title=v["title"], track=v["track"], starts=starts, ends=ends, room=v["room"],
            credits=tuple(v["credits"].split()), uan=v["uan"], pace_program=v["pace_program"],
            faculty=tuple(n.strip() for n in v["faculty"].split(FACULTY_SEP) if n.strip()),
            objectives=tuple(o.strip() for o in v["objectives"].split(OBJECTIVES_SEP) if o.strip()),
            line=line))
    return out


def read_sessions(path: str | Path) -> SessionsFile:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        return SessionsFile(str(path), [], [(1, f"cannot read the sessions file: {e.strerror or e}")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        return SessionsFile(str(path), [], [(line, "the sessions file is not UTF-8 text: save it as UTF-8")])
    return parse_sessions(text, str(path))


def write_sessions(sessions: Iterable[Session]) -> str:
    """The sessions file for these sessions (the import command and generators write it)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for s in sessions:
        w.writerow([s.id, s.title, s.track, s.starts.isoformat(timespec="minutes"),
                    s.ends.isoformat(timespec="minutes"), s.room, " ".join(s.credits), s.uan,
                    s.pace_program, f"{FACULTY_SEP} ".join(s.faculty),
                    f" {OBJECTIVES_SEP} ".join(s.objectives)])
    return buf.getvalue()


# ----------------------------------------------------------------------------------------------
# The checker's meeting rules: (line in the sessions file, message); line 0 = the meeting's maximum
# ----------------------------------------------------------------------------------------------
def check_sessions(sessions: list[Session], *, designated: dict[str, Decimal], people: set[str],
                   starts: dt.datetime | None, ends: dt.datetime | None, uan_pattern) -> list[tuple[int, str]]:
    """Problems with the sessions themselves, each on its row's line."""
    out: list[tuple[int, str]] = []
    seen_ids: dict[str, int] = {}
    seen_uans: dict[str, Session] = {}
    offered = sorted(designated)
    for s in sessions:
        def bad(msg: str) -> None:
            out.append((s.line, f"session {s.id}: {msg}"))

        if s.id in seen_ids:
            bad(f"the id is already used on line {seen_ids[s.id]}; give each session its own id")
        seen_ids.setdefault(s.id, s.line)
        if s.ends <= s.starts:
            bad("`ends` must be after `starts`")
            continue
        if starts is not None and ends is not None and (s.starts < starts or s.ends > ends):
            bad("it is outside the meeting's dates (`starts` to `ends` in the meeting file)")
        for key in s.credits:
            if key not in SESSION_CREDITS:
                bad(f"`{key}` is not a session credit; use {', '.join(SESSION_CREDITS)}")
                continue
            if key not in designated:
                bad(f"`{key}` is not one of the meeting's designations ({', '.join(offered)})")
                continue
            ct = C.CREDIT_TYPES[key]
            if key == "pace" and s.minutes < ct.minutes_per_unit:
                bad(f"a P.A.C.E.® program lasts at least {ct.minutes_per_unit} minutes; this session "
                    f"lasts {s.minutes}")
            elif s.hours(key) <= 0:
                bad(f"{s.minutes} minutes earn no {ct.unit_plural} (at least "
                    f"{C.format_hours(ct.increment_minutes())} minutes are needed)")
        if "acpe" in s.credits:
            if not s.uan:
                bad("it carries ACPE credit but has no `uan`; give it its own UAN")
            elif not uan_pattern.match(s.uan):
                bad(f"`{s.uan}` is not a Universal Activity Number like 0001-0000-27-001-L01-P")
            elif s.uan in seen_uans:
                bad(f"UAN {s.uan} is already used by session {seen_uans[s.uan].id} (line "
                    f"{seen_uans[s.uan].line}); each session needs its own UAN")
            else:
                seen_uans[s.uan] = s
        elif s.uan:
            bad("it has a `uan` but does not carry `acpe` credit; add acpe to `credits` or remove the UAN")
        for name in s.faculty:
            if name not in people:
                bad(f"`{name}` is not in the meeting's `faculty:` list; everyone in a session needs "
                    "their disclosure there")
        if not s.faculty:
            bad("no faculty: name the speakers (each disclosed in the meeting's `faculty:` list)")
        if not s.objectives:
            bad("no objectives: give at least one, separated by `|`")
    return out


def check_maxima(sessions: list[Session], designated: dict[str, Decimal]) -> list[tuple[str, str]]:
    """(credit key, message) for each designated maximum above what a learner could attend."""
    out = []
    for key, maximum in designated.items():
        most = most_without_overlaps(sessions, key)
        if maximum > most:
            ct = C.CREDIT_TYPES[key]
            out.append((key, f"the meeting's maximum of {ct.units(maximum)} is more than the "
                             f"{ct.units(most)} a learner can earn in sessions that do not overlap; "
                             f"lower it to {C.format_hours(most)} or less"))
    return out
