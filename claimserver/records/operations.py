"""Every write and rule of the records feature: evaluations, credit claims with their certificates,
verification codes, and the transcript's figures.

Claim rules (DESIGN "Server rules"): a paid order, completed participation, a submitted evaluation,
a credit type the activity designates and the learner's profession may claim, hours within the
designated maximum in the type's increment, the profile details the type needs, and an open claim
window. The claim snapshots the designation and points at the activity version it was made under.
"""
from __future__ import annotations

import datetime as dt
import json
import secrets
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

from flask import current_app, url_for
from peewee import JOIN, IntegrityError, fn

from catalog import credits, florida, professions
from catalog.dates import date_range, long_date
from catalog.model import Activity as ActivityModel
from catalog.model import Designation
from catalog.status import CertificateStatus, ReportStatus

from .. import clock
from ..accounts.profile import certificate_name, field_labels, missing_for, profile_missing
from ..certificates import CertificateContent, unprintable, unprintable_message
from ..db import database, for_update
from ..learning.operations import (
    cpe_monitor_deadline, local_today, local_zone, participation_for, require_paid, session_dates,
)
from ..models import Activity, ActivityVersion, Certificate, Claim, Evaluation, Learner, ReportItem, audit
from ..refusals import Refused
from ..reports import ledger
from ..text import clean_name

#: Crockford base32: no I, L, O, U; 16 characters carry 80 random bits.
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_CHARS = 16
_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    """A verification code like '7KQ2-M9XD-4RTA-PW3E' (80 bits from `secrets`)."""
    n = secrets.randbits(5 * CODE_CHARS)
    chars = "".join(CROCKFORD[(n >> (5 * i)) & 31] for i in range(CODE_CHARS))
    return "-".join(chars[i:i + 4] for i in range(0, CODE_CHARS, 4))


def normalise_code(text: str | None) -> str | None:
    """What a person typed or scanned -> the stored form, or None if it cannot be a code."""
    t = "".join((text or "").split()).replace("-", "").upper().translate(_ALIASES)
    if len(t) != CODE_CHARS or any(c not in CROCKFORD for c in t):
        return None
    return "-".join(t[i:i + 4] for i in range(0, CODE_CHARS, 4))


# ------------------------------------------------------------------------------------------------
# Preconditions
# ------------------------------------------------------------------------------------------------
def evaluation_for(learner: Learner, row: Activity) -> Evaluation | None:
    return Evaluation.get_or_none(Evaluation.learner == learner, Evaluation.activity == row)


def require_participation(learner: Learner, row: Activity):
    """Paid and completed participation, or Refused pointing at the step to take."""
    require_paid(learner, row)
    p = participation_for(learner, row)
    if p is None or not p.completed:
        raise Refused("Complete your participation first: the evaluation and credit open once "
                      "your attendance or post-test is recorded.",
                      url_for("learning.participate", slug=row.slug), "Take part")
    return p


def require_evaluation(learner: Learner, row: Activity) -> Evaluation:
    ev = evaluation_for(learner, row)
    if ev is None:
        raise Refused("Please evaluate the activity first: the evaluation is required before you "
                      "claim credit.", url_for("records.evaluate", slug=row.slug), "Evaluate the activity")
    return ev


def check_window(model: ActivityModel) -> None:
    """Credit may be claimed from the activity's start until `claim_until` (inclusive), a date in the
    activity's own time zone: at 22:00 in New York on `claim_until` the window is still open."""
    if clock.now() < model.starts:
        raise Refused(f"Credit for this activity can be claimed from {long_date(session_dates(model)[0])}.")
    if local_today(model) > model.claim_until:
        raise Refused(f"The claim window for this activity closed on {long_date(model.claim_until)}.")


def check_reporting_deadline(key: str, participated_on: dt.date, model: ActivityModel) -> None:
    """Credit that can no longer be reported is not issued where the body holds the credit
    (`Destination.gates_credit`: CPE Monitor, CE Broker; deadlines in catalog.destinations).

    The deadline has passed once its day is over in the activity's time zone or in the society's
    reporting time zone (the ledger's "missed"), whichever comes first."""
    dest = credits.CREDIT_TYPES[key].destination
    if dest is None or not dest.gates_credit:
        return
    if dest.missed(participated_on, max(local_today(model), ledger.today()), current_app.config):
        raise Refused(dest.late_message(participated_on, current_app.config))


def not_reported_notes(learner: Learner, keys, participated_on: dt.date) -> dict[str, str]:
    """Credit the learner may claim that will not be reported, and why (no PARS consent, a PARS
    deadline over): the ledger's own rule (`ledger.unreported_reason`), said before they claim."""
    out = {}
    for key in keys:
        why = ledger.unreported_reason(Claim(credit_type=key, participated_on=participated_on), learner)
        if why:
            out[key] = why
    return out


