"""Every write the learning feature makes: orders and payments, participation, post-tests, rosters.

Colleagues' features import the step helpers: `order_for`, `participation_for`, `require_paid`
(raises `Refused` with a message a learner can act on and a link to the step).
"""
from __future__ import annotations

import csv
import datetime as dt
import hmac
import io
import logging
import secrets
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from peewee import Case, IntegrityError

from catalog import credits, dates
from catalog.dates import long_date
from catalog.model import Activity as ActivityModel
from catalog.status import OrderStatus, ParticipationMethod, Step

from .. import clock, mail, ratelimit
from ..catalog_sync import CODE_ALPHABET
from ..db import database
from ..models import (
    Activity, ActivityVersion, Learner, Order, Participation, PostTestAttempt, audit,
)
from ..payments import operations as payments
from ..refusals import Refused
from . import joining

log = logging.getLogger(__name__)
#: Purchases need a confirmed address (receipts and certificates must reach the learner).
UNCONFIRMED_EMAIL = ("Please confirm your email address first: open the link we sent to {email}, "
                     "or ask for a new one on your profile page.")


# ------------------------------------------------------------------------------------------------
# Step helpers (used by records and others)
# ------------------------------------------------------------------------------------------------
def order_for(learner: Learner, activity_row: Activity) -> Order | None:
    return Order.get_or_none(Order.learner == learner, Order.activity == activity_row)


def participation_for(learner: Learner, activity_row: Activity) -> Participation | None:
    return Participation.get_or_none(Participation.learner == learner,
                                     Participation.activity == activity_row)


def require_paid(learner: Learner, activity_row: Activity) -> Order:
    order = order_for(learner, activity_row)
    if order is not None and order.is_refunded:
        raise Refused(refunded_message(order), url_for("learning.activity", slug=activity_row.slug),
                      "Go to the activity")
    if order is None or not order.is_paid:
        raise Refused("Purchase this activity first: it is not in your activities yet.",
                      url_for("learning.activity", slug=activity_row.slug), "Go to the activity")
    return order


def local_zone(model: ActivityModel) -> dt.tzinfo:
    return ZoneInfo(model.timezone) if model.timezone else (model.starts.tzinfo or dt.timezone.utc)


def local_today(model: ActivityModel) -> dt.date:
    return clock.now().astimezone(local_zone(model)).date()


def session_dates(model: ActivityModel) -> tuple[dt.date, dt.date]:
    tz = local_zone(model)
    first = model.starts.astimezone(tz).date()
    last = (model.ends or model.starts).astimezone(tz).date()
    return first, last


def session_over(model: ActivityModel) -> bool:
    """A live session has ended: past its end time, or (no end given) past its day, locally."""
    if model.ends is not None:
        return clock.now() >= model.ends
    return local_today(model) > session_dates(model)[1]


def purchase_refusal(model: ActivityModel) -> str | None:
    """Why nobody can buy this activity any more (None while they can). A live session is over once
    it has ended; home study (journal, on-demand) can be bought until its claim deadline."""
    # A meeting's CE is bought after the meeting too: learners claim in the weeks that follow.
    if model.is_live and not model.is_meeting and session_over(model):
        first, last = session_dates(model)
        when = f"on {long_date(first)}" if first == last else f"from {long_date(first)} to {long_date(last)}"
        return f"This session took place {when}; it can no longer be purchased."
    if local_today(model) > model.claim_until:
        return f"This activity closed on {long_date(model.claim_until)} and can no longer be purchased."
    if model.released_later(clock.now()) and not model.presale:
        return dates.not_on_sale_yet(model.starts.astimezone(local_zone(model)))
    return None


def cpe_monitor_deadline(learner: Learner, model: ActivityModel, participation: Participation | None):
    """ACPE/NABP: the last day a completion can reach CPE Monitor, for pharmacy learners."""
    acpe = credits.CREDIT_TYPES["acpe"]
    if (not credits.may_claim(learner.profession, acpe.key)
            or acpe.key not in model.credit_keys or participation is None
            or participation.participated_on is None):
        return None
    return acpe.destination.deadline(participation.participated_on, current_app.config)


# ------------------------------------------------------------------------------------------------
# Purchase
# ------------------------------------------------------------------------------------------------
@dataclass
class PurchaseResult:
    order: Order
    outcome: str  # paid | already-paid | pay (go to next_url, the provider's page)
    message: str = ""
    next_url: str = ""


def new_receipt_number() -> str:
    return "R" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def open_order(learner: Learner, activity_row: Activity) -> Order:
    """The learner's one order for this activity, created pending if there is none yet."""
    existing = order_for(learner, activity_row)
    if existing is not None:
        return existing
    version = activity_row.current
    for _ in range(5):
        try:
            with database.atomic():
                return Order.create(learner=learner, activity=activity_row, version=version,
                                     amount_cents=version.price_cents, status=OrderStatus.PENDING,
                                     receipt_number=new_receipt_number())
        except IntegrityError:
            existing = order_for(learner, activity_row)  # a concurrent request made it first
            if existing is not None:
                return existing
    raise RuntimeError("could not allocate a receipt number")


