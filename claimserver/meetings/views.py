"""Meeting pages: a learner's programme (enter a session's code, evaluate a session, badge ID) and
the staff pages (session codes, badge-scan roster import). Views only translate requests."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from catalog.site.programme import session_credit_text
from catalog.statements import SESSION_ATTESTATION

from .. import catalog_sync, clock
from ..auth import me, role_required
from ..learning.operations import order_for
from ..refusals import Refused
from . import bp
from . import operations as ops

#: A roster of 200,000 scans is about 8 MB.
ROSTER_MAX_BYTES = 32 * 1024 * 1024


def _meeting_or_404(slug: str):
    row, version = catalog_sync.find_or_404(slug)
    model = version.model()
    if not model.is_meeting:
        abort(404)
    return row, version, model


@bp.route("/meetings/<slug>")
@login_required
def programme(slug: str):
    return _programme(slug)


def _programme(slug: str, error: Refused | None = None, status: int = 200):
    row, version, model = _meeting_or_404(slug)
    learner = me()
    order = order_for(learner, row)
    attended = set(ops.attended_ids(learner, row))
    evaluated = ops.evaluated_ids(learner, row)
    days: dict = {}
    tz = ops.local_zone(model)
    for s in sorted(model.sessions, key=lambda s: (s.starts, s.track, s.id)):
        days.setdefault(s.starts.astimezone(tz).date(), []).append(s)
    return render_template("meetings/programme.html", row=row, a=model, days=days, attended=attended,
                           evaluated=evaluated, paid=bool(order and order.is_paid), learner=learner,
                           may_attest=ops.may_attest(learner, model), error=error,
                           when=lambda s: ops.session_when(model, s),
                           credit=lambda s: session_credit_text(model, s)), status


@bp.route("/meetings/<slug>/register", methods=["POST"])
@login_required
def register(slug: str):
    """A registrant enters their badge ID: the meeting's CE without paying (free_for_registrants)."""
    row, _, _ = _meeting_or_404(slug)
    try:
        _, created = ops.enrol_registrant(me(), row, request.form.get("badge_id", ""))
    except Refused as e:
        return _programme(slug, e, 400)
    flash("You are registered for this meeting: its CE is in My Activities at no charge. Record your "
          "sessions below." if created else "This meeting's CE is already in My Activities.", "success")
    return _back(slug), 303