def require_profile(learner: Learner, link: str | None = None) -> None:
    """A certificate needs the learner's name and the credit their profession; never the email."""
    missing = profile_missing(learner)
    if missing:
        raise Refused(f"Add {' and '.join(missing)} to your profile before claiming credit.", link,
                      "Open your profile")


# ------------------------------------------------------------------------------------------------
# Evaluation
# ------------------------------------------------------------------------------------------------
def first_post_test_answers(learner: Learner, row: Activity) -> list:
    """The answers of the learner's first post-test attempt ([] when none was taken)."""
    from ..models import Participation, PostTestAttempt

    first = (PostTestAttempt.select().join(Participation)
             .where(Participation.learner == learner, Participation.activity == row)
             .order_by(PostTestAttempt.id).first())
    return list(first.answers) if first else []


def submit_evaluation(learner: Learner, row: Activity, version: ActivityVersion, model: ActivityModel,
                      data: dict) -> tuple[Evaluation, bool]:
    """Store the learner's one evaluation; a second submission returns the first (created=False).

    Competence is measured once: by the evaluation's case questions for live activities, by the
    post-test for journal and on-demand ones, whose FIRST attempt (before any feedback) is stored
    as the evaluation's competence answers. Commitment to change is stored beside it, never scored."""
    existing = evaluation_for(learner, row)
    if existing is not None:
        return existing, False
    if model.is_home_study:
        data = {**data, "answers": first_post_test_answers(learner, row)}
    correct = sum(1 for q, a in zip(model.questions, data["answers"]) if a == q.answer)
    try:
        with database.atomic():
            ev = Evaluation.create(learner=learner, activity=row, version=version, correct=correct,
                                   questions=len(model.questions), **data)
            audit(learner, "evaluation.submitted", f"evaluation:{ev.id}", activity=row.slug)
            return ev, True
    except IntegrityError:
        return evaluation_for(learner, row), False


# ------------------------------------------------------------------------------------------------
# What a learner may claim
# ------------------------------------------------------------------------------------------------
@dataclass
class Offer:
    key: str
    designation: Designation
    missing: list[str] = field(default_factory=list)  # profile fields the learner must add first
    sessions: tuple = ()  # a meeting: the sessions this claim counts (catalog.meeting.Session)

    @property
    def type(self) -> credits.CreditType:
        return credits.CREDIT_TYPES[self.key]

    @property
    def maximum(self) -> Decimal:
        return self.designation.hours

    @property
    def label(self) -> str:
        return f"{self.type.name} (up to {self.type.units(self.maximum)})"

    @property
    def missing_text(self) -> str:
        return field_labels(self.missing)


def offers(learner: Learner, model: ActivityModel, row: Activity | None = None) -> list[Offer]:
    """Designations this learner's profession may claim; everyone else: a certificate of participation.
    For a meeting, each maximum is what the learner's own sessions earn (claimserver.meetings)."""
    out = _offers(learner, model)
    if model.is_meeting and row is not None:
        from ..meetings.operations import meeting_offers
        out = meeting_offers(learner, row, model, out)
    return out


def _offers(learner: Learner, model: ActivityModel) -> list[Offer]:
    out: list[Offer] = []
    for key in model.credit_keys:
        if key == "participation" or not credits.may_claim(learner.profession, key):
            continue
        letter = professions.acpe_letter(learner.profession) if key == "acpe" else ""
        d = model.designation(key, letter)
        if d is None or (letter and d.audience and d.audience != letter):
            continue
        out.append(Offer(key, d, missing_for(learner, key)))
    if not out:
        d = model.designation("participation") or Designation("participation", model.max_hours)
        out.append(Offer("participation", d))
    elif all(o.missing for o in out) and model.designation("participation"):
        # e.g. a California CLS holder on a Florida-only course: they cannot use the Florida credit
        # but may still take the certificate of participation the activity offers.
        out.append(Offer("participation", model.designation("participation")))
    return out


def claims_for(learner: Learner, row: Activity) -> list[Claim]:
    return list(Claim.select().where(Claim.learner == learner, Claim.activity == row).order_by(Claim.id))


# ------------------------------------------------------------------------------------------------
# Issuing a claim and its certificate
# ------------------------------------------------------------------------------------------------
def _find_claim(learner: Learner, row: Activity, key: str) -> Claim | None:
    return Claim.get_or_none(Claim.learner == learner, Claim.activity == row, Claim.credit_type == key)


