"""Demonstration data for `make run` and `flask demo load`: clearly marked, never in production.

Every demo learner has `is_demo=True` and an address at demo.example.org (names stay realistic so
certificates look real). It covers each profession, a course director and a staff member, and gives
the past activities of whatever catalogue was synced purchases, participations, evaluations (varied
answers, some commercial-bias reports, commitments), claims with certificates, follow-up answers
and reviews. Loading twice does nothing; `force` removes the demo rows and loads them afresh.
"""
from __future__ import annotations

import datetime as dt
import random

from flask import current_app

from catalog.professions import PROFESSIONS
from catalog.status import OrderStatus, ParticipationMethod, PaymentStatus, ReportStatus, ReviewPhase, ReviewVerdict

from . import clock
from .auth import hash_password
from .db import database
from .learning.operations import local_today, session_dates
from .models import (
    Activity, ActivityVersion, AuditLog, Certificate, Claim, Evaluation, ExportBatch, FollowUp, Learner, Order,
    Participation, PaymentAttempt, PaymentEvent, PostTestAttempt, Refund, Registration, ReportItem, Review,
    SessionAttendance, SessionEvaluation, audit,
)
from .outcomes.operations import follow_up_days

DOMAIN = "demo.example.org"
PASSWORD = "demo-password-1"

#: (first, last, degree, profession, extra profile fields)
LEARNERS = [
    ("Maria", "Alvarez", "MD", "physician", {"board_id": "ABIM-204511", "birth_mmdd": "0922", "pars_consent": True}),
    ("Kevin", "Osei", "PharmD", "pharmacist", {"nabp_epid": "1234567", "birth_mmdd": "0415"}),
    ("Linda", "Nguyen", "MLS(ASCP)", "laboratory-professional",
     {"florida_licence": "CL12345", "state_licence_state": "FL", "state_licence_number": "CL12345"}),
    ("Roberto", "Diaz", "CLS", "laboratory-professional",
     {"california_licence": "CLS-00098765", "state_licence_state": "CA", "state_licence_number": "CLS-00098765"}),
    ("Priya", "Raman", "PhD, D(ABMM)", "diplomate", {"board_id": "ABMM-1187"}),
    ("Sam", "Taylor", "MPH", "other", {}),
    ("Grace", "Kim", "MD", "physician", {}),
    ("Omar", "Haddad", "PharmD", "pharmacist", {"nabp_epid": "2345678", "birth_mmdd": "1102"}),
    ("Elena", "Petrova", "MLS(ASCP)", "laboratory-professional", {}),
    ("Tomás", "Ruiz", "MLT", "laboratory-professional",
     {"florida_licence": "CL67890", "state_licence_state": "FL", "state_licence_number": "CL67890"}),
    ("Aisha", "Bello", "PhD, D(ABMLI)", "diplomate", {"board_id": "ABMLI-0932"}),
    ("Wei", "Zhang", "MD", "physician", {}),
    ("Fatima", "Noor", "CPhT", "pharmacy-technician", {"nabp_epid": "3456789", "birth_mmdd": "0730"}),
    ("Hannah", "Weber", "RN", "other", {}),
]
STAFF = [("director", "Helen", "Marsh", "MD, PhD", "director"), ("staff", "Chris", "Doyle", "", "staff")]
#: Credit types each learner asks for, best first (the first the activity designates wins).
PREFERRED = {
    "physician": ("ama_pra_1", "participation"),
    "pharmacist": ("acpe", "participation"),
    "pharmacy-technician": ("acpe", "participation"),
    "diplomate": ("participation",),
    "other": ("participation",),
}
COMMITMENTS = [
    "Call positive blood culture Gram stains to the stewardship team within one hour.",
    "Add the cumulative antibiogram to our annual competency training.",
    "Review our specimen rejection criteria with the nursing leads.",
    "Start a monthly audit of contamination rates by collector.",
    "Propose a reflex testing algorithm to our laboratory director.",
    "Share the case examples with the evening shift.",
]
BIAS_COMMENTS = [
    "One speaker named a single manufacturer's panel repeatedly.",
    "The comparison slides only showed one vendor's instrument.",
    "",
]
BARRIERS = ["Staffing shortages on the night shift.", "Needed approval from the pharmacy and therapeutics committee.",
            "The LIS change request is still in the queue.", "", ""]
IMPACTS = ["Time to effective therapy fell by about six hours.", "Contamination rate dropped from 3.1% to 1.8%.",
           "Fewer repeat cultures and fewer unnecessary antibiotic starts.", "", ""]
