"""Records pages: evaluation, credit claim, certificates (HTML and PDF), transcript (page, CSV, PDF)
and the public verification page. Rules and writes live in `operations`."""
from __future__ import annotations

import csv
import io

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from markupsafe import Markup

from catalog import credits, dates

from .. import catalog_sync, certificates, clock, ratelimit
from ..auth import me
from ..models import Activity, ActivityVersion, Certificate, Claim
from ..refusals import Refused, flash_and_redirect
from ..reports.ledger import prefetch_statuses
from ..text import content_disposition, csv_safe
from . import bp, corrections, operations as ops, standing
from .forms import ClaimForm, CorrectionForm, TranscriptFilter, evaluation_data, evaluation_form


def _activity_or_404(slug: str) -> tuple[Activity, ActivityVersion]:
    """Withdrawn activities stay reachable for learners who bought them (their records remain)."""
    return catalog_sync.find_or_404(slug, include_hidden_for=me())


# ------------------------------------------------------------------------------------------------
# Evaluation
# ------------------------------------------------------------------------------------------------
@bp.route("/activities/<slug>/evaluation", methods=["GET", "POST"])
@login_required
def evaluate(slug: str):
    row, version = _activity_or_404(slug)
    try:
        ops.require_participation(me(), row)
    except Refused as e:
        return flash_and_redirect(e, url_for("learning.my_activities"))
    existing = ops.evaluation_for(me(), row)
    if existing is not None:
        if request.method == "POST":
            flash("You have already evaluated this activity; here is your evaluation.", "info")
        return _evaluation_done(row, existing)
    model = version.model()
    form = evaluation_form(model)
    if form.validate_on_submit():
        ev, created = ops.submit_evaluation(me(), row, version, model, evaluation_data(form, model))
        if created:
            flash("Thank you: your evaluation is recorded. You can now claim credit.", "success")
        return redirect(url_for("records.evaluate", slug=slug))
    return render_template("records/evaluate.html", row=row, a=model, form=form)


def _evaluation_done(row: Activity, ev):
    model = ev.version.model()
    review = []
    for i, q in enumerate(model.questions):
        chosen = ev.answers[i] if i < len(ev.answers) else None
        review.append(dict(q=q, chosen=chosen, right=chosen == q.answer))
    return render_template("records/evaluation_done.html", row=row, a=model, ev=ev, review=review,
                           objectives=list(zip(model.objectives, ev.objectives_met)))


# ------------------------------------------------------------------------------------------------
# Claim
# ------------------------------------------------------------------------------------------------
@bp.route("/activities/<slug>/claim", methods=["GET", "POST"])
@login_required
def claim(slug: str):
    row, version = _activity_or_404(slug)
    learner = me()
    profile_link = url_for("accounts.profile", next=url_for("records.claim", slug=slug))
    try:
        page = ops.claim_page(learner, row, version, profile_link)
    except Refused as e:
        return flash_and_redirect(e, url_for("learning.my_activities"))
    model = version.model()
    claimed = {c.credit_type: c for c in page.claimed}
    if request.method == "POST" and request.form.get("credit") in claimed:
        # The same request twice (a double click, a resent form) ends where the first one did.
        flash("You had already claimed this credit; here is your certificate.", "success")
        return redirect(url_for("records.certificate", claim_id=claimed[request.form["credit"]].id))
    form = ClaimForm(page.offers) if page.profile is None else None
    status = 200
    if request.method == "POST":
        if page.profile is not None:
            status = 400
        elif page.closed or request.form.get("credit") in page.expired:
            flash(page.closed or page.expired[request.form["credit"]], "error")
            return redirect(url_for("records.claim", slug=slug))
        elif form.validate_on_submit():
            try:
                c, created = ops.issue_claim(learner, row, version, form.offers[form.credit.data],
                                             form.amount, page.participation)
            except Refused as e:
                form.refuse(e)
                status = 400
            else:
                flash("Your credit is claimed and your certificate is ready." if created
                      else "You had already claimed this credit; here is your certificate.", "success")
                return redirect(url_for("records.certificate", claim_id=c.id))
        else:
            status = 400
    correctable = {c.id for c in page.claimed if corrections.correction_refusal(c) is None}
    return render_template("records/claim.html", row=row, a=model, form=form, page=page,
                           profile_link=profile_link, correctable=correctable), status


