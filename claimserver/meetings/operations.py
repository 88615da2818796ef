"""Every write for meetings: attendance per session (a code announced in the room, a staff-imported
badge-scan roster, a physician's own attested selection), a short evaluation per session, what a
learner's claim may count and the sessions added to it later, the registration list and the free
enrolment of registrants.

Two overlapping sessions of one learner never both count: every attendance write checks and inserts
in one transaction holding the learner's lock (`lock_learner`; a roster holds the whole meeting's).

The CE rules come from `catalog.meeting` (session credit, overlaps, the cap); this module only
applies them to a learner's rows. One purchase of the meeting covers every session.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import hmac
import io
from dataclasses import dataclass
from decimal import Decimal

from flask import current_app
from peewee import IntegrityError

from catalog import credits as C
from catalog import professions
from catalog import meeting as M
from catalog.dates import time_text, weekday_date
from catalog.model import Activity as ActivityModel
from catalog.status import OrderStatus, ParticipationMethod

from .. import clock, ratelimit
from ..catalog_sync import CODE_ALPHABET
from ..db import database
from ..learning.operations import UNCONFIRMED_EMAIL, local_zone, open_order, refunded_message, require_paid
from ..models import (
    Activity, Learner, Order, Participation, Registration, SessionAttendance, SessionEvaluation, audit,
)
from ..refusals import Refused

#: Length of a session's attendance code (the alphabet is the activity codes').
SESSION_CODE_LENGTH = 6
#: A badge may be scanned this long before a session starts (people queue at the door).
SCAN_EARLY = dt.timedelta(minutes=15)
#: Rows per INSERT when a roster is imported.
BATCH = 500
OBJECTIVES_MET = ("yes", "partly", "no")


def session_code(row: Activity, session_id: str) -> str:
    """The code announced in a session: derived from the meeting's secret attendance code, so no
    list of codes is stored or kept in the repository, and each session's code differs."""
    digest = hmac.new(row.attendance_code.encode(), session_id.encode(), hashlib.sha256).digest()
    return "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest[:SESSION_CODE_LENGTH])


def session_when(model: ActivityModel, s: M.Session) -> str:
    tz = local_zone(model)
    a, b = s.starts.astimezone(tz), s.ends.astimezone(tz)
    return f"{weekday_date(a)}, {time_text(a)}–{time_text(b)}"


def require_session(model: ActivityModel, session_id: str) -> M.Session:
    s = model.session(session_id)
    if s is None:
        raise Refused(f"This meeting has no session {session_id!r}: check the session number in the "
                      "programme.", field="session")
    return s


def attended_ids(learner: Learner, row: Activity) -> list[str]:
    return [a.session for a in SessionAttendance.select(SessionAttendance.session)
            .where(SessionAttendance.learner == learner, SessionAttendance.activity == row)
            .order_by(SessionAttendance.id)]


def evaluated_ids(learner: Learner, row: Activity) -> set[str]:
    return {e.session for e in SessionEvaluation.select(SessionEvaluation.session)
            .where(SessionEvaluation.learner == learner, SessionEvaluation.activity == row)}


def _overlap_refusal(model: ActivityModel, other: M.Session, s: M.Session) -> Refused:
    return Refused(f"Your attendance at session {other.id}, “{other.title}” ({session_when(model, other)}), "
                   f"overlaps session {s.id} ({session_when(model, s)}); a learner can be at only one "
                   "of them, so only the first is recorded.", field="code")


def _complete_participation(learner: Learner, row: Activity, model: ActivityModel, s: M.Session,
                            method: str) -> None:
    """The meeting's Participation (what the claim flow asks for) is completed at the first session;
    its date is the latest attended session's, in the meeting's time zone."""
    on = s.starts.astimezone(local_zone(model)).date()
    p = Participation.get_or_none(Participation.learner == learner, Participation.activity == row)
    if p is None:
        Participation.create(learner=learner, activity=row, completed=True, method=method,
                             participated_on=on, completed_at=clock.utcnow_naive())
    elif not p.completed or p.participated_on is None or p.participated_on < on:
        Participation.update(completed=True, method=p.method or method, participated_on=on,
                             completed_at=p.completed_at or clock.utcnow_naive()
                             ).where(Participation.id == p.id).execute()


