"""The credit ledger: every write about reporting claims to CPE Monitor, CE Broker and PARS.

A claim that must be reported gets one report item per destination (`record_claim`). Items move
due -> exported -> accepted | rejected; a rejected item is never edited back: once the learner's data
changes, a NEW item (status due) supersedes it and the old one becomes "corrected". Items are never
deleted. `open_key` ("<claim id>:<destination>") is set while an item is open (due, exported,
rejected), so the unique index allows one open item per claim and destination.

A claim whose certificate is revoked is never reported: revoking closes its open items as
"withdrawn" (`withdraw_claim`), and every list here (sync, exports, deadlines) leaves such claims out,
so this holds for items made later too. An item the destination had already accepted (or received
before the revocation) cannot be un-reported: `revoked_after_reporting` lists it as a staff to-do.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Callable, Iterable

from flask import current_app
from peewee import JOIN, IntegrityError, fn

from catalog.dates import long_date
from catalog.professions import PROFILE_FIELDS
from catalog.status import ReportStatus

from .. import clock
from ..db import database, for_update
from ..models import Activity, Certificate, Claim, ExportBatch, Learner, ReportItem, audit
from . import layouts as L

OPEN = (ReportStatus.DUE, ReportStatus.EXPORTED, ReportStatus.REJECTED)


def _config():
    return current_app.config


def today() -> dt.date:
    """Today in the society's time zone (REPORTING_TIMEZONE), from the app's clock."""
    return L.reporting_today(clock.now(), _config().get("REPORTING_TIMEZONE") or "America/New_York")


def open_key(claim_id: int, destination: str) -> str:
    return f"{claim_id}:{destination}"


def pars_enabled() -> bool:
    return _config().get("PARS_REPORTING", "all") == "all"


def destination_for(claim: Claim) -> str | None:
    """Where this claim must be reported, or None (PARS only when PARS_REPORTING is "all")."""
    dest = L.DESTINATION_OF.get(claim.credit_type)
    if dest == "pars" and not pars_enabled():
        return None
    return dest


def _source(item: ReportItem) -> L.Source:
    return L.Source(claim=item.claim, learner=item.claim.learner, config=_config())


def revoked_claim():
    """True for a claim (Claim.id in the outer query) whose current certificate is revoked: never
    reported (a superseded certificate is never revoked: it was replaced, not withdrawn)."""
    return fn.EXISTS(Certificate.select(Certificate.id).where(
        (Certificate.claim == Claim.id) & Certificate.current() & Certificate.revoked_at.is_null(False)))


def is_revoked(claim: Claim) -> bool:
    return Certificate.select().where((Certificate.claim == claim) & Certificate.current()
                                      & Certificate.revoked_at.is_null(False)).exists()


def _with_claims():
    """Report items with their claim, learner and activity (what rows, reasons and pages read): one query."""
    return (ReportItem.select(ReportItem, Claim, Learner, Activity)
            .join(Claim).join(Learner).switch(Claim).join(Activity).switch(ReportItem))


# ------------------------------------------------------------------------------------------------
# Recording claims
# ------------------------------------------------------------------------------------------------
def unreported_reason(claim: Claim, learner: Learner | None = None) -> str | None:
    """Why a claim that a destination would receive gets no report item, as the learner reads it
    (no consent to PARS reporting; claimed after a PARS deadline), or None. The one rule the claim
    page, the ledger and the transcript share (catalog.destinations)."""
    dest = destination_for(claim)
    if dest is None:
        return None
    layout = L.LAYOUTS[dest]
    if not layout.consented(learner or claim.learner):
        return (f"Not reported to {layout.name}: you have not consented to {layout.name} reporting "
                "(MOC and state boards). You can consent in your profile.")
    if not layout.gates_credit and layout.missed(claim.participated_on, today(), _config()):
        return layout.late_message(claim.participated_on, _config())
    return None


def record_claim(claim: Claim) -> ReportItem | None:
    """Create the report item this claim needs (idempotent); call inside the claim's transaction.

    None when the claim is not reported (`unreported_reason`), is revoked, or already has an item
    (an item withdrawn because consent was withdrawn does not count: consent again re-queues)."""
    dest = destination_for(claim)
    if dest is None or is_revoked(claim) or unreported_reason(claim):
        return None
    existing = (ReportItem.select().where((ReportItem.claim == claim) & (ReportItem.destination == dest)
                                          & (ReportItem.status != ReportStatus.WITHDRAWN)).exists())
    if existing:
        return None
    layout = L.LAYOUTS[dest]
    try:
        with database.atomic():
            return ReportItem.create(
                claim=claim, destination=dest, status=ReportStatus.DUE,
                deadline=layout.deadline(claim.participated_on, _config()),
                open_key=open_key(claim.id, dest))
    except IntegrityError:
        return None  # a concurrent request recorded it


def on_consent_changed(learner: Learner, actor: Learner | None = None) -> int:
    """The learner gave or withdrew consent for consent-based destinations (PARS). Given: queue their
    claims still inside the deadline. Withdrawn: close their items not yet sent ("withdrawn").
    Call inside the profile update's transaction; returns how many items were made or closed."""
    changed = 0
    for dest, layout in L.LAYOUTS.items():
        if not layout.consent_field or (dest == "pars" and not pars_enabled()):
            continue
        keys = list(layout.credit_keys)
        if layout.consented(learner):
            claims = Claim.select().where((Claim.learner == learner) & Claim.credit_type.in_(keys)
                                          & ~revoked_claim()).order_by(Claim.id)
            for claim in claims:
                claim.learner = learner
                if record_claim(claim):
                    changed += 1
            continue
        due = list(ReportItem.select().join(Claim).where(
            (Claim.learner == learner) & (ReportItem.destination == dest) & (ReportItem.status == ReportStatus.DUE)))
        for item in due:
            got = (ReportItem.update(status=ReportStatus.WITHDRAWN, open_key=None, updated_at=clock.utcnow_naive(),
                                     response="withdrawn: the learner withdrew consent")
                   .where((ReportItem.id == item.id) & (ReportItem.status == ReportStatus.DUE)).execute())
            if got:
                changed += 1
                audit(actor or learner, "report.withdrawn", f"report_item:{item.id}", was=ReportStatus.DUE,
                      reason="consent withdrawn")
    return changed