# ------------------------------------------------------------------------------------------------
# Certificates
# ------------------------------------------------------------------------------------------------
def _own_claim(claim_id: int) -> tuple[Claim, Certificate]:
    c = Claim.get_or_none(Claim.id == claim_id)
    if c is None or c.learner_id != me().id:
        abort(404)  # another learner's claim does not exist, as far as this learner can tell
    return c, ops.certificate_for(c)


@bp.get("/certificates/<int:claim_id>")
@login_required
def certificate(claim_id: int):
    c, cert = _own_claim(claim_id)
    content = ops.certificate_content(cert, c, me())
    return render_template("records/certificate.html", claim=c, cert=cert, c=content,
                           credit_type=credits.CREDIT_TYPES[c.credit_type],
                           correctable=corrections.correction_refusal(c, cert) is None)


@bp.route("/certificates/<int:claim_id>/hours", methods=["GET", "POST"])
@login_required
def correct_hours(claim_id: int):
    c, cert = _own_claim(claim_id)
    refusal = corrections.correction_refusal(c, cert)
    if refusal is not None:
        return flash_and_redirect(refusal, url_for("records.certificate", claim_id=c.id))
    form = CorrectionForm()
    status = 200
    if request.method == "GET":
        form.hours.data = credits.format_hours(c.hours)
    elif form.validate_on_submit():
        try:
            done = corrections.correct_hours(me(), c, form.amount)
        except Refused as e:
            if e.field != "hours":
                return flash_and_redirect(e, url_for("records.certificate", claim_id=c.id))
            form.hours.errors = [e.message]
            status = 400
        else:
            if done.changed:
                flash(f"Your claim now shows {c.credit.units(done.claim.hours)}. Your certificate was "
                      f"reissued with the code {done.certificate.code}; the old code {done.old_code} "
                      "now shows it was superseded.", "success")
            else:
                flash(f"Your claim already shows {c.credit.units(done.claim.hours)}.", "info")
            return redirect(url_for("records.certificate", claim_id=c.id))
    else:
        status = 400
    return render_template("records/correct.html", claim=c, cert=cert, form=form,
                           hint=corrections.hours_choices(c)), status


@bp.get("/certificates/<int:claim_id>.pdf")
@login_required
def certificate_pdf(claim_id: int):
    c, cert = _own_claim(claim_id)
    pdf = certificates.render(ops.certificate_content(cert, c, me()))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": content_disposition(f"certificate-{cert.code}.pdf")})


# ------------------------------------------------------------------------------------------------
# Transcript
# ------------------------------------------------------------------------------------------------
def _filters():
    """(form, view, start, end, valid). A state view has its own period and ignores start/end; a
    date filter that fails validation applies nothing, and nothing is listed for it."""
    form = TranscriptFilter(request.args)
    view = request.args.get("view", "")
    view = view if view in ops.STATE_VIEWS else ""
    start = end = None
    valid = True
    if not view and (request.args.get("start") or request.args.get("end")):
        valid = form.validate()
        if valid:
            start, end = form.start.data, form.end.data
    return form, view, start, end, valid


def _invalid_filter(form) -> Response:
    errors = "; ".join(f"{form[f].label.text}: {' '.join(form[f].errors)}" for f in ("start", "end")
                       if form[f].errors)
    return Response(f"Invalid date filter ({errors}). Use dates like 2027-01-31, with From on or before To.\n",
                    status=400, mimetype="text/plain")


def _period(t, start, end) -> str:
    """The period actually applied, as the print header and PDF state it."""
    if t.cycle:
        return dates.period(*t.cycle)
    if start or end:
        return dates.period(start, end)
    return "all claims"


