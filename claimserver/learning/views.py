"""Learning pages: an activity on the server, purchase and receipt, My Activities, participation,
and the staff pages for attendance codes and rosters. Writes happen in `operations`."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from catalog import dates
from catalog.status import OrderStatus

from .. import catalog_sync, clock
from ..accounts.profile import profile_missing
from ..auth import me, role_required
from ..models import Activity, ActivityVersion, Order
from ..payments import receipts
from . import bp, joining, next_step, operations
from ..refusals import Refused, flash_and_redirect
from .forms import ROSTER_MAX_BYTES, AttendanceForm, RosterForm, post_test_answers, post_test_form
from .operations import TooManyCodes, WrongCode


def _activity_or_404(slug: str) -> tuple[Activity, ActivityVersion]:
    """Withdrawn activities stay visible only to learners who bought them."""
    return catalog_sync.find_or_404(slug, include_hidden_for=me() if current_user.is_authenticated else None)


def _activity_page(row: Activity, version: ActivityVersion, order: Order | None) -> str:
    """The activity page with its purchase button (the card is entered on the provider's page)."""
    model = version.model()
    site = current_app.config["SITE_URL"].rstrip("/")
    return render_template("learning/activity.html", row=row, version=version, a=model, order=order,
                           closed=operations.purchase_refusal(model), OrderStatus=OrderStatus,
                           site_link=f"{site}/activities/{row.slug}/", how=joining.to_show(model, order))


def _let_forms_open(material: str | None) -> None:
    """The "Open the material" form's answer redirects to the material's site: the page's
    Content-Security-Policy (form-action) must name that site, or the browser blocks the redirect."""
    parts = urlsplit(material or "")
    if parts.scheme in ("http", "https") and parts.netloc and all(c not in parts.netloc for c in " ;,'\""):
        g.form_action_origins = [f"{parts.scheme}://{parts.netloc}"]


def _refused(e: Refused, slug: str):
    return flash_and_redirect(e, url_for("learning.activity", slug=slug))


@bp.get("/activities/<slug>")
def activity(slug: str):
    row, version = _activity_or_404(slug)
    order = operations.order_for(me(), row) if current_user.is_authenticated else None
    return _activity_page(row, version, order)


@bp.post("/activities/<slug>/purchase")
@login_required
def purchase(slug: str):
    row, _version = _activity_or_404(slug)
    try:
        result = operations.purchase(me(), row)
    except Refused as e:
        return _refused(e, slug)
    if result.outcome == "pay":
        return redirect(result.next_url)
    if result.outcome == "already-paid":
        flash("You already have this activity.", "info")
    else:
        flash("Thank you: the activity is in My Activities.", "success")
    return redirect(url_for("learning.receipt", number=result.order.receipt_number))


def _receipt_order(number: str) -> Order:
    order = Order.get_or_none(Order.receipt_number == number, Order.learner == me())
    if order is None or not (order.is_paid or order.is_refunded):
        abort(404)
    return order


@bp.get("/receipts/<number>")
@login_required
def receipt(number: str):
    order = _receipt_order(number)
    # The page a buyer lands on after paying says how to join, as My Activities does.
    model = order.activity.current.model()
    return render_template("learning/receipt.html", order=order, r=receipts.build(order), a=model,
                           how=joining.to_show(model, order))


@bp.get("/receipts/<number>.pdf")
@login_required
def receipt_pdf(number: str):
    order = _receipt_order(number)
    pdf = receipts.render_pdf(receipts.build(order), clock.now())
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="receipt-{order.receipt_number}.pdf"'})


@bp.get("/my-activities")
@login_required
def my_activities():
    from ..records import standing
    from ..reports import alerts

    journeys = operations.journeys(me())
    states = standing.for_journeys(me(), journeys)
    at_risk = alerts.at_risk(me())
    return render_template("learning/my_activities.html", journeys=journeys,
                           learner=me(), missing=profile_missing(me()),
                           states=states, headline=standing.headline, at_risk=at_risk,
                           profile_url=next_step.profile_url,
                           next_steps={j.order.id: next_step.of(j, states.get(j.order.id), at_risk)
                                       for j in journeys})


@bp.route("/activities/<slug>/participate", methods=["GET", "POST"])
@login_required
def participate(slug: str):
    row, version = _activity_or_404(slug)
    model = version.model()
    if model.is_meeting:  # attendance is per session, on the meeting's programme
        return redirect(url_for("meetings.programme", slug=slug))
    try:
        operations.require_paid(me(), row)
    except Refused as e:
        return _refused(e, slug)
    participation = operations.participation_for(me(), row)
    if model.is_live:
        form = AttendanceForm()
        if form.validate_on_submit():
            try:
                participation = operations.enter_attendance_code(me(), row, form.code.data)
            except WrongCode:
                form.code.errors.append("That code does not match this session. Check it with the "
                                        "moderator or the chat, and try again.")
            except TooManyCodes as e:
                form.code.errors.append(e.message)
                return render_template("learning/participate_live.html", row=row, a=model, form=form,
                                       participation=participation, started=True), 429
            except Refused as e:
                flash(e.message, "error")
                return redirect(url_for("learning.participate", slug=slug))
            else:  # the page says it is recorded, and links to the next step
                return redirect(url_for("learning.participate", slug=slug))
        return render_template("learning/participate_live.html", row=row, a=model, form=form,
                               participation=participation, started=clock.now() >= model.starts)
    _let_forms_open(model.material)
    form = post_test_form(model)
    feedback = None
    if form.validate_on_submit():
        try:
            feedback = operations.submit_post_test(me(), row, post_test_answers(form, model))
        except Refused as e:
            flash(e.message, "error")
            return redirect(url_for("learning.participate", slug=slug))
        participation = operations.participation_for(me(), row)
        form = post_test_form(model) if not feedback.passed else None
        if form is not None:
            for f, _q in form.questions:
                f.data = None  # a retry starts from a clean sheet
    return render_template("learning/participate_home.html", row=row, a=model, form=form,
                           participation=participation, feedback=feedback,
                           released=clock.now() >= model.starts,
                           not_released=dates.not_yet_released(model.starts.astimezone(operations.local_zone(model))))


@bp.route("/activities/<slug>/material", methods=["GET", "POST"])
@login_required
def material(slug: str):
    """POST records the first opening and goes to the material; a GET (a bookmark, a prefetch)
    writes nothing: it asks for the click."""
    row, _version = _activity_or_404(slug)
    try:
        if request.method == "POST":
            return redirect(operations.open_material(me(), row))
        operations.material_url(me(), row)
    except Refused as e:
        return _refused(e, slug)
    _let_forms_open(row.current.model().material)
    return render_template("learning/material.html", row=row, a=row.current.model())


# ------------------------------------------------------------------------------------------------
# Staff
# ------------------------------------------------------------------------------------------------
@bp.get("/staff/attendance")
@role_required("staff")
def staff_attendance():
    from catalog import credits

    rows = []
    activities = list(Activity.select().order_by(Activity.slug))
    current = ActivityVersion.current_for(a.id for a in activities)
    for a in activities:
        v = current[a.id]
        if v.format in credits.LIVE_FORMATS:
            rows.append((a, v, v.model()))
    rows.sort(key=lambda r: r[1].starts)
    return render_template("learning/staff_attendance.html", rows=rows)


@bp.route("/staff/activities/<slug>/roster", methods=["GET", "POST"])
@role_required("staff")
def staff_roster(slug: str):
    row, version = catalog_sync.find_or_404(slug, include_hidden=True)
    form = RosterForm()
    report = None
    if form.validate_on_submit():
        raw = form.roster.data.read(ROSTER_MAX_BYTES + 1)  # one byte more tells a longer file apart
        if len(raw) > ROSTER_MAX_BYTES:
            form.roster.errors.append(f"The file is larger than {ROSTER_MAX_BYTES // (1024 * 1024)} MB: "
                                      "split it into smaller files and upload each one.")
            return render_template("learning/staff_roster.html", row=row, version=version, form=form,
                                   report=None)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            form.roster.errors.append("Save the file as UTF-8 CSV and upload it again.")
        else:
            try:
                report = operations.import_roster(me(), row, text)
            except Refused as e:
                form.roster.errors.append(e.message)
    return render_template("learning/staff_roster.html", row=row, version=version, form=form,
                           report=report)