@dataclass
class SyncResult:
    created: int = 0
    requeued: int = 0

    def __str__(self) -> str:
        return f"{self.created} new report item(s), {self.requeued} re-queued after a profile correction"


def sync_ledger() -> SyncResult:
    """Cover claims made before the ledger existed, and re-queue corrected rejections. Idempotent."""
    result = SyncResult()
    for credit_type, dest in L.DESTINATION_OF.items():
        has_item = ReportItem.select().where((ReportItem.claim == Claim.id)
                                             & (ReportItem.destination == dest))
        missing = Claim.select().where((Claim.credit_type == credit_type) & ~fn.EXISTS(has_item)
                                       & ~revoked_claim())
        consent = L.LAYOUTS[dest].consent_field
        if consent:  # only learners who consented can have an item (PARS)
            missing = missing.join(Learner).where(getattr(Learner, consent) == True)  # noqa: E712
        for claim in missing.order_by(Claim.id):
            with database.atomic():
                if record_claim(claim):
                    result.created += 1
    rejected = list(_with_claims().where((ReportItem.status == ReportStatus.REJECTED) & ~revoked_claim())
                    .order_by(ReportItem.id))
    for item in rejected:
        if _requeue_if_changed(item):
            result.requeued += 1
    return result


def learner_changed(item: ReportItem) -> bool:
    """Whether the learner's data in this item's row differs from what was sent."""
    if not item.sent_row:
        return False
    layout = L.LAYOUTS[item.destination]
    now = L.build_row(layout, _source(item))
    return any(now[h] != item.sent_row.get(h) for h in layout.learner_headers)


