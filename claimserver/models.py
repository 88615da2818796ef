"""Tables of the claim server. Invariants live in the schema (unique indexes, checks), not only in Python.

Records are never deleted: an edited activity gets a new version row; a withdrawn one is hidden;
a revoked certificate keeps its row; a corrected report item is a new row.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Iterable

from peewee import (
    AutoField, BooleanField, Check, CharField, DateField, DateTimeField, ForeignKeyField,
    IntegerField, JSONField, TextField, fn,
)

from catalog import credits, serialize
from catalog.model import Activity as ActivityModel
from catalog.status import CertificateStatus, OrderStatus, PaymentStatus
from catalog.model import Designation

from . import clock
from .db import BaseModel


def utcnow() -> dt.datetime:
    """Naive UTC timestamp from the app's clock, the form every DateTimeField stores."""
    return clock.utcnow_naive()


# ------------------------------------------------------------------------------------------------
# Learners
# ------------------------------------------------------------------------------------------------
class Learner(BaseModel):
    id = AutoField()
    email = CharField(max_length=254, unique=True)  # stored lower-cased: unique case-insensitively
    password_hash = CharField(max_length=255)
    first_name = CharField(max_length=100, default="")
    last_name = CharField(max_length=100, default="")
    certificate_name = CharField(max_length=200, default="")  # exactly as on certificates/licences
    degree = CharField(max_length=60, default="")
    profession = CharField(max_length=40, default="")  # a key of catalog.professions.PROFESSIONS
    nabp_epid = CharField(max_length=10, default="")  # NABP e-Profile ID (digits)
    birth_mmdd = CharField(max_length=4, default="")
    state_licence_state = CharField(max_length=2, default="")
    state_licence_number = CharField(max_length=40, default="")
    california_licence = CharField(max_length=40, default="")
    florida_licence = CharField(max_length=40, default="")
    board_id = CharField(max_length=40, default="")  # ABMM/ABMLI/NRCM or ABMS board ID
    roles = CharField(max_length=100, default="")  # comma-separated: director, staff
    session_version = IntegerField(default=1)  # bumped on password change / log out everywhere
    follow_up_opt_out = BooleanField(default=False)
    pars_consent = BooleanField(default=False)  # catalog.destinations.PARS: report to ACCME PARS
    badge_id = CharField(max_length=40, default="", index=True)  # meeting badge (rosters of badge scans)
    is_demo = BooleanField(default=False)
    created_at = DateTimeField(default=utcnow)
    email_verified_at = DateTimeField(null=True)  # set by the emailed link; purchases need it

    @property
    def display_name(self) -> str:
        return self.certificate_name or f"{self.first_name} {self.last_name}".strip() or self.email

    def has_role(self, role: str) -> bool:
        return role in {r.strip() for r in self.roles.split(",") if r.strip()}

    @classmethod
    def by_email(cls, email: str) -> "Learner | None":
        return cls.get_or_none(cls.email == email.strip().lower())


# ------------------------------------------------------------------------------------------------
# Activities, as synced from the catalogue
# ------------------------------------------------------------------------------------------------
class Activity(BaseModel):
    id = AutoField()
    slug = CharField(max_length=120, unique=True)
    hidden = BooleanField(default=False)  # withdrawn from the catalogue; kept with its records
    attendance_code = CharField(max_length=16, default="")  # staff-only; never in the repository
    created_at = DateTimeField(default=utcnow)

    @property
    def current(self) -> "ActivityVersion":
        """The newest synced version (`ActivityVersion.current_for` loads many in one query)."""
        return ActivityVersion.current_for([self.id])[self.id]

    @classmethod
    def visible(cls):
        return cls.select().where(cls.hidden == False)  # noqa: E712