def _complete_participations(row: Activity, model: ActivityModel, latest: dict[int, M.Session]) -> None:
    """`_complete_participation` for many learners (a roster): one query per 500 learners, plus an
    update only where a participation exists and needs a later date."""
    tz, now, ids = local_zone(model), clock.utcnow_naive(), list(latest)
    for i in range(0, len(ids), BATCH):
        chunk = ids[i:i + BATCH]
        have = {p.learner_id: p for p in Participation.select().where(Participation.activity == row,
                                                                      Participation.learner.in_(chunk))}
        new = []
        for lid in chunk:
            on = latest[lid].starts.astimezone(tz).date()
            p = have.get(lid)
            if p is None:
                new.append({"learner": lid, "activity": row.id, "method": ParticipationMethod.BADGE,
                            "completed": True, "participated_on": on, "attempts": 0, "created_at": now,
                            "completed_at": now})
            elif not p.completed or p.participated_on is None or p.participated_on < on:
                Participation.update(completed=True, method=p.method or ParticipationMethod.BADGE,
                                     participated_on=on, completed_at=p.completed_at or now
                                     ).where(Participation.id == p.id).execute()
        if new:
            Participation.insert_many(new).execute()


def lock_learner(learner: Learner, row: Activity) -> None:
    """Inside a transaction: take the learner's enrolment (their order) for this meeting, so two
    requests recording sessions for one learner run one after the other and the second sees the
    first's rows. PostgreSQL: the no-op UPDATE holds the row lock until commit (READ COMMITTED: the
    next SELECT sees what the first committed). SQLite: transactions begin IMMEDIATE, so writers
    already queue; the UPDATE is the first statement and costs nothing."""
    Order.update(status=Order.status).where(Order.learner == learner, Order.activity == row).execute()


def _lock_meeting(row: Activity) -> None:
    """`lock_learner` for every enrolment of the meeting at once (a roster import)."""
    Order.update(status=Order.status).where(Order.activity == row).execute()


def _attended_sessions(learner: Learner, row: Activity, model: ActivityModel) -> list[M.Session]:
    return [x for x in (model.session(i) for i in attended_ids(learner, row)) if x]


def record_attendance(learner: Learner, row: Activity, model: ActivityModel, s: M.Session,
                      method: str, actor: Learner | None = None,
                      scanned_at: dt.datetime | None = None) -> tuple[SessionAttendance, bool]:
    """Record one session; the same session again is the existing row; an overlapping one is refused.

    The check and the insert run in one transaction holding the learner's lock (`lock_learner`), so
    two overlapping sessions recorded at the same instant never both count."""
    try:
        with database.atomic():
            lock_learner(learner, row)
            existing = SessionAttendance.get_or_none(SessionAttendance.learner == learner,
                                                     SessionAttendance.activity == row,
                                                     SessionAttendance.session == s.id)
            if existing is not None:
                return existing, False
            other = M.first_overlap(_attended_sessions(learner, row, model), s)
            if other is not None:
                raise _overlap_refusal(model, other, s)
            a = SessionAttendance.create(learner=learner, activity=row, session=s.id, method=method,
                                         scanned_at=scanned_at)
            _complete_participation(learner, row, model, s, method)
            audit(actor or learner, "session.attended", f"activity:{row.id}", session=s.id, method=method,
                  learner=learner.id)
            return a, True
    except IntegrityError:  # a concurrent request recorded it first
        return SessionAttendance.get(SessionAttendance.learner == learner, SessionAttendance.activity == row,
                                     SessionAttendance.session == s.id), False


# ------------------------------------------------------------------------------------------------
# The learner's own attested selection (where the designation allows it: catalog.meeting)
# ------------------------------------------------------------------------------------------------
def may_attest(learner: Learner, model: ActivityModel) -> bool:
    """Whether this learner may select sessions themselves: the meeting designates a credit type
    that counts attested sessions and their profession may claim it."""
    return any(M.counts_attested(k) and C.may_claim(learner.profession, k) for k in model.credit_keys)


def attestable(model: ActivityModel, s: M.Session) -> bool:
    return any(M.counts_attested(k) for k in s.credits)


@dataclass
class Selection:
    """What an attested selection did: the sessions recorded now, those already recorded."""

    recorded: list[M.Session]
    already: list[M.Session]


