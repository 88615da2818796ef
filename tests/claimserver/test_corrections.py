"""Correcting a claim's hours: reissued certificate with a new code, the old code superseded on the
verify page, the ledger's open item carrying the new hours, all audited; refused once reported or
after the claim window; concurrent corrections never leave two valid certificates."""
from __future__ import annotations

import datetime as dt
import io
import re
import threading

from pypdf import PdfReader

from claimserver.models import AuditLog, Certificate, Claim, ReportItem
from claimserver.reports import ledger
from tests import factories as F
from tests.claimserver.test_claims import SLUG, claim, error_text, ready


def hours_url(c: Claim) -> str:
    return f"/certificates/{c.id}/hours"


def pdf_text(client, c: Claim) -> str:
    pdf = client.get(f"/certificates/{c.id}.pdf").data
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_a_learner_corrects_the_hours_and_gets_a_reissued_certificate(ctx, client):
    who = ready()
    F.login(client, who)
    assert claim(client, hours="0.75").status_code == 302
    assert '<td data-label="Hours" class="num">0.75</td>' in client.get("/transcript").get_data(as_text=True)
    c = Claim.get()
    old = Certificate.get().code
    page = client.get(f"/certificates/{c.id}").get_data(as_text=True)
    assert "Change the hours you claimed" in page
    form = client.get(hours_url(c)).get_data(as_text=True)
    assert "You claimed <strong>0.75 AMA PRA Category 1 Credits™</strong>" in form
    assert ("Up to 1.5 AMA PRA Category 1 Credits™, in steps of 0.25: for example 0.75, 1.25 or 1.5."
            in form)
    resp = client.post(hours_url(c), data={"hours": "1.5"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/certificates/{c.id}")
    cert = Certificate.get(Certificate.superseded_by.is_null())
    assert cert.code != old and Claim.get().quarter_hours == 6
    page = client.get(f"/certificates/{c.id}").get_data(as_text=True)
    assert (f"Your claim now shows 1.5 AMA PRA Category 1 Credits™. Your certificate was reissued with the "
            f"code {cert.code}; the old code {old} now shows it was superseded.") in page
    rows = client.get("/transcript").get_data(as_text=True)  # the cached rows follow the correction
    assert cert.code in rows and old not in rows and '<td data-label="Hours" class="num">1.5</td>' in rows
    text = pdf_text(client, c)
    assert cert.code in text and old not in text and "1.5 AMA PRA Category 1 Credits™" in text
    # the old certificate keeps its row, its hours and its issue time, and points at the new one
    kept = Certificate.get(Certificate.code == old)
    assert (kept.quarter_hours, kept.superseded_by_id, kept.name) == (3, cert.id, cert.name)
    assert (cert.quarter_hours, cert.claim_id) == (6, c.id)
    entry = AuditLog.get(AuditLog.action == "claim.corrected")
    assert entry.target == f"claim:{c.id}" and entry.details == {
        "from_quarter_hours": 3, "to_quarter_hours": 6, "old_certificate": old, "certificate": cert.code}
    assert F.outbox("certificate-reissued") == []  # her own correction: the page told her, no email
    # The old code is verifiable and points at the new one; the new one is valid with the new hours.
    client.post("/logout")
    gone = client.get(f"/verify/{old}").get_data(as_text=True)
    assert (f'<span class="status warn">Superseded</span> This certificate was superseded by certificate\n'
            f'    <a href="/verify/{cert.code}">{cert.code}</a>, issued on March 13, 2027.') in gone
    assert "<td>0.75</td>" in gone and "Valid" not in gone
    now = client.get(f"/verify/{cert.code}").get_data(as_text=True)
    assert "Valid" in now and "<td>1.5</td>" in now


def test_corrected_hours_follow_the_claim_rule(ctx, client):
    F.login(client, ready())
    claim(client, hours="1")
    c = Claim.get()
    for hours, message in [("2", "You can claim at most 1.5 AMA PRA Category 1 Credits™ for this activity."),
                           ("1.1", "Claim in steps of 0.25 hours, such as 0.75, 1.25, 1.5."),
                           ("0", "Enter more than 0 hours."),
                           ("one", "Enter the hours as a number, such as 1 or 1.25.")]:
        resp = client.post(hours_url(c), data={"hours": hours})
        assert resp.status_code == 400 and error_text(resp) == message
    assert Claim.get().quarter_hours == 4 and Certificate.select().count() == 1
    # the same hours again (a resent form) change nothing
    resp = client.post(hours_url(c), data={"hours": "1"}, follow_redirects=True)
    assert "Your claim already shows 1 AMA PRA Category 1 Credit™." in resp.get_data(as_text=True)
    assert Certificate.select().count() == 1


def test_the_open_report_item_carries_the_corrected_hours(ctx, client):
    who = ready(profession="pharmacist", nabp_epid="1234567", birth_mmdd="0412")
    F.login(client, who)
    claim(client, credit="acpe", hours="1")
    c = Claim.get()
    item = ReportItem.get()
    assert client.post(hours_url(c), data={"hours": "1.25"}).status_code == 302
    assert ReportItem.select().count() == 1 and ReportItem.get().status == "due"
    result = ledger.export("cpe_monitor")
    assert result.exported == 1
    assert ReportItem.get_by_id(item.id).sent_row["Contact Hours"] == "1.25"
    # Sent: the credit is with CPE Monitor now, so the hours can no longer be changed here.
    page = client.get(f"/certificates/{c.id}").get_data(as_text=True)
    assert "Change the hours you claimed" not in page
    resp = client.post(hours_url(c), data={"hours": "1.5"}, follow_redirects=True)
    assert ("This credit has already been sent to CPE Monitor, so the hours you claimed can no longer be "
            "changed here. Please contact us if they are wrong.") in resp.get_data(as_text=True)
    assert Claim.get().quarter_hours == 5


def test_a_rejected_item_is_requeued_with_the_corrected_hours(ctx, client):
    F.login(client, ready(profession="pharmacist", nabp_epid="1234567", birth_mmdd="0412"))
    claim(client, credit="acpe", hours="1")
    c = Claim.get()
    ledger.export("cpe_monitor")
    ledger.mark(ReportItem.get(), "rejected", "hours do not match")
    assert client.post(hours_url(c), data={"hours": "1.5"}).status_code == 302
    old, new = ReportItem.select().order_by(ReportItem.id)
    assert (old.status, new.status, new.supersedes_id) == ("corrected", "due", old.id)


def test_no_correction_after_the_claim_window(ctx, client, clock):
    F.login(client, ready())
    claim(client, hours="1")
    c = Claim.get()
    clock.at = dt.datetime(2028, 3, 12, 12, tzinfo=dt.timezone.utc)
    resp = client.post(hours_url(c), data={"hours": "1.5"}, follow_redirects=True)
    assert ("The claim window for this activity closed on March 11, 2028. The hours you claimed can no "
            "longer be changed.") in resp.get_data(as_text=True)
    assert Claim.get().quarter_hours == 4


def test_another_learners_claim_cannot_be_corrected(ctx, client):
    F.login(client, ready())
    claim(client, hours="1")
    c = Claim.get()
    client.post("/logout")
    F.login(client, ready())
    assert client.post(hours_url(c), data={"hours": "1.5"}).status_code == 404
    assert Claim.get().quarter_hours == 4


def test_concurrent_corrections_leave_one_valid_certificate(app):
    from claimserver.db import database

    with app.app_context():
        database.connect(reuse_if_open=True)
        who = ready()
        c = app.test_client()
        F.login(c, who)
        claim(c, hours="0.5")
        cid = Claim.get().id
        database.close()
    barrier = threading.Barrier(6)
    results: list = []

    def worker(hours):
        cl = app.test_client()
        F.login(cl, who)
        barrier.wait()
        results.append((hours, cl.post(f"/certificates/{cid}/hours", data={"hours": hours}).status_code))

    threads = [threading.Thread(target=worker, args=(h,)) for h in ("0.75", "1", "1.25", "1.5", "0.75", "1")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(code == 302 for _, code in results)
    with app.app_context():
        database.connect(reuse_if_open=True)
        live = Certificate.get(Certificate.superseded_by.is_null())
        assert live.is_valid
        kept = list(Certificate.select().where(Certificate.superseded_by.is_null(False)).order_by(Certificate.id))
        corrections = AuditLog.select().where(AuditLog.action == "claim.corrected").count()
        assert len(kept) == corrections >= 1
        # every old certificate points at the one that replaced it; the chain ends at the live one
        chain = [k.superseded_by_id for k in kept]
        assert chain[-1] == live.id and [k.id for k in kept[1:]] == chain[:-1]
        assert live.quarter_hours == Claim.get().quarter_hours
        last = AuditLog.select().where(AuditLog.action == "claim.corrected").order_by(AuditLog.id.desc()).get()
        assert Claim.get().quarter_hours == last.details["to_quarter_hours"]
        database.close()
