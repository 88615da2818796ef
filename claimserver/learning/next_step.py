"""A learner's next step for one purchase, as a link to that step's own page (issue 14 item 2).

My Activities and every page of an activity (the activity page, receipt, participation and post-test,
evaluation, claim, certificate) show it through one partial, `learning/_next_step.html`. Where a
purchase stands is `operations.step_of`, the one rule; the action's words are `catalog.status`
(`step_action`); this module only adds the address of the page where that step is taken, and reads
nothing new: it is handed the journey and the credit states the page already has.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for

from catalog.dates import join_on, long_date
from catalog.site.display import session_time
from catalog.status import NextAction, Step, step_action

from ..models import Activity, Learner
from . import operations


@dataclass(frozen=True)
class NextStep:
    step: Step
    action: NextAction | None           # None: nothing left to do
    url: str | None                     # the page where the step is taken
    note: str = ""                      # instead of an action: why there is none (closed, cannot be bought)
    certificates: tuple[tuple[str, str], ...] = ()  # (title, address) of each certificate issued
    words: str = ""                     # the action's words when they name a time (joining a session)
    at_risk: tuple = ()                 # reports.alerts.AtRisk of its claims: the profile to correct first

    @property
    def label(self) -> str:
        return self.words or (self.action.label if self.action else "")

    @property
    def here(self) -> bool:
        """The page showing it is the step's own page: say so rather than link to itself."""
        return self.at(self.url)

    @staticmethod
    def at(url: str | None) -> bool:
        return url is not None and request.path == url


def step_url(step: Step, slug: str, *, meeting: bool = False) -> str | None:
    """The page where a step is taken (None for the steps with nothing to open)."""
    if step == Step.PAY:
        return url_for("learning.activity", slug=slug)
    if step == Step.PARTICIPATE:
        return url_for("meetings.programme", slug=slug) if meeting else url_for("learning.participate", slug=slug)
    if step == Step.EVALUATE:
        return url_for("records.evaluate", slug=slug)
    if step in (Step.CLAIM, Step.CERTIFICATE):
        return url_for("records.claim", slug=slug)
    return None


def profile_url(risk) -> str:
    """The profile page at the field an at-risk item needs corrected, back to this page after."""
    return url_for("accounts.profile", next=request.path, _anchor=risk.field or None)


def of(j: operations.Journey, states: list | None, at_risk: list | None = None) -> NextStep | None:
    """The next step of a journey; `states` are its credit states (`records.standing`), which say
    whether credit is left to claim once something is claimed; `at_risk` the learner's credit at
    risk (`reports.alerts.at_risk`, as the My Activities banner has it): a rejected or blocked report
    of this purchase's credit makes correcting the profile the next step. None for a refunded
    purchase (its pages say so themselves)."""
    from ..records.standing import still_to_claim

    slug, model = j.order.activity.slug, j.model
    if j.step == Step.REFUNDED:
        return None
    if j.step == Step.PAY and j.refusal:
        return NextStep(j.step, None, None, note=f"Not purchased: {j.refusal}")
    if j.step == Step.CLOSED:
        return NextStep(j.step, None, None, note=f"Closed: the claim window ended on {long_date(j.version.claim_until)}.")
    certificates = tuple((c.credit.certificate_title, url_for("records.certificate", claim_id=c.id)) for c in j.claims)
    if j.step == Step.CERTIFICATE:
        claim_ids = {c.id for c in j.claims}
        risks = tuple(r for r in at_risk or () if r.item.claim_id in claim_ids)
        if risks:
            return NextStep(j.step, None, profile_url(risks[0]), certificates=certificates, at_risk=risks)
        if still_to_claim(states or []):
            return NextStep(j.step, NextAction.CLAIM, step_url(j.step, slug), certificates=certificates)
        return NextStep(j.step, None, None, certificates=certificates)
    action = step_action(j.step, live=model.is_live, meeting=model.is_meeting, started=j.started)
    if action == NextAction.JOIN:  # before the session: its activity page says how to join
        return NextStep(j.step, action, url_for("learning.activity", slug=slug), certificates=certificates,
                        words=join_on(session_time(model)))
    return NextStep(j.step, action, step_url(j.step, slug, meeting=model.is_meeting), certificates=certificates)


def for_activity(learner: Learner | None, row: Activity) -> NextStep | None:
    """One activity's next step for this learner (None: not signed in, never ordered, refunded)."""
    if learner is None:
        return None
    j = operations.journey(learner, row)
    if j is None:
        return None
    states, at_risk = None, None
    if j.step == Step.CERTIFICATE:
        from ..records import standing
        from ..reports import alerts

        states = standing.for_journeys(learner, [j]).get(j.order.id, [])
        at_risk = alerts.at_risk(learner)
    return of(j, states, at_risk)