def attest_sessions(learner: Learner, row: Activity, session_ids: list[str], attested: bool) -> Selection:
    """Record the sessions the learner selects and attests they attended, all or none: a session
    that overlaps another selected or already recorded one refuses the whole selection, naming both."""
    model = row.current.model()
    require_paid(learner, row)
    if not may_attest(learner, model):
        raise Refused("Your sessions at this meeting are recorded by the code announced in each session "
                      "or by a badge scan: the credit you can claim needs that proof of attendance.")
    if clock.now().astimezone(local_zone(model)).date() > model.claim_until:
        raise Refused("This meeting's claim period has ended; attendance can no longer be recorded.")
    ids = list(dict.fromkeys(i.strip() for i in session_ids if i.strip()))
    if not ids:
        raise Refused("Select the sessions you attended.", field="session")
    chosen = [require_session(model, i) for i in ids]
    for s in chosen:
        if not attestable(model, s):
            raise Refused(f"Session {s.id} carries no credit that your own selection can count: enter "
                          "its code instead.", field=f"s-{s.id}")
        if clock.now() < s.ends:
            raise Refused(f"Session {s.id} has not ended yet ({session_when(model, s)}): select it once "
                          "it is over.", field=f"s-{s.id}")
    if not attested:
        raise Refused("Tick the attestation to confirm you attended the sessions you selected.",
                      field="attest")
    chosen.sort(key=lambda s: (s.starts, s.id))
    for i, s in enumerate(chosen):
        other = M.first_overlap(chosen[:i], s)
        if other is not None:
            raise Refused(f"Sessions {other.id}, “{other.title}” ({session_when(model, other)}), and "
                          f"{s.id}, “{s.title}” ({session_when(model, s)}), overlap: you can be at only "
                          "one of them. Untick one and send the selection again.",
                          field=f"s-{other.id} s-{s.id}")
    out = Selection([], [])
    with database.atomic():
        lock_learner(learner, row)
        have = _attended_sessions(learner, row, model)
        for s in chosen:
            if any(x.id == s.id for x in have):
                out.already.append(s)
                continue
            other = M.first_overlap(have, s)
            if other is not None:
                raise Refused(f"Your attendance at session {other.id}, “{other.title}” "
                              f"({session_when(model, other)}), is already recorded and overlaps session "
                              f"{s.id}, “{s.title}” ({session_when(model, s)}): you can be at only one of "
                              "them. Untick it and send the selection again.",
                              field=f"s-{other.id} s-{s.id}")
            have.append(s)
            out.recorded.append(s)
        if out.recorded:
            now = clock.utcnow_naive()
            SessionAttendance.insert_many([
                {"learner": learner.id, "activity": row.id, "session": s.id,
                 "method": ParticipationMethod.ATTESTED, "created_at": now} for s in out.recorded]).execute()
            latest = max(out.recorded, key=lambda s: s.starts)
            _complete_participation(learner, row, model, latest, ParticipationMethod.ATTESTED)
            audit(learner, "session.attested", f"activity:{row.id}", sessions=[s.id for s in out.recorded])
    return out


def _code_key(learner: Learner, row: Activity) -> str:
    return f"session-code:{learner.id}:{row.id}"


def enter_session_code(learner: Learner, row: Activity, session_id: str, code: str) -> tuple[SessionAttendance, bool]:
    """A learner types the code announced in the session."""
    model = row.current.model()
    require_paid(learner, row)
    s = require_session(model, session_id.strip())
    if clock.now() < s.starts:
        raise Refused(f"Session {s.id} has not started yet ({session_when(model, s)}): the code is "
                      "announced during the session.", field="code")
    if clock.now().astimezone(local_zone(model)).date() > model.claim_until:
        raise Refused("This meeting's claim period has ended; attendance can no longer be recorded.")
    limit = int(current_app.config["ATTENDANCE_CODE_FAILURES_PER_15_MIN"])
    if ratelimit.count(_code_key(learner, row), 900) >= limit:
        raise Refused("Too many wrong codes. Wait 15 minutes, then enter the code exactly as it was "
                      "announced.", field="code")
    given = "".join(code.split()).upper()
    if not row.attendance_code or not hmac.compare_digest(given.encode(), session_code(row, s.id).encode()):
        ratelimit.hit(_code_key(learner, row), limit, 900)
        raise Refused(f"That is not the code for session {s.id}. Enter it exactly as it was announced "
                      "in the room.", field="code")
    return record_attendance(learner, row, model, s, ParticipationMethod.CODE)


# ------------------------------------------------------------------------------------------------
# Per-session evaluation
# ------------------------------------------------------------------------------------------------
def evaluate_session(learner: Learner, row: Activity, session_id: str, *, objectives_met: str,
                     bias_free: bool, quality: int, comment: str = "") -> tuple[SessionEvaluation, bool]:
    model = row.current.model()
    s = require_session(model, session_id)
    if session_id not in attended_ids(learner, row):
        raise Refused(f"Your attendance at session {s.id} is not recorded: enter the session's code "
                      "first, then evaluate it.")
    if objectives_met not in OBJECTIVES_MET:
        raise Refused("Say whether the session met its objectives: yes, partly or no.", field="objectives_met")
    if not 1 <= int(quality) <= 5:
        raise Refused("Rate the session's quality from 1 to 5.", field="quality")
    existing = SessionEvaluation.get_or_none(SessionEvaluation.learner == learner,
                                             SessionEvaluation.activity == row,
                                             SessionEvaluation.session == s.id)
    if existing is not None:
        return existing, False
    try:
        with database.atomic():
            return SessionEvaluation.create(learner=learner, activity=row, session=s.id,
                                            objectives_met=objectives_met, bias_free=bias_free,
                                            quality=int(quality), comment=comment.strip()[:2000]), True
    except IntegrityError:
        return SessionEvaluation.get(SessionEvaluation.learner == learner, SessionEvaluation.activity == row,
                                     SessionEvaluation.session == s.id), False