class ActivityVersion(BaseModel):
    id = AutoField()
    activity = ForeignKeyField(Activity, backref="versions", on_delete="RESTRICT")
    version = IntegerField()
    content_hash = CharField(max_length=64)
    title = CharField(max_length=300)
    format = CharField(max_length=20)
    starts = DateTimeField()  # UTC
    ends = DateTimeField(null=True)
    claim_until = DateField()
    price_cents = IntegerField(constraints=[Check("price_cents >= 0")])
    data = JSONField()  # catalog.serialize.to_dict(activity)
    synced_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("activity", "version"), True),)

    def model(self) -> ActivityModel:
        """The catalogue's Activity as it was in this version."""
        return serialize.from_dict(self.data)

    @classmethod
    def current_for(cls, activity_ids: Iterable[int] | None = None) -> dict[int, "ActivityVersion"]:
        """The one way to load current versions: activity id -> its newest version (with `.activity`
        loaded), in one query; every activity when `activity_ids` is None."""
        newest = cls.select(cls.activity.alias("aid"), fn.MAX(cls.version).alias("top"))
        if activity_ids is not None:
            ids = list(set(activity_ids))
            if not ids:
                return {}
            newest = newest.where(cls.activity.in_(ids))
        newest = newest.group_by(cls.activity).alias("newest")
        q = (cls.select(cls, Activity)
             .join(newest, on=((cls.activity == newest.c.aid) & (cls.version == newest.c.top)))
             .switch(cls).join(Activity))
        return {v.activity_id: v for v in q}

    @classmethod
    def numbered(cls, activity: "Activity", version: int) -> "ActivityVersion | None":
        """A given version of an activity (claims and orders point at the version they were made under)."""
        return cls.get_or_none(cls.activity == activity, cls.version == version)


# ------------------------------------------------------------------------------------------------
# Purchase
# ------------------------------------------------------------------------------------------------
class Order(BaseModel):
    """At most one order per learner and activity; a declined payment is retried on the same row."""

    id = AutoField()
    learner = ForeignKeyField(Learner, backref="orders", on_delete="RESTRICT")
    activity = ForeignKeyField(Activity, backref="orders", on_delete="RESTRICT")
    version = ForeignKeyField(ActivityVersion, on_delete="RESTRICT")
    amount_cents = IntegerField(constraints=[Check("amount_cents >= 0")])
    currency = CharField(max_length=3, default="USD")
    status = CharField(max_length=12, default=OrderStatus.PENDING)  # catalog.status.OrderStatus
    # when the current payment was started with the provider ('processing')
    charge_started_at = DateTimeField(null=True)
    gateway = CharField(max_length=20, default="")
    gateway_ref = CharField(max_length=100, default="")  # the provider's payment id once paid
    receipt_number = CharField(max_length=20, unique=True)
    created_at = DateTimeField(default=utcnow)
    paid_at = DateTimeField(null=True)
    # as the provider reports the payment method (migration 0007): "Visa", "4242"
    method_brand = CharField(max_length=30, default="")
    method_last4 = CharField(max_length=4, default="")
    refunded_at = DateTimeField(null=True)

    class Meta:
        table_name = "orders"
        indexes = ((("learner", "activity"), True),)

    @property
    def is_paid(self) -> bool:
        return self.status == OrderStatus.PAID

    @property
    def is_refunded(self) -> bool:
        return self.status == OrderStatus.REFUNDED

    @property
    def amount(self) -> Decimal:
        return Decimal(self.amount_cents) / 100


class PaymentAttempt(BaseModel):
    """One payment started with the provider; `reference` is its id there (a PaymentIntent id)."""

    id = AutoField()
    order = ForeignKeyField(Order, backref="attempts", on_delete="RESTRICT")
    gateway = CharField(max_length=20)
    status = CharField(max_length=12)  # catalog.status.PaymentStatus
    reference = CharField(max_length=100, default="", index=True)
    message = CharField(max_length=300, default="")
    created_at = DateTimeField(default=utcnow)
    idempotency_key = CharField(max_length=80, default="")  # migration 0007
    updated_at = DateTimeField(null=True)

    @property
    def is_open(self) -> bool:
        return self.status == PaymentStatus.STARTED


class PaymentEvent(BaseModel):
    """A provider event processed once: the row is written in the same transaction as its effect,
    so a redelivery finds it and changes nothing. Mismatches stay here as staff alerts."""

    id = AutoField()
    gateway = CharField(max_length=20)
    event_id = CharField(max_length=100, unique=True)
    type = CharField(max_length=60)
    reference = CharField(max_length=100, default="")  # the provider's payment id
    order = ForeignKeyField(Order, null=True, backref="events", on_delete="RESTRICT")
    outcome = CharField(max_length=20)  # catalog.status.PaymentEventOutcome
    message = CharField(max_length=300, default="")
    received_at = DateTimeField(default=utcnow)
    resolved_at = DateTimeField(null=True)  # a staff alert dealt with
    resolved_by = ForeignKeyField(Learner, null=True, on_delete="RESTRICT")


class Refund(BaseModel):
    """A refund line on a receipt: the provider's refund id, the amount and staff's reason."""

    id = AutoField()
    order = ForeignKeyField(Order, backref="refunds", on_delete="RESTRICT")
    amount_cents = IntegerField(constraints=[Check("amount_cents > 0")])
    reference = CharField(max_length=100, unique=True)
    reason = CharField(max_length=300, default="")
    certificates = CharField(max_length=10, default="")  # catalog.status.CertificateOnRefund, "" if none
    created_by = ForeignKeyField(Learner, null=True, on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)