def requeue(item: ReportItem, actor: Learner | None = None, why: str = "profile corrected") -> ReportItem:
    """Supersede a rejected item with a new due one (same deadline)."""
    with database.atomic():
        old = ReportItem.get_by_id(item.id)
        if old.status != ReportStatus.REJECTED:
            raise ValueError(f"item {old.id} is {old.status}, not rejected")
        if is_revoked(old.claim):
            raise ValueError(f"item {old.id}: the certificate was revoked, so it is never reported")
        old.status, old.open_key, old.updated_at = "corrected", None, clock.utcnow_naive()
        old.save()
        new = ReportItem.create(claim=old.claim, destination=old.destination, status=ReportStatus.DUE,
                                deadline=old.deadline, supersedes=old,
                                open_key=open_key(old.claim_id, old.destination))
        audit(actor, "report.requeued", f"report_item:{new.id}", supersedes=old.id, why=why)
    return new


def _requeue_if_changed(item: ReportItem) -> ReportItem | None:
    if item.status == ReportStatus.REJECTED and learner_changed(item):
        return requeue(item)
    return None


def on_profile_changed(learner: Learner) -> int:
    """Hook for the profile page: re-queue this learner's rejected items whose data changed."""
    items = list(_with_claims().where((Claim.learner == learner) & (ReportItem.status == ReportStatus.REJECTED)
                                      & ~revoked_claim()).order_by(ReportItem.id))
    return sum(1 for item in items if _requeue_if_changed(item))


# ------------------------------------------------------------------------------------------------
# Revoked certificates
# ------------------------------------------------------------------------------------------------
def withdraw_claim(claim: Claim, actor: Learner | None, reason: str) -> int:
    """Close every open item of a claim whose certificate is revoked ("withdrawn", open_key NULL);
    call inside the revocation's transaction. Returns how many were closed."""
    closed = 0
    with database.atomic():
        items = list(ReportItem.select().where((ReportItem.claim == claim) & ReportItem.status.in_(OPEN))
                     .order_by(ReportItem.id))
        for item in items:
            note = f"withdrawn: certificate revoked ({reason})" if reason else "withdrawn: certificate revoked"
            got = (ReportItem.update(status=ReportStatus.WITHDRAWN, open_key=None, updated_at=clock.utcnow_naive(),
                                     response="\n".join(p for p in (item.response, note) if p))
                   .where((ReportItem.id == item.id) & (ReportItem.status == item.status)).execute())
            if got:
                closed += 1
                audit(actor, "report.withdrawn", f"report_item:{item.id}", was=item.status, reason=reason)
    return closed


def revoked_after_reporting() -> list[ReportItem]:
    """Staff to-do: items of revoked claims the destination accepted, or received before the revocation
    (exported, then withdrawn): only a correction by hand with the destination removes that credit."""
    sent_then_withdrawn = (ReportItem.status == ReportStatus.WITHDRAWN) & ReportItem.exported_at.is_null(False)
    return list(_with_claims().where(((ReportItem.status == ReportStatus.ACCEPTED) | sent_then_withdrawn) & revoked_claim())
                .order_by(ReportItem.id))


def retracted(item: ReportItem, actor: Learner | None = None) -> None:
    """Staff corrected a revoked claim's reported credit with the destination by hand ("retracted")."""
    with database.atomic():
        item = ReportItem.get_by_id(item.id)
        if not (item.status == ReportStatus.ACCEPTED or (item.status == ReportStatus.WITHDRAWN and item.exported_at)):
            raise ValueError(f"item {item.id} is {item.status}: nothing was reported to correct")
        if not is_revoked(item.claim):
            raise ValueError(f"item {item.id}: its certificate is not revoked")
        was = item.status
        item.status, item.open_key, item.updated_at = "retracted", None, clock.utcnow_naive()
        item.save()
        audit(actor, "report.retracted", f"report_item:{item.id}", was=was)


# ------------------------------------------------------------------------------------------------
# Exports
# ------------------------------------------------------------------------------------------------
@dataclass
class Blocked:
    item: ReportItem
    reason: str