IMPLEMENTED_WEIGHTS = (("fully", 4), ("partly", 3), ("not-yet", 2), ("not-applicable", 1))


class DemoRefused(RuntimeError):
    """Demo data must never reach a production database."""


def _pick(rng: random.Random, weighted) -> str:
    return rng.choices([k for k, _ in weighted], weights=[w for _, w in weighted])[0]


def _preferred(learner: Learner) -> tuple[str, ...]:
    if "pace" in PROFESSIONS[learner.profession].credit_types:
        keys = []
        if learner.florida_licence:
            keys.append("florida")
        if learner.california_licence:
            keys.append("california_cls")
        return tuple(keys) + ("pace", "participation")
    return PREFERRED.get(learner.profession, ("participation",))


def _demo_activities(now: dt.datetime) -> list[tuple[Activity, object, object]]:
    """Published activities that have ended, with competence questions: the ones a demo can report on."""
    out = []
    for v in ActivityVersion.current_for().values():
        m = v.model()
        if not v.activity.hidden and m.questions and (v.ends or v.starts) < now:
            out.append((v.activity, v, m))
    out.sort(key=lambda t: (t[1].starts, t[0].slug))
    return out[-8:]


def remove_demo() -> int:
    """Delete every row that belongs to demo learners (dev only). Returns how many learners went."""
    demo = [x.id for x in Learner.select(Learner.id).where(Learner.is_demo == True)]  # noqa: E712
    if not demo:
        return 0
    with database.atomic():
        claims = Claim.select(Claim.id).where(Claim.learner.in_(demo))
        ReportItem.update(supersedes=None).where(ReportItem.claim.in_(claims)).execute()
        ReportItem.delete().where(ReportItem.claim.in_(claims)).execute()
        ExportBatch.update(created_by=None).where(ExportBatch.created_by.in_(demo)).execute()
        # superseded (reissued) certificates first, oldest first: each points at its replacement
        for old in (Certificate.select().where(Certificate.claim.in_(claims) & ~Certificate.current())
                    .order_by(Certificate.issued_at, Certificate.id)):
            old.delete_instance()
        Certificate.delete().where(Certificate.claim.in_(claims)).execute()
        Claim.delete().where(Claim.learner.in_(demo)).execute()
        FollowUp.delete().where(FollowUp.learner.in_(demo)).execute()
        Evaluation.delete().where(Evaluation.learner.in_(demo)).execute()
        SessionEvaluation.delete().where(SessionEvaluation.learner.in_(demo)).execute()
        SessionAttendance.delete().where(SessionAttendance.learner.in_(demo)).execute()
        parts = Participation.select(Participation.id).where(Participation.learner.in_(demo))
        PostTestAttempt.delete().where(PostTestAttempt.participation.in_(parts)).execute()
        Participation.delete().where(Participation.learner.in_(demo)).execute()
        orders = Order.select(Order.id).where(Order.learner.in_(demo))
        PaymentEvent.update(order=None).where(PaymentEvent.order.in_(orders)).execute()
        PaymentEvent.update(resolved_by=None).where(PaymentEvent.resolved_by.in_(demo)).execute()
        Refund.update(created_by=None).where(Refund.created_by.in_(demo)).execute()
        Refund.delete().where(Refund.order.in_(orders)).execute()
        PaymentAttempt.delete().where(PaymentAttempt.order.in_(orders)).execute()
        Order.delete().where(Order.learner.in_(demo)).execute()
        Review.delete().where(Review.created_by.in_(demo)).execute()
        AuditLog.delete().where(AuditLog.actor.in_(demo)).execute()
        Registration.delete().where(Registration.email.endswith(f"@{DOMAIN}")).execute()
        Learner.delete().where(Learner.id.in_(demo)).execute()
    return len(demo)