def check_hours(offer: Offer, hours: Decimal) -> int:
    """The claimed hours as stored (quarter hours), or Refused naming the hours field: more than 0, at
    most the designated maximum, in the credit type's increment (AMA PRA Booklet: claim only the
    credit commensurate with the extent of participation)."""
    ct = offer.type
    if hours <= 0:
        raise Refused("Enter more than 0 hours.", field="hours")
    if hours > offer.maximum:
        raise Refused(f"You can claim at most {ct.units(offer.maximum)} for this activity.", field="hours")
    if not ct.valid_amount(hours):
        examples = ", ".join(credits.format_hours(h) for h in ct.amounts_up_to(offer.maximum))
        raise Refused(f"Claim in steps of {credits.format_hours(ct.increment)} hours, such as {examples}.",
                      field="hours")
    return ct.to_quarters(hours)


def issue_claim(learner: Learner, row: Activity, version: ActivityVersion, offer: Offer,
                hours: Decimal, participation) -> tuple[Claim, bool]:
    """Create the claim and its certificate in one transaction. Same claim again -> the existing one."""
    existing = _find_claim(learner, row, offer.key)
    if existing is not None:
        return existing, False
    require_profile(learner)
    if offer.missing:
        raise Refused(f"Add your {offer.missing_text} to your profile before claiming "
                      f"{offer.type.name}.", field="credit")
    quarter_hours = check_hours(offer, hours)
    model = version.model()
    check_window(model)
    participated_on = participation.participated_on or local_today(model)
    check_reporting_deadline(offer.key, participated_on, model)
    now = clock.utcnow_naive()
    if offer.key == "acpe" and offer.sessions:
        return _issue_per_session(learner, row, version, offer, quarter_hours, model, now)
    try:
        with database.atomic():
            claim = Claim.create(
                learner=learner, activity=row, version=version, credit_type=offer.key,
                quarter_hours=quarter_hours, designation=snapshot(offer),
                participated_on=participated_on,
                attested_at=now, created_at=now)
            cert = _issue_certificate(claim, learner, now)
            audit(learner, "claim.created", f"claim:{claim.id}", activity=row.slug,
                  credit=offer.key, quarter_hours=quarter_hours, certificate=cert.code)
            _record_in_ledger(claim)
            return claim, True
    except IntegrityError:
        existing = _find_claim(learner, row, offer.key)
        if existing is None:
            raise
        return existing, False


def issue_session_claims(learner: Learner, row: Activity, offer: Offer, quarter_hours: int) -> tuple[Claim, bool]:
    """A meeting's ACPE sessions attended after the learner claimed: one more claim per session UAN
    (`offer.sessions` are the new ones, `quarter_hours` what is left under the maximum), under the
    same rules as the first claim."""
    require_profile(learner)
    if offer.missing:
        raise Refused(f"Add your {offer.missing_text} to your profile before claiming "
                      f"{offer.type.name}.", field="credit")
    version = row.current
    model = version.model()
    check_window(model)
    return _issue_per_session(learner, row, version, offer, quarter_hours, model, clock.utcnow_naive())


def _issue_per_session(learner: Learner, row: Activity, version: ActivityVersion, offer: Offer,
                       quarter_hours: int, model: ActivityModel, now: dt.datetime) -> tuple[Claim, bool]:
    """A meeting's ACPE credit: one claim (certificate, CPE Monitor item) per session UAN, all in one
    transaction; the first is returned."""
    from ..meetings.operations import per_session_claims

    parts = per_session_claims(offer, quarter_hours, model)
    for _, _, _, on in parts:
        check_reporting_deadline(offer.key, on, model)
    try:
        with database.atomic():
            claims = []
            for s, designation, q, on in parts:
                claim = Claim.create(learner=learner, activity=row, version=version, credit_type=offer.key,
                                     session=s.id, quarter_hours=q, designation=designation,
                                     participated_on=on, attested_at=now, created_at=now)
                cert = _issue_certificate(claim, learner, now)
                audit(learner, "claim.created", f"claim:{claim.id}", activity=row.slug, credit=offer.key,
                      session=s.id, quarter_hours=q, certificate=cert.code)
                _record_in_ledger(claim)
                claims.append(claim)
            return claims[0], True
    except IntegrityError:
        existing = _find_claim(learner, row, offer.key)
        if existing is None:
            raise
        return existing, False


def snapshot(offer: Offer) -> dict:
    """The designation as claimed; a meeting's claim also keeps the sessions it counts."""
    d = offer.designation.as_dict()
    if offer.sessions:
        from ..meetings.operations import sessions_snapshot
        d["sessions"] = sessions_snapshot(offer.key, offer.sessions)
    return d


@dataclass
class ClaimPage:
    """Everything the claim page shows one learner for one activity, decided here, not in the view."""

    participation: object
    claimed: list                      # this learner's claims for the activity
    offers: list[Offer]                # what can be claimed now
    expired: dict[str, str]            # credit key -> why it can no longer be reported (never offered)
    closed: str | None                 # the claim window is not open: why
    profile: Refused | None            # the profile lacks what every claim needs
    cpe_deadline: dt.date | None       # CPE Monitor's limit, when ACPE credit is offered
    not_reported: dict[str, str] = field(default_factory=dict)  # credit key -> why it will not be reported
    #: a meeting: sessions attended since claiming, per claimed credit type (meetings.operations.Addition)
    additions: list = field(default_factory=list)

    @property
    def hours_hint(self) -> str:
        return hours_hint(self.offers)