@dataclass
class ExportResult:
    destination: str
    batches: list[ExportBatch] = field(default_factory=list)
    blocked: list[Blocked] = field(default_factory=list)
    groups: dict[int, str] = field(default_factory=dict)  # batch id -> "P"/"T" (CPE Monitor)

    @property
    def exported(self) -> int:
        return sum(b.item_count for b in self.batches)

    def summary(self, names: dict[int, str] | None = None) -> str:
        names = names or {}
        if self.batches:
            parts = [f"{b.item_count} item{'s' if b.item_count != 1 else ''} to "
                     f"{names.get(b.id, b.filename)}" for b in self.batches]
            head = "exported " + ", ".join(parts)
        else:
            head = f"nothing to export to {L.LAYOUTS[self.destination].name}"
        if not self.blocked:
            return head
        counts: dict[str, int] = {}
        for b in self.blocked:
            for reason in b.reason.split("; "):
                if reason.startswith("missed"):
                    kind = "missed deadline"
                elif reason.startswith("duplicate "):
                    kind = f"duplicate {PROFILE_FIELDS[EPID].label}"
                elif reason.startswith("setting "):
                    kind = reason
                elif " is not " in reason:
                    kind = "invalid " + reason.split(" '")[0]
                else:
                    kind = reason
                counts[kind] = counts.get(kind, 0) + 1
        detail = ", ".join(f"{n} {r}" for r, n in counts.items())
        return f"{head}; {len(self.blocked)} skipped ({detail})"


def candidates(destination: str, include_all: bool = False):
    statuses = (ReportStatus.DUE, ReportStatus.EXPORTED) if include_all else (ReportStatus.DUE,)
    return (_with_claims().where((ReportItem.destination == destination) & ReportItem.status.in_(statuses)
                                 & ~revoked_claim())
            .order_by(ReportItem.id))


# ------------------------------------------------------------------------------------------------
# Learners who share an NABP e-Profile ID: never exported until staff resolve it
# ------------------------------------------------------------------------------------------------
EPID = "nabp_epid"


def duplicate_epids() -> dict[str, list[Learner]]:
    """NABP e-Profile ID -> the learners (two or more) who have it on file, oldest account first."""
    shared = (Learner.select(Learner.nabp_epid).where(Learner.nabp_epid != "")
              .group_by(Learner.nabp_epid).having(fn.COUNT(Learner.id) > 1))
    out: dict[str, list[Learner]] = {}
    for learner in (Learner.select().where(Learner.nabp_epid.in_(shared))
                    .order_by(Learner.nabp_epid, Learner.id)):
        out.setdefault(learner.nabp_epid, []).append(learner)
    return out


def duplicate_epid_learners(learner: Learner) -> list[Learner]:
    """The other learners with this learner's NABP e-Profile ID on file."""
    if not learner.nabp_epid:
        return []
    return list(Learner.select().where((Learner.nabp_epid == learner.nabp_epid) & (Learner.id != learner.id))
                .order_by(Learner.id))


def duplicate_reason(layout: L.Layout, learner: Learner, shared: dict[str, list[Learner]]) -> str | None:
    """Why an item of a destination keyed by the NABP e-Profile ID (CPE Monitor) is held back: the
    ID is on file for more than one learner, so the credit could go to the wrong pharmacist."""
    if EPID not in layout.needs or learner.nabp_epid not in shared:
        return None
    others = ", ".join(o.email for o in shared[learner.nabp_epid] if o.id != learner.id)
    return (f"duplicate {PROFILE_FIELDS[EPID].label} {learner.nabp_epid}, also on file for {others}: "
            "correct the wrong profile before export")


def blocked_reason(item: ReportItem, on: dt.date, shared: dict[str, list[Learner]] | None = None) -> str | None:
    layout = L.LAYOUTS[item.destination]
    state = L.deadline_state(item.claim.participated_on, item.deadline, layout.warn_days, on)
    if state.missed and item.status != ReportStatus.EXPORTED:
        return f"missed — cannot be reported (deadline {L.us_date(item.deadline)})"
    if not layout.consented(item.claim.learner):
        return "no consent to reporting"
    shared = duplicate_epids() if shared is None else shared
    return (layout.settings_missing(_config()) or L.blocked_reason(layout, item.claim.learner)
            or duplicate_reason(layout, item.claim.learner, shared))