def _uploaded_csv() -> str:
    """The CSV a staff member uploaded (or pasted): size-checked and decoded, or Refused saying why."""
    f = request.files.get("file")
    if f:
        try:
            raw = f.read(ROSTER_MAX_BYTES + 1)
        finally:  # a large upload is spooled to a temporary file: close it now, not at collection
            f.close()
    else:
        raw = request.form.get("text", "").encode()
    if len(raw) > ROSTER_MAX_BYTES:
        raise Refused(f"The file is larger than {ROSTER_MAX_BYTES // (1024 * 1024)} MB: split it.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Refused("The file is not UTF-8 text: export it as CSV (UTF-8).") from None


def _staff_import(importer, row):
    """A staff CSV import page's POST: (the importer's summary or None, the status to answer with)."""
    if request.method != "POST":
        return None, 200
    try:
        return importer(me(), row, _uploaded_csv()), 200
    except Refused as e:
        flash(e.message, "error")
        return None, 400


@bp.route("/staff/meetings/<slug>/registrations", methods=["GET", "POST"])
@role_required("staff")
def staff_registrations(slug: str):
    row, _, model = _meeting_or_404(slug)
    summary, status = _staff_import(ops.import_registrations, row)
    return render_template("meetings/staff_registrations.html", row=row, a=model, summary=summary,
                           listed=ops.registrations_count(row)), status


def _back(slug: str, anchor: str = ""):
    return redirect(url_for("meetings.programme", slug=slug) + (f"#{anchor}" if anchor else ""))


@bp.route("/meetings/<slug>/code", methods=["POST"])
@login_required
def code(slug: str):
    row, _, _ = _meeting_or_404(slug)
    sid = request.form.get("session", "")
    try:
        _, created = ops.enter_session_code(me(), row, sid, request.form.get("code", ""))
    except Refused as e:
        flash(e.message, "error")
        return _back(slug, f"s-{sid}"), 303
    flash(f"Your attendance at session {sid} is recorded. Next: evaluate the session."
          if created else f"Your attendance at session {sid} was already recorded.", "success")
    return _back(slug, f"s-{sid}"), 303


@bp.route("/meetings/<slug>/attend", methods=["GET", "POST"])
@login_required
def attend(slug: str):
    """The learner's own attested selection of sessions (where the designation allows it)."""
    row, _, model = _meeting_or_404(slug)
    learner = me()
    selected = set(request.form.getlist("session")) if request.method == "POST" else set()
    error, status = None, 200
    if request.method == "POST":
        try:
            done = ops.attest_sessions(learner, row, request.form.getlist("session"),
                                       request.form.get("attest") == "y")
        except Refused as e:
            error, status = e, 400
        else:
            ids = ", ".join(s.id for s in done.recorded)
            flash(f"Your attendance at sessions {ids} is recorded. Next: evaluate each session."
                  if done.recorded else "Those sessions were already recorded.", "success")
            return _back(slug), 303
    methods = ops.attended_methods(learner, row)
    days: dict = {}
    tz = ops.local_zone(model)
    for s in sorted(model.sessions, key=lambda s: (s.starts, s.track, s.id)):
        if ops.attestable(model, s):
            days.setdefault(s.starts.astimezone(tz).date(), []).append(s)
    return render_template("meetings/attend.html", row=row, a=model, days=days, methods=methods,
                           selected=selected, error=error, allowed=ops.may_attest(learner, model),
                           marked=set((error.field or "").split()) if error else set(),
                           attestation=SESSION_ATTESTATION, now=clock.now(),
                           when=lambda s: ops.session_when(model, s),
                           credit=lambda s: session_credit_text(model, s)), status


@bp.route("/meetings/<slug>/add-sessions", methods=["POST"])
@login_required
def add_sessions(slug: str):
    """Sessions attended since the learner claimed: their claims are corrected upward."""
    row, _, _ = _meeting_or_404(slug)
    try:
        done = ops.add_sessions(me(), row, request.form.get("attest") == "y")
    except Refused as e:
        flash(e.message, "error")
        return redirect(url_for("records.claim", slug=slug)), 303
    for a in done:
        ids = ", ".join(s.id for s in a.sessions)
        flash(f"{a.type.name}: sessions {ids} added; your claim now shows {a.type.units(a.after)}"
              + (" and your certificate was reissued with a new code." if a.claim is not None
                 else ", one record per session UAN."), "success")
    return redirect(url_for("records.claim", slug=slug)), 303


@bp.route("/meetings/<slug>/sessions/<sid>/evaluation", methods=["POST"])
@login_required
def evaluate(slug: str, sid: str):
    row, _, _ = _meeting_or_404(slug)
    try:
        quality = int(request.form.get("quality", "0"))
    except ValueError:
        quality = 0
    try:
        ops.evaluate_session(me(), row, sid, objectives_met=request.form.get("objectives_met", ""),
                             bias_free=request.form.get("bias_free") == "yes", quality=quality,
                             comment=request.form.get("comment", ""))
    except Refused as e:
        flash(e.message, "error")
    else:
        flash(f"Thank you: your evaluation of session {sid} is recorded.", "success")
    return _back(slug, f"s-{sid}"), 303


@bp.route("/meetings/<slug>/badge", methods=["POST"])
@login_required
def badge(slug: str):
    _meeting_or_404(slug)
    try:
        ops.set_badge(me(), request.form.get("badge_id", ""))
    except Refused as e:
        flash(e.message, "error")
    else:
        flash("Your badge ID is saved: staff rosters of badge scans will record your sessions.", "success")
    return _back(slug), 303


@bp.route("/profile/badge", methods=["POST"])
@login_required
def profile_badge():
    """The badge ID on the learner's profile page (the same rule as on a meeting's programme)."""
    try:
        ops.set_badge(me(), request.form.get("badge_id", ""))
    except Refused as e:
        flash(e.message, "error")
    else:
        flash("Your badge ID is saved: staff rosters of badge scans will record your sessions.", "success")
    return redirect(url_for("accounts.profile") + "#badge"), 303


@bp.route("/staff/meetings/<slug>/codes")
@role_required("staff")
def staff_codes(slug: str):
    row, _, model = _meeting_or_404(slug)
    return render_template("meetings/staff_codes.html", row=row, a=model, codes=ops.staff_codes(row, model),
                           when=lambda s: ops.session_when(model, s))


@bp.route("/staff/meetings/<slug>/roster", methods=["GET", "POST"])
@role_required("staff")
def staff_roster(slug: str):
    row, _, model = _meeting_or_404(slug)
    summary, status = _staff_import(ops.import_badge_scans, row)
    return render_template("meetings/staff_roster.html", row=row, a=model, summary=summary), status


@bp.route("/director/meetings/<slug>/sessions")
@role_required("director")
def director_sessions(slug: str):
    row, _, model = _meeting_or_404(slug)
    return render_template("meetings/director_sessions.html", row=row, a=model,
                           outcomes=ops.session_outcomes(row, model), when=lambda s: ops.session_when(model, s))
