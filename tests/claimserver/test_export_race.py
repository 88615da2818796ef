"""A ledger export and an hours correction at the same moment, in two threads on the real databases:
the exported row always carries the hours the claim has when it is written, and a correction that
comes while the export writes is refused (the credit is sent) rather than changing hours the
destination already has. `ledger.export` reads its items again inside the batch's transaction,
under the claim lock the correction also takes (`records.operations.reissue`)."""
from __future__ import annotations

import threading
import time

import pytest

from claimserver.db import database
from claimserver.models import Certificate, Claim, ReportItem
from claimserver.reports import layouts as L
from claimserver.reports import ledger
from tests import factories as F
from tests.claimserver.test_claims import claim

WAIT = 30  # seconds: a thread still running after this is stuck (a deadlock), and the test says so


@pytest.fixture
def pharmacist_claim(app):
    """A pharmacist's ACPE claim of 1 hour with its due CPE Monitor item; (learner, claim id)."""
    from tests.claimserver.test_claims import ready

    with app.app_context():
        database.connect(reuse_if_open=True)
        who = ready(profession="pharmacist", nabp_epid="1234567", birth_mmdd="0412")
        client = app.test_client()
        F.login(client, who)
        assert claim(client, credit="acpe", hours="1").status_code == 302
        cid = Claim.get().id
        assert ReportItem.get().status == "due"
        database.close()
    return who, cid


def _correct(app, who, cid, hours, out: dict):
    client = app.test_client()
    F.login(client, who)
    resp = client.post(f"/certificates/{cid}/hours", data={"hours": hours}, follow_redirects=True)
    out["page"] = " ".join(resp.get_data(as_text=True).split())


def _export(app, out: dict, **kw):
    with app.app_context():
        database.connect(reuse_if_open=True)
        try:
            out["result"] = ledger.export("cpe_monitor", **kw)
        finally:
            database.close()


def _finish(*threads):
    for t in threads:
        t.join(WAIT)
        assert not t.is_alive(), f"{t.name} still running after {WAIT}s"


def _sent(app) -> tuple[str, int, str]:
    """(hours in the exported row, the claim's quarter hours, the current certificate's code)."""
    with app.app_context():
        database.connect(reuse_if_open=True)
        item = ReportItem.get(ReportItem.status == "exported")
        c = Claim.get()
        code = Certificate.get(Certificate.claim == c, Certificate.current()).code
        database.close()
    return item.sent_row["Contact Hours"], c.quarter_hours, code


def test_a_correction_between_loading_and_writing_is_exported_corrected(app, pharmacist_claim):
    """The export has read its candidates; before it writes, the learner corrects 1 -> 1.25 in
    another thread. The row written carries 1.25."""
    who, cid = pharmacist_claim
    done: dict = {}

    def progress(i, n):  # the export's first pass, done reading: the correction happens now
        if i == n:
            t = threading.Thread(target=_correct, args=(app, who, cid, "1.25", done), name="correction")
            t.start()
            _finish(t)

    out: dict = {}
    _export(app, out, progress=progress)
    assert "Your claim now shows 1.25 contact hours." in done["page"]
    assert out["result"].exported == 1
    hours, quarters, _ = _sent(app)
    assert (hours, quarters) == ("1.25", 5)


def test_an_export_waits_for_a_correction_in_progress(app, pharmacist_claim, monkeypatch):
    """The correction is inside its transaction (claim locked, hours changed, not committed) when
    the export starts writing: the export waits, then writes the corrected hours."""
    from claimserver.records import operations as ops

    who, cid = pharmacist_claim
    inside, go = threading.Event(), threading.Event()
    real_audit = ops.audit

    def slow_audit(actor, action, *a, **kw):
        real_audit(actor, action, *a, **kw)
        if action == "certificate.reissued" and threading.current_thread().name == "correction":
            inside.set()
            go.wait(WAIT)

    monkeypatch.setattr(ops, "audit", slow_audit)
    done, out = {}, {}
    correction = threading.Thread(target=_correct, args=(app, who, cid, "1.25", done), name="correction")
    correction.start()
    assert inside.wait(WAIT)
    export = threading.Thread(target=_export, args=(app, out), name="export")
    export.start()
    time.sleep(0.5)
    assert export.is_alive(), "the export wrote while the correction held the claim"
    go.set()
    _finish(correction, export)
    assert "Your claim now shows 1.25 contact hours." in done["page"]
    hours, quarters, _ = _sent(app)
    assert (hours, quarters) == ("1.25", 5)


def test_a_correction_during_an_export_is_refused_and_the_sent_hours_stand(app, pharmacist_claim, monkeypatch):
    """The export is writing its batch (claim locked) when the learner asks for 1.5: the correction
    waits, then finds the credit sent and is refused; the claim, its certificate and the exported row
    all still say 1."""
    who, cid = pharmacist_claim
    inside, go = threading.Event(), threading.Event()
    real_build = L.build_row

    def slow_build(layout, source):
        row = real_build(layout, source)
        if threading.current_thread().name == "export":
            inside.set()
            go.wait(WAIT)
        return row

    monkeypatch.setattr(L, "build_row", slow_build)
    with app.app_context():
        database.connect(reuse_if_open=True)
        before = Certificate.get().code
        database.close()
    done, out = {}, {}
    export = threading.Thread(target=_export, args=(app, out), name="export")
    export.start()
    assert inside.wait(WAIT)
    correction = threading.Thread(target=_correct, args=(app, who, cid, "1.5", done), name="correction")
    correction.start()
    time.sleep(0.5)
    assert correction.is_alive(), "the correction changed the claim while the export was writing it"
    go.set()
    _finish(export, correction)
    assert out["result"].exported == 1
    assert ("This credit has already been sent to CPE Monitor, so the hours you claimed can no longer be "
            "changed here.") in done["page"]
    hours, quarters, code = _sent(app)
    assert (hours, quarters, code) == ("1", 4, before)