def purchase(learner: Learner, activity_row: Activity) -> PurchaseResult:
    """Buy an activity once. A free one is in My Activities at once and never reaches a gateway; a
    priced one starts a payment with the provider (double clicks and tabs share one order)."""
    version = activity_row.current
    existing = order_for(learner, activity_row)
    if existing is not None and existing.is_paid:
        return PurchaseResult(existing, "already-paid")
    if existing is not None and existing.is_refunded:
        raise Refused(refunded_message(existing))
    refusal = purchase_refusal(version.model())
    if refusal:
        raise Refused(refusal)  # those who bought already (above) keep their access
    if learner.email_verified_at is None:
        raise Refused(UNCONFIRMED_EMAIL.format(email=learner.email))
    order = open_order(learner, activity_row)
    if order.is_paid:
        return PurchaseResult(order, "already-paid")
    if version.price_cents == 0:
        with database.atomic():
            Order.update(amount_cents=0, version=version, gateway="free").where(
                Order.id == order.id, Order.status != OrderStatus.PAID).execute()
            moved = payments.mark_paid(order)
        return PurchaseResult(Order.get_by_id(order.id), "paid" if moved else "already-paid")
    started = payments.start(order)
    return PurchaseResult(Order.get_by_id(order.id), "pay", next_url=started.redirect_url)


def refunded_message(order: Order) -> str:
    return (f"Your purchase of this activity was refunded on {long_date(order.refunded_at)}, so it is no "
            "longer in your activities and credit cannot be claimed for it.")


# ------------------------------------------------------------------------------------------------
# Participation
# ------------------------------------------------------------------------------------------------
def _participation(learner: Learner, activity_row: Activity) -> Participation:
    existing = participation_for(learner, activity_row)
    if existing is not None:
        return existing
    try:
        with database.atomic():
            return Participation.create(learner=learner, activity=activity_row)
    except IntegrityError:
        return participation_for(learner, activity_row)


def _check_open(model: ActivityModel, what: str) -> None:
    if clock.now() < model.starts:
        if model.is_live:
            raise Refused("The session has not started yet. The attendance code is given during "
                              "the session; come back then.")
        raise Refused(dates.not_yet_released(model.starts.astimezone(local_zone(model))))
    if local_today(model) > model.claim_until:
        raise Refused(f"This activity closed on {long_date(model.claim_until)}; {what} is no longer possible.")


class WrongCode(Exception):
    """The attendance code does not match."""


class TooManyCodes(Exception):
    """Too many wrong attendance codes from this learner for this session: wait, then try again."""

    message = ("Too many wrong codes for this session. Wait 15 minutes, then enter the code exactly "
               "as the moderator gives it.")


def _code_key(learner: Learner, activity_row: Activity) -> str:
    return f"attendance-code:{learner.id}:{activity_row.id}"


def enter_attendance_code(learner: Learner, activity_row: Activity, code: str) -> Participation:
    model = activity_row.current.model()
    require_paid(learner, activity_row)
    if not model.is_live:
        raise Refused("This activity is home study: open the material and take the post-test.")
    _check_open(model, "recording attendance")
    p = _participation(learner, activity_row)
    if p.completed:
        return p
    # Six characters from 32 are guessable at speed: wrong codes are counted per learner and
    # session, and past the limit even the right code waits (else guessing would just go on).
    limit = int(current_app.config["ATTENDANCE_CODE_FAILURES_PER_15_MIN"])
    if ratelimit.count(_code_key(learner, activity_row), 900) >= limit:
        raise TooManyCodes()
    given = "".join(code.split()).upper()
    if not activity_row.attendance_code or not hmac.compare_digest(given.encode(), activity_row.attendance_code.encode()):
        with database.atomic():
            audit(learner, "participation.wrong_code", f"activity:{activity_row.id}")
        ratelimit.hit(_code_key(learner, activity_row), limit, 900)
        raise WrongCode()
    first, last = session_dates(model)
    on = min(max(local_today(model), first), last)  # the session's date, in its own time zone
    with database.atomic():
        done = (Participation.update(completed=True, method=ParticipationMethod.CODE, participated_on=on,
                                     completed_at=clock.utcnow_naive())
                .where(Participation.id == p.id, Participation.completed == False)  # noqa: E712
                .execute())
        if done:
            audit(learner, "participation.completed", f"activity:{activity_row.id}", method=ParticipationMethod.CODE,
                  participated_on=on.isoformat())
    return Participation.get_by_id(p.id)