# ------------------------------------------------------------------------------------------------
# What a claim counts
# ------------------------------------------------------------------------------------------------
def attended_methods(learner: Learner, row: Activity) -> dict[str, str]:
    """session id -> how its attendance was recorded (catalog.status.ParticipationMethod)."""
    return dict(SessionAttendance.select(SessionAttendance.session, SessionAttendance.method)
                .where(SessionAttendance.learner == learner, SessionAttendance.activity == row).tuples())


def credited_sessions(learner: Learner, row: Activity, model: ActivityModel,
                      credit: str | None = None) -> list[M.Session]:
    """Sessions the learner attended and evaluated ("certificates by completing evaluations for
    sessions you attended"), in programme order. With `credit`, only those that count toward it: a
    session the learner only attested counts where `catalog.meeting.counts_attested` says so."""
    done = evaluated_ids(learner, row)
    methods = attended_methods(learner, row)
    ids = {sid for sid, how in methods.items() if sid in done
           and (credit is None or how != ParticipationMethod.ATTESTED or M.counts_attested(credit))}
    return sorted((s for s in model.sessions if s.id in ids), key=lambda s: (s.starts, s.id))


def meeting_offers(learner: Learner, row: Activity, model: ActivityModel, offers: list) -> list:
    """Each offer's maximum becomes the learner's own: the sum of their credited sessions' credit in
    that type, capped at the meeting's maximum. A type none of their sessions carries is not offered.

    ACPE counts the sessions whose UAN is for the learner's audience; it is claimed per session
    (`per_session_claims`), one CPE Monitor record per UAN."""
    letter = professions.acpe_letter(learner.profession)
    out = []
    for o in offers:
        sessions = credited_sessions(learner, row, model, o.key)
        if o.key == "acpe":  # a session UAN ends in the audience's letter (P pharmacists, T technicians)
            counted = [s for s in sessions if "acpe" in s.credits and s.uan[-1:] == letter]
            hours = M.credited_hours(counted, "acpe", o.designation.hours)
        elif o.key == "participation":
            counted = [s for s in sessions if s.credits]
            hours = min(sum((max((s.hours(k) for k in s.credits), default=Decimal(0)) for s in counted),
                            Decimal(0)), o.designation.hours)
        else:
            counted = [s for s in sessions if M.carries(s, o.key)]
            hours = M.credited_hours(counted, o.key, o.designation.hours)
        if hours <= 0:
            continue
        out.append(dataclasses.replace(o, designation=dataclasses.replace(o.designation, hours=hours),
                                       sessions=tuple(counted)))
    return out


def per_session_claims(offer, quarter_hours: int, model: ActivityModel) -> list[tuple[M.Session, dict, int, dt.date]]:
    """ACPE on a meeting: each session is its own UAN, so the claimed hours are split into one claim
    per session (programme order, each whole until the hours run out): (session, designation
    snapshot, quarter hours, the session's date)."""
    ct = C.CREDIT_TYPES["acpe"]
    left = quarter_hours
    out = []
    for s in offer.sessions:
        if left <= 0:
            break
        q = min(ct.to_quarters(s.hours("acpe")), left)
        left -= q
        d = dataclasses.replace(offer.designation, hours=ct.from_quarters(q), reference=s.uan,
                                audience=s.uan[-1:], topic=s.uan[-4:-2]).as_dict()
        d["sessions"] = [[s.id, s.title, C.format_hours(ct.from_quarters(q))]]
        out.append((s, d, q, s.starts.astimezone(local_zone(model)).date()))
    return out


def sessions_snapshot(key: str, sessions) -> list[list[str]]:
    """[[id, title, hours], …] as a claim keeps them (certificates print them)."""
    out = []
    for s in sessions:
        h = max((s.hours(k) for k in s.credits), default=Decimal(0)) if key == "participation" else s.hours(key)
        out.append([s.id, s.title, C.format_hours(h)])
    return out


