"""The learner's follow-up questionnaire and unsubscribe page, opened from emailed signed links.

No login: the signed link identifies the follow-up. An altered link or one past FOLLOW_UP_LINK_DAYS
gets a page that says so (never a traceback); a second answer is refused politely.
"""
from __future__ import annotations

from flask import current_app, render_template, request

from ..extensions import csrf
from ..models import Evaluation, FollowUp, Learner
from . import bp, operations, tokens
from .forms import FollowUpForm


def _link_problem(expired: bool):
    return render_template("outcomes/link_problem.html", expired=expired), (410 if expired else 404)


@bp.route("/follow-up/<token>", methods=["GET", "POST"])
def questionnaire(token: str):
    try:
        data = tokens.read(tokens.QUESTIONNAIRE, token, int(current_app.config["FOLLOW_UP_LINK_DAYS"]))
    except tokens.LinkExpired:
        return _link_problem(expired=True)
    except tokens.LinkInvalid:
        return _link_problem(expired=False)
    fu = FollowUp.get_or_none(FollowUp.id == data.get("f"))
    if fu is None:
        return _link_problem(expired=False)
    title = fu.activity.current.title
    if fu.answered_at:
        return render_template("outcomes/answered.html", title=title, already=True)
    evaluation = Evaluation.get_or_none(Evaluation.learner == fu.learner, Evaluation.activity == fu.activity)
    form = FollowUpForm()
    if form.validate_on_submit():
        if operations.record_answer(fu.id, form.implemented.data, form.barriers.data or "",
                                    form.impact.data or ""):
            return render_template("outcomes/answered.html", title=title, already=False)
        return render_template("outcomes/answered.html", title=title, already=True)
    return render_template("outcomes/questionnaire.html", form=form, title=title,
                           commitment=evaluation.commitment if evaluation else ""), (400 if form.errors else 200)


@bp.route("/follow-up/stop/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058 one-click POSTs come from mail clients; the signed token is the credential
def unsubscribe(token: str):
    try:
        data = tokens.read(tokens.OPT_OUT, token)
    except tokens.LinkInvalid:
        return _link_problem(expired=False)
    learner = Learner.get_or_none(Learner.id == data.get("l"))
    if learner is None:
        return _link_problem(expired=False)
    if request.method == "POST":  # a button, so mail scanners that follow links stop nothing
        operations.opt_out(learner.id)
        return render_template("outcomes/unsubscribed.html", done=True)
    return render_template("outcomes/unsubscribed.html", done=learner.follow_up_opt_out)