def stale_exports(days: int | None = None) -> list[ReportItem]:
    """Items exported more than `days` (setting REPORT_RESULT_DAYS) ago with no result recorded yet,
    oldest first: the destination may never have received them."""
    days = int(_config().get("REPORT_RESULT_DAYS") or 0) if days is None else days
    if days <= 0:
        return []
    before = clock.utcnow_naive() - dt.timedelta(days=days)
    return list(_with_claims().where((ReportItem.status == ReportStatus.EXPORTED) & (ReportItem.exported_at < before)
                                     & ~revoked_claim())
                .order_by(ReportItem.exported_at, ReportItem.id))


#: Ids per `IN (…)` list: a meeting's export holds tens of thousands of items, and SQLite builds may
#: allow as few as 999 bound parameters (one list of 75,000 also cost SQLite super-linear time).
LOCK_CHUNK = 900


def _locked(model, ids: set[int]):
    """The rows of `model` with these ids, locked in ascending id order, a chunk of ids at a time."""
    ordered = sorted(ids)
    for i in range(0, len(ordered), LOCK_CHUNK):
        yield from for_update(model.select().where(model.id.in_(ordered[i:i + LOCK_CHUNK])).order_by(model.id))


def _locked_items(items: list[ReportItem]) -> list[ReportItem]:
    """`items` with their claims and learners read afresh inside the export's transaction and locked
    (SELECT … FOR NO KEY UPDATE on PostgreSQL; on SQLite the transaction already holds the write
    lock): a correction or reissue, which locks the claim and its learner before it changes hours,
    a name or a certificate (`records.operations.reissue`), either committed before these reads
    (the rows show it) or waits for this export to commit (and then finds the credit sent). Locks
    are taken in one order everywhere, claims, then learners, then items (the conditional update
    that marks each exported), so two writers never deadlock. The activity is the first pass's:
    rows read only its slug, which never changes."""
    claims = {c.id: c for c in _locked(Claim, {i.claim_id for i in items})}
    learners = {l.id: l for l in _locked(Learner, {c.learner_id for c in claims.values()})}
    for item in items:
        fresh = claims[item.claim_id]
        fresh.learner, fresh.activity = learners[fresh.learner_id], item.claim.activity
        item.claim = fresh
    return items


def export(destination: str, *, include_all: bool = False, actor: Learner | None = None,
           progress: Callable[[int, int], None] | None = None) -> ExportResult:
    """Write the due items (with include_all: also exported, not accepted) into batches; mark them.

    A first pass (no transaction) sorts the candidates into blocked ones and groups (CPE Monitor:
    pharmacists and technicians); each group's batch is then written in one transaction that reads
    its claims and learners again under lock (`_locked_items`), so a row always carries them as they
    are when it is written: hours corrected or a name reissued a moment before are never exported
    stale, and an item blocked meanwhile is skipped. An item another export took, or a revocation
    withdrew, in the meantime fails the conditional update and is left out."""
    layout = L.LAYOUTS[destination]
    on = today()
    result = ExportResult(destination)
    ready: dict[str, list[ReportItem]] = {}
    items = list(candidates(destination, include_all))
    shared = duplicate_epids()
    for i, item in enumerate(items, 1):
        reason = blocked_reason(item, on, shared)
        if reason:
            result.blocked.append(Blocked(item, reason))
        else:
            group = L.audience(item.claim) if layout.split_by_audience else ""
            ready.setdefault(group, []).append(item)
        if progress:
            progress(i, len(items))
    allowed = (ReportStatus.DUE, ReportStatus.EXPORTED) if include_all else (ReportStatus.DUE,)
    for group, group_items in sorted(ready.items()):
        with database.atomic():
            fresh = _locked_items(group_items)
            shared = duplicate_epids()
            batch = ExportBatch.create(destination=destination, filename="", content="",
                                       item_count=0, created_by=actor)
            now = clock.utcnow_naive()
            sent = []
            for item in fresh:
                reason = blocked_reason(item, on, shared)
                if reason:
                    result.blocked.append(Blocked(item, reason))
                    continue
                row = L.build_row(layout, _source(item))
                claimed = (ReportItem.update(status=ReportStatus.EXPORTED, batch=batch, sent_row=row,
                                             exported_at=now, updated_at=now)
                           .where((ReportItem.id == item.id) & ReportItem.status.in_(allowed))
                           .execute())
                if claimed:  # not taken by a concurrent export in the meantime
                    sent.append((item, row))
            if not sent:
                batch.delete_instance()  # never referenced: nothing was claimed
                continue
            name = "-".join(p for p in (destination, group, on.strftime("%Y%m%d"), f"{batch.id:04d}") if p)
            batch.filename = f"{name}.csv"
            batch.content = L.render_csv(layout, [row for _, row in sent])
            batch.item_count = len(sent)
            batch.save()
            audit(actor, "report.exported", f"export_batch:{batch.id}", destination=destination,
                  items=[item.id for item, _ in sent], include_all=include_all)
        result.batches.append(batch)
        result.groups[batch.id] = group
    return result