# ------------------------------------------------------------------------------------------------
# Sessions attended after claiming: the claim is corrected upward (records.corrections)
# ------------------------------------------------------------------------------------------------
@dataclass
class Addition:
    """Sessions that count toward a credit type the learner already claimed, not yet in the claim."""

    offer: object                 # records.operations.Offer as it is now (every counted session)
    sessions: tuple               # the sessions to add
    before: Decimal               # hours claimed so far
    after: Decimal                # hours once added, capped at the meeting's maximum
    claim: object = None          # the claim corrected upward; None for ACPE (one new claim per UAN)
    refused: str = ""             # why this claim can no longer grow (already reported, revoked)

    @property
    def type(self) -> C.CreditType:
        return C.CREDIT_TYPES[self.offer.key]


def _session_hours(key: str, s: M.Session) -> Decimal:
    return max((s.hours(k) for k in s.credits), default=Decimal(0)) if key == "participation" else s.hours(key)


def additions(learner: Learner, row: Activity, model: ActivityModel, claimed: list) -> list[Addition]:
    """For each credit type already claimed, the credited sessions its claim does not count yet and
    the hours the claim would then carry: what was claimed plus those sessions' credit, never above
    the learner's own maximum (the sum of their sessions, capped at the meeting's)."""
    from ..records import corrections
    from ..records.operations import offers as offers_for

    if not claimed:
        return []
    by_key: dict[str, list] = {}
    for c in claimed:
        by_key.setdefault(c.credit_type, []).append(c)
    out = []
    for o in offers_for(learner, model, row):
        mine = by_key.get(o.key)
        if not mine:
            continue
        ct = o.type
        if o.key == "acpe":
            had = {c.session for c in mine}
            before = ct.from_quarters(sum(c.quarter_hours for c in mine))
            new = tuple(s for s in o.sessions if s.id not in had)
            after = min(before + sum((s.hours(o.key) for s in new), Decimal(0)), o.maximum)
            if new and after > before:
                out.append(Addition(o, new, before, after))
            continue
        c = mine[0]
        had = {sid for sid, _, _ in c.designation.get("sessions", ())}
        new = tuple(s for s in o.sessions if s.id not in had)
        after = min(c.hours + sum((_session_hours(o.key, s) for s in new), Decimal(0)), o.maximum)
        if new and after > c.hours:
            refusal = corrections.correction_refusal(c)
            out.append(Addition(o, new, c.hours, after, c,
                                refusal.message.replace(corrections.HOURS_LOCKED, corrections.SESSIONS_LOCKED)
                                if refusal else ""))
    return out


def add_sessions(learner: Learner, row: Activity, attested: bool) -> list[Addition]:
    """Add every session attended since the learner claimed to their claims: each claim is corrected
    upward with its certificate reissued (new code, the old one superseded); ACPE sessions each get
    their own claim and CPE Monitor item. One transaction under the learner's lock, so two requests
    at once add the sessions once."""
    from ..records import corrections
    from ..records.operations import claims_for, issue_session_claims

    model = row.current.model()
    require_paid(learner, row)
    if not attested:
        raise Refused("Tick the attestation to confirm you claim only the credit your sessions earned.",
                      field="attest")
    with database.atomic():
        lock_learner(learner, row)
        found = [a for a in additions(learner, row, model, claims_for(learner, row)) if not a.refused]
        if not found:
            raise Refused("Your claims already count every session you attended and evaluated (or the "
                          "meeting's maximum): there is nothing to add.")
        for a in found:
            if a.claim is None:
                offer = dataclasses.replace(a.offer, sessions=a.sessions)
                issue_session_claims(learner, row, offer, a.type.to_quarters(a.after - a.before))
            else:
                corrections.add_sessions(learner, a.claim, a.offer, a.after)
    return found


# ------------------------------------------------------------------------------------------------
# Rosters of badge scans (staff)
# ------------------------------------------------------------------------------------------------
@dataclass
class ScanSummary:
    recorded: int = 0
    already: int = 0
    problems: list[tuple[int, str]] = dataclasses.field(default_factory=list)  # (line, message)

    @property
    def rows(self) -> int:
        return self.recorded + self.already + len(self.problems)


SCAN_COLUMNS = ("badge_id", "session", "time")


def _scan_time(text: str, model: ActivityModel) -> dt.datetime | None:
    try:
        t = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=local_zone(model))


