"""What staff do for a learner: read their whole record in a few queries, grant and revoke roles.

Role rules live here (the page and `flask users …` both call `set_role`): roles are director and
staff; a staff member cannot remove their own staff role, and the last staff member cannot be
demoted, so the staff pages can never lock everyone out. Certificate reissue is
`records.operations.reissue`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from peewee import PostgresqlDatabase

from ..cli import ROLES  # the one list of roles (`flask users revoke` offers the same)
from ..db import database
from ..models import (
    ActivityVersion, AuditLog, Certificate, Claim, Evaluation, Learner, Order, Participation, ReportItem, audit,
)
from ..refusals import Refused

ROLE_LABELS = {"director": "Course director (outcome pages)", "staff": "Staff (reporting, certificates, learners)"}
AUDIT_EXCERPT = 25


def roles_of(learner: Learner) -> set[str]:
    return {r.strip() for r in learner.roles.split(",") if r.strip()}


def set_role(learner: Learner, role: str, grant: bool, actor: Learner | None) -> bool:
    """Grant or revoke `role`; True when it changed (audited), False when it was already so."""
    if role not in ROLES:
        raise Refused(f"There is no role {role!r}: roles are {', '.join(ROLES)}.")
    with database.atomic():
        staff_q = Learner.select().where(Learner.roles.contains("staff"))
        if isinstance(database.obj, PostgresqlDatabase):
            staff_q = staff_q.for_update()  # two demotions at once cannot both pass the last-staff check
        staff = [s for s in staff_q if s.has_role("staff")]
        target = Learner.get_by_id(learner.id)
        roles = roles_of(target)
        if (role in roles) == grant:
            return False
        if not grant and role == "staff":
            if actor is not None and actor.id == target.id:
                raise Refused("You cannot remove your own staff role: ask another staff member.")
            if [s.id for s in staff] == [target.id]:
                raise Refused(f"{target.email} is the last staff member: grant the staff role to someone "
                              "else before removing it here.")
        roles = roles | {role} if grant else roles - {role}
        target.roles = ",".join(sorted(roles))
        Learner.update(roles=target.roles).where(Learner.id == target.id).execute()
        learner.roles = target.roles
        audit(actor, f"role.{'granted' if grant else 'revoked'}", f"learner:{target.id}", role=role)
    return True


@dataclass
class Record:
    """Everything staff see on one learner's page: each kind of record in one query, newest first
    (rows then name their activity; a learner has tens of records, not thousands)."""

    learner: Learner
    orders: list[Order]
    participations: list[Participation]
    evaluations: list[Evaluation]
    claims: list[Claim]
    certificates: dict[int, list[Certificate]]  # claim id -> its certificates, current first, then newest
    report_items: list[ReportItem]
    audit: list[AuditLog]
    activities: dict = field(default_factory=dict)  # activity id -> its current ActivityVersion (titles)


def record(learner: Learner) -> Record:
    orders = list(Order.select().where(Order.learner == learner).order_by(Order.created_at.desc()))
    parts = list(Participation.select().where(Participation.learner == learner)
                 .order_by(Participation.created_at.desc()))
    evals = list(Evaluation.select().where(Evaluation.learner == learner).order_by(Evaluation.submitted_at.desc()))
    claims = list(Claim.select().where(Claim.learner == learner).order_by(Claim.created_at.desc(), Claim.id.desc()))
    ids = [c.id for c in claims]
    certs: dict[int, list[Certificate]] = {i: [] for i in ids}
    if ids:
        for cert in (Certificate.select().where(Certificate.claim.in_(ids))
                     .order_by(Certificate.superseded_by.is_null(False), Certificate.issued_at.desc(),
                               Certificate.id.desc())):
            cert.claim = next(c for c in claims if c.id == cert.claim_id)  # its hours read the claim
            certs[cert.claim_id].append(cert)
    items = (list(ReportItem.select().where(ReportItem.claim.in_(ids)).order_by(ReportItem.id.desc()))
             if ids else [])
    targets = ([f"learner:{learner.id}"] + [f"claim:{i}" for i in ids]
               + [f"certificate:{c.id}" for cs in certs.values() for c in cs]
               + [f"report_item:{it.id}" for it in items] + [f"evaluation:{e.id}" for e in evals])
    trail = list(AuditLog.select().where((AuditLog.actor == learner) | AuditLog.target.in_(targets))
                 .order_by(AuditLog.id.desc()).limit(AUDIT_EXCERPT))
    activity_ids = ([o.activity_id for o in orders] + [p.activity_id for p in parts]
                    + [e.activity_id for e in evals] + [c.activity_id for c in claims])
    return Record(learner, orders, parts, evals, claims, certs, items, trail,
                  ActivityVersion.current_for(activity_ids))