# ------------------------------------------------------------------------------------------------
# Results
# ------------------------------------------------------------------------------------------------
class ResultsFileError(ValueError):
    """A response file that cannot be read at all (nothing recorded)."""


@dataclass
class ResultsSummary:
    accepted: int = 0
    rejected: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        s = f"{self.accepted} accepted, {self.rejected} rejected"
        if self.unchanged:
            s += f", {self.unchanged} already recorded"
        if self.problems:
            s += f"; {len(self.problems)} line(s) not recorded"
        return s


def mark(item: ReportItem, status: str, message: str = "", actor: Learner | None = None) -> bool:
    """Record an upstream result for an exported item. Returns False when it was already recorded."""
    if status not in (ReportStatus.ACCEPTED, ReportStatus.REJECTED):
        raise ValueError("a result is accepted or rejected")
    with database.atomic():
        item = ReportItem.get_by_id(item.id)
        if item.status == status:
            return False
        if item.status != ReportStatus.EXPORTED:
            raise ValueError(f"item {item.id} is {item.status}, not awaiting a result")
        now = clock.utcnow_naive()
        item.status, item.response, item.resolved_at, item.updated_at = status, message.strip(), now, now
        if status == ReportStatus.ACCEPTED:
            item.open_key = None
        item.save()
        audit(actor, f"report.{status}", f"report_item:{item.id}", message=message.strip())
        if status == "rejected":  # the learner is told at once, in this transaction (reports.alerts)
            from .alerts import notify

            notify(item)
    return True


def _norm(s: str | None) -> str:
    return (s or "").strip().lower()


