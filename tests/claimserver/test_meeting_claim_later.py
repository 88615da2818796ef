"""A learner who claims mid-meeting adds the sessions attended afterwards: the claim is corrected
upward (a new certificate code, the old one superseded), still capped at the meeting maximum; a
pharmacist gets one more claim and CPE Monitor item per new session UAN; a P.A.C.E. learner's
California and Florida certificates list the hours by session, and the transcript shows the meeting
with its sessions; the 90-day follow-up of a performance-targeting meeting goes once, after the
meeting's end, to attendees who claimed. Certificates are read back with pypdf, on both databases."""
from __future__ import annotations

import datetime as dt
import io
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from claimserver.models import Activity, AuditLog, Certificate, Claim, ReportItem
from tests.claimserver.test_meetings import SLUG, code, evaluate
from tests.factories import buy, create_evaluation, create_learner, login

STATES = Path(__file__).parent.parent / "fixtures" / "meeting_states"
EDT = dt.timezone(dt.timedelta(hours=-4))
MORNING = dt.datetime(2027, 9, 14, 10, 5, tzinfo=EDT)
EVENING = dt.datetime(2027, 9, 14, 18, 0, tzinfo=EDT)
CLAIM = f"/activities/{SLUG}/claim"
ADD = f"/meetings/{SLUG}/add-sessions"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "CATALOG_PATH": str(STATES)}


def attend(client, clock, *sessions):
    for sid in sessions:
        clock.at = MORNING if sid in "AB" else EVENING
        code(client, sid)
        evaluate(client, sid)


def pdf_text(client, claim: Claim) -> str:
    data = client.get(f"/certificates/{claim.id}.pdf").data
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def start(client, clock, **profile) -> object:
    who = create_learner(**profile)
    login(client, who)
    clock.at = MORNING
    assert buy(client, SLUG).status_code == 302
    return who


def test_sessions_attended_after_claiming_correct_the_claim_upward(client, rows, clock):
    who = start(client, clock)
    attend(client, clock, "A")
    create_evaluation(who, SLUG)
    clock.at = MORNING
    assert client.post(CLAIM, data={"credit": "ama_pra_1", "hours": "1", "attest": "y"}).status_code == 302
    first = Claim.get(Claim.learner == who)
    old = Certificate.get(Certificate.claim == first).code
    assert "Sessions attended since you claimed" not in client.get(CLAIM).text
    attend(client, clock, "C", "D")  # 1.5 + 1 more; the meeting's maximum is 3
    page = client.get(CLAIM).text
    assert "Sessions attended since you claimed" in page
    assert ("AMA PRA Category 1 Credit™: sessions C, D\n  — your claim goes from 1 AMA PRA Category 1 Credit™ to "
            "<strong>3 AMA PRA Category 1 Credits™</strong> (the most your sessions earn).") in page
    r = client.post(ADD, data={})
    assert "Tick the attestation" in client.get(r.location).text
    r = client.post(ADD, data={"attest": "y"})
    assert r.status_code == 303
    page = client.get(r.location).text
    assert ("AMA PRA Category 1 Credit™: sessions C, D added; your claim now shows 3 AMA PRA Category 1 Credits™ "
            "and your certificate was reissued with a new code.") in page
    assert "Sessions attended since you claimed" not in page
    claim = Claim.get_by_id(first.id)
    assert Claim.select().where(Claim.learner == who).count() == 1
    assert claim.hours == Decimal(3)  # 3.5 attended, capped at the meeting's 3
    assert claim.designation["sessions"] == [["A", "Blood cultures", "1"], ["C", "Fungi", "1.5"],
                                             ["D", "Parasites", "1"]]
    cert = Certificate.get((Certificate.claim == claim) & Certificate.current())
    assert cert.code != old
    kept = Certificate.get(Certificate.code == old)  # the old certificate keeps its row and its hours
    assert (kept.quarter_hours, kept.superseded_by.code) == (4, cert.code)
    assert AuditLog.get(AuditLog.action == "certificate.reissued").details["reason"] == "sessions added"
    assert AuditLog.get(AuditLog.action == "claim.sessions_added").details["sessions"] == ["A", "C", "D"]
    text = pdf_text(client, claim)
    assert cert.code in text and old not in text
    assert "C Fungi 1.5 AMA PRA Category 1 Credits™" in text and "Total claimed: 3 AMA PRA Category 1 Credits™" in text
    assert "superseded" in client.get(f"/verify/{old}").text.lower()
    # at the cap, a further session adds nothing
    r = client.post(ADD, data={"attest": "y"})
    assert "there is nothing to add" in client.get(r.location).text