def claim_page(learner: Learner, row: Activity, version: ActivityVersion, profile_link: str) -> ClaimPage:
    """What this learner may claim here, and why not where they cannot. Raises Refused (with the
    step's link) when participation or the evaluation is still missing."""
    participation = require_participation(learner, row)
    require_evaluation(learner, row)
    model = version.model()
    claimed = claims_for(learner, row)
    try:
        require_profile(learner, profile_link)
    except Refused as e:
        return ClaimPage(participation, claimed, [], {}, None, e, None)
    done = {c.credit_type for c in claimed}
    offers_ = [o for o in offers(learner, model, row) if o.key not in done]
    closed = None
    try:
        check_window(model)
    except Refused as e:
        closed = e.message
    expired = {}
    participated_on = participation.participated_on or local_today(model)
    for o in offers_:
        try:
            check_reporting_deadline(o.key, participated_on, model)
        except Refused as e:
            expired[o.key] = e.message
    offers_ = [o for o in offers_ if o.key not in expired]
    acpe_offered = any(o.key == "acpe" for o in offers_)
    more = []
    if model.is_meeting and claimed and closed is None:
        from ..meetings.operations import additions
        more = additions(learner, row, model, claimed)
    cpe = cpe_monitor_deadline(learner, model, participation) if acpe_offered else None
    acpe_sessions = [s for o in offers_ if o.key == "acpe" for s in o.sessions]
    if cpe and acpe_sessions:
        # a meeting: one CPE Monitor item per session UAN, each due its deadline after its own session,
        # so the first session counted sets the date to claim by (not the meeting's last one)
        first = min(s.starts.astimezone(local_zone(model)).date() for s in acpe_sessions)
        cpe = credits.CREDIT_TYPES["acpe"].destination.deadline(first, current_app.config)
    return ClaimPage(participation, claimed, offers_, expired, closed, None, cpe,
                     not_reported_notes(learner, [o.key for o in offers_], participated_on), more)


def hours_hint(offers_: list[Offer]) -> str:
    """The hours field's hint, from the offered credit types' increment and unit length: 0.25 of a
    60-minute hour is 15 minutes, of a 50-minute P.A.C.E. contact hour 12.5 minutes."""
    types = {o.type.key: o.type for o in offers_}.values()
    increments = {t.increment for t in types}
    if len(increments) != 1:
        return "Claim only the time you took part."
    inc = increments.pop()
    text = f"Claim only the time you took part, in steps of {credits.format_hours(inc)}"
    lengths = {t.increment_minutes() for t in types}
    if len(lengths) == 1:
        text += f" ({credits.format_hours(lengths.pop())} minutes)"
    return text + "."


#: Learner details a certificate prints (or may print), frozen at issue in `Certificate.details`
#: so a later profile edit never changes an issued certificate.
FROZEN_DETAILS = ("profession", "degree", "nabp_epid", "california_licence", "florida_licence", "board_id")


def _issue_certificate(claim: Claim, learner: Learner, now: dt.datetime) -> Certificate:
    name = certificate_name(learner)
    if not name:
        raise Refused("Add your name to your profile before claiming credit.", field="credit")
    details = {f: (getattr(learner, f, "") or "") for f in FROZEN_DETAILS}
    for _ in range(5):
        try:
            with database.atomic():  # a savepoint: a code collision retries without losing the claim
                return Certificate.create(claim=claim, code=new_code(), name=name, details=details,
                                          quarter_hours=claim.quarter_hours, issued_at=now)
        except IntegrityError:
            if Certificate.get_or_none(Certificate.claim == claim, Certificate.current()) is not None:
                raise
    raise RuntimeError("could not allocate a unique verification code")


def _record_in_ledger(claim: Claim) -> None:
    from ..reports import alerts

    item = ledger.record_claim(claim)
    if item is not None:  # blocked by missing profile data: the learner is told (reports.alerts)
        alerts.notify(item)


# ------------------------------------------------------------------------------------------------
# Certificates
# ------------------------------------------------------------------------------------------------
def certificate_for(claim: Claim) -> Certificate:
    """The claim's current certificate: the one place that finds it (a reissued one is superseded,
    `reissue`; queries that list many claims join on `Certificate.current()`)."""
    return Certificate.get(Certificate.claim == claim, Certificate.current())


def verify_url(code: str) -> str:
    return f"{current_app.config['SERVER_URL'].rstrip('/')}/verify/{code}"


def activity_dates(model: ActivityModel) -> str:
    return date_range(*session_dates(model))


