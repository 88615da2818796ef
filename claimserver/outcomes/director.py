"""Course directors' pages: outcome reports per activity and per year, reviews, planning briefs.

Every page here is for directors only (role_required('director'): anyone else gets 404), except the
read-only planning brief opened from a signed link a director chose to share.
"""
from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for

from catalog.society import SOCIETY

from .. import charts, clock
from ..auth import me, role_required
from ..catalog_sync import find
from ..models import Activity, ActivityVersion
from ..text import content_disposition
from . import bp, exports, metrics, operations, tokens
from .forms import ReviewForm
from .operations import BODIES, IMPLEMENTED, PHASES, VERDICTS

IMPLEMENTED_COLORS = {"fully": SOCIETY.color("good"), "partly": SOCIETY.color("link"),
                      "not-yet": SOCIETY.color("attention"), "not-applicable": SOCIETY.color("muted")}


def _activity(slug: str) -> Activity:
    found = find(slug, include_hidden=True)
    if found is None:
        abort(404)
    return found[0]


def _year() -> int:
    year = request.args.get("year", type=int)
    return year if year and 1990 <= year <= 2200 else clock.today().year


def _charts(o: metrics.ActivityOutcomes) -> dict:
    return {
        "satisfaction": charts.bar_chart(
            [charts.Bar(f"{k} of 5", n) for k, n in sorted(o.satisfaction.items(), reverse=True)],
            title="Satisfaction ratings (number of learners)"),
        "questions": charts.bar_chart(
            [charts.Bar(f"Q{q.number}", q.percent or 0,
                        text="—" if q.percent is None else f"{q.percent:g}%") for q in o.questions],
            title="Competence: percent correct per question", max_value=100, label_width=60),
        "implementation": charts.bar_chart(
            [charts.Bar(IMPLEMENTED[k], n, color=IMPLEMENTED_COLORS[k]) for k, n in o.follow_up.implemented.items()],
            title="Follow-up: did learners make the change?"),
    }


@bp.get("/director/")
@role_required("director")
def director_index():
    versions = metrics.by_date(ActivityVersion.current_for().values())[::-1]  # newest first
    rows = [(o, v.activity.hidden) for o, v in zip(metrics.outcomes_for(versions), versions)]
    return render_template("outcomes/index.html", rows=rows, years=metrics.years(versions),
                           this_year=clock.today().year)


def _activity_page(activity: Activity, form: ReviewForm, status: int = 200):
    o = metrics.activity_outcomes(activity)
    return render_template("outcomes/activity.html", o=o, activity=activity, charts=_charts(o), form=form,
                           reviews=metrics.reviews_of(activity), IMPLEMENTED=IMPLEMENTED, BODIES=BODIES,
                           PHASES=PHASES, VERDICTS=VERDICTS), status


def _review_form(activity: Activity, **kw) -> ReviewForm:
    """The review form, knowing when the activity took place and whether it has follow-ups."""
    version = ActivityVersion.current_for([activity.id])[activity.id]
    return ReviewForm(activity_on=metrics.first_day(version),
                      targets_performance=version.model().targets_performance, **kw)


@bp.get("/director/activities/<slug>")
@role_required("director")
def activity_report(slug: str):
    activity = _activity(slug)
    return _activity_page(activity, _review_form(activity, formdata=None, reviewed_on=clock.today()))


@bp.post("/director/activities/<slug>/reviews")
@role_required("director")
def add_review(slug: str):
    activity = _activity(slug)
    form = _review_form(activity)
    if not form.validate_on_submit():
        return _activity_page(activity, form, 400)
    operations.record_review(activity, me(), body=form.body.data, members=form.members.data,
                             reviewed_on=form.reviewed_on.data, phase=form.phase.data,
                             verdict=form.verdict.data, changes=form.changes.data or "",
                             owners=form.owners.data or "", rationale=form.rationale.data)
    flash("Review recorded.", "success")
    return redirect(url_for("outcomes.activity_report", slug=slug) + "#reviews")