# ------------------------------------------------------------------------------------------------
# Participation, evaluation, claims, certificates
# ------------------------------------------------------------------------------------------------
class Participation(BaseModel):
    id = AutoField()
    learner = ForeignKeyField(Learner, backref="participations", on_delete="RESTRICT")
    activity = ForeignKeyField(Activity, on_delete="RESTRICT")
    method = CharField(max_length=12, default="")  # code | roster | post-test
    completed = BooleanField(default=False)
    participated_on = DateField(null=True)  # the participation date reported to CPE Monitor etc.
    attempts = IntegerField(default=0)
    best_score = IntegerField(null=True)  # percent
    material_opened_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)
    completed_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("learner", "activity"), True),)


class PostTestAttempt(BaseModel):
    id = AutoField()
    participation = ForeignKeyField(Participation, backref="post_tests", on_delete="RESTRICT")
    score = IntegerField()
    passed = BooleanField()
    answers = JSONField()
    created_at = DateTimeField(default=utcnow)


class Evaluation(BaseModel):
    id = AutoField()
    learner = ForeignKeyField(Learner, backref="evaluations", on_delete="RESTRICT")
    activity = ForeignKeyField(Activity, on_delete="RESTRICT")
    version = ForeignKeyField(ActivityVersion, on_delete="RESTRICT")
    answers = JSONField()  # competence answers: list of chosen indexes
    correct = IntegerField(default=0)
    questions = IntegerField(default=0)
    objectives_met = JSONField()  # list of "yes" | "partly" | "no" per objective
    relevance = IntegerField()  # 1..5
    quality = IntegerField()  # 1..5
    satisfaction = IntegerField()  # 1..5
    bias_free = BooleanField()
    bias_comment = TextField(default="")
    commitment = TextField(default="")  # "what will you do differently?"
    intends_change = BooleanField(default=False)
    comments = TextField(default="")
    submitted_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("learner", "activity"), True),)

    @property
    def competence_percent(self) -> int | None:
        return round(100 * self.correct / self.questions) if self.questions else None


class Claim(BaseModel):
    id = AutoField()
    learner = ForeignKeyField(Learner, backref="claims", on_delete="RESTRICT")
    activity = ForeignKeyField(Activity, on_delete="RESTRICT")
    version = ForeignKeyField(ActivityVersion, on_delete="RESTRICT")
    credit_type = CharField(max_length=20)
    quarter_hours = IntegerField(constraints=[Check("quarter_hours > 0")])
    designation = JSONField()  # snapshot of catalog Designation.as_dict() as claimed
    participated_on = DateField()
    attested_at = DateTimeField(default=utcnow)
    created_at = DateTimeField(default=utcnow)
    # A meeting's ACPE credit is one claim per session UAN (one CPE Monitor record each); '' otherwise.
    session = CharField(max_length=40, default="")

    class Meta:
        indexes = ((("learner", "activity", "credit_type", "session"), True),)

    @property
    def hours(self) -> Decimal:
        return self.credit.from_quarters(self.quarter_hours)

    @property
    def designation_model(self) -> Designation:
        return Designation.from_dict(self.designation)

    @property
    def credit(self) -> credits.CreditType:
        return credits.CREDIT_TYPES[self.credit_type]


class Certificate(BaseModel):
    """A certificate as issued. Records are kept: a reissue (a corrected name or corrected hours,
    `records.operations.reissue`) makes a new row, and the old one stays, `superseded_by` it."""

    id = AutoField()
    # one current certificate per claim (partial unique index, migration 0010); a reissued one
    # keeps its row, `superseded_by` its replacement
    claim = ForeignKeyField(Claim, backref="certificates", on_delete="RESTRICT")
    code = CharField(max_length=40, unique=True)
    name = CharField(max_length=200)  # the learner's name as printed, frozen at issue
    issued_at = DateTimeField(default=utcnow)
    revoked_at = DateTimeField(null=True)
    revoked_reason = CharField(max_length=300, default="")
    # learner details the certificate prints, frozen at issue (migration 0003; {} before it)
    details = JSONField(default=dict)
    superseded_by = ForeignKeyField("self", null=True, on_delete="RESTRICT")
    # the hours this certificate prints, frozen at issue (migration 0014): a correction reissues the
    # certificate, so a superseded one keeps the hours it stated; NULL only for rows made without
    # them (test fixtures), which print the claim's
    quarter_hours = IntegerField(null=True)

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None

    @property
    def is_superseded(self) -> bool:
        return self.superseded_by_id is not None

    @property
    def status(self) -> CertificateStatus:
        if self.is_superseded:
            return CertificateStatus.SUPERSEDED
        return CertificateStatus.VALID if self.is_valid else CertificateStatus.REVOKED

    @property
    def printed_quarter_hours(self) -> int:
        return self.claim.quarter_hours if self.quarter_hours is None else self.quarter_hours

    @property
    def hours(self) -> Decimal:
        """The hours this certificate states (a superseded one: as they were before the correction)."""
        return self.claim.credit.from_quarters(self.printed_quarter_hours)

    @classmethod
    def current(cls):
        """The condition for a claim's current certificate (not superseded by a reissue): the one
        way to pick it in a query (`records.operations.certificate_for(claim)` loads it)."""
        return cls.superseded_by.is_null()