def certificate_content(cert: Certificate, claim: Claim, learner: Learner) -> CertificateContent:
    """What the certificate prints, from the claim's snapshot, the version it was made under and the
    learner's details frozen at issue (certificates issued before details were frozen have none:
    only those read the current profile)."""
    cfg = current_app.config
    model = claim.version.model()
    ama = model.designation("ama_pra_1")
    frozen = cert.details or {}

    def detail(f: str) -> str:
        return frozen.get(f, "") if frozen else (getattr(learner, f, "") or "")

    return CertificateContent(
        sessions=tuple((i, t, Decimal(h)) for i, t, h in claim.designation.get("sessions", ())),
        code=cert.code, name=cert.name, credit=claim.credit_type, hours=cert.hours,
        designation=claim.designation_model, title=model.title, format=model.format,
        dates=activity_dates(model), location=model.location if model.is_live else "",
        completed_on=claim.participated_on, issued_at=cert.issued_at, verify_url=verify_url(cert.code),
        provider=cfg["PROVIDER_NAME"], profession=detail("profession"),
        designated_ama=ama.hours if ama else None,
        california_licence=detail("california_licence"), florida_licence=detail("florida_licence"),
        nabp_epid=detail("nabp_epid"),
        provider_numbers={"pace": cfg["PACE_PROVIDER_NUMBER"], "accme": cfg["ACCME_PROVIDER_ID"],
                          "california_agency": cfg["CALIFORNIA_ACCREDITING_AGENCY"],
                          "ce_broker": cfg["CE_BROKER_PROVIDER_ID"]},
        revoked_on=cert.revoked_at.date() if cert.revoked_at else None,
        joint_provider=model.joint_provider, jointly_accredited=model.jointly_accredited,
        credit_keys=model.credit_keys,
        subject_hours=tuple(florida.completed_subject_hours(claim.designation, claim.hours))
        if claim.credit_type == "florida" else (),
        signature_image=cfg.get("CE_SIGNATURE_IMAGE") or "", signature_name=cfg.get("CE_SIGNATURE_NAME") or "",
    )


def revoke(cert: Certificate, actor: Learner | None, reason: str) -> bool:
    """Revoke once: True if this call revoked it; an already revoked certificate is left (and not audited).

    In the same transaction the claim's open report items are withdrawn: revoked credit is never
    reported (credit the destination already accepted is a staff to-do on the reporting page)."""
    if cert.is_superseded:
        raise Refused(f"Certificate {cert.code} was superseded by certificate {cert.superseded_by.code}: "
                      "revoke that one instead.")
    with database.atomic():
        changed = Certificate.update(revoked_at=clock.utcnow_naive(), revoked_reason=reason[:300]).where(
            Certificate.id == cert.id, Certificate.revoked_at.is_null()).execute()
        if changed:
            audit(actor, "certificate.revoked", f"certificate:{cert.id}", reason=reason)
            ledger.withdraw_claim(Claim.get_by_id(cert.claim_id), actor, reason)
    return bool(changed)


#: What a reissue may change besides the learner's details of today: the printed name (staff, after a
#: name correction) and the claimed hours (the learner, `corrections.correct_hours`).
REISSUE_CHANGES = ("name", "quarter_hours", "designation")


