"""Outcome figures for course directors and the program committee, as plain dataclasses.

Functions here only read; pages, CSV files, charts and the planning brief all render the same
numbers from them. Rates are percentages rounded to one decimal, or None when nothing was counted
(a page shows "—", never a division by zero). A list of activities costs a fixed number of queries
(`outcomes_for`), not a few per activity. An activity's date and year are those of its first
session in its own time zone: a New York session on the evening of 31 December belongs to that
year, although in UTC it starts on 1 January.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from peewee import fn

from catalog import credits
from catalog.model import Activity as ActivityModel

from ..learning.operations import session_dates
from catalog.status import OrderStatus, ReviewVerdict

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
    def applicable(self) -> int:
        """Answers other than "Not applicable to my work": the implementation rate's denominator."""
        return sum(n for k, n in self.implemented.items() if k != "not-applicable")

    @property
    def implementation_rate(self) -> float | None:
        """Fully or partly implemented, among the answers that were not "not applicable"."""
        return rate(self.implemented.get("fully", 0) + self.implemented.get("partly", 0), self.applicable)


@dataclass(frozen=True)
class ActivityOutcomes:
    slug: str
    title: str
    format: str
    starts: dt.datetime  # the first session, naive UTC: for ordering only
    starts_on: dt.date  # the first session's date where the activity takes place: what pages print
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


def first_day(version: ActivityVersion) -> dt.date:
    """The date of the version's first session in the activity's own time zone."""
    return session_dates(version.model())[0]


def _credit_rows(totals: dict[str, list]) -> tuple[CreditTotal, ...]:
    return tuple(
        CreditTotal(k, credits.CREDIT_TYPES[k].short if k in credits.CREDIT_TYPES else k, n,
                    credits.from_quarters(q))
        for k, (n, q) in sorted(totals.items(), key=lambda kv: (
            credits.CREDIT_ORDER.index(kv[0]) if kv[0] in credits.CREDIT_ORDER else 99, kv[0])))


def _counts(query) -> dict[int, int]:
    return {aid: n for aid, n in query.tuples()}


def outcomes_for(versions: list[ActivityVersion]) -> list[ActivityOutcomes]:
    """The outcomes of each activity whose current version is given (`ActivityVersion.current_for`), in that order.

    Five queries however many activities (one per table, grouped by activity), and a sixth when
    some evaluations were answered on an earlier version.
    """
    if not versions:
        return []
    ids = [v.activity_id for v in versions]
    registrations = _counts(Order.select(Order.activity, fn.COUNT(Order.id))
                            .where(Order.activity.in_(ids), Order.status == OrderStatus.PAID).group_by(Order.activity))
    completions = _counts(Participation.select(Participation.activity, fn.COUNT(Participation.id))
                          .where(Participation.activity.in_(ids), Participation.completed == True)  # noqa: E712
                          .group_by(Participation.activity))
    totals: dict[int, dict[str, list]] = {i: {} for i in ids}
    for aid, credit_type, n, quarters in (
            Claim.select(Claim.activity, Claim.credit_type, fn.COUNT(Claim.id), fn.SUM(Claim.quarter_hours))
            .where(Claim.activity.in_(ids)).group_by(Claim.activity, Claim.credit_type).tuples()):
        totals[aid][credit_type] = [n, int(quarters or 0)]
    evaluations: dict[int, list[Evaluation]] = {i: [] for i in ids}
    for e in Evaluation.select().where(Evaluation.activity.in_(ids)).order_by(Evaluation.id):
        evaluations[e.activity_id].append(e)
    follow_ups: dict[int, list[FollowUp]] = {i: [] for i in ids}
    for f in FollowUp.select().where(FollowUp.activity.in_(ids)).order_by(FollowUp.id):
        follow_ups[f.activity_id].append(f)
    models = {v.id: v.model() for v in versions}
    older = {e.version_id for es in evaluations.values() for e in es} - set(models)
    if older:  # evaluations answered on an earlier version of the activity
        models.update((v.id, v.model()) for v in ActivityVersion.select().where(ActivityVersion.id.in_(list(older))))
    return [_outcomes(v, models, registrations.get(v.activity_id, 0), completions.get(v.activity_id, 0),
                      totals[v.activity_id], evaluations[v.activity_id], follow_ups[v.activity_id])
            for v in versions]