def load_demo(force: bool = False, echo=print) -> str:
    """Load the demonstration data; returns a one-line summary."""
    if current_app.config["CE_ENV"] == "production":
        raise DemoRefused("demo data is never loaded in production")
    database.connect(reuse_if_open=True)
    existing = Learner.select().where(Learner.is_demo == True).count()  # noqa: E712
    if existing and not force:
        return f"demo data already loaded ({existing} demo accounts); use --force to reload it"
    if existing:
        echo(f"removing {remove_demo()} demo accounts and their records")
    if not Activity.select().exists():
        from .catalog_sync import sync

        echo(f"catalogue synced: {sync(current_app.config['CATALOG_PATH']).summary()}")
    rng = random.Random(2027)
    now = clock.utcnow_naive()
    today = now.date()
    pw = hash_password(PASSWORD)
    counts = dict(orders=0, evaluations=0, claims=0, follow_ups=0, answers=0, reviews=0)
    with database.atomic():
        people = []
        for i, (first, last, degree, profession, extra) in enumerate(LEARNERS):
            email = f"{first.lower().replace('á', 'a')}.{last.lower()}@{DOMAIN}"
            people.append(Learner.create(
                email=email, password_hash=pw, first_name=first, last_name=last, degree=degree,
                certificate_name=f"{first} {last}, {degree}" if degree else f"{first} {last}",
                profession=profession, is_demo=True, email_verified_at=now, **extra))  # addresses confirmed
        staff = {}
        for key, first, last, degree, role in STAFF:
            staff[key] = Learner.create(
                email=f"{key}@{DOMAIN}", password_hash=pw, first_name=first, last_name=last, degree=degree,
                certificate_name=f"{first} {last}, {degree}" if degree else f"{first} {last}",
                profession="physician" if role == "director" else "other", roles=role, is_demo=True)
        acts = _demo_activities(clock.now().replace(tzinfo=None))
        for n, (activity, version, model) in enumerate(acts):
            skill = 0.55 + 0.35 * rng.random()  # how well this activity's learners do
            takers = rng.sample(people, k=max(3, int(len(people) * (0.5 + 0.4 * rng.random()))))
            if model.is_home_study and local_today(model) <= model.claim_until:
                # still open: learners whose reports can be exported take it recently (_recent_claims)
                takers = [p for p in takers if not _reports_now(p)]
            for learner in takers:
                counts["orders"] += 1
                start = session_dates(model)[0]  # the local date: an evening session is not the next day
                if model.is_home_study:
                    last_day = min(local_today(model) - dt.timedelta(days=1), model.claim_until)
                    on = start + dt.timedelta(days=rng.randint(0, max(0, min(120, (last_day - start).days))))
                else:
                    on = start
                part, submitted = _take_part(rng, learner, activity, version, model, on, now, skill,
                                             f"DEMO{counts['orders']:08d}")
                counts["evaluations"] += 1
                counts["claims"] += bool(_claim(learner, activity, version, model, part, submitted))
                if model.targets_performance:
                    days = follow_up_days(model.follow_up_days)
                    counts["follow_ups"] += 1
                    counts["answers"] += _follow_up(rng, learner, activity, submitted + dt.timedelta(days=days), now)
            counts["reviews"] += _reviews(n, activity, staff["director"], model, today)
        _recent_claims(rng, people, now, counts)
        recent = _recent_report_items(today)
        registrants = _registrations(people)
    lines = [f"demo data loaded: {len(people)} learners, {counts['orders']} purchases, "
             f"{counts['evaluations']} evaluations, {counts['claims']} claims with certificates, "
             f"{counts['follow_ups']} follow-ups ({counts['answers']} answered), {counts['reviews']} reviews "
             f"on {len(acts)} activities; {_recent_summary(recent)}"]
    echo(f"Demo logins (password {PASSWORD}):")
    for who in list(staff.values()) + people:
        echo(f"  {who.email:38} {who.roles or (PROFESSIONS[who.profession].label if who.profession in PROFESSIONS else who.profession)}")
    for slug, email, badge in registrants:
        echo(f"  registered for {slug}: {email} with badge {badge} (enter it on the meeting's programme)")
    return lines[0]


def _registrations(people: list[Learner]) -> list[tuple[str, str, str]]:
    """The registration list of each meeting whose registrants get the CE free: the first three
    demo learners, with badge IDs they enter on the programme page (claimserver.meetings)."""
    out = []
    for v in ActivityVersion.current_for().values():
        m = v.model()
        if v.activity.hidden or not m.free_for_registrants:
            continue
        for i, who in enumerate(people[:3], start=1):
            badge = f"DEMO-{v.activity.id:02d}{i:03d}"
            Registration.create(activity=v.activity, badge_id=badge, email=who.email)
            out.append((v.activity.slug, who.email, badge))
    return out