# ------------------------------------------------------------------------------------------------
# Meetings: attendance and evaluation per session (claimserver.meetings)
# ------------------------------------------------------------------------------------------------
class SessionAttendance(BaseModel):
    """A learner was at one session of a meeting: one row per learner, meeting and session."""

    id = AutoField()
    learner = ForeignKeyField(Learner, on_delete="RESTRICT")
    activity = ForeignKeyField(Activity, on_delete="RESTRICT")
    session = CharField(max_length=40)  # catalog.meeting.Session.id
    method = CharField(max_length=12)   # catalog.status.ParticipationMethod: code | roster | attested
    scanned_at = DateTimeField(null=True)  # a badge scan's time, as the roster gave it (UTC)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("learner", "activity", "session"), True),)


class SessionEvaluation(BaseModel):
    """A learner's short evaluation of one session (the meeting itself has one `Evaluation`)."""

    id = AutoField()
    learner = ForeignKeyField(Learner, on_delete="RESTRICT")
    activity = ForeignKeyField(Activity, on_delete="RESTRICT")
    session = CharField(max_length=40)
    objectives_met = CharField(max_length=8)  # yes | partly | no
    bias_free = BooleanField()
    quality = IntegerField(constraints=[Check("quality BETWEEN 1 AND 5")])  # 1..5
    comment = TextField(default="")
    submitted_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("learner", "activity", "session"), True),)


class Registration(BaseModel):
    """One registrant on a meeting's registration list (migration 0013), as staff imported it: a
    meeting with `free_for_registrants` enrols them free (claimserver.meetings.operations)."""

    id = AutoField()
    activity = ForeignKeyField(Activity, on_delete="RESTRICT")
    badge_id = CharField(max_length=40)  # as printed on the badge, upper-cased
    email = CharField(max_length=254, index=True)  # lower-cased, as Learner.email
    imported_by = ForeignKeyField(Learner, null=True, on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("activity", "badge_id"), True),)


# ------------------------------------------------------------------------------------------------
# Outcomes
# ------------------------------------------------------------------------------------------------
class FollowUp(BaseModel):
    id = AutoField()
    learner = ForeignKeyField(Learner, backref="follow_ups", on_delete="RESTRICT")
    activity = ForeignKeyField(Activity, on_delete="RESTRICT")
    due_on = DateField()
    sent_at = DateTimeField(null=True)
    reminded_at = DateTimeField(null=True)
    answered_at = DateTimeField(null=True)
    opted_out = BooleanField(default=False)
    implemented = CharField(max_length=20, default="")  # fully | partly | not-yet | not-applicable
    barriers = TextField(default="")
    impact = TextField(default="")

    class Meta:
        indexes = ((("learner", "activity"), True),)


class Review(BaseModel):
    """A course director's or the program committee's verdict on an activity's outcomes."""

    id = AutoField()
    activity = ForeignKeyField(Activity, backref="reviews", on_delete="RESTRICT")
    body = CharField(max_length=20)  # director | committee
    members = TextField(default="")
    reviewed_on = DateField()
    phase = CharField(max_length=20, default="competence")  # competence | follow-up | other
    verdict = CharField(max_length=20)  # acceptable | changes-needed
    changes = TextField(default="")
    owners = CharField(max_length=300, default="")
    changes_done = BooleanField(default=False)
    rationale = TextField(default="")
    created_by = ForeignKeyField(Learner, on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)


