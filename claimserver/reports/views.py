"""Staff reporting pages: export files, record results, deadlines. Staff only; others get 404."""
from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, url_for

from catalog.status import ReportStatus

from ..auth import me, role_required
from ..models import ExportBatch, ReportItem
from ..text import content_disposition
from . import bp, ledger
from .forms import ConfirmForm, ExportForm, MarkForm, ResultsForm
from .layouts import LAYOUTS

staff = role_required("staff")


def _blocked(o: ledger.OpenItem) -> bool:
    """What the "Blocked" list shows: items lacking learner data, and missed ones never sent."""
    return bool(o.blocked) or (o.state.missed and o.item.status != ReportStatus.EXPORTED)


def _counts(items: list[ledger.OpenItem]) -> dict[str, dict[str, int]]:
    """The summary table, counted as the lists below show the items: "due" is ready to export (not
    blocked, not missed); "blocked" is every item of the Blocked list, missed ones included."""
    counts = {d: {"due": 0, "blocked": 0, "exported": 0, "rejected": 0, "warn": 0, "missed": 0}
              for d in LAYOUTS}
    for o in items:
        c = counts[o.item.destination]
        blocked = _blocked(o)
        if o.item.status != ReportStatus.DUE or not blocked:
            c[o.item.status] += 1
        c["blocked"] += blocked
        c["warn"] += o.state.level in ("warn", "urgent")
        c["missed"] += o.state.missed and o.item.status != ReportStatus.EXPORTED
    return counts


def _index_page(form: ExportForm, items: list[ledger.OpenItem], status: int = 200):
    return render_template("reports/index.html", form=form, counts=_counts(items), layouts=LAYOUTS,
                           blocked=[o for o in items if _blocked(o)], batches=list(ledger.batches()),
                           revoked=ledger.revoked_after_reporting(), stale=ledger.stale_exports(),
                           result_days=int(current_app.config.get("REPORT_RESULT_DAYS") or 0),
                           duplicates=ledger.duplicate_epids()), status


@bp.get("/staff/reports/")
@staff
def staff_index():
    ledger.sync_ledger()
    return _index_page(ExportForm(), ledger.open_items())


@bp.post("/staff/reports/export")
@staff
def export():
    form = ExportForm()
    if not form.validate_on_submit():
        return _index_page(form, ledger.open_items(), 400)
    dest = form.destination.data
    if dest == "pars" and not ledger.pars_enabled():
        flash("PARS reporting is off (setting PARS_REPORTING).", "error")
        return redirect(url_for(".staff_index"))
    ledger.sync_ledger()
    result = ledger.export(dest, include_all=form.include_all.data, actor=me())
    flash(result.summary(), "success" if result.batches else "info")
    return redirect(url_for(".staff_index"))


@bp.get("/staff/reports/batches/<int:batch_id>.csv")
@staff
def batch_file(batch_id: int):
    batch = ExportBatch.get_or_none(ExportBatch.id == batch_id) or abort(404)
    return Response(batch.content, mimetype="text/csv",
                    headers={"Content-Disposition": content_disposition(batch.filename)})


def _results_page(form: ResultsForm, summary=None, status: int = 200):
    awaiting = [o for o in ledger.open_items() if o.item.status in (ReportStatus.EXPORTED, ReportStatus.REJECTED)]
    return render_template("reports/results.html", form=form, summary=summary, awaiting=awaiting,
                           mark_form=MarkForm()), status


@bp.route("/staff/reports/results", methods=["GET", "POST"])
@staff
def results():
    form = ResultsForm()
    if not form.validate_on_submit():
        return _results_page(form, status=400 if form.is_submitted() else 200)
    raw = form.file.data.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        form.file.errors.append("The file is not UTF-8 text. Save it as CSV (UTF-8) and upload it again.")
        return _results_page(form, status=400)
    try:
        summary = ledger.record_results(form.destination.data, text, actor=me())
    except ledger.ResultsFileError as e:
        form.file.errors.append(f"Nothing was recorded: {e}.")
        return _results_page(form, status=400)
    flash(f"{form.file.data.filename}: {summary}", "success" if not summary.problems else "error")
    return _results_page(ResultsForm(formdata=None), summary=summary)


@bp.post("/staff/reports/items/<int:item_id>/result")
@staff
def mark_item(item_id: int):
    item = ReportItem.get_or_none(ReportItem.id == item_id) or abort(404)
    form = MarkForm()
    if not form.validate_on_submit():
        flash(f"Item {item.id}: " + " ".join(e for errs in form.errors.values() for e in errs), "error")
        return redirect(url_for(".results"))
    try:
        ledger.mark(item, form.status.data, form.message.data or "", actor=me())
    except ValueError as e:
        flash(f"Item {item.id}: {e}.", "error")
    else:
        flash(f"Item {item.id} marked {form.status.data}.", "success")
    return redirect(url_for(".results"))


@bp.post("/staff/reports/items/<int:item_id>/requeue")
@staff
def requeue_item(item_id: int):
    item = ReportItem.get_or_none(ReportItem.id == item_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            new = ledger.requeue(item, actor=me(), why="re-queued by staff")
        except ValueError as e:
            flash(f"Item {item.id}: {e}.", "error")
        else:
            flash(f"Item {item.id} re-queued as item {new.id}.", "success")
    return redirect(url_for(".results"))


@bp.post("/staff/reports/items/<int:item_id>/retracted")
@staff
def retracted_item(item_id: int):
    """Staff corrected a revoked claim's credit with the destination by hand: the to-do is done."""
    item = ReportItem.get_or_none(ReportItem.id == item_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            ledger.retracted(item, actor=me())
        except ValueError as e:
            flash(f"Item {item.id}: {e}.", "error")
        else:
            flash(f"Item {item.id}: recorded as corrected by hand with {LAYOUTS[item.destination].name}.",
                  "success")
    return redirect(url_for(".staff_index"))


@bp.get("/staff/reports/deadlines")
@staff
def deadlines():
    ledger.sync_ledger()
    return render_template("reports/deadlines.html", rows=ledger.open_items(), today=ledger.today())