def _take_part(rng, learner, activity, version, model, on: dt.date, now: dt.datetime, skill: float,
               receipt: str):
    """A paid order, a completed participation on `on` and an evaluation; (participation, submitted_at)."""
    start = session_dates(model)[0]
    paid_at = dt.datetime.combine(min(on, start) - dt.timedelta(days=rng.randint(1, 20)), dt.time(14))
    # paid through the test gateway like a real purchase, so `flask payments reconcile` agrees
    if version.price_cents == 0:
        Order.create(learner=learner, activity=activity, version=version, amount_cents=0, status=OrderStatus.PAID,
                     gateway="free", receipt_number=receipt, paid_at=paid_at)
    else:
        order = Order.create(learner=learner, activity=activity, version=version, amount_cents=version.price_cents,
                             status=OrderStatus.PAID, gateway="test", receipt_number=receipt, paid_at=paid_at,
                             gateway_ref=f"test_pi_demo_{receipt.lower()}", method_brand="Visa", method_last4="4242")
        PaymentAttempt.create(order=order, gateway="test", status=PaymentStatus.SUCCEEDED,
                              reference=order.gateway_ref, created_at=paid_at)
    # 18:30 on the local date, but never before the session ended (an evening session in New York
    # ends after midnight UTC) nor after the load
    finished = min(max(dt.datetime.combine(on, dt.time(18, 30)), version.ends or version.starts), now)
    part = Participation.create(learner=learner, activity=activity, completed=True, participated_on=on,
                                method=ParticipationMethod.POST_TEST if model.is_home_study else ParticipationMethod.CODE,
                                attempts=1 if model.is_home_study else 0,
                                best_score=100 if model.is_home_study else None, completed_at=finished)
    answers = []
    for q in model.questions:
        if rng.random() < skill:
            answers.append(q.answer)
        else:
            answers.append(rng.choice([i for i in range(len(q.choices)) if i != q.answer] or [q.answer]))
    correct = sum(1 for a, q in zip(answers, model.questions) if a == q.answer)
    biased = rng.random() < 0.12
    commits = rng.random() < 0.7
    submitted = min(finished + dt.timedelta(hours=rng.randint(1, 48)), now)
    Evaluation.create(
        learner=learner, activity=activity, version=version, answers=answers, correct=correct,
        questions=len(model.questions),
        objectives_met=[_pick(rng, (("yes", 6), ("partly", 2), ("no", 1))) for _ in model.objectives],
        relevance=rng.choice((3, 4, 4, 5, 5)), quality=rng.choice((3, 4, 5, 5)),
        satisfaction=_pick(rng, ((5, 5), (4, 4), (3, 2), (2, 1), (1, 0.3))),
        bias_free=not biased, bias_comment=rng.choice(BIAS_COMMENTS) if biased else "",
        commitment=rng.choice(COMMITMENTS) if commits else "", intends_change=commits,
        submitted_at=submitted)
    return part, submitted


def _claim(learner, activity, version, model, participation, at: dt.datetime) -> str | None:
    """One claim with its certificate, in the first credit type the learner prefers and may claim
    (returns that credit type, or None when there was none).

    Uses the records feature's `issue_claim` (same rules, codes and reporting ledger as a real claim),
    with the app's clock set to the moment the learner claimed, so dates and deadlines look real.
    """
    from .records.operations import offers, issue_claim

    available = {o.key: o for o in offers(learner, model, activity) if not o.missing}
    for key in _preferred(learner):
        offer = available.get(key)
        if offer is None:
            continue
        app = current_app._get_current_object()
        real = app.extensions["clock"]
        app.extensions["clock"] = clock.FixedClock(at)
        try:
            issue_claim(learner, activity, version, offer, offer.maximum, participation)
        finally:
            app.extensions["clock"] = real
        return key
    return None


#: Recent claims: participation within this many days before the load, so exports have work to do.
RECENT_DAYS = 14


def _reports_now(learner: Learner) -> bool:
    """A learner whose claims CPE Monitor, CE Broker or PARS could be sent now (nothing missing)."""
    return any(_reportable(learner, k) for k in _preferred(learner))


def _reportable(learner: Learner, key: str) -> bool:
    """Whether a claim of `key` by this learner would be reported and could be exported now."""
    from .reports import layouts as L
    from .reports.ledger import pars_enabled

    dest = L.DESTINATION_OF.get(key)
    if dest is None or (dest == "pars" and not pars_enabled()):
        return False
    return L.LAYOUTS[dest].consented(learner) and L.blocked_reason(L.LAYOUTS[dest], learner) is None


