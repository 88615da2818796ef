"""One way to reissue a certificate (`records.operations.reissue`), used by a learner's hours
correction and by staff correcting the printed name: each superseded certificate keeps its row and
the hours and name it stated, and every page that reads certificates shows the current one where it
should (transcript and its CSV, certificate page and PDF, verify, staff learner page, refunds,
the ledger's export and at-risk advice). A correction and a staff reissue at the same moment leave
one current certificate."""
from __future__ import annotations

import io
import threading
from decimal import Decimal

import pytest
from pypdf import PdfReader

from claimserver.db import database
from claimserver.models import AuditLog, Certificate, Claim, Learner, Order, ReportItem
from claimserver.records import operations as ops
from claimserver.refusals import Refused
from claimserver.reports import alerts, ledger
from tests import factories as F
from tests.claimserver.test_claims import claim, ready
from tests.claimserver.test_staff_learners import sign_in


def text(resp) -> str:
    return " ".join(resp.get_data(as_text=True).split())


def pdf_text(resp) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(resp.data)).pages).split())


@pytest.fixture
def people(app, rows):
    """A pharmacist who claimed 1 ACPE hour (their own client) and a staff member (theirs)."""
    zoe = ready(profession="pharmacist", nabp_epid="1234567", birth_mmdd="0412", certificate_name="Zoe Nunes")
    learner = app.test_client()
    F.login(learner, zoe)
    assert claim(learner, credit="acpe", hours="1").status_code == 302
    sam = F.create_learner(email="staff@example.org", certificate_name="Sam Staff", roles="staff")
    staff = app.test_client()
    sign_in(staff, sam)
    return zoe, learner, staff


def test_a_correction_then_a_name_reissue_every_reader_sees_the_current_certificate(app, people):
    zoe, learner, staff = people
    c = Claim.get()
    first = Certificate.get().code
    done = learner.post(f"/certificates/{c.id}/hours", data={"hours": "1.25"}, follow_redirects=True)
    assert "Your claim now shows 1.25 contact hours." in text(done)
    second = Certificate.get(Certificate.current()).code
    cert = Certificate.get(Certificate.current())
    res = staff.post(f"/staff/learners/{zoe.id}/certificates/{cert.id}/reissue",
                     data={"name": "Zoë Núñez", "reason": "accents were missing"})
    assert res.status_code == 302
    now = Certificate.get(Certificate.current())
    assert [(x.code, x.name, x.quarter_hours, x.superseded_by_id)
            for x in Certificate.select().order_by(Certificate.id)] == [
        (first, "Zoe Nunes", 4, Certificate.get(Certificate.code == second).id),
        (second, "Zoe Nunes", 5, now.id), (now.code, "Zoë Núñez", 5, None)]
    # both reissues went through the one operation and are audited alike
    trail = [(a.action, a.details.get("old_code"), a.details.get("code"), a.details.get("reason"))
             for a in AuditLog.select().where(AuditLog.action == "certificate.reissued").order_by(AuditLog.id)]
    assert trail == [("certificate.reissued", first, second, "hours corrected"),
                     ("certificate.reissued", second, now.code, "accents were missing")]

    # the learner: transcript (page and CSV), certificate page and PDF name the current code only
    page = text(learner.get("/transcript"))
    assert now.code in page and first not in page and second not in page
    assert '<td data-label="Hours" class="num">1.25</td>' in page
    csv = learner.get("/transcript.csv").get_data(as_text=True).splitlines()
    assert len(csv) == 2 and now.code in csv[1] and ",1.25," in csv[1]
    assert now.code in text(learner.get(f"/certificates/{c.id}"))
    printed = pdf_text(learner.get(f"/certificates/{c.id}.pdf"))
    assert now.code in printed and "Zoë Núñez" in printed and first not in printed and second not in printed
    # verify: each old code says by which certificate it was superseded, with what it stated
    old = text(learner.get(f"/verify/{first}"))
    assert (f'This certificate was superseded by certificate <a href="/verify/{second}">{second}</a>'
            in old and "<td>1</td>" in old and "Zoe Nunes" in old)
    # ... and, the one it names being superseded too, which certificate is current (issue 14 QA)
    assert (f'That one was reissued in turn: the current certificate is <a href="/verify/{now.code}">{now.code}</a>'
            in old)
    mid = text(learner.get(f"/verify/{second}"))
    assert f'superseded by certificate <a href="/verify/{now.code}">{now.code}</a>' in mid and "<td>1.25</td>" in mid
    assert "reissued in turn" not in mid
    assert '<span class="status done">Valid</span>' in text(learner.get(f"/verify/{now.code}"))
    # staff: the learner page lists all three, current first, and offers to reissue only the current one
    record = text(staff.get(f"/staff/learners/{zoe.id}"))
    assert record.index(now.code) < record.index(second) < record.index(first)
    assert record.count('<span class="status done">current</span>') == 1
    assert f"superseded by {now.code}" in record and f"superseded by {second}" in record
    assert f'id="reissue-{now.id}"' in record and f'id="reissue-{cert.id}"' not in record
    with app.app_context():
        from claimserver.payments.operations import certificates_of

        assert [x.code for x in certificates_of(Order.get())] == [now.code]  # a refund revokes this one
        # the ledger exports the claim once, with the corrected hours and the corrected name's learner
        assert ledger.export("cpe_monitor").exported == 1
        item = ReportItem.get(ReportItem.status == "exported")
        assert item.sent_row["Contact Hours"] == "1.25"
        ledger.mark(item, "rejected", "birth date does not match")
        risk = alerts.at_risk(Learner.get_by_id(zoe.id))
        assert [r.item.id for r in risk] == [item.id] and "CPE Monitor rejected" in risk[0].advice()
        # revoking the current certificate withdraws the claim's credit; the old ones stay superseded
        assert ops.revoke(Certificate.get_by_id(now.id), None, "issued in error")
        assert alerts.at_risk(Learner.get_by_id(zoe.id)) == []
    page = text(learner.get("/transcript"))
    assert now.code in page and "revoked" in page and first not in page
    assert "Superseded" in text(learner.get(f"/verify/{first}"))


