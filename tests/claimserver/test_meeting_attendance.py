"""Attendance at a meeting beyond the session code: the learner's own attested selection (AMA only,
overlaps refused naming both sessions, the form kept with the sessions marked), and two overlapping
sessions recorded at the same instant by two requests never both counting, on both databases."""
from __future__ import annotations

import threading

from claimserver.meetings.operations import session_code
from claimserver.models import Claim, Participation, SessionAttendance
from tests.claimserver.test_meetings import (  # noqa: F401  (fixtures: the meeting catalogue, a buyer)
    AFTER, DURING, SLUG, app_config, attended, code, evaluate, learner, meeting,
)
from tests.factories import buy, create_evaluation, create_learner, create_order, login

ATTEND = f"/meetings/{SLUG}/attend"


def select(client, *sessions, attest=True):
    data = {"session": list(sessions)}
    if attest:
        data["attest"] = "y"
    return client.post(ATTEND, data=data)


def plain(html: str) -> str:
    return html.replace("&#34;", '"').replace("&#39;", "'")


def test_a_physician_selects_the_sessions_they_attended(client, learner, clock):
    clock.at = AFTER
    page = client.get(ATTEND).text
    assert "Tick each session you attended, once it is over." in page
    for sid in "ABCD":
        assert f'name="session" value="{sid}"' in page
    r = select(client, "A", "C", "D")
    assert r.status_code == 303
    assert "Your attendance at sessions A, C, D is recorded. Next: evaluate each session." in client.get(r.location).text
    assert attended(learner) == ["A", "C", "D"]
    assert {a.method for a in SessionAttendance.select()} == {"attested"}
    p = Participation.get(Participation.learner == learner)
    assert p.completed and p.method == "attested"
    # recorded sessions show as ticked and can no longer be sent
    page = client.get(ATTEND).text
    assert 'name="session" value="A"' not in page and 'name="session" value="B"' in page


def test_overlapping_sessions_are_refused_naming_both_and_the_form_comes_back(client, learner, clock):
    clock.at = AFTER
    r = select(client, "B", "A", "C")
    assert r.status_code == 400
    text = plain(r.text)
    assert ("Sessions A, “Blood cultures” (Tuesday, September 14, 2027, 9:00 AM–10:00 AM), and B, "
            "“Stewardship” (Tuesday, September 14, 2027, 9:30 AM–10:30 AM), overlap: you can be at only "
            "one of them. Untick one and send the selection again.") in text
    # both sessions marked, the selection kept, nothing recorded
    for sid in "AB":
        assert f'class="field ce-attend-session has-error" id="s-{sid}"' in text
    assert 'class="field ce-attend-session" id="s-C"' in text
    assert 'value="C" checked' in text and 'value="D">' in text
    assert attended(learner) == []


def test_a_selection_overlapping_a_recorded_session_is_refused(client, learner, clock):
    code(client, "A")  # by the session's code, during it
    clock.at = AFTER
    r = select(client, "B", "C")
    assert r.status_code == 400
    assert ("Your attendance at session A, “Blood cultures” (Tuesday, September 14, 2027, 9:00 AM–10:00 AM), "
            "is already recorded and overlaps session B, “Stewardship” (Tuesday, September 14, 2027, "
            "9:30 AM–10:30 AM): you can be at only one of them.") in plain(r.text)
    assert attended(learner) == ["A"]


def test_bad_selections_say_what_to_fix(client, learner, clock):
    clock.at = AFTER
    r = select(client, "A", attest=False)
    assert r.status_code == 400 and "Tick the attestation to confirm you attended the sessions you selected." in r.text
    assert 'class="field has-error" id="attest-field"' in r.text
    r = select(client)
    assert r.status_code == 400 and "Select the sessions you attended." in r.text
    clock.at = DURING  # 9:45: A is still running
    r = select(client, "A")
    assert r.status_code == 400
    assert "Session A has not ended yet (Tuesday, September 14, 2027, 9:00 AM–10:00 AM): select it once it is over." in r.text
    assert attended(learner) == []


def test_attested_sessions_count_for_ama_only(client, rows, clock):
    """A P.A.C.E. learner may not select sessions; a physician's attested sessions give AMA credit but
    no ACPE or P.A.C.E. credit (those need a code or a scan)."""
    lab = create_learner(profession="laboratory-professional", degree="MLS")
    login(client, lab)
    clock.at = DURING
    buy(client, SLUG)
    clock.at = AFTER
    assert "the credit you can claim needs that proof of attendance" in client.get(ATTEND).text
    r = select(client, "A")
    assert r.status_code == 400 and "the credit you can claim needs that proof of attendance" in r.text
    assert attended(lab) == []
    # a physician: attested A, C; the claim counts them for AMA
    doc = client.application.test_client()
    md = create_learner()
    login(doc, md)
    clock.at = DURING
    buy(doc, SLUG)
    clock.at = AFTER
    assert select(doc, "A", "C").status_code == 303
    for sid in "AC":
        evaluate(doc, sid)
    create_evaluation(md, SLUG)
    page = doc.get(f"/activities/{SLUG}/claim").text
    assert "AMA PRA Category 1 Credit™ (up to 2.5 AMA PRA Category 1 Credits™)" in page


def test_a_pace_claim_ignores_attested_sessions(rows, clock):
    """The rule itself: the same attended sessions count for AMA but not for P.A.C.E. when attested."""
    from claimserver.meetings.operations import credited_sessions
    from claimserver.models import SessionEvaluation

    who = create_learner(profession="laboratory-professional")
    row = meeting()
    model = row.current.model()
    SessionAttendance.create(learner=who, activity=row, session="A", method="attested")
    SessionAttendance.create(learner=who, activity=row, session="C", method="code")
    for sid in "AC":
        SessionEvaluation.create(learner=who, activity=row, session=sid, objectives_met="yes", bias_free=True,
                                 quality=4)
    assert [s.id for s in credited_sessions(who, row, model, "ama_pra_1")] == ["A", "C"]
    assert [s.id for s in credited_sessions(who, row, model, "pace")] == ["C"]
    assert [s.id for s in credited_sessions(who, row, model, "california_cls")] == ["C"]


def _race(app, learner, posts):
    """Send each (path, data) from its own client and thread at the same instant."""
    barrier = threading.Barrier(len(posts))
    codes: list[int] = []

    def go(path, data):
        c = app.test_client()
        login(c, learner)
        barrier.wait()
        codes.append(c.post(path, data=data).status_code)

    threads = [threading.Thread(target=go, args=p) for p in posts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return codes


def test_two_overlapping_sessions_recorded_at_once_never_both_count(app, rows, clock):
    """Two requests (two threads, two connections) record A and B, which overlap, at the same moment:
    one wins, the other is refused, every round; codes against a code, and a code against a selection."""
    clock.at = AFTER
    row = meeting()
    for n in range(6):
        who = create_learner()
        create_order(who, SLUG)
        a = {"session": "A", "code": session_code(row, "A")}
        b = {"session": "B", "code": session_code(row, "B")}
        if n % 2:
            posts = [(f"/meetings/{SLUG}/code", a), (ATTEND, {"session": ["B"], "attest": "y"})]
        else:
            posts = [(f"/meetings/{SLUG}/code", a), (f"/meetings/{SLUG}/code", b)]
        codes = _race(app, who, posts)
        got = attended(who)
        assert len(got) == 1 and got[0] in "AB", (n, got, codes)
    assert SessionAttendance.select().count() == 6
    assert Claim.select().count() == 0