def _recent_claims(rng, people: list[Learner], now: dt.datetime, counts: dict) -> None:
    """A few claims from the last two weeks by demo learners whose reports can be exported (pharmacists
    with NABP ID and birth date, a Florida licensee, a physician with birth date and board ID), on
    activities whose claim windows are open now. One per learner, on the most recent such activity."""
    from .records.operations import offers

    windows = []
    for v in ActivityVersion.current_for().values():
        m = v.model()
        if v.activity.hidden or (v.ends or v.starts) >= now or local_today(m) > m.claim_until:
            continue
        today, first = local_today(m), session_dates(m)[0]
        if m.is_home_study:
            on = max(first, today - dt.timedelta(days=rng.randint(2, RECENT_DAYS - 4)))
        else:
            on = first
        if today - dt.timedelta(days=RECENT_DAYS) <= on < today:
            windows.append((on, v, m))
    windows.sort(key=lambda t: (t[0], t[1].activity.slug), reverse=True)
    for learner in people:
        for on, version, model in windows:
            available = {o.key for o in offers(learner, model, version.activity) if not o.missing}
            chosen = next((k for k in _preferred(learner) if k in available), None)  # what _claim takes
            if chosen is None or not _reportable(learner, chosen):
                continue
            if Order.select().where(Order.learner == learner, Order.activity == version.activity).exists():
                continue  # they already took part in it (the past-activities loop): not again
            counts["orders"] += 1
            part, submitted = _take_part(rng, learner, version.activity, version, model, on, now, 0.8,
                                         f"DEMO{counts['orders']:08d}")
            counts["evaluations"] += 1
            counts["claims"] += bool(_claim(learner, version.activity, version, model, part, submitted))
            break


def _recent_report_items(today: dt.date) -> dict[str, int]:
    """Destination -> demo report items due from the last two weeks that an export would send now."""
    from .reports import layouts as L
    from .reports.ledger import pars_enabled

    out = {d: 0 for d in L.LAYOUTS if d != "pars" or pars_enabled()}
    since = today - dt.timedelta(days=RECENT_DAYS + 1)
    q = (ReportItem.select(ReportItem, Claim, Learner).join(Claim).join(Learner)
         .where(ReportItem.status == ReportStatus.DUE, Claim.participated_on >= since, Learner.is_demo == True))  # noqa: E712
    for item in q:
        layout = L.LAYOUTS[item.destination]
        if item.destination in out and L.blocked_reason(layout, item.claim.learner) is None \
                and (item.deadline is None or item.deadline >= today):
            out[item.destination] += 1
    return out


def _recent_summary(recent: dict[str, int]) -> str:
    from .reports import layouts as L

    ready = [f"{L.LAYOUTS[d].name} {n}" for d, n in recent.items() if n]
    none = [L.LAYOUTS[d].name for d, n in recent.items() if not n]
    text = f"recent claims ready to export: {', '.join(ready)}" if ready else "no recent claims ready to export"
    if none:
        text += (f" (none for {' or '.join(none)}: no synced activity with an open claim window in the last "
                 f"{RECENT_DAYS} days offers that credit to a demo learner)")
    return text


def _follow_up(rng, learner, activity, due: dt.datetime, now: dt.datetime) -> int:
    fu = FollowUp(learner=learner, activity=activity, due_on=due.date())
    answered = 0
    if due <= now:
        fu.sent_at = due.replace(hour=14, minute=0)
        if rng.random() < 0.65:
            answered_at = fu.sent_at + dt.timedelta(days=rng.randint(1, 20))
            if answered_at <= now:
                fu.answered_at = answered_at
                fu.implemented = _pick(rng, IMPLEMENTED_WEIGHTS)
                fu.barriers = rng.choice(BARRIERS)
                fu.impact = rng.choice(IMPACTS) if fu.implemented in ("fully", "partly") else ""
                answered = 1
        if not fu.answered_at and fu.sent_at + dt.timedelta(days=14) <= now:
            fu.reminded_at = fu.sent_at + dt.timedelta(days=14)
    fu.save()
    return answered


def _reviews(n: int, activity, director, model, today: dt.date) -> int:
    """A review per activity, for two activities in three: acceptable, or asking for changes."""
    day = min(session_dates(model)[0] + dt.timedelta(days=30), today)
    members = "Helen Marsh (course director); Ravi Patel; Jane Doe"
    kind = n % 3
    if kind == 0:
        r = Review.create(activity=activity, body="committee", members=members, reviewed_on=day, phase=ReviewPhase.COMPETENCE,
                          verdict=ReviewVerdict.CHANGES_NEEDED,
                          changes="Add a second case vignette on the most-missed question and revise its explanation.",
                          owners="Activity convener; education committee", created_by=director,
                          rationale="Fewer than three in four learners answered the case correctly.")
        audit(director, "review.recorded", f"review:{r.id}", activity=activity.slug, demo=True)
        return 1
    if kind == 1:
        r = Review.create(activity=activity, body="director", members="Helen Marsh", reviewed_on=day,
                          phase=ReviewPhase.COMPETENCE, verdict=ReviewVerdict.ACCEPTABLE, created_by=director,
                          rationale="Competence and satisfaction results meet the programme's targets.")
        audit(director, "review.recorded", f"review:{r.id}", activity=activity.slug, demo=True)
        return 1
    return 0
