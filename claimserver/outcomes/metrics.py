"""Outcome figures for course directors and the program committee, as plain dataclasses.

Functions here only read; pages, CSV files, charts and the planning brief all render the same
numbers from them. Rates are percentages rounded to one decimal, or None when nothing was counted
(a page shows "—", never a division by zero).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from catalog import credits
from catalog.model import Activity as ActivityModel

from ..models import (
    Activity, ActivityVersion, Claim, Evaluation, FollowUp, Learner, Order, Participation, Review,
)
from .operations import IMPLEMENTED


def rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class CreditTotal:
    credit_type: str
    name: str
    claims: int
    hours: Decimal


@dataclass(frozen=True)
class QuestionResult:
    number: int
    question: str
    answered: int
    correct: int

    @property
    def percent(self) -> float | None:
        return rate(self.correct, self.answered)


@dataclass(frozen=True)
class BiasReport:
    submitted_on: dt.date
    comment: str


@dataclass(frozen=True)
class FollowUpStats:
    scheduled: int = 0
    sent: int = 0
    reminded: int = 0
    answered: int = 0
    opted_out: int = 0
    implemented: dict[str, int] = field(default_factory=dict)  # key of IMPLEMENTED -> count
    barriers: tuple[str, ...] = ()
    impacts: tuple[str, ...] = ()

    @property
    def response_rate(self) -> float | None:
        return rate(self.answered, self.sent)

    @property
    def implementation_rate(self) -> float | None:
        """Fully or partly implemented, among those who answered."""
        return rate(self.implemented.get("fully", 0) + self.implemented.get("partly", 0), self.answered)


@dataclass(frozen=True)
class ActivityOutcomes:
    slug: str
    title: str
    format: str
    starts: dt.datetime
    tags: tuple[str, ...]
    conference: str
    targets_performance: bool
    registrations: int
    completions: int
    evaluations: int
    credits: tuple[CreditTotal, ...]
    satisfaction: dict[int, int]  # 1..5 -> count
    bias_reports: tuple[BiasReport, ...]
    questions: tuple[QuestionResult, ...]
    commitments: int
    follow_up: FollowUpStats

    @property
    def satisfaction_mean(self) -> float | None:
        n = sum(self.satisfaction.values())
        return round(sum(k * v for k, v in self.satisfaction.items()) / n, 2) if n else None

    @property
    def competence_percent(self) -> float | None:
        """Percent of all competence answers that were correct."""
        return rate(sum(q.correct for q in self.questions), sum(q.answered for q in self.questions))

    @property
    def commitment_rate(self) -> float | None:
        return rate(self.commitments, self.evaluations)

    @property
    def claims(self) -> int:
        return sum(c.claims for c in self.credits)


def _models(version_ids) -> dict[int, ActivityModel]:
    return {v.id: v.model() for v in ActivityVersion.select().where(ActivityVersion.id.in_(list(version_ids)))}


def activity_outcomes(activity: Activity) -> ActivityOutcomes:
    current = activity.current
    model = current.model()
    registrations = Order.select().where(Order.activity == activity, Order.status == "paid").count()
    completions = Participation.select().where(Participation.activity == activity,
                                               Participation.completed == True).count()  # noqa: E712
    totals: dict[str, list] = {}
    for c in Claim.select(Claim.credit_type, Claim.quarter_hours).where(Claim.activity == activity):
        t = totals.setdefault(c.credit_type, [0, 0])
        t[0] += 1
        t[1] += c.quarter_hours
    credit_rows = tuple(
        CreditTotal(k, credits.CREDIT_TYPES[k].short if k in credits.CREDIT_TYPES else k, n, Decimal(q) / 4)
        for k, (n, q) in sorted(totals.items(), key=lambda kv: (
            credits.CREDIT_ORDER.index(kv[0]) if kv[0] in credits.CREDIT_ORDER else 99, kv[0])))

    evaluations = list(Evaluation.select().where(Evaluation.activity == activity).order_by(Evaluation.id))
    satisfaction = {k: 0 for k in range(1, 6)}
    bias, commitments = [], 0
    # Competence per question, keyed by the question's text so an edited version still lines up.
    order = [q.question for q in model.questions]
    answered: Counter = Counter()
    correct: Counter = Counter()
    models = _models({e.version_id for e in evaluations})
    for e in evaluations:
        if e.satisfaction in satisfaction:
            satisfaction[e.satisfaction] += 1
        if not e.bias_free:
            bias.append(BiasReport(e.submitted_at.date(), e.bias_comment))
        if e.intends_change:
            commitments += 1
        qs = models[e.version_id].questions
        for i, q in enumerate(qs):
            if i < len(e.answers or []) and e.answers[i] is not None:
                if q.question not in order:
                    order.append(q.question)
                answered[q.question] += 1
                correct[q.question] += int(e.answers[i] == q.answer)
    questions = tuple(QuestionResult(i + 1, text, answered[text], correct[text])
                      for i, text in enumerate(order))
    return ActivityOutcomes(
        slug=activity.slug, title=current.title, format=current.format, starts=current.starts,
        tags=model.tags, conference=model.conference, targets_performance=model.targets_performance,
        registrations=registrations, completions=completions, evaluations=len(evaluations),
        credits=credit_rows, satisfaction=satisfaction, bias_reports=tuple(bias), questions=questions,
        commitments=commitments, follow_up=follow_up_stats(activity))


def follow_up_stats(activity: Activity) -> FollowUpStats:
    rows = list(FollowUp.select().where(FollowUp.activity == activity).order_by(FollowUp.id))
    answered = [f for f in rows if f.answered_at]
    implemented = {k: 0 for k in IMPLEMENTED}
    for f in answered:
        if f.implemented in implemented:
            implemented[f.implemented] += 1
    return FollowUpStats(
        scheduled=len(rows), sent=sum(1 for f in rows if f.sent_at), reminded=sum(1 for f in rows if f.reminded_at),
        answered=len(answered), opted_out=sum(1 for f in rows if f.opted_out and not f.answered_at),
        implemented=implemented, barriers=tuple(f.barriers for f in answered if f.barriers),
        impacts=tuple(f.impact for f in answered if f.impact))


def activities_in_year(year: int) -> list[Activity]:
    """Activities whose current version starts in `year` (UTC), in date order."""
    out = []
    for a in Activity.select().order_by(Activity.slug):
        v = a.current
        if v.starts.year == year:
            out.append((v.starts, a))
    return [a for _, a in sorted(out, key=lambda t: (t[0], t[1].slug))]


def years() -> list[int]:
    return sorted({v.starts.year for v in ActivityVersion.select(ActivityVersion.starts)})


@dataclass(frozen=True)
class ProgrammeSummary:
    year: int
    activities: tuple[ActivityOutcomes, ...]

    def total(self, attr: str) -> int:
        return sum(getattr(a, attr) for a in self.activities)

    @property
    def bias_reports(self) -> int:
        return sum(len(a.bias_reports) for a in self.activities)

    @property
    def competence_percent(self) -> float | None:
        qs = [q for a in self.activities for q in a.questions]
        return rate(sum(q.correct for q in qs), sum(q.answered for q in qs))

    @property
    def commitment_rate(self) -> float | None:
        return rate(self.total("commitments"), self.total("evaluations"))

    @property
    def satisfaction_mean(self) -> float | None:
        n = sum(sum(a.satisfaction.values()) for a in self.activities)
        s = sum(k * v for a in self.activities for k, v in a.satisfaction.items())
        return round(s / n, 2) if n else None

    @property
    def follow_up(self) -> FollowUpStats:
        fus = [a.follow_up for a in self.activities]
        implemented = {k: sum(f.implemented.get(k, 0) for f in fus) for k in IMPLEMENTED}
        return FollowUpStats(scheduled=sum(f.scheduled for f in fus), sent=sum(f.sent for f in fus),
                             reminded=sum(f.reminded for f in fus), answered=sum(f.answered for f in fus),
                             opted_out=sum(f.opted_out for f in fus), implemented=implemented)


def programme_summary(year: int) -> ProgrammeSummary:
    return ProgrammeSummary(year, tuple(activity_outcomes(a) for a in activities_in_year(year)))


# ------------------------------------------------------------------------------------------------
# Reviews (issue 8): the latest verdict per activity and the changes still asked for.
# ------------------------------------------------------------------------------------------------
def reviews_of(activity: Activity) -> list[Review]:
    """Every review of an activity, oldest first (by review date, then by when it was recorded)."""
    return list(Review.select(Review, Learner).join(Learner).where(Review.activity == activity)
                .order_by(Review.reviewed_on, Review.id))


def latest_review(activity: Activity) -> Review | None:
    reviews = reviews_of(activity)
    return reviews[-1] if reviews else None


def open_changes(activity: Activity) -> Review | None:
    """The latest review when it asks for changes: a later "acceptable" review closes them."""
    r = latest_review(activity)
    return r if r is not None and r.verdict == "changes-needed" and not r.changes_done else None


@dataclass(frozen=True)
class ProgrammeRow:
    outcomes: ActivityOutcomes
    latest: Review | None
    open_changes: Review | None
    reviews: int

    @property
    def verdict(self) -> str:
        return self.latest.verdict if self.latest else "none"


def programme_rows(year: int, verdict: str = "", tag: str = "") -> list[ProgrammeRow]:
    rows = []
    for a in activities_in_year(year):
        reviews = reviews_of(a)
        latest = reviews[-1] if reviews else None
        outcomes = activity_outcomes(a)
        row = ProgrammeRow(outcomes, latest,
                           latest if latest and latest.verdict == "changes-needed" and not latest.changes_done
                           else None, len(reviews))
        if verdict and row.verdict != verdict:
            continue
        if tag and tag.lower() not in {t.lower() for t in outcomes.tags}:
            continue
        rows.append(row)
    return rows


def all_tags() -> list[str]:
    tags: dict[str, str] = {}
    for a in Activity.select():
        for t in a.current.model().tags:
            tags.setdefault(t.lower(), t)
    return sorted(tags.values(), key=str.lower)


@dataclass(frozen=True)
class BriefItem:
    outcomes: ActivityOutcomes
    requested: tuple[Review, ...]  # every "changes needed" review, oldest first


@dataclass(frozen=True)
class Brief:
    tag: str
    series: str
    items: tuple[BriefItem, ...]

    @property
    def topic(self) -> str:
        return self.tag or self.series


def planning_brief(tag: str = "", series: str = "", now: dt.datetime | None = None) -> Brief:
    """Past activities with this tag (or in this series/conference) and what reviewers asked to change."""
    items = []
    for a in Activity.select():
        v = a.current
        m = v.model()
        if now is not None and v.starts >= now:
            continue
        if tag and tag.lower() not in {t.lower() for t in m.tags}:
            continue
        if series and series.lower() != (m.conference or "").lower():
            continue
        if not tag and not series:
            continue
        requested = tuple(r for r in reviews_of(a) if r.verdict == "changes-needed")
        items.append((v.starts, BriefItem(activity_outcomes(a), requested)))
    items.sort(key=lambda t: (t[0], t[1].outcomes.slug))
    return Brief(tag, series, tuple(i for _, i in items))