def test_a_pharmacist_gets_one_more_claim_and_cpe_monitor_item_per_new_session_uan(client, app, rows, clock):
    from claimserver.reports import ledger

    who = start(client, clock, profession="pharmacist", degree="PharmD", nabp_epid="123456", birth_mmdd="0704")
    attend(client, clock, "B")
    create_evaluation(who, SLUG)
    clock.at = MORNING
    assert client.post(CLAIM, data={"credit": "acpe", "hours": "1", "attest": "y"}).status_code == 302
    attend(client, clock, "E")  # 45 minutes: 0.75 more; the meeting's ACPE maximum is 1.75
    page = client.get(CLAIM).text
    assert ("ACPE contact hours: session E\n  — your claim goes from 1 contact hour to <strong>1.75 contact "
            "hours</strong>, one record per session UAN.") in page
    assert client.post(ADD, data={"attest": "y"}).status_code == 303
    claims = list(Claim.select().where(Claim.learner == who).order_by(Claim.id))
    assert [(c.session, c.designation["reference"], c.hours) for c in claims] == [
        ("B", "0001-0000-27-901-L01-P", Decimal(1)), ("E", "0001-0000-27-902-L01-P", Decimal("0.75"))]
    assert [ReportItem.select().where(ReportItem.claim == c).count() for c in claims] == [1, 1]
    with app.app_context():
        content = ledger.export("cpe_monitor").batches[0].content
    assert "0001-0000-27-901-L01-P" in content and "0001-0000-27-902-L01-P" in content
    assert client.post(ADD, data={"attest": "y"}).status_code == 303
    assert Claim.select().where(Claim.learner == who).count() == 2


def test_a_pace_learner_gets_california_and_florida_hours_by_session(client, rows, clock):
    who = start(client, clock, profession="laboratory-professional", degree="MLS",
                california_licence="CLS 12345", florida_licence="CH 67890")
    attend(client, clock, "A", "C")  # 60 min -> 1 hour, 90 min -> 1.75 (50-minute hours)
    create_evaluation(who, SLUG)
    page = client.get(CLAIM).text
    for label in ("P.A.C.E.® contact hours (up to 2.75 P.A.C.E.® contact hours)",
                  "California CLS continuing education (up to 2.75 contact hours)",
                  "Florida clinical laboratory continuing education (up to 2.75 contact hours)"):
        assert label in page, label
    for key in ("pace", "california_cls", "florida"):
        r = client.post(CLAIM, data={"credit": key, "hours": "2.75", "attest": "y"})
        assert r.status_code == 302, (key, r.text[-2000:])
    claims = {c.credit_type: c for c in Claim.select().where(Claim.learner == who)}
    for key in ("california_cls", "florida"):
        text = pdf_text(client, claims[key])
        assert "A Blood cultures 1" in text and "C Fungi 1.75" in text, (key, text)
    assert "California CLS licence: CLS 12345" in pdf_text(client, claims["california_cls"])
    fl = pdf_text(client, claims["florida"])
    assert "Florida licence number: CH 67890" in fl and "Hours per subject area: General" in fl
    # D attended later: each state claim goes up by D's hour, by session
    attend(client, clock, "D")
    assert client.post(ADD, data={"attest": "y"}).status_code == 303
    for key in ("pace", "california_cls", "florida"):
        c = Claim.get_by_id(claims[key].id)
        assert c.hours == Decimal("3.75") and [s[0] for s in c.designation["sessions"]] == ["A", "C", "D"]
    assert "D Parasites 1" in pdf_text(client, Claim.get_by_id(claims["florida"].id))
    # the transcript shows the meeting once per credit type, each with its sessions and hours
    page = client.get("/transcript").text
    assert page.count("Test Annual Meeting 2027") >= 3
    assert 'class="ce-transcript-sessions"' in page
    assert "A Blood cultures · 1" in page and "C Fungi · 1.75" in page and "D Parasites · 1" in page