def reissue(cert: Certificate, reason: str, by: Learner | None, *, notify: bool = False,
            **changes) -> Certificate:
    """Replace a current certificate with a new one: the one way a certificate is reissued (a staff
    name correction, a learner's hours correction). The new one has a new code, is issued now and
    freezes the learner's details and the claim's hours as they are then; the old row stays,
    `superseded_by` the new one, so its code still verifies and says "superseded by …".

    `changes`: `name=` first corrects the learner's certificate name to it; `quarter_hours=` first
    changes the claim's hours (the claim rule is `check_hours`; `corrections.correction_refusal`
    says when hours can no longer change, checked again here with the claim locked). Nothing else.

    One transaction: the claim row is locked first (the ledger's export takes the same lock, so an
    export never writes hours a correction is changing), the old certificate is taken with a
    conditional update (two reissues at once never make two current certificates: the loser is
    refused), the new row is created and the old one points at it; the claim's open report item
    carries the new hours, rejected items are re-queued once what they sent differs, and the audit
    log records who, why and both codes. `notify` (a staff reissue) queues the learner's email saying
    what changed, in the same transaction, through the outbox (`reissued_email`); a learner's own
    correction shows its result on screen and sends nothing."""
    unknown = set(changes) - set(REISSUE_CHANGES)
    if unknown:
        raise TypeError(f"reissue() cannot change {', '.join(sorted(unknown))}")
    reason = " ".join((reason or "").split())
    if not reason:
        raise Refused("Say why the certificate is reissued.", field="reason")
    name = changes.get("name")
    if name is not None:
        name = clean_name(name)
        if not name:
            raise Refused("Enter the name as it should be printed.", field="name")
        if symbols := unprintable(name):
            raise Refused(unprintable_message(symbols), field="name")
    if cert.revoked_at is not None:
        raise Refused(f"Certificate {cert.code} was revoked, so it cannot be reissued.")
    if cert.is_superseded:
        raise Refused(f"Certificate {cert.code} was already superseded by certificate "
                      f"{cert.superseded_by.code}: reissue that one if it needs correcting.")
    now = clock.utcnow_naive()
    with database.atomic():
        # the ledger's lock order: the claim, then its learner, then report items
        claim = for_update(Claim.select().where(Claim.id == cert.claim_id)).get()
        learner = for_update(Learner.select().where(Learner.id == claim.learner_id)).get()
        old_quarters = claim.quarter_hours
        # The placeholder self-pointer frees the claim's "one current certificate" slot inside this
        # transaction; it is replaced by the new certificate's id below. The old row keeps its hours.
        taken = (Certificate.update(superseded_by=cert.id,
                                    quarter_hours=fn.COALESCE(Certificate.quarter_hours, old_quarters))
                 .where((Certificate.id == cert.id) & Certificate.current()
                        & Certificate.revoked_at.is_null()).execute())
        if not taken:
            raise Refused(f"Certificate {cert.code} was changed a moment ago, in another window or by "
                          "someone else: look at it again before changing it.")
        quarters = changes.get("quarter_hours")
        hours_changed = quarters is not None and quarters != old_quarters
        designation = changes.get("designation")  # a meeting's claim with sessions added
        designation_changed = designation is not None and designation != claim.designation
        if hours_changed or designation_changed:
            from .corrections import correction_refusal  # the hours rule's home imports this module

            refusal = correction_refusal(claim, Certificate.get_by_id(cert.id))
            if refusal is not None:  # sent (or the window closed) since the caller checked: rolled back
                raise refusal
            claim_changes = {**({"quarter_hours": quarters} if hours_changed else {}),
                             **({"designation": designation} if designation_changed else {})}
            Claim.update(**claim_changes).where(Claim.id == claim.id).execute()
            for k, v in claim_changes.items():
                setattr(claim, k, v)
            # The open item not yet sent carries the claim's hours when it is exported; touch it so
            # the ledger's pages (and the transcript's cache) see the change.
            ReportItem.update(updated_at=now).where((ReportItem.claim == claim)
                                                    & ReportItem.status.in_(ledger.OPEN)).execute()
        old_name = learner.certificate_name
        if name is not None and name != old_name:
            Learner.update(certificate_name=name).where(Learner.id == learner.id).execute()
            learner.certificate_name = name
            audit(by, "learner.name_corrected", f"learner:{learner.id}", was=old_name, now=name,
                  reason=reason)
        claim.learner = learner
        new = _issue_certificate(claim, learner, now)
        Certificate.update(superseded_by=new.id).where(Certificate.id == cert.id).execute()
        audit(by, "certificate.reissued", f"certificate:{new.id}", old_code=cert.code, code=new.code,
              name=new.name, old_name=cert.name, old_quarter_hours=old_quarters,
              quarter_hours=claim.quarter_hours, reason=reason)
        if hours_changed or designation_changed:
            details = {"from_quarter_hours": old_quarters, "to_quarter_hours": claim.quarter_hours,
                       "old_certificate": cert.code, "certificate": new.code}
            if designation_changed:
                audit(by, "claim.sessions_added", f"claim:{claim.id}", **details,
                      sessions=[sid for sid, _, _ in designation.get("sessions", ())])
            else:
                audit(by, "claim.corrected", f"claim:{claim.id}", **details)
            for item in (ReportItem.select().where((ReportItem.claim == claim)
                                                   & (ReportItem.status == ReportStatus.REJECTED))
                         .order_by(ReportItem.id)):
                ledger.requeue(item, by, why=reason)
        ledger.on_profile_changed(learner)
        if notify:
            reissued_email(cert, new, claim, learner, old_quarters)
    return new


def reissued_email(old: Certificate, new: Certificate, claim: Claim, learner: Learner, old_quarters: int) -> None:
    """Tell the learner staff reissued her certificate: what changed, the new code and its link, and
    that the old code now verifies as superseded (queued in the caller's transaction, once per new
    certificate)."""
    from .. import mail
    from ..payments.operations import society_name

    credit = claim.credit
    changed = []
    if new.name != old.name:
        changed.append(f"The name printed on it: “{old.name}” is now “{new.name}”.")
    if claim.quarter_hours != old_quarters:
        changed.append(f"The hours: {credits.format_hours(credit.from_quarters(old_quarters))} are now "
                       f"{credits.format_hours(claim.hours)}.")
    if not changed:
        changed.append("Its details were issued again as your profile has them today.")
    title = claim.version.title
    superseded = CertificateStatus.SUPERSEDED.label.lower()
    body = (f"Our staff reissued your certificate for “{title}” ({credit.certificate_title}).\n\n"
            "What changed:\n" + "".join(f"  {c}\n" for c in changed) + "\n"
            f"Your new certificate code: {new.code}\n"
            f"Your certificate: {_external('records.certificate', claim_id=claim.id)}\n"
            f"Anyone can check it at {_external('records.verify', code=new.code)}\n\n"
            f"The old code {old.code} now reads “{superseded}” when it is checked, and names the new "
            f"certificate: give the new one to anyone who asks for your certificate.\n\n"
            f"{society_name()}\n")
    mail.queue(learner.email, f"Your certificate was reissued: {title}", body, kind="certificate-reissued",
               dedupe_key=f"certificate-reissued:{new.id}")