def _read_scans(reader, bi, si, ti, by_id, buyers, model, row, seen, out, pending, firsts) -> None:
    """The roster's rows, one by one: each bad row a problem on its line, each good one pending."""
    try:
        for n, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            get = lambda i: (cells[i] if i < len(cells) else "").strip()  # noqa: E731
            badge, sid, when = get(bi).upper(), get(si), get(ti)
            s = by_id.get(sid)
            learner = buyers.get(badge)
            t = _scan_time(when, model)
            if s is None:
                out.problems.append((n, f"no session {sid!r} in this meeting"))
            elif not badge:  # not "badge (empty) belongs to nobody…": the scanner left the cell blank
                out.problems.append((n, "the badge ID is empty"))
            elif learner is None:
                out.problems.append((n, f"badge {badge} belongs to nobody who bought this "
                                        "meeting's CE (the learner adds it to their profile)"))
            elif t is None:
                out.problems.append((n, f"time {when!r} is not a date and time like "
                                        f"{s.starts.isoformat(timespec='minutes')}"))
            elif not (s.starts - SCAN_EARLY <= t <= s.ends):
                out.problems.append((n, f"the scan at {t.isoformat(timespec='minutes')} is not during "
                                        f"session {s.id} ({session_when(model, s)})"))
            else:
                mine = seen.setdefault(learner.id, [])
                if any(x.id == s.id for x in mine):
                    out.already += 1
                    continue
                other = M.first_overlap(mine, s)
                if other is not None:
                    out.problems.append((n, f"badge {badge} is already recorded at session {other.id}, "
                                            f"which overlaps session {s.id}; only one can count"))
                    continue
                mine.append(s)
                if learner.id not in firsts or firsts[learner.id].starts < s.starts:
                    firsts[learner.id] = s
                pending.append({"learner": learner.id, "activity": row.id, "session": s.id,
                                "method": ParticipationMethod.BADGE,
                                "scanned_at": t.astimezone(dt.timezone.utc).replace(tzinfo=None),
                                "created_at": clock.utcnow_naive()})
    except csv.Error as e:
        raise Refused(f"Line {reader.line_num} is not a CSV row of {','.join(SCAN_COLUMNS)} ({e}).") from None


def _csv_with_columns(text: str, columns: tuple[str, ...]):
    """A staff CSV's reader past its header line, and where each of `columns` is in it; Refused when
    the file is empty or its first line does not name them. (A byte-order mark is stripped here, so
    text pasted into the form is read like an uploaded file.)"""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise Refused("The file is empty. The first line must be: " + ",".join(columns)) from None
    except csv.Error as e:
        raise Refused(f"Line 1 is not a CSV header ({e}).") from None
    if any(c not in header for c in columns):
        raise Refused("The first line must name the columns: " + ",".join(columns))
    return reader, [header.index(c) for c in columns]


def import_badge_scans(staff: Learner, row: Activity, text: str) -> ScanSummary:
    """Record attendance from a CSV of badge scans (badge_id, session, time). Each bad row is reported
    by its line; good rows are inserted in batches. A learner's scan at a session overlapping one
    already recorded for them is a problem row (they can claim only one)."""
    model = row.current.model()
    reader, (bi, si, ti) = _csv_with_columns(text, SCAN_COLUMNS)
    by_id = {s.id: s for s in model.sessions}
    # Buyers by badge, and what each has already attended: two queries, whatever the roster's size.
    buyers = {l.badge_id.strip().upper(): l for l in Learner.select().join(Order, on=(Order.learner == Learner.id))
              .where(Order.activity == row, Order.status == "paid", Learner.badge_id != "")}
    out = ScanSummary()
    pending: list[dict] = []
    firsts: dict[int, M.Session] = {}
    # One transaction holding every enrolment of the meeting (`_lock_meeting`): a learner entering a
    # code meanwhile waits, then sees the roster's rows, so no overlapping pair is ever recorded.
    with database.atomic():
        _lock_meeting(row)
        seen: dict[int, list[M.Session]] = {}
        for a in (SessionAttendance.select(SessionAttendance.learner, SessionAttendance.session)
                  .where(SessionAttendance.activity == row)):
            if a.session in by_id:
                seen.setdefault(a.learner_id, []).append(by_id[a.session])
        _read_scans(reader, bi, si, ti, by_id, buyers, model, row, seen, out, pending, firsts)
        for i in range(0, len(pending), BATCH):
            SessionAttendance.insert_many(pending[i:i + BATCH]).on_conflict_ignore().execute()
        _complete_participations(row, model, firsts)
        audit(staff, "session.roster", f"activity:{row.id}", recorded=len(pending), problems=len(out.problems))
    out.recorded = len(pending)
    return out


def staff_codes(row: Activity, model: ActivityModel) -> list[tuple[M.Session, str]]:
    return [(s, session_code(row, s.id)) for s in model.sessions]



#: A badge ID as printed on meeting badges: letters, digits and hyphens.
BADGE_MAX = 40