def parse_results(text: str, destination: str) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) per data line; raises ResultsFileError when the file cannot be used."""
    layout = L.LAYOUTS[destination]
    try:
        reader = csv.DictReader(io.StringIO(text))
        header = [_norm(h) for h in (reader.fieldnames or [])]
    except csv.Error as e:
        raise ResultsFileError(f"not a readable CSV file ({e})") from None
    if "status" not in header:
        raise ResultsFileError("the file has no Status column (accepted or rejected)")
    keys = [_norm(h) for h in layout.key_headers]
    if "item" not in header and not all(k in header for k in keys):
        raise ResultsFileError("the file needs an Item column or the key columns "
                               + ", ".join(layout.key_headers))
    rows = []
    try:
        for row in reader:
            clean = {_norm(k): (v or "").strip() for k, v in row.items() if k is not None}
            if any(clean.values()):
                rows.append((reader.line_num, clean))
    except csv.Error as e:
        raise ResultsFileError(f"not a readable CSV file ({e})") from None
    return rows


class _Index:
    """Exported/answered items of one destination by id and by natural key (newest first)."""

    def __init__(self, destination: str):
        self.layout = L.LAYOUTS[destination]
        self.by_id: dict[int, ReportItem] = {}
        self.by_key: dict[tuple, list[ReportItem]] = {}
        q = (ReportItem.select().where((ReportItem.destination == destination)
                                       & ReportItem.status.in_((ReportStatus.EXPORTED, ReportStatus.ACCEPTED, ReportStatus.REJECTED)))
             .order_by(ReportItem.id.desc()))
        for it in q:
            self.by_id[it.id] = it
            if it.sent_row:
                key = tuple(_norm(it.sent_row.get(h)) for h in self.layout.key_headers)
                self.by_key.setdefault(key, []).append(it)

    def has_keys(self, row: dict[str, str]) -> bool:
        """Whether the line fills any of the key columns (to match it without an Item number)."""
        return any(row.get(_norm(h)) for h in self.layout.key_headers)

    def find(self, row: dict[str, str]) -> ReportItem | None:
        if row.get("item"):
            try:
                return self.by_id.get(int(row["item"].lstrip("#")))
            except ValueError:
                return None
        matches = self.by_key.get(tuple(_norm(row.get(_norm(h))) for h in self.layout.key_headers), [])
        exported = [it for it in matches if it.status == ReportStatus.EXPORTED]
        return (exported or matches or [None])[0]


def record_results(destination: str, text: str, actor: Learner | None = None) -> ResultsSummary:
    """Apply a response file: each line accepted or rejected; bad lines listed, good ones recorded."""
    summary = ResultsSummary()
    rows = parse_results(text, destination)
    index = _Index(destination)
    for line, row in rows:
        status = {"accepted": ReportStatus.ACCEPTED, "accept": ReportStatus.ACCEPTED,
                  "rejected": ReportStatus.REJECTED, "reject": ReportStatus.REJECTED}.get(row.get("status", "").lower())
        if status is None:
            summary.problems.append(f"line {line}: status {row.get('status')!r} is not accepted or rejected")
            continue
        item = index.find(row)
        if item is None:
            if "item" in row and not row["item"] and not index.has_keys(row):
                summary.problems.append(f"line {line}: no item number")
            else:
                summary.problems.append(f"line {line}: no exported item matches")
            continue
        try:
            changed = mark(item, status, row.get("message", ""), actor)
        except ValueError as e:
            summary.problems.append(f"line {line}: {e}")
            continue
        item.status = status  # the index sees this line's result
        if not changed:
            summary.unchanged += 1
        elif status == ReportStatus.ACCEPTED:
            summary.accepted += 1
        else:
            summary.rejected += 1
    return summary


# ------------------------------------------------------------------------------------------------
# Reading the ledger: deadlines, the learner's view
# ------------------------------------------------------------------------------------------------
@dataclass
class OpenItem:
    item: ReportItem
    layout: L.Layout
    state: L.DeadlineState
    blocked: str | None


def open_items(destination: str | None = None) -> list[OpenItem]:
    """Open items (due, exported, rejected), fewest days left first; missed ones first of all."""
    on = today()
    q = _with_claims().where(ReportItem.status.in_(OPEN) & ~revoked_claim())
    if destination:
        q = q.where(ReportItem.destination == destination)
    out = []
    shared = duplicate_epids()
    for item in q:
        layout = L.LAYOUTS[item.destination]
        state = L.deadline_state(item.claim.participated_on, item.deadline, layout.warn_days, on)
        if item.status == ReportStatus.EXPORTED and state.missed:
            state = L.DeadlineState(state.days_since, state.days_left, "ok")  # sent in time
        blocked = None
        if item.status == ReportStatus.DUE:
            blocked = (L.blocked_reason(layout, item.claim.learner)
                       or duplicate_reason(layout, item.claim.learner, shared))
        out.append(OpenItem(item, layout, state, blocked))
    far = 10 ** 6
    out.sort(key=lambda o: (o.state.days_left if o.state.days_left is not None else far, o.item.id))
    return out


@dataclass
class ClaimStatus:
    """One destination's reporting status as the learner reads it on the transcript."""

    destination: str
    name: str
    status: str
    label: str
    css: str
    deadline: dt.date | None
    fix: str = ""
    message: str = ""


