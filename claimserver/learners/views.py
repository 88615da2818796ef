"""Staff pages for helping a learner: search, the learner's page, roles, reissue, catalogue sync.

Views translate the request into one operation and show its answer; refusals come from the
operations (`Refused`) and are shown as they are worded there.
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from catalog.status import OrderStatus, ParticipationMethod

from .. import catalog_sync
from ..auth import me, role_required
from ..models import Certificate, Learner
from ..records import operations as records_ops
from ..refusals import Refused, flash_and_redirect
from ..reports import ledger
from ..reports.layouts import LAYOUTS
from . import bp, search
from . import operations as ops
from .forms import ReissueForm, RoleForm, SearchForm, SyncForm

staff = role_required("staff")


@bp.get("/staff/learners/")
@staff
def index():
    form = SearchForm(request.args)
    found = None
    if "q" in request.args and form.validate():
        page = request.args.get("page", "1")
        found = search.search(form.q.data, int(page) if page.isdigit() else 1)
    return render_template("learners/search.html", form=form, found=found)


def _learner_page(learner: Learner, reissue: ReissueForm | None = None, reissue_id: int | None = None,
                  status: int = 200):
    rec = ops.record(learner)
    ledger.prefetch_statuses(rec.claims)
    return render_template("learners/learner.html", rec=rec, roles=ops.roles_of(learner),
                           role_labels=ops.ROLE_LABELS, role_form=RoleForm(), layouts=LAYOUTS,
                           reissue=reissue, reissue_id=reissue_id, today=ledger.today(),
                           verify_url=records_ops.verify_url,
                           duplicates=ledger.duplicate_epid_learners(learner), OrderStatus=OrderStatus,
                           ParticipationMethod=ParticipationMethod), status


def _learner_or_404(learner_id: int) -> Learner:
    return Learner.get_or_none(Learner.id == learner_id) or abort(404)


@bp.get("/staff/learners/<int:learner_id>")
@staff
def learner(learner_id: int):
    return _learner_page(_learner_or_404(learner_id))


@bp.post("/staff/learners/<int:learner_id>/roles")
@staff
def roles(learner_id: int):
    target = _learner_or_404(learner_id)
    form = RoleForm()
    here = url_for(".learner", learner_id=target.id)
    if not form.validate_on_submit():
        flash(" ".join(e for errs in form.errors.values() for e in errs) or "Choose a role.", "error")
        return redirect(here)
    grant = form.action.data == "grant"
    try:
        changed = ops.set_role(target, form.role.data, grant, me())
    except Refused as e:
        return flash_and_redirect(e, here)
    if changed:
        flash(f"{target.email} is {'now' if grant else 'no longer'} {form.role.data}.", "success")
    else:
        flash(f"{target.email} {'already has' if grant else 'does not have'} the {form.role.data} role.", "info")
    return redirect(here)


@bp.post("/staff/learners/<int:learner_id>/certificates/<int:cert_id>/reissue")
@staff
def reissue(learner_id: int, cert_id: int):
    target = _learner_or_404(learner_id)
    cert = Certificate.get_or_none(Certificate.id == cert_id) or abort(404)
    if cert.claim.learner_id != target.id:
        abort(404)
    form = ReissueForm()
    if not form.validate_on_submit():
        return _learner_page(target, form, cert.id, 400)
    try:
        new = records_ops.reissue(cert, form.reason.data, me(), notify=True, name=form.name.data)
    except Refused as e:
        if e.field and hasattr(form, e.field):
            getattr(form, e.field).errors.append(e.message)
            return _learner_page(target, form, cert.id, 400)
        return flash_and_redirect(e, url_for(".learner", learner_id=target.id))
    flash(f"Certificate {new.code} issued to {new.name}; {cert.code} now says it was superseded.", "success")
    return redirect(url_for(".learner", learner_id=target.id))


@bp.get("/staff/catalogue")
@staff
def catalogue():
    return render_template("learners/catalogue.html", last=catalog_sync.last_run(), form=SyncForm(),
                           problems=None)


@bp.post("/staff/catalogue/sync")
@staff
def sync():
    form = SyncForm()
    if not form.validate_on_submit():
        abort(400)
    done = catalog_sync.run(current_app.config["CATALOG_PATH"], actor=me())
    if done.ok:
        flash(f"Catalogue synced: {done.result.summary()}.", "success")
        return redirect(url_for(".catalogue"))
    return render_template("learners/catalogue.html", last=catalog_sync.last_run(), form=SyncForm(),
                           problems=done.problems), 422