def material_url(learner: Learner, activity_row: Activity) -> str:
    """The home-study material's URL, if the learner may open it now (reads only)."""
    model = activity_row.current.model()
    require_paid(learner, activity_row)
    if not model.material:
        raise Refused("The material for this activity is not online yet; please contact us.")
    _check_open(model, "opening the material")
    return model.material


def open_material(learner: Learner, activity_row: Activity) -> str:
    """Record the first opening of home-study material and return its URL."""
    url = material_url(learner, activity_row)
    p = _participation(learner, activity_row)
    if p.material_opened_at is None:
        with database.atomic():
            Participation.update(material_opened_at=clock.utcnow_naive()).where(
                Participation.id == p.id, Participation.material_opened_at.is_null()).execute()
            audit(learner, "participation.material_opened", f"activity:{activity_row.id}")
    return url


@dataclass
class PostTestFeedback:
    score: int
    passed: bool
    pass_mark: int
    attempt: int
    wrong: list[dict] = field(default_factory=list)  # question, chosen, explanation


def score_post_test(model: ActivityModel, answers: list[int | None]) -> tuple[int, list[dict]]:
    wrong = []
    correct = 0
    for i, q in enumerate(model.questions):
        chosen = answers[i] if i < len(answers) else None
        if chosen == q.answer:
            correct += 1
        else:
            wrong.append({"number": i + 1, "question": q.question,
                          "chosen": q.choices[chosen] if chosen is not None and 0 <= chosen < len(q.choices) else "",
                          "explanation": q.explanation})
    return (100 * correct // len(model.questions)) if model.questions else 0, wrong


def check_post_test_allowed(learner: Learner, activity_row: Activity) -> Participation:
    model = activity_row.current.model()
    require_paid(learner, activity_row)
    if model.is_live:
        raise Refused("This is a live activity: enter the attendance code given during the session.")
    _check_open(model, "taking the post-test")
    p = _participation(learner, activity_row)
    if p.completed:
        raise Refused("You have already passed the post-test.")
    if p.material_opened_at is None and model.material:
        raise Refused("Open the material first; the post-test is about it.")
    if not model.questions:
        raise Refused("This activity has no post-test questions yet; please contact us.")
    return p


def submit_post_test(learner: Learner, activity_row: Activity, answers: list[int | None]) -> PostTestFeedback:
    model = activity_row.current.model()
    p = check_post_test_allowed(learner, activity_row)
    score, wrong = score_post_test(model, answers)
    pass_mark = model.pass_mark if model.pass_mark is not None else 100
    passed = score >= pass_mark
    on = local_today(model)
    with database.atomic():
        PostTestAttempt.create(participation=p, score=score, passed=passed, answers=list(answers))
        # Computed by the UPDATE itself: two submits at once must not store the lower score.
        updates = {"attempts": Participation.attempts + 1,
                   "best_score": Case(None, ((Participation.best_score.is_null(), score),
                                             (Participation.best_score < score, score)),
                                      Participation.best_score)}
        if passed:
            updates.update(completed=True, method=ParticipationMethod.POST_TEST, participated_on=on,
                           completed_at=clock.utcnow_naive())
        Participation.update(**updates).where(Participation.id == p.id).execute()
        audit(learner, "participation.post_test", f"activity:{activity_row.id}", score=score, passed=passed)
    attempts = Participation.get_by_id(p.id).attempts
    return PostTestFeedback(score, passed, pass_mark, attempts, wrong)


# ------------------------------------------------------------------------------------------------
# Staff: roster import
# ------------------------------------------------------------------------------------------------
@dataclass
class RosterLine:
    line: int
    email: str
    outcome: str  # recorded | already | problem
    message: str = ""


def import_roster(staff: Learner, activity_row: Activity, text: str) -> list[RosterLine]:
    """Record attendance from a CSV of (email, participated_on). Rows that match no buyer are reported."""
    model = activity_row.current.model()
    first, last = session_dates(model)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        rows = list(reader)
    except csv.Error as e:  # e.g. a field over csv's size limit: not a roster at all
        raise Refused(f"Line {reader.line_num} is not a CSV row of email,participated_on ({e}).") from None
    if not rows:
        raise Refused("The file is empty. The first line must be: email,participated_on")
    header = [h.strip().lower() for h in rows[0]]
    if "email" not in header or "participated_on" not in header:
        raise Refused("The first line must name the columns: email,participated_on")
    ei, di = header.index("email"), header.index("participated_on")
    out: list[RosterLine] = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        email = (row[ei] if ei < len(row) else "").strip().lower()
        raw = (row[di] if di < len(row) else "").strip()
        try:
            on = dt.date.fromisoformat(raw)
        except ValueError:
            out.append(RosterLine(n, email, "problem", f"participated_on {raw!r} is not a date like {first.isoformat()}"))
            continue
        if not first <= on <= last:
            out.append(RosterLine(n, email, "problem", f"{on.isoformat()} is not a day of this session "
                                  f"({first.isoformat()}{' to ' + last.isoformat() if last != first else ''})"))
            continue
        if on > local_today(model):
            out.append(RosterLine(n, email, "problem", f"{on.isoformat()} is in the future"))
            continue
        learner = Learner.by_email(email) if email else None
        order = order_for(learner, activity_row) if learner else None
        if order is None or not order.is_paid:
            out.append(RosterLine(n, email, "problem", "no paid purchase of this activity by this email"))
            continue
        p = _participation(learner, activity_row)
        with database.atomic():
            done = (Participation.update(completed=True, method=ParticipationMethod.ROSTER, participated_on=on,
                                         completed_at=clock.utcnow_naive())
                    .where(Participation.id == p.id, Participation.completed == False)  # noqa: E712
                    .execute())
            if done:
                audit(staff, "participation.roster", f"activity:{activity_row.id}", learner=learner.id,
                      participated_on=on.isoformat())
        out.append(RosterLine(n, email, "recorded" if done else "already"))
    return out


# ------------------------------------------------------------------------------------------------
# My Activities: where each purchase stands
# ------------------------------------------------------------------------------------------------
@dataclass
class Journey:
    order: Order
    version: ActivityVersion
    model: ActivityModel
    participation: Participation | None
    evaluation: object | None
    claims: list
    step: Step
    cpe_deadline: dt.date | None
    today: dt.date  # in the activity's own time zone
    refusal: str | None = None  # unpaid, and it can no longer be bought: why
    how: object | None = None  # joining.HowToJoin while there is something to say (live, not over)
    started: bool = True  # a live session (not a meeting) has begun: before that, the next step is joining it

    @property
    def days_left(self) -> int:
        """Days until the claim deadline, counted in the activity's time zone."""
        return (self.version.claim_until - self.today).days


def step_of(order: Order, claim_until: dt.date, today: dt.date, participation: Participation | None,
            evaluation, claims: list) -> Step:
    """The one rule for where a purchase stands: My Activities and every page of the activity ask it."""
    if order.is_refunded:
        return Step.REFUNDED
    if not order.is_paid:
        return Step.PAY
    if claims:
        return Step.CERTIFICATE
    if today > claim_until:
        return Step.CLOSED
    if participation is None or not participation.completed:
        return Step.PARTICIPATE
    if evaluation is None:
        return Step.EVALUATE
    return Step.CLAIM


def _journey(learner: Learner, o: Order, v: ActivityVersion, p: Participation | None, e, cs: list) -> Journey:
    model = v.model()
    today = local_today(model)
    return Journey(o, v, model, p, e, cs, step_of(o, v.claim_until, today, p, e, cs),
                   cpe_monitor_deadline(learner, model, p), today,
                   purchase_refusal(model) if not o.is_paid else None,
                   joining.to_show(model, o) if o.is_paid else None,
                   session_started(model))


def session_started(model: ActivityModel) -> bool:
    """A live session has begun (its attendance code is given during it); home study and meetings
    (a programme of sessions) count as started."""
    return not model.is_live or model.is_meeting or clock.now() >= model.starts


def journeys(learner: Learner) -> list[Journey]:
    from ..models import Claim, Evaluation

    orders = list(Order.select(Order, Activity).join(Activity)
                  .where(Order.learner == learner).order_by(Order.created_at.desc(), Order.id.desc()))
    parts = {p.activity_id: p for p in Participation.select().where(Participation.learner == learner)}
    evals = {e.activity_id: e for e in Evaluation.select().where(Evaluation.learner == learner)}
    claims: dict[int, list] = {}
    for c in Claim.select().where(Claim.learner == learner).order_by(Claim.id):
        claims.setdefault(c.activity_id, []).append(c)
    current = ActivityVersion.current_for(o.activity_id for o in orders)
    return [_journey(learner, o, current[o.activity_id], parts.get(o.activity_id), evals.get(o.activity_id),
                     claims.get(o.activity_id, []))
            for o in orders]


def journey(learner: Learner, activity_row: Activity) -> Journey | None:
    """Where this learner's purchase of one activity stands (None: never ordered), as `journeys` says."""
    from ..models import Claim, Evaluation

    order = order_for(learner, activity_row)
    if order is None:
        return None
    e = Evaluation.get_or_none(Evaluation.learner == learner, Evaluation.activity == activity_row)
    cs = list(Claim.select().where(Claim.learner == learner, Claim.activity == activity_row).order_by(Claim.id))
    return _journey(learner, order, activity_row.current, participation_for(learner, activity_row), e, cs)