def prefetch_statuses(claims: Iterable[Claim]) -> None:
    """Load the report items of many claims in one query (a transcript lists hundreds)."""
    from flask import g

    ids = [c.id for c in claims]
    items: dict[int, list[ReportItem]] = {i: [] for i in ids}
    revoked: set[int] = set()
    if ids:
        q = (ReportItem.select(ReportItem, Certificate.revoked_at.alias("revoked_at"))
             .join(Certificate, JOIN.LEFT_OUTER,
                   on=((Certificate.claim == ReportItem.claim) & Certificate.current()))
             .where(ReportItem.claim.in_(ids)).order_by(ReportItem.id).objects())
        for item in q:
            items[item.claim_id].append(item)
            if item.revoked_at is not None:
                revoked.add(item.claim_id)
    g.report_items = items
    g.revoked_claims = revoked


def claim_statuses(claim: Claim) -> list[ClaimStatus]:
    from flask import g

    prefetched = g.get("report_items") or {}
    found = prefetched.get(claim.id)
    if found is None:
        found = list(ReportItem.select().where(ReportItem.claim == claim).order_by(ReportItem.id))
        revoked = bool(found) and is_revoked(claim)
    else:
        revoked = claim.id in (g.get("revoked_claims") or ())
    latest: dict[str, ReportItem] = {}
    for item in found:
        latest[item.destination] = item
    out = []
    on = today()
    dest = destination_for(claim)
    if not revoked and dest and (dest not in latest or latest[dest].status == ReportStatus.WITHDRAWN):
        why = unreported_reason(claim)
        if why:  # nothing is (or will be) sent there: say why instead of an item's state
            latest.pop(dest, None)
            out.append(ClaimStatus(dest, L.LAYOUTS[dest].name, "not_reported", why, "", None))
    for dest, item in latest.items():
        layout = L.LAYOUTS[dest]
        state = L.deadline_state(claim.participated_on, item.deadline, layout.warn_days, on)
        by = f" by {long_date(item.deadline)}" if item.deadline else ""
        fix = message = ""
        if revoked:  # never reported from now on: nothing for the learner to fix
            if item.status == ReportStatus.ACCEPTED:
                label = f"reported to {layout.name} before the certificate was revoked"
            elif item.exported_at and not item.resolved_at:  # sent, no answer yet: staff correct it there
                label = (f"sent to {layout.name} before the certificate was revoked; the society is "
                         "correcting it there")
            else:
                label = f"not reported to {layout.name}: the certificate was revoked"
            out.append(ClaimStatus(dest, layout.name, ReportStatus.WITHDRAWN if item.status != ReportStatus.ACCEPTED else ReportStatus.ACCEPTED,
                                   label, "", item.deadline))
            continue
        if item.status == ReportStatus.ACCEPTED:
            label, css = f"reported to {layout.name}", "done"
        elif item.status == ReportStatus.EXPORTED:
            label, css = f"sent to {layout.name}, awaiting confirmation", ""
        elif item.status == ReportStatus.REJECTED:
            label, css = f"rejected by {layout.name}", "bad"
            fix, message = L.fix_hint(layout, item.sent_row), item.response
        elif state.missed:
            label, css = f"missed — cannot be reported to {layout.name}; please contact us", "bad"
        else:
            label, css = f"to be reported to {layout.name}{by}", "warn" if state.level != "ok" else ""
            reason = L.blocked_reason(layout, claim.learner)
            if reason:
                css = "warn"
                fix = (f"We cannot report this credit yet ({reason}): add it in your profile"
                       f"{' before ' + long_date(item.deadline) if item.deadline else ''}.")
        out.append(ClaimStatus(dest, layout.name, item.status, label, css, item.deadline, fix, message))
    return out


def batches(destination: str | None = None, limit: int = 50) -> Iterable[ExportBatch]:
    q = ExportBatch.select().order_by(ExportBatch.id.desc()).limit(limit)
    return q.where(ExportBatch.destination == destination) if destination else q