def set_badge(learner: Learner, badge_id: str) -> None:
    value = "".join(badge_id.split()).upper()
    if len(value) > BADGE_MAX or (value and not all(c.isalnum() or c == "-" for c in value)):
        raise Refused(f"A badge ID is letters, digits and hyphens, at most {BADGE_MAX} characters, "
                      "as printed on your badge.", field="badge_id")
    if value and Learner.select().where(Learner.badge_id == value, Learner.id != learner.id).exists():
        raise Refused("That badge ID is already on another account: check it, or ask the registration "
                      "desk.", field="badge_id")
    with database.atomic():
        Learner.update(badge_id=value).where(Learner.id == learner.id).execute()
        audit(learner, "learner.badge", f"learner:{learner.id}", badge_id=value)


# ------------------------------------------------------------------------------------------------
# Free, registration-linked enrolment (`free_for_registrants` in the meeting's front-matter)
# ------------------------------------------------------------------------------------------------
#: The gateway word of a registrant's 0.00 order (receipts and staff pages show it).
REGISTRATION_GATEWAY = "registration"
REGISTRATION_COLUMNS = ("badge_id", "email")


def _badge(text: str) -> str:
    return "".join((text or "").split()).upper()


def _badge_problem(value: str) -> str | None:
    if not value:
        return "the badge ID is empty"
    if len(value) > BADGE_MAX or not all(c.isalnum() or c == "-" for c in value):
        return (f"badge ID {value!r} is not letters, digits and hyphens of at most {BADGE_MAX} "
                "characters")
    return None


def enrol_free(learner: Learner, row: Activity, registration: Registration,
               actor: Learner | None = None) -> tuple[Order, bool]:
    """The registrant's enrolment: their one order for the meeting, paid at 0.00 through
    `payments.mark_paid` (whose conditional UPDATE moves it once, however many requests race; the
    order itself is unique per learner and meeting). (order, True) when this call enrolled them."""
    from ..payments import operations as payments

    order = open_order(learner, row)
    if order.is_paid:
        return order, False
    if order.is_refunded:
        raise Refused(refunded_message(order))
    if order.status == OrderStatus.PROCESSING:
        raise Refused("A card payment for this meeting was started and is not finished yet: wait for it "
                      "to finish (it is refunded if you were registered), or ask the registration desk.")
    with database.atomic():
        Order.update(amount_cents=0, version=row.current, gateway=REGISTRATION_GATEWAY).where(
            Order.id == order.id, Order.status != OrderStatus.PAID, Order.status != OrderStatus.REFUNDED).execute()
        moved = payments.mark_paid(order, reference=f"badge {registration.badge_id}")
        if moved:
            audit(actor or learner, "meeting.enrolled", f"order:{order.id}", badge_id=registration.badge_id,
                  learner=learner.id)
        if not learner.badge_id and not Learner.select().where(Learner.badge_id == registration.badge_id).exists():
            Learner.update(badge_id=registration.badge_id).where(Learner.id == learner.id).execute()
    return Order.get_by_id(order.id), moved


def enrol_registrant(learner: Learner, row: Activity, badge_id: str) -> tuple[Order, bool]:
    """A learner enters the badge ID printed on their meeting badge: if the registration list has it
    under their account's email, they get the meeting's CE without paying."""
    model = row.current.model()
    if not model.free_for_registrants:
        raise Refused("This meeting's CE is bought, not included with registration.", field="badge_id")
    if learner.email_verified_at is None:
        raise Refused(UNCONFIRMED_EMAIL.format(email=learner.email), field="badge_id")
    if clock.now().astimezone(local_zone(model)).date() > model.claim_until:
        raise Refused("This meeting's claim period has ended; its CE can no longer be added.", field="badge_id")
    value = _badge(badge_id)
    problem = _badge_problem(value)
    if problem:
        raise Refused(f"Enter the badge ID printed on your meeting badge: {problem}.", field="badge_id")
    reg = Registration.get_or_none(Registration.activity == row, Registration.badge_id == value)
    if reg is None:
        raise Refused(f"Badge {value} is not on this meeting's registration list yet. Check the ID on your "
                      "badge; the list is updated daily during the meeting, or ask the registration desk.",
                      field="badge_id")
    if reg.email != learner.email:
        raise Refused(f"Badge {value} is registered under another email address. Log in with the address "
                      "you registered with, or ask the registration desk to correct it.", field="badge_id")
    return enrol_free(learner, row, reg)


@dataclass
class RegistrationSummary:
    added: int = 0
    already: int = 0
    enrolled: int = 0  # accounts with a registered email, enrolled by this import
    problems: list[tuple[int, str]] = dataclasses.field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.added + self.already + len(self.problems)