def _external(endpoint: str, **values) -> str:
    """A page's public address under SERVER_URL, in a request or not."""
    from urllib.parse import urlsplit

    server = urlsplit(current_app.config["SERVER_URL"])
    adapter = current_app.url_map.bind(server.netloc, script_name=server.path or "/", url_scheme=server.scheme)
    return adapter.build(endpoint, values, force_external=True)


# ------------------------------------------------------------------------------------------------
# Transcript
# ------------------------------------------------------------------------------------------------
@dataclass
class TranscriptRow:
    """One claim as the transcript shows it (plain values: 200 rows build no model objects)."""

    claim_id: int
    date: dt.date
    title: str
    slug: str
    credit_type: str
    quarter_hours: int
    code: str
    valid: bool
    #: A meeting claim's sessions as the claim keeps them: ((id, title, hours as printed), …); the
    #: web transcript, its CSV and its PDF all list these.
    sessions: tuple[tuple[str, str, str], ...] = ()

    @property
    def hours(self) -> Decimal:
        return self.credit.from_quarters(self.quarter_hours)

    @property
    def credit(self) -> credits.CreditType:
        return credits.CREDIT_TYPES[self.credit_type]


@dataclass
class Transcript:
    rows: list[TranscriptRow]
    totals: list[tuple[str, Decimal]]  # (credit key, hours)
    years: list[tuple[int, str, Decimal]]  # (year, credit key, hours)
    cycle: tuple[dt.date, dt.date] | None = None
    required: int | None = None
    count: int = 0
    #: Florida biennium: the HIV/AIDS hour and the medical-errors course (catalog.florida), met or not.
    requirements: list = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((h for _, h in self.totals), Decimal(0))


#: State views: which credit type counts, the cycle setting and the hours required per cycle.
STATE_VIEWS = {
    "california": ("california_cls", "CALIFORNIA_CYCLE_START", credits.CALIFORNIA_CYCLE_HOURS,
                   "California CLS (2-year renewal cycle)"),
    "florida": ("florida", "FLORIDA_BIENNIUM_START", credits.FLORIDA_BIENNIUM_HOURS,
                "Florida clinical laboratory (biennium)"),
}