def _outcomes(current: ActivityVersion, models: dict[int, ActivityModel], registrations: int, completions: int,
              totals: dict[str, list], evaluations: list[Evaluation], follow_ups: list[FollowUp]) -> ActivityOutcomes:
    model = models[current.id]
    satisfaction = {k: 0 for k in range(1, 6)}
    bias, commitments = [], 0
    # Competence per question, keyed by the question's text so an edited version still lines up.
    order = [q.question for q in model.questions]
    answered: Counter = Counter()
    correct: Counter = Counter()
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
        slug=current.activity.slug, title=current.title, format=current.format, starts=current.starts,
        starts_on=session_dates(model)[0], tags=model.tags, conference=model.conference,
        targets_performance=model.targets_performance, registrations=registrations, completions=completions,
        evaluations=len(evaluations), credits=_credit_rows(totals), satisfaction=satisfaction,
        bias_reports=tuple(bias), questions=questions, commitments=commitments,
        follow_up=follow_up_stats(follow_ups))


def activity_outcomes(activity: Activity) -> ActivityOutcomes:
    return outcomes_for([ActivityVersion.current_for([activity.id])[activity.id]])[0]


def follow_up_stats(rows: list[FollowUp]) -> FollowUpStats:
    """Figures of one activity's follow-ups."""
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


def by_date(versions) -> list[ActivityVersion]:
    """Current versions in the order their first sessions start (then by slug)."""
    return sorted(versions, key=lambda v: (v.starts, v.activity.slug))


def versions_in_year(year: int) -> list[ActivityVersion]:
    """Current versions of the activities whose first session falls in `year` locally, in date order."""
    return by_date(v for v in ActivityVersion.current_for().values() if first_day(v).year == year)


def years(versions=None) -> list[int]:
    """Years that have activities (by their current versions' local first session dates)."""
    return sorted({first_day(v).year for v in (ActivityVersion.current_for().values() if versions is None else versions)})


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
    return ProgrammeSummary(year, tuple(outcomes_for(versions_in_year(year))))


# ------------------------------------------------------------------------------------------------
# Reviews (issue 8): the latest verdict per activity and the changes still asked for.
# ------------------------------------------------------------------------------------------------
def reviews_of(activity: Activity) -> list[Review]:
    """Every review of an activity, oldest first (by review date, then by when it was recorded)."""
    return _reviews([activity.id])[activity.id]


def _reviews(activity_ids: list[int]) -> dict[int, list[Review]]:
    """Reviews of many activities in one query, each activity's oldest first."""
    out: dict[int, list[Review]] = {i: [] for i in activity_ids}
    if activity_ids:
        for r in (Review.select(Review, Learner).join(Learner).where(Review.activity.in_(activity_ids))
                  .order_by(Review.reviewed_on, Review.id)):
            out[r.activity_id].append(r)
    return out


@dataclass(frozen=True)
class ProgrammeRow:
    outcomes: ActivityOutcomes
    latest: Review | None
    reviews: int

    @property
    def verdict(self) -> str:
        return self.latest.verdict if self.latest else "none"

    @property
    def open_changes(self) -> Review | None:
        """The latest review when it asks for changes: a later "acceptable" review closes them."""
        return self.latest if self.verdict == ReviewVerdict.CHANGES_NEEDED else None


def programme_rows(year: int, verdict: str = "", tag: str = "") -> list[ProgrammeRow]:
    versions = versions_in_year(year)
    reviews = _reviews([v.activity_id for v in versions])
    rows = []
    for o, v in zip(outcomes_for(versions), versions):
        done = reviews[v.activity_id]
        row = ProgrammeRow(o, done[-1] if done else None, len(done))
        if verdict and row.verdict != verdict:
            continue
        if tag and tag.lower() not in {t.lower() for t in o.tags}:
            continue
        rows.append(row)
    return rows


def all_tags() -> list[str]:
    tags: dict[str, str] = {}
    for v in ActivityVersion.current_for().values():
        for t in v.model().tags:
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
    if not tag and not series:
        return Brief(tag, series, ())
    chosen = []
    for v in ActivityVersion.current_for().values():
        m = v.model()
        if now is not None and v.starts >= now:
            continue
        if tag and tag.lower() not in {t.lower() for t in m.tags}:
            continue
        if series and series.lower() != (m.conference or "").lower():
            continue
        chosen.append(v)
    chosen = by_date(chosen)
    reviews = _reviews([v.activity_id for v in chosen])
    return Brief(tag, series, tuple(
        BriefItem(o, tuple(r for r in reviews[v.activity_id] if r.verdict == ReviewVerdict.CHANGES_NEEDED))
        for o, v in zip(outcomes_for(chosen), chosen)))
