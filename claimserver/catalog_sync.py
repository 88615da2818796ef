"""Catalogue sync: store each activity file as a versioned row; hide what left the catalogue.

Idempotent: an unchanged activity gets no new version. Nothing is ever deleted: a removed or draft
file hides the activity and keeps every order, claim and certificate that refers to it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass, field

from catalog import serialize
from catalog.load import load_catalog
from catalog.model import Activity as ActivityModel

from flask import abort

from .db import database
from .models import Activity, ActivityVersion, Learner, Order, audit

#: Letters and digits for codes people read and type (attendance codes, receipt numbers): no 0/O, 1/I.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_attendance_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


@dataclass
class SyncResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{len(self.created)} new, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
                f"{len(self.hidden)} hidden, {len(self.restored)} restored")


def semantic_hash(a: ActivityModel) -> str:
    d = serialize.to_dict(a)
    d.pop("path", None)
    d.pop("content_hash", None)
    return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()


def _utc(t: dt.datetime | None) -> dt.datetime | None:
    return t.astimezone(dt.timezone.utc).replace(tzinfo=None) if t else None


def store(a: ActivityModel, result: SyncResult | None = None) -> ActivityVersion:
    """Store one activity as its newest version (or keep the current one if nothing changed)."""
    result = result if result is not None else SyncResult()
    digest = semantic_hash(a)
    with database.atomic():
        row = Activity.get_or_none(Activity.slug == a.slug)
        if row is None:
            row = Activity.create(slug=a.slug, attendance_code=new_attendance_code())
            result.created.append(a.slug)
            latest = None
        else:
            latest = ActivityVersion.current_for([row.id]).get(row.id)
            if row.hidden:
                row.hidden = False
                row.save()
                result.restored.append(a.slug)
        if latest is not None and latest.content_hash == digest:
            result.unchanged.append(a.slug)
            return latest
        if latest is not None:
            result.updated.append(a.slug)
        v = ActivityVersion.create(
            activity=row, version=(latest.version + 1) if latest else 1, content_hash=digest,
            title=a.title, format=a.format, starts=_utc(a.starts), ends=_utc(a.ends),
            claim_until=a.claim_until, price_cents=a.price_cents, data=serialize.to_dict(a))
        audit(None, "activity.synced", f"activity:{row.id}", slug=a.slug, version=v.version)
        return v


def sync(path=None, progress=None) -> SyncResult:
    """Sync the whole catalogue folder. Raises catalog.problems.CatalogError when it has errors."""
    cat = load_catalog(path).raise_for_errors()
    result = SyncResult()
    published = {a.slug: a for a in cat.published}
    for i, a in enumerate(published.values(), 1):
        store(a, result)
        if progress:
            progress(i, len(published), a.slug)
    with database.atomic():
        for row in Activity.select().where(Activity.hidden == False):  # noqa: E712
            if row.slug not in published:
                row.hidden = True
                row.save()
                result.hidden.append(row.slug)
                audit(None, "activity.hidden", f"activity:{row.id}", slug=row.slug)
    return result


@dataclass
class SyncRun:
    """One run of the whole catalogue's sync, as staff read it: the result, or the checker's
    `path:line: message` lines when the catalogue has errors (then nothing was synced)."""

    result: SyncResult | None
    problems: list[str]

    @property
    def ok(self) -> bool:
        return self.result is not None


def run(path, actor: Learner | None = None, progress=None) -> SyncRun:
    """`flask catalog sync` and the staff page's button: sync, and record the run in the audit log
    (`catalog.synced` with the summary, or `catalog.sync_failed` with the problems)."""
    from catalog.problems import CatalogError

    try:
        result = sync(path, progress=progress)
    except (CatalogError, OSError) as e:
        problems = ([str(p) for p in e.problems] if isinstance(e, CatalogError)
                    else [f"{getattr(e, 'filename', None) or path}: {e.strerror or e}"])
        audit(actor, "catalog.sync_failed", "catalog", problems=problems[:50], count=len(problems))
        return SyncRun(None, problems)
    audit(actor, "catalog.synced", "catalog", summary=result.summary())
    return SyncRun(result, [])


def last_run():
    """The newest audited sync run (an AuditLog row with `.actor`), or None."""
    from .models import AuditLog

    return (AuditLog.select().where(AuditLog.action.in_(("catalog.synced", "catalog.sync_failed")))
            .order_by(AuditLog.id.desc()).first())


def find(slug: str, include_hidden: bool = False) -> tuple[Activity, ActivityVersion] | None:
    row = Activity.get_or_none(Activity.slug == slug)
    if row is None or (row.hidden and not include_hidden):
        return None
    return row, row.current


def find_or_404(slug: str, *, include_hidden: bool = False,
                include_hidden_for: Learner | None = None) -> tuple[Activity, ActivityVersion]:
    """The activity and its current version, else 404. A withdrawn (hidden) activity is found for
    staff pages (`include_hidden`) and for the learner `include_hidden_for` when they paid for it:
    their records stay reachable; everyone else sees it gone."""
    found = find(slug, include_hidden=True)
    if found is None:
        abort(404)
    row, version = found
    if row.hidden and not include_hidden:
        order = (Order.get_or_none(Order.learner == include_hidden_for, Order.activity == row)
                 if include_hidden_for is not None else None)
        if order is None or not order.is_paid:
            abort(404)
    return row, version