def import_registrations(staff: Learner, row: Activity, text: str) -> RegistrationSummary:
    """Add a registration list (badge_id, email) to a meeting with `free_for_registrants`. Bad rows
    are reported by line; a badge already listed with the same email is 'already'; registrants who
    already have an account (confirmed email) are enrolled at once, each once."""
    model = row.current.model()
    if not model.free_for_registrants:
        raise Refused("This meeting does not give its CE to registrants: set `free_for_registrants: true` "
                      "in its file first.")
    reader, (bi, ei) = _csv_with_columns(text, REGISTRATION_COLUMNS)
    listed = dict(Registration.select(Registration.badge_id, Registration.email)
                  .where(Registration.activity == row).tuples())
    out = RegistrationSummary()
    new: dict[str, str] = {}
    try:
        for n, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            get = lambda i: (cells[i] if i < len(cells) else "").strip()  # noqa: E731
            badge, email = _badge(get(bi)), get(ei).lower()
            problem = _badge_problem(badge)
            if problem is None and ("@" not in email or " " in email or len(email) > 254):
                problem = f"{email or '(empty)'} is not an email address"
            known = listed.get(badge) or new.get(badge)
            if problem is None and known is not None and known != email:
                problem = f"badge {badge} is already registered to {known}"
            if problem:
                out.problems.append((n, problem))
            elif known is not None:
                out.already += 1
            else:
                new[badge] = email
    except csv.Error as e:
        raise Refused(f"Line {reader.line_num} is not a CSV row of {','.join(REGISTRATION_COLUMNS)} ({e}).") from None
    now = clock.utcnow_naive()
    rows = [{"activity": row.id, "badge_id": b, "email": e, "imported_by": staff.id, "created_at": now}
            for b, e in new.items()]
    with database.atomic():
        for i in range(0, len(rows), BATCH):
            Registration.insert_many(rows[i:i + BATCH]).on_conflict_ignore().execute()
        audit(staff, "meeting.registrations", f"activity:{row.id}", added=len(rows), problems=len(out.problems))
    out.added = len(rows)
    # Accounts already made with a registered email: enrolled now (each in its own transaction).
    emails = {e: b for b, e in new.items()}
    for i in range(0, len(rows), BATCH):
        chunk = list(emails)[i:i + BATCH]
        for learner in list(Learner.select().where(Learner.email.in_(chunk),
                                                   Learner.email_verified_at.is_null(False))):
            reg = Registration.get(Registration.activity == row, Registration.badge_id == emails[learner.email])
            try:
                _, moved = enrol_free(learner, row, reg, actor=staff)
            except Refused:
                continue  # refunded or paying by card: staff see it on the learner's page
            out.enrolled += moved
    return out


def registrations_count(row: Activity) -> int:
    return Registration.select().where(Registration.activity == row).count()


# ------------------------------------------------------------------------------------------------
# Directors: outcomes per session, ranked by the evaluations
# ------------------------------------------------------------------------------------------------
@dataclass
class SessionOutcome:
    session: M.Session
    attended: int
    evaluated: int
    objectives_met: float | None  # percent of evaluations saying "yes" (partly counts half)
    bias_free: float | None       # percent saying the session was free of commercial bias
    quality: float | None         # mean rating, 1..5

    @property
    def rank_key(self) -> tuple:
        return (-(self.quality or 0), -(self.objectives_met or 0), -self.evaluated, self.session.id)


def session_outcomes(row: Activity, model: ActivityModel) -> list[SessionOutcome]:
    """Every session with its attendance and evaluation results, best evaluated first: two
    GROUP BY queries whatever the number of attendees."""
    from peewee import Case, fn

    counts = dict(SessionAttendance.select(SessionAttendance.session, fn.COUNT(SessionAttendance.id))
                  .where(SessionAttendance.activity == row).group_by(SessionAttendance.session).tuples())
    met = Case(None, ((SessionEvaluation.objectives_met == "yes", 1.0),
                      (SessionEvaluation.objectives_met == "partly", 0.5)), 0.0)
    free = Case(None, ((SessionEvaluation.bias_free == True, 1.0),), 0.0)  # noqa: E712
    evals = {sid: (n, m, b, q) for sid, n, m, b, q in SessionEvaluation.select(
        SessionEvaluation.session, fn.COUNT(SessionEvaluation.id), fn.AVG(met), fn.AVG(free),
        fn.AVG(SessionEvaluation.quality)).where(SessionEvaluation.activity == row)
        .group_by(SessionEvaluation.session).tuples()}
    out = []
    for s in model.sessions:
        n, m, b, q = evals.get(s.id, (0, None, None, None))
        out.append(SessionOutcome(s, counts.get(s.id, 0), n,
                                  None if m is None else round(100 * float(m), 1),
                                  None if b is None else round(100 * float(b), 1),
                                  None if q is None else round(float(q), 2)))
    return sorted(out, key=lambda o: o.rank_key)