@bp.get("/director/activities/<slug>.csv")
@role_required("director")
def activity_csv(slug: str):
    o = metrics.activity_outcomes(_activity(slug))
    return exports.csv_response(exports.activity_rows(o), f"outcomes-{o.slug}.csv")


@bp.get("/director/summary")
@role_required("director")
def summary():
    s = metrics.programme_summary(_year())
    fu = s.follow_up
    chart = charts.bar_chart(
        [charts.Bar(o.title, o.competence_percent or 0,
                    text="—" if o.competence_percent is None else f"{o.competence_percent:g}%")
         for o in s.activities], title="Competence: percent correct per activity", max_value=100)
    return render_template("outcomes/summary.html", s=s, fu=fu, chart=chart, years=metrics.years())


@bp.get("/director/summary.csv")
@role_required("director")
def summary_csv():
    s = metrics.programme_summary(_year())
    return exports.csv_response(exports.summary_rows(s), f"programme-summary-{s.year}.csv")


# ------------------------------------------------------------------------------------------------
# Issue 8: programme review and planning briefs
# ------------------------------------------------------------------------------------------------
def _programme_filters() -> tuple[int, str, str]:
    verdict = request.args.get("verdict", "")
    verdict = verdict if verdict in VERDICTS or verdict == "none" else ""
    return _year(), verdict, request.args.get("tag", "").strip()[:100]


@bp.get("/director/programme")
@role_required("director")
def programme():
    year, verdict, tag = _programme_filters()
    rows = metrics.programme_rows(year, verdict, tag)
    return render_template("outcomes/programme.html", rows=rows, year=year, verdict=verdict, tag=tag,
                           years=metrics.years(), tags=metrics.all_tags(), VERDICTS=VERDICTS)


@bp.get("/director/programme.csv")
@role_required("director")
def programme_csv():
    year, verdict, tag = _programme_filters()
    return exports.csv_response(exports.programme_rows(metrics.programme_rows(year, verdict, tag)),
                                f"programme-review-{year}.csv")


def _brief_args() -> tuple[str, str]:
    return request.args.get("tag", "").strip()[:100], request.args.get("series", "").strip()[:200]


def _brief(tag: str, series: str) -> metrics.Brief:
    return metrics.planning_brief(tag, series, now=clock.utcnow_naive())


@bp.get("/director/brief")
@role_required("director")
def brief():
    tag, series = _brief_args()
    b = _brief(tag, series) if (tag or series) else None
    share = None
    if b is not None:
        share = current_app.config["SERVER_URL"].rstrip("/") + url_for(
            "outcomes.shared_brief", token=tokens.make(tokens.BRIEF, t=tag, s=series))
    return render_template("outcomes/brief.html", b=b, tag=tag, series=series, tags=metrics.all_tags(),
                           share=share, shared=False, link_days=current_app.config["BRIEF_LINK_DAYS"],
                           IMPLEMENTED=IMPLEMENTED)


@bp.get("/director/brief.md")
@role_required("director")
def brief_markdown():
    tag, series = _brief_args()
    if not (tag or series):
        abort(404)
    text = exports.brief_markdown(_brief(tag, series), clock.today().isoformat())
    return Response(text, mimetype="text/markdown",
                    headers={"Content-Disposition": content_disposition("planning-brief.md", "inline")})


@bp.get("/brief/<token>")
def shared_brief(token: str):
    try:
        data = tokens.read(tokens.BRIEF, token, int(current_app.config["BRIEF_LINK_DAYS"]))
    except tokens.LinkExpired:
        return render_template("outcomes/link_problem.html", expired=True, what="brief"), 410
    except tokens.LinkInvalid:
        return render_template("outcomes/link_problem.html", expired=False, what="brief"), 404
    tag, series = str(data.get("t", "")), str(data.get("s", ""))
    resp = Response(render_template("outcomes/brief.html", b=_brief(tag, series), tag=tag, series=series,
                                    tags=[], share=None, shared=True, IMPLEMENTED=IMPLEMENTED))
    resp.headers["X-Robots-Tag"] = "noindex, nofollow"
    return resp