@bp.get("/transcript")
@login_required
def transcript():
    form, view, start, end, valid = _filters()
    args = {k: v for k, v in request.args.items() if k in ("start", "end", "view") and v}
    learner = me()
    if not valid:  # the field errors show; no rows, since no period was applied
        return render_template("records/transcript.html", form=form, t=ops.Transcript([], [], []), view=view,
                               args=args, views=ops.STATE_VIEWS, period="", rows_html="", invalid=True)

    def render_rows():
        t = ops.transcript(learner, start, end, view)
        claims = ops.claims_by_id(learner, [r.claim_id for r in t.rows])
        prefetch_statuses(claims.values())
        html = render_template("records/_transcript_rows.html", rows=t.rows, claims=claims)
        t.rows = []  # the cache keeps the rendered rows and the totals, not the row objects
        return html, t

    rows_html, t = ops.cached_rows(ops.transcript_key(learner, start, end, view), render_rows)
    return render_template("records/transcript.html", form=form, t=t, view=view, args=args,
                           views=ops.STATE_VIEWS, period=_period(t, start, end), rows_html=Markup(rows_html),
                           invalid=False, unclaimed=[] if (view or args) else standing.unclaimed(learner))


@bp.get("/transcript.csv")
@login_required
def transcript_csv():
    form, view, start, end, valid = _filters()
    if not valid:
        return _invalid_filter(form)
    t = ops.transcript(me(), start, end, view)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["date", "activity", "credit_type", "hours", "certificate", "status",
                "session", "session_title", "session_hours"])
    for r in t.rows:
        claim = [r.date.isoformat(), csv_safe(r.title), r.credit.name]
        after = [r.code, "valid" if r.valid else "revoked"]
        w.writerow([*claim, credits.format_hours(r.hours), *after, "", "", ""])
        # a meeting claim's sessions follow it, one line each; their hours are in session_hours, so
        # summing the hours column still adds each claim once
        for sid, title, h in r.sessions:
            w.writerow([*claim, "", *after, csv_safe(sid), csv_safe(title), h])
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": content_disposition("transcript.csv")})


@bp.get("/transcript.pdf")
@login_required
def transcript_pdf():
    form, view, start, end, valid = _filters()
    if not valid:
        return _invalid_filter(form)
    learner = me()
    t = ops.transcript(learner, start, end, view)
    pdf = certificates.render_transcript(
        name=learner.display_name, provider=current_app.config["PROVIDER_NAME"],
        generated_at=clock.now(), period=_period(t, start, end),
        rows=[(dates.iso_date(r.date), r.title, r.credit.short,
               credits.format_hours(r.hours) if r.valid else f"revoked ({credits.format_hours(r.hours)})",
               r.sessions)
              for r in t.rows],
        totals=[(credits.CREDIT_TYPES[k].name, credits.format_hours(h)) for k, h in t.totals],
        years=[(str(y), credits.CREDIT_TYPES[k].short, credits.format_hours(h)) for y, k, h in t.years])
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": content_disposition("transcript.pdf")})


# ------------------------------------------------------------------------------------------------
# Public verification
# ------------------------------------------------------------------------------------------------
def _too_many() -> Response | None:
    limit = int(current_app.config["VERIFY_RATE_PER_MINUTE"])
    if ratelimit.hit(f"verify:{request.remote_addr or '-'}", limit):
        return None
    return Response("Too many verification attempts from your address. Please wait a minute and "
                    "try again.\n", status=429, mimetype="text/plain", headers={"Retry-After": "60"})


@bp.get("/verify")
def verify_form():
    code = request.args.get("code", "")
    if code:
        return redirect(url_for("records.verify", code=ops.normalise_code(code) or code.strip()[:40]))
    return render_template("records/verify.html", cert=None, asked=False)


@bp.get("/verify/<code>")
def verify(code: str):
    blocked = _too_many()
    if blocked is not None:
        return blocked
    norm = ops.normalise_code(code)
    cert = Certificate.get_or_none(Certificate.code == norm) if norm else None
    if cert is None:
        return render_template("records/verify.html", cert=None, asked=True), 404
    c = cert.claim
    # reissued twice (hours, then the name): the code it names is superseded too; say which is current
    latest = (Certificate.get_or_none(Certificate.claim == c, Certificate.current())
              if cert.superseded_by_id else None)
    return render_template("records/verify.html", cert=cert, claim=c, asked=True, latest=latest,
                           title=c.version.title, credit_type=credits.CREDIT_TYPES[c.credit_type])
