"""Test factories: one per domain object, with overridable fields (`create_learner(**overrides)`).

They write rows directly so a test can start at any step of the learner's journey; the feature
tests drive the real pages to get there.
"""
from __future__ import annotations

import datetime as dt
import itertools

from claimserver.auth import hash_password
from claimserver.models import (
    Activity, ActivityVersion, Evaluation, Learner, Order, Participation,
)

PASSWORD = "correct-horse-battery-9"
_seq = itertools.count(1)
_HASH = None


def _password_hash() -> str:
    global _HASH
    if _HASH is None:
        _HASH = hash_password(PASSWORD)
    return _HASH


def create_learner(**overrides) -> Learner:
    n = next(_seq)
    fields = dict(email=f"learner{n}@example.org", password_hash=_password_hash(), first_name="Ada",
                  last_name=f"Learner{n}", certificate_name=f"Ada Learner{n}", degree="MD",
                  profession="physician", email_verified_at=dt.datetime(2027, 1, 1))
    fields.update(overrides)
    if "password" in fields:
        fields["password_hash"] = hash_password(fields.pop("password"))
    return Learner.create(**fields)


def activity(slug: str) -> tuple[Activity, ActivityVersion]:
    row = Activity.get(Activity.slug == slug)
    return row, row.current


def create_order(learner: Learner, slug: str, status: str = "paid") -> Order:
    row, v = activity(slug)
    return Order.create(learner=learner, activity=row, version=v, amount_cents=v.price_cents,
                        status=status, gateway="test", receipt_number=f"T{next(_seq):08d}",
                        paid_at=dt.datetime(2027, 3, 1) if status == "paid" else None)


def create_participation(learner: Learner, slug: str, on: dt.date = dt.date(2027, 3, 12),
                         method: str = "code") -> Participation:
    row, _ = activity(slug)
    return Participation.create(learner=learner, activity=row, method=method, completed=True,
                                participated_on=on, completed_at=dt.datetime.combine(on, dt.time(18)))


def create_evaluation(learner: Learner, slug: str, **overrides) -> Evaluation:
    row, v = activity(slug)
    model = v.model()
    fields = dict(learner=learner, activity=row, version=v, answers=[q.answer for q in model.questions],
                  correct=len(model.questions), questions=len(model.questions),
                  objectives_met=["yes"] * len(model.objectives), relevance=5, quality=5, satisfaction=5,
                  bias_free=True, commitment="Call Gram stains within the hour.", intends_change=True)
    fields.update(overrides)
    return Evaluation.create(**fields)


def create_claim(learner: Learner, slug: str, credit_type: str, hours=None,
                 participated_on: dt.date = dt.date(2027, 3, 12)):
    """A Claim row with the designation snapshot from the synced version (no ledger, no certificate)."""
    from decimal import Decimal

    from claimserver.models import Claim

    row, v = activity(slug)
    designation = next(d for d in v.model().designations if d.credit == credit_type)
    hours = Decimal(str(hours)) if hours is not None else designation.hours
    return Claim.create(learner=learner, activity=row, version=v, credit_type=credit_type,
                        quarter_hours=int(hours * 4), designation=designation.as_dict(),
                        participated_on=participated_on)


def session_id(learner: Learner, remembered: bool = False) -> str:
    """Open a server-side login session and return the id the session cookie carries."""
    from claimserver import sessions

    return sessions.start(learner, remembered)


def login(client, learner: Learner, password: str = PASSWORD):
    return client.post("/login", data={"email": learner.email, "password": password},
                       follow_redirects=False)


#: The test gateway's published test cards (claimserver.payments.gateways.TEST_CARDS).
GOOD_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"


def buy(client, slug: str, card: str | dict | None = None):
    """Purchase through the real pages: Purchase, then (a priced activity) the test gateway's
    payment page with a test card, which returns to the return page. The last response comes back:
    a redirect to the receipt when paid, to the activity page when declined or refused."""
    r = client.post(f"/activities/{slug}/purchase")
    if r.status_code != 302 or not r.location.startswith("/payments/test/"):
        return r
    number = card["number"] if isinstance(card, dict) else (card or GOOD_CARD)
    r = client.post(r.location, data={"test_card": number})
    while r.status_code == 302 and r.location.startswith("/payments/") and "/return" in r.location:
        r = client.get(r.location)
    return r


def outbox(kind: str | None = None) -> list:
    """Queued emails, oldest first, optionally of one kind ('receipt', 'password-reset', …)."""
    from claimserver.models import Outbox

    q = Outbox.select().order_by(Outbox.id)
    if kind:
        q = q.where(Outbox.kind == kind)
    return list(q)