def current_cycle(anchor: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The 2-year cycle containing `today`, counting in 2-year steps from `anchor` (YYYY-MM-DD)."""
    a = dt.date.fromisoformat(anchor)
    years = today.year - a.year
    start_year = a.year + years - (years % 2)
    start = a.replace(year=start_year)
    if start > today:
        start = a.replace(year=start_year - 2)
    end = start.replace(year=start.year + 2) - dt.timedelta(days=1)
    return start, end


def _period(start, end, view):
    """(start, end, credit key, cycle, hours required) for a filter or a state view."""
    if view in STATE_VIEWS:
        key, setting, required, _ = STATE_VIEWS[view]
        cycle = current_cycle(current_app.config[setting], ledger.today())
        return cycle[0], cycle[1], key, cycle, required
    return start, end, None, None, None


def _claims_where(learner, start, end, key):
    cond = Claim.learner == learner
    if key:
        cond &= Claim.credit_type == key
    if start:
        cond &= Claim.participated_on >= start
    if end:
        cond &= Claim.participated_on <= end
    return cond


def transcript(learner: Learner, start: dt.date | None = None, end: dt.date | None = None,
               view: str = "") -> Transcript:
    """Every claim (one query) with totals per credit type and per year."""
    start, end, key, cycle, required = _period(start, end, view)
    q = (Claim.select(Claim.id, Claim.participated_on, ActivityVersion.title, Activity.slug, Claim.credit_type,
                      Claim.quarter_hours, Certificate.code, Certificate.revoked_at, Claim.designation)
         .join(ActivityVersion, on=(Claim.version == ActivityVersion.id))
         .switch(Claim).join(Activity, on=(Claim.activity == Activity.id))
         .switch(Claim).join(Certificate, JOIN.LEFT_OUTER, on=((Certificate.claim == Claim.id) & Certificate.current()))
         .where(_claims_where(learner, start, end, key)))
    rows = [TranscriptRow(cid, on, title, slug, key, qh, code or "", revoked is None, _sessions(designation))
            for cid, on, title, slug, key, qh, code, revoked, designation
            in q.order_by(Claim.participated_on.desc(), Claim.id.desc()).tuples()]
    totals: dict[str, Decimal] = {}
    years: dict[tuple[int, str], Decimal] = {}
    for r in rows:
        if not r.valid:  # a revoked certificate's credit is listed but never counted
            continue
        h = r.hours
        totals[r.credit_type] = totals.get(r.credit_type, Decimal(0)) + h
        yk = (r.date.year, r.credit_type)
        years[yk] = years.get(yk, Decimal(0)) + h
    order = {k: i for i, k in enumerate(credits.CREDIT_ORDER)}
    return Transcript(
        rows=rows,
        totals=sorted(totals.items(), key=lambda kv: order.get(kv[0], 99)),
        years=sorted(((y, k, h) for (y, k), h in years.items()), key=lambda t: (-t[0], order.get(t[1], 99))),
        cycle=cycle, required=required, count=len(rows),
        requirements=_florida_requirements(learner, start, end) if view == "florida" else [])


def _sessions(designation) -> tuple[tuple[str, str, str], ...]:
    """A claim's sessions from its designation snapshot (meetings.operations.sessions_snapshot)."""
    if isinstance(designation, str):  # a JSON column read through .tuples() may come back as text
        designation = json.loads(designation)
    return tuple((str(i), str(t), str(h)) for i, t, h in (designation or {}).get("sessions", ()))


def _florida_requirements(learner: Learner, start, end) -> list:
    """The biennium's subject requirements from this learner's valid Florida claims in the cycle."""
    q = (Claim.select().join(Certificate, JOIN.LEFT_OUTER, on=((Certificate.claim == Claim.id) & Certificate.current()))
         .where(_claims_where(learner, start, end, "florida") & Certificate.revoked_at.is_null()))
    return florida.biennium_requirements((c.designation, c.hours) for c in q)


# ------------------------------------------------------------------------------------------------
# Transcript rows: rendered once, reused while nothing they show has changed
# ------------------------------------------------------------------------------------------------
#: Rendered row fragments per process, newest last. Each key holds everything the rows show:
#: the claims and certificates, every report item's state, the learner's profile and today's date
#: (reporting deadlines turn into warnings as days pass), so a stale fragment is never served.
_ROWS_CACHE: "OrderedDict[tuple, str]" = OrderedDict()
ROWS_CACHE_SIZE = 256


def transcript_key(learner: Learner, start=None, end=None, view: str = "") -> tuple:
    """Everything the transcript page shows, in two small aggregate queries (claims are never
    deleted; a correction changes hours and reissues the certificate with a later issue time; a
    staff reissue makes a new certificate row; otherwise certificates change only by revocation;
    report items bump updated_at)."""
    from peewee import fn

    from ..models import ReportItem

    s, e, key, _, _ = _period(start, end, view)
    # a correction changes a claim's hours and reissues its certificate (records.corrections); a
    # staff reissue adds a certificate row (records.operations.reissue)
    claims = (Claim.select(fn.COUNT(Claim.id), fn.MAX(Claim.id), fn.COUNT(Certificate.revoked_at),
                           fn.SUM(Claim.quarter_hours), fn.MAX(Certificate.issued_at).cast("text"),
                           fn.MAX(Certificate.id))
              .join(Certificate, JOIN.LEFT_OUTER, on=((Certificate.claim == Claim.id) & Certificate.current()))
              .where(_claims_where(learner, s, e, key)).tuples().get())
    items = tuple(ReportItem.select(ReportItem.id, ReportItem.status, ReportItem.updated_at.cast("text"))
                  .join(Claim).where(Claim.learner == learner).order_by(ReportItem.id).tuples())
    profile = tuple(sorted((k, str(v)) for k, v in learner.__data__.items()))
    # ledger.today() (REPORTING_TIMEZONE) is the day the rows' deadline warnings are computed for
    return (learner.id, ledger.today(), view, s, e, claims, hash(profile), hash(items))


def cached_rows(key: tuple, render):
    """The value for `key` (rendered rows and totals), made with `render()` on a miss."""
    html = _ROWS_CACHE.get(key)
    if html is None:
        html = render()
        _ROWS_CACHE[key] = html
        while len(_ROWS_CACHE) > ROWS_CACHE_SIZE:
            _ROWS_CACHE.popitem(last=False)
    else:
        _ROWS_CACHE.move_to_end(key)
    return html


def claims_by_id(learner: Learner, ids: list[int]) -> dict[int, Claim]:
    out = {}
    for c in Claim.select().where(Claim.learner == learner, Claim.id.in_(ids)):
        c.learner = learner
        out[c.id] = c
    return out