def test_two_requests_add_the_sessions_once(app, rows, clock):
    c = app.test_client()
    who = start(c, clock)
    attend(c, clock, "A")
    create_evaluation(who, SLUG)
    clock.at = MORNING
    assert c.post(CLAIM, data={"credit": "ama_pra_1", "hours": "1", "attest": "y"}).status_code == 302
    attend(c, clock, "C")
    barrier = threading.Barrier(3)
    codes: list[int] = []

    def go():
        cl = app.test_client()
        login(cl, who)
        barrier.wait()
        codes.append(cl.post(ADD, data={"attest": "y"}).status_code)

    threads = [threading.Thread(target=go) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [303] * 3
    assert Claim.get(Claim.learner == who).hours == Decimal("2.5")
    assert Certificate.select().where(Certificate.superseded_by.is_null(False)).count() == 1
    assert Certificate.select().where(Certificate.current()).count() == 1


def test_the_90_day_follow_up_goes_once_after_the_meeting_to_attendees_who_claimed(rows, runner, clock, app):
    """A meeting that targets performance: `flask outcomes send-due` queues the questionnaire 90 days
    after the meeting's last day (not after each evaluation), once, to those who claimed credit; an
    attendee who evaluated the meeting but never claimed gets none."""
    from claimserver.models import FollowUp, Outbox, Participation, SessionAttendance
    from tests.factories import create_order

    row = Activity.get(Activity.slug == SLUG)
    claimed, late, unclaimed = (create_learner() for _ in range(3))
    for who in (claimed, late, unclaimed):
        create_order(who, SLUG)
        SessionAttendance.create(learner=who, activity=row, session="A", method="code")
        Participation.create(learner=who, activity=row, method="code", completed=True,
                             participated_on=dt.date(2027, 9, 14))
    clock.at = EVENING
    create_evaluation(claimed, SLUG, commitment="Call positive blood cultures within the hour.")
    create_evaluation(unclaimed, SLUG)
    Claim.create(learner=claimed, activity=row, version=row.current, credit_type="ama_pra_1", quarter_hours=4,
                 designation={"credit": "ama_pra_1", "hours": "1"}, participated_on=dt.date(2027, 9, 14))

    def send():
        out = runner.invoke(args=["outcomes", "send-due"])
        assert out.exit_code == 0, out.output
        return out.output

    assert "scheduled 1 new follow-up(s)" in send()
    assert FollowUp.get().due_on == dt.date(2027, 12, 13)  # September 14 + 90 days
    # a month later the late attendee evaluates and claims: due on the same day, not 90 days on
    clock.at = EVENING + dt.timedelta(days=30)
    create_evaluation(late, SLUG)
    Claim.create(learner=late, activity=row, version=row.current, credit_type="ama_pra_1", quarter_hours=4,
                 designation={"credit": "ama_pra_1", "hours": "1"}, participated_on=dt.date(2027, 9, 14))
    assert "scheduled 1 new follow-up(s)" in send()
    assert sorted(f.due_on for f in FollowUp.select()) == [dt.date(2027, 12, 13)] * 2
    clock.at = dt.datetime(2027, 12, 12, 12, 0, tzinfo=EDT)
    assert "queued 0 questionnaire(s)" in send()
    clock.at = dt.datetime(2027, 12, 13, 12, 0, tzinfo=EDT)
    assert "queued 2 questionnaire(s)" in send()
    assert "queued 0 questionnaire(s)" in send()  # once
    sent = list(Outbox.select().where(Outbox.kind == "follow-up"))
    assert sorted(m.to for m in sent) == sorted([claimed.email, late.email]) and all(m.sent_at for m in sent)
    mail = next(m for m in sent if m.to == claimed.email)
    assert "Test Annual Meeting 2027" in mail.subject and "Call positive blood cultures within the hour." in mail.body
    assert FollowUp.select().where(FollowUp.learner == unclaimed).count() == 0


def test_a_claim_already_reported_cannot_grow_and_says_why(client, app, rows, clock):
    from claimserver.reports import ledger

    who = start(client, clock, profession="laboratory-professional", degree="MLS", florida_licence="CH 67890")
    attend(client, clock, "A")
    create_evaluation(who, SLUG)
    assert client.post(CLAIM, data={"credit": "florida", "hours": "1", "attest": "y"}).status_code == 302
    with app.app_context():
        assert ledger.export("ce_broker").exported == 1
    attend(client, clock, "C")
    page = client.get(CLAIM).text
    assert "Florida clinical laboratory continuing education: session C" in page
    assert ("This credit has already been sent to CE Broker, so the hours you claimed can no longer be "
            "changed here.") in page
    assert 'action="/meetings/test-meeting-2027/add-sessions"' not in page
    r = client.post(ADD, data={"attest": "y"})
    assert "there is nothing to add" in client.get(r.location).text
    assert Claim.get(Claim.learner == who).hours == Decimal(1)