def test_reissue_changes_only_what_it_names_and_says_why(app, people):
    zoe, _, _ = people
    cert = Certificate.get()
    with app.app_context():
        with pytest.raises(TypeError):
            ops.reissue(cert, "typo", None, credit_type="acpe")
        with pytest.raises(Refused) as e:
            ops.reissue(cert, "  ", None, quarter_hours=5)
        assert (e.value.message, e.value.field) == ("Say why the certificate is reissued.", "reason")
        # staff reprint with today's details: same name and hours, a new code
        new = ops.reissue(cert, "reprinted", None)
    assert (new.name, new.quarter_hours, Claim.get().quarter_hours) == ("Zoe Nunes", 4, 4)
    assert Certificate.get_by_id(cert.id).superseded_by_id == new.id


def test_a_correction_and_a_staff_reissue_at_once_leave_one_current_certificate(app, people):
    """The learner corrects the hours while staff reissue the name, both from the same certificate:
    whichever comes second is refused, and one current certificate remains."""
    zoe, learner, staff = people
    c = Claim.get()
    cert = Certificate.get()
    database.close()
    barrier = threading.Barrier(2)
    out: dict = {}

    def correct():
        barrier.wait()
        out["learner"] = text(learner.post(f"/certificates/{c.id}/hours", data={"hours": "1.5"},
                                           follow_redirects=True))

    def reissue():
        barrier.wait()
        out["staff"] = text(staff.post(f"/staff/learners/{zoe.id}/certificates/{cert.id}/reissue",
                                       data={"name": "Zoë Núñez", "reason": "accents"}, follow_redirects=True))

    threads = [threading.Thread(target=correct), threading.Thread(target=reissue)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    database.connect(reuse_if_open=True)
    current = list(Certificate.select().where(Certificate.claim == c, Certificate.current()))
    assert len(current) == 1 and current[0].is_valid
    # the loser read the certificate before the winner wrote (refused in the transaction), or after
    # (it is superseded by then)
    refused = ("was changed a moment ago, in another window or by someone else", "was already superseded by")
    won = ("Your claim now shows 1.5 contact hours." in out["learner"],
           "now says it was superseded." in out["staff"])
    assert sum(won) == 1 or (all(won) and Certificate.select().count() == 3)  # or one after the other
    if not all(won):
        loser = out["learner"] if won[1] else out["staff"]
        assert any(r in loser for r in refused), loser
    last = Certificate.get(Certificate.current())
    assert last.quarter_hours == Claim.get().quarter_hours
    assert Decimal(Claim.get().quarter_hours) / 4 == (Decimal("1.5") if won[0] else Decimal(1))