# ------------------------------------------------------------------------------------------------
# Reporting to CPE Monitor, CE Broker, PARS
# ------------------------------------------------------------------------------------------------
class ExportBatch(BaseModel):
    id = AutoField()
    destination = CharField(max_length=20)
    filename = CharField(max_length=120)
    content = TextField()
    item_count = IntegerField()
    created_by = ForeignKeyField(Learner, null=True, on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)


class ReportItem(BaseModel):
    """One claim's report to one destination. `open_key` is set while open: one open item per pair."""

    id = AutoField()
    claim = ForeignKeyField(Claim, backref="report_items", on_delete="RESTRICT")
    destination = CharField(max_length=20)  # cpe_monitor | ce_broker | pars
    # due | exported | accepted | rejected | corrected | withdrawn (certificate revoked) | retracted
    status = CharField(max_length=12, default="due")
    deadline = DateField(null=True)
    batch = ForeignKeyField(ExportBatch, null=True, backref="items", on_delete="RESTRICT")
    response = TextField(default="")
    supersedes = ForeignKeyField("self", null=True, on_delete="RESTRICT")
    open_key = CharField(max_length=60, null=True, unique=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    # Reporting ledger (claimserver.reports.ledger): the row as sent (column header -> value), so a
    # response file is matched by its natural key and a rejected item is re-queued once the
    # learner's data differs from what was sent; when it was exported and when its result came in.
    sent_row = JSONField(null=True)
    exported_at = DateTimeField(null=True)
    resolved_at = DateTimeField(null=True)


# ------------------------------------------------------------------------------------------------
# Infrastructure: mail outbox, audit log, rate limits
# ------------------------------------------------------------------------------------------------
class Outbox(BaseModel):
    """Every email, written in the same transaction as the change that causes it."""

    id = AutoField()
    to = CharField(max_length=254)
    subject = CharField(max_length=300)
    body = TextField()
    html = TextField(default="")
    headers = JSONField(default=dict)  # extra headers, e.g. List-Unsubscribe
    # [{"filename", "content_type", "text"}], e.g. a receipt's calendar file (migration 0012)
    attachments = JSONField(default=list)
    kind = CharField(max_length=40, default="")
    dedupe_key = CharField(max_length=120, null=True, unique=True)
    created_at = DateTimeField(default=utcnow)
    claimed_by = CharField(max_length=80, null=True)
    claimed_at = DateTimeField(null=True)
    sent_at = DateTimeField(null=True)
    attempts = IntegerField(default=0)
    last_error = TextField(default="")
    next_attempt_at = DateTimeField(null=True)  # after a failure: not before this (back-off)


class AuditLog(BaseModel):
    """Append-only: who did what to which record, when."""

    id = AutoField()
    at = DateTimeField(default=utcnow)
    actor = ForeignKeyField(Learner, null=True, on_delete="RESTRICT")
    action = CharField(max_length=60)
    target = CharField(max_length=80, default="")
    details = JSONField(default=dict)


class RateLimitHit(BaseModel):
    id = AutoField()
    key = CharField(max_length=120)
    window = IntegerField()  # minute number
    count = IntegerField(default=0)

    class Meta:
        indexes = ((("key", "window"), True),)


class LoginSession(BaseModel):
    """One login on one device. Logout, a password change or "log out everywhere" end it on the
    server, so a replayed session or remember cookie finds an ended row and opens nothing."""

    id = AutoField()
    learner = ForeignKeyField(Learner, backref="login_sessions", on_delete="CASCADE")
    token_hash = CharField(max_length=64, unique=True)  # sha256 of the secret the cookie carries
    remembered = BooleanField(default=False)
    issued_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    ended_at = DateTimeField(null=True)
    ended_why = CharField(max_length=40, default="")


class LoginAttempt(BaseModel):
    """One log-in attempt for an account, recorded before the password is checked (sliding-window
    lockout); a successful attempt is marked so only failures count."""

    id = AutoField()
    key = CharField(max_length=120, index=True)
    at = DateTimeField(default=utcnow, index=True)
    failed = BooleanField(default=True)


ALL_MODELS = (
    Learner, Activity, ActivityVersion, Order, PaymentAttempt, PaymentEvent, Refund, Participation, PostTestAttempt,
    Evaluation, Claim, Certificate, SessionAttendance, SessionEvaluation, Registration,
    FollowUp, Review,
    ExportBatch, ReportItem, Outbox, AuditLog, RateLimitHit, LoginSession, LoginAttempt,
)


def audit(actor: Learner | None, action: str, target: str = "", **details) -> None:
    AuditLog.create(actor=actor, action=action, target=target, details=details)

