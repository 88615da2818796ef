"""Reporting as staff and learners see it: exact export files, results, deadlines, staff-only pages."""
from __future__ import annotations

import datetime as dt
import io

import pytest

from claimserver.models import AuditLog, Claim, ExportBatch, ReportItem
from claimserver.reports import ledger
from tests.factories import create_claim, create_learner, session_id

CPE_HEADER = ("Provider ID,Action Code,NABP e-Profile ID,Birth Date (MMDD),UAN,Date of Participation,"
              "Contact Hours\r\n")
PARS_HEADER = ("Provider Activity ID,First Name,Last Name,Birth Date (MMDD),Board ID,State License Number,"
               "State License State,Credits Claimed,Completion Date\r\n")
#: CE Broker's roster has no header row; a response file names the columns with these headers.
CEB_HEADERS = ("Provider Tracking Number,Course Tracking Number,Provider Course ID,Publishing Number,"
               "License Number,Completion Date,State,Profession,Subject Area Code,Partial Hours")


def sign_in(client, learner):
    """Log in through the session (the login page is the accounts feature's business)."""
    with client.session_transaction() as s:
        s["_user_id"] = session_id(learner)
        s["_fresh"] = True


def pharmacist(**kw):
    fields = dict(first_name="Rita", last_name="Moreno", profession="pharmacist", degree="PharmD",
                  nabp_epid="1234567", birth_mmdd="0315")
    fields.update(kw)
    return create_learner(**fields)


def technician_claim(learner, on=dt.date(2027, 3, 12)):
    claim = create_claim(learner, "stewardship-webinar", "acpe", participated_on=on)
    claim.designation = dict(claim.designation, reference="0001-0000-27-001-L01-T", audience="T")
    claim.save()
    return claim


@pytest.fixture
def ledger_data(ctx):
    """Realistic learners: two pharmacists (one without an ePID), a technician, a Florida CLS whose
    licence is typed with a space, physicians with a comma and accents in their names (one with a
    board ID, one with only a state licence) and one who did not consent to PARS reporting."""
    ctx.config["CE_BROKER_PROFESSION_CODE"] = "CLT"
    rita = pharmacist()
    omar = pharmacist(first_name="Omar", last_name="Haddad", email="omar@example.org", nabp_epid="",
                      birth_mmdd="1102")
    tess = pharmacist(first_name="Tess", last_name="O'Neil", profession="pharmacy-technician",
                      nabp_epid="7654321", birth_mmdd="0229")
    lena = create_learner(first_name="Lena", last_name="García", profession="laboratory-professional",
                          florida_licence="CL 0012345")
    doc = create_learner(first_name="Sam", last_name="Okoro, Jr.", birth_mmdd="1231", board_id="ABIM-778899",
                         pars_consent=True)
    create_claim(rita, "stewardship-webinar", "acpe")
    create_claim(rita, "journal-candida-auris", "acpe", participated_on=dt.date(2027, 2, 28))
    create_claim(omar, "stewardship-webinar", "acpe")
    technician_claim(tess)
    create_claim(lena, "free-teleconference-tb", "florida", participated_on=dt.date(2027, 3, 1))
    create_claim(lena, "stewardship-webinar", "florida", hours="1.25")
    create_claim(doc, "stewardship-webinar", "ama_pra_1", hours="1.25")
    zoe = create_learner(first_name="Zoë", last_name="Núñez-Ávila", birth_mmdd="0704", state_licence_state="NY",
                         state_licence_number="md 12 3456", pars_consent=True)
    ivan = create_learner(first_name="Ivan", last_name="Petrov", birth_mmdd="0101", board_id="ABP-1")
    create_claim(zoe, "journal-candida-auris", "ama_pra_1", participated_on=dt.date(2027, 3, 10))
    create_claim(ivan, "stewardship-webinar", "ama_pra_1")  # no consent: never a PARS item
    ledger.sync_ledger()
    return dict(rita=rita, omar=omar, tess=tess, lena=lena, doc=doc, zoe=zoe, ivan=ivan)


def test_cpe_monitor_export_keeps_pharmacists_and_technicians_apart(ledger_data):
    result = ledger.export("cpe_monitor")
    p, t = result.batches
    assert (p.filename, t.filename) == ("cpe_monitor-P-20270313-0001.csv", "cpe_monitor-T-20270313-0002.csv")
    assert p.content == (CPE_HEADER
                         + "0001,A,1234567,0315,0001-0000-27-001-L01-P,03/12/2027,1.5\r\n"
                         + "0001,A,1234567,0315,0001-0000-27-002-H01-P,02/28/2027,1\r\n")
    assert t.content == CPE_HEADER + "0001,A,7654321,0229,0001-0000-27-001-L01-T,03/12/2027,1.5\r\n"
    assert result.summary() == ("exported 2 items to cpe_monitor-P-20270313-0001.csv, 1 item to "
                                "cpe_monitor-T-20270313-0002.csv; 1 skipped (1 missing NABP e-Profile ID)")
    assert [b.item.claim.learner.email for b in result.blocked] == ["omar@example.org"]


def test_a_batch_larger_than_one_lock_chunk_exports_every_item_once(ledger_data, monkeypatch):
    """A meeting's export holds tens of thousands of items: the claims and learners are locked a
    chunk of ids at a time (SQLite builds may bind as few as 999 parameters), and none is lost."""
    monkeypatch.setattr(ledger, "LOCK_CHUNK", 1)
    p, t = ledger.export("cpe_monitor").batches
    assert p.content == (CPE_HEADER
                         + "0001,A,1234567,0315,0001-0000-27-001-L01-P,03/12/2027,1.5\r\n"
                         + "0001,A,1234567,0315,0001-0000-27-002-H01-P,02/28/2027,1\r\n")
    assert (p.item_count, t.item_count) == (2, 1)


def test_ce_broker_roster_is_the_documented_columns_without_prefixes_or_header(ledger_data):
    """CE Broker's Excel roster: provider number without 50-, course number without 20-, licence,
    completion date, State=FL, Profession=code; subject and hours only for partial credit."""
    [batch] = ledger.export("ce_broker").batches
    assert batch.content.encode() == (
        b"1234,765432,,,CL0012345,3/1/2027,State=FL,Profession=CLT,,\r\n"          # full credit (1 of 1 h)
        b"1234,123456,,,CL0012345,3/12/2027,State=FL,Profession=CLT,general,1.25\r\n")  # 1.25 of 1.5 h


def test_ce_broker_exports_nothing_until_the_profession_code_is_set(ledger_data, ctx):
    ctx.config["CE_BROKER_PROFESSION_CODE"] = " "
    result = ledger.export("ce_broker")
    assert result.batches == []
    assert result.summary() == ("nothing to export to CE Broker; 2 skipped "
                                "(2 setting CE_BROKER_PROFESSION_CODE is not set)")


def test_pars_export_has_board_id_and_state_licence_in_their_own_columns(ledger_data):
    [batch] = ledger.export("pars").batches
    assert batch.content.encode("utf-8") == (
        PARS_HEADER
        + 'stewardship-webinar,Sam,"Okoro, Jr.",1231,ABIM-778899,,,1.25,03/12/2027\r\n'
        + "journal-candida-auris,Zoë,Núñez-Ávila,0704,,MD123456,NY,1,03/10/2027\r\n").encode("utf-8")
    assert not ReportItem.select().join(Claim).where(Claim.learner == ledger_data["ivan"]).exists()


def test_exporting_twice_reports_nothing_twice_unless_all(ledger_data):
    first = ledger.export("cpe_monitor")
    assert first.exported == 3
    again = ledger.export("cpe_monitor")
    assert again.batches == [] and again.summary().startswith("nothing to export to CPE Monitor; 1 skipped")
    resend = ledger.export("cpe_monitor", include_all=True)
    assert resend.exported == 3
    exported = ReportItem.select().where(ReportItem.destination == "cpe_monitor",
                                         ReportItem.status == "exported")
    ledger.mark(exported.first(), "accepted")
    assert ledger.export("cpe_monitor", include_all=True).exported == 2  # accepted ones never again
    assert AuditLog.select().where(AuditLog.action == "report.exported").count() == 6


def test_past_deadline_items_are_listed_missed_never_exported(ledger_data, clock):
    clock.at = dt.datetime(2027, 5, 12, 3, 30, tzinfo=dt.timezone.utc)  # 23:30 May 11 in New York
    result = ledger.export("cpe_monitor")
    # Mar 12 + 60 = May 11: still in time in New York; the Feb 28 one (deadline Apr 29) is missed.
    assert result.exported == 2
    assert [b.reason for b in result.blocked if b.reason.startswith("missed")] == [
        "missed — cannot be reported (deadline 04/29/2027)"]
    clock.advance(hours=1)  # 00:30 May 12 in New York
    rows = {(o.item.claim.learner.first_name, o.item.destination): o for o in ledger.open_items()}
    assert rows[("Omar", "cpe_monitor")].state.label == "missed — cannot be reported"


# ------------------------------------------------------------------------------------------------
# Commands
# ------------------------------------------------------------------------------------------------
def test_export_command_writes_files_and_a_summary(ledger_data, runner, tmp_path):
    out = tmp_path / "nabp.csv"
    res = runner.invoke(args=["reports", "export", "cpe_monitor", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert f"exported 2 items to {tmp_path}/nabp-P.csv, 1 item to {tmp_path}/nabp-T.csv; " \
           "1 skipped (1 missing NABP e-Profile ID)" in res.output
    assert "blocked item 5 (omar@example.org, stewardship-webinar): missing NABP e-Profile ID" in res.output
    assert (tmp_path / "nabp-T.csv").read_bytes() == (
        CPE_HEADER + "0001,A,7654321,0229,0001-0000-27-001-L01-T,03/12/2027,1.5\r\n").encode()
    res = runner.invoke(args=["reports", "export", "cpe_monitor", "--out", str(out)])
    assert "nothing to export to CPE Monitor; 1 skipped" in res.output


def test_record_results_command_matches_the_exported_file_by_its_key_columns(ledger_data, runner, tmp_path):
    runner.invoke(args=["reports", "export", "ce_broker", "--out", str(tmp_path / "ceb.csv")])
    response = tmp_path / "response.csv"
    sent = (tmp_path / "ceb.csv").read_text(encoding="utf-8").splitlines()
    response.write_text(
        CEB_HEADERS + ",Status,Message\n"
        + sent[0] + ",Accepted,\n"
        + sent[1] + ",rejected,License not found\n"
        + sent[1].replace("123456", "999999") + ",accepted,\n"
        + sent[0] + ",maybe,\n", encoding="utf-8")
    res = runner.invoke(args=["reports", "record-results", "ce_broker", str(response)])
    assert res.exit_code == 1, res.output  # the good lines are recorded; the exit status flags the others
    assert "1 accepted, 1 rejected; 2 line(s) not recorded" in res.output
    assert "line 4: no exported item matches" in res.output
    assert "line 5: status 'maybe' is not accepted or rejected" in res.output
    res = runner.invoke(args=["reports", "record-results", "ce_broker", str(response)])
    assert "0 accepted, 0 rejected, 2 already recorded" in res.output  # recording twice changes nothing
    bad = tmp_path / "bad.csv"
    bad.write_text("id;result\n1;ok\n", encoding="utf-8")
    res = runner.invoke(args=["reports", "record-results", "ce_broker", str(bad)])
    assert res.exit_code == 1
    assert "the file has no Status column (accepted or rejected); nothing recorded" in res.output


def test_deadlines_command_lists_open_items_by_days_left_with_warnings(ledger_data, runner, clock):
    clock.at = dt.datetime(2027, 4, 2, 14, tzinfo=dt.timezone.utc)  # Mar 12 + 21 days
    res = runner.invoke(args=["reports", "deadlines"])
    lines = res.output.splitlines()[1:]
    assert "missed — cannot be reported" in lines[0] and "ce_broker" in lines[0]  # Mar 1 + 30 = Mar 31
    assert "04/11/2027" in lines[1] and "9 days left  WARNING" in lines[1]       # CE Broker, day 21
    assert "cpe_monitor" in lines[2] and "27 days left  WARNING" in lines[2]      # Feb 28: day 33
    assert lines[-1].split()[1] == "pars" and "no deadline" in lines[-1]


# ------------------------------------------------------------------------------------------------
# Pages
# ------------------------------------------------------------------------------------------------
PAGES = [("get", "/staff/reports/"), ("get", "/staff/reports/deadlines"), ("get", "/staff/reports/results"),
         ("post", "/staff/reports/export"), ("get", "/staff/reports/batches/1.csv"),
         ("post", "/staff/reports/items/1/result"), ("post", "/staff/reports/items/1/requeue"),
         ("post", "/staff/reports/items/1/retracted")]


@pytest.mark.parametrize("method, url", PAGES)
def test_reporting_pages_are_404_for_learners_and_directors(ctx, client, method, url):
    sign_in(client, create_learner(roles="director"))
    assert getattr(client, method)(url).status_code == 404


def test_reporting_pages_ask_anonymous_visitors_to_log_in(ctx, client):
    assert client.get("/staff/reports/").status_code in (302, 404)


@pytest.fixture
def staff_client(ctx, client):
    sign_in(client, create_learner(email="staff@example.org", roles="staff"))
    return client


def test_staff_exports_downloads_and_sees_blocked_items(ledger_data, staff_client):
    page = staff_client.get("/staff/reports/").get_data(as_text=True)
    assert "Omar Learner" not in page and "omar@example.org" in page and "missing NABP e-Profile ID" in page
    res = staff_client.post("/staff/reports/export", data={"destination": "cpe_monitor"}, follow_redirects=True)
    page = res.get_data(as_text=True)
    assert ("exported 2 items to cpe_monitor-P-20270313-0001.csv, 1 item to cpe_monitor-T-20270313-0002.csv; "
            "1 skipped (1 missing NABP e-Profile ID)") in page
    download = staff_client.get("/staff/reports/batches/2.csv")
    assert download.headers["Content-Disposition"] == ('attachment; filename="cpe_monitor-T-20270313-0002.csv"; '
                                                       "filename*=UTF-8''cpe_monitor-T-20270313-0002.csv")
    assert download.get_data(as_text=True) == CPE_HEADER + "0001,A,7654321,0229,0001-0000-27-001-L01-T,03/12/2027,1.5\r\n"
    assert ExportBatch.get_by_id(1).created_by.email == "staff@example.org"
    assert staff_client.post("/staff/reports/export", data={"destination": "nowhere"}).status_code == 400


def test_bad_upload_returns_the_form_with_the_error(ledger_data, staff_client):
    ledger.export("cpe_monitor")
    res = staff_client.post("/staff/reports/results", data={
        "destination": "cpe_monitor", "file": (io.BytesIO(b"\xff\xfe\x00garbage"), "r.csv")},
        content_type="multipart/form-data")
    assert res.status_code == 400
    assert "The file is not UTF-8 text" in res.get_data(as_text=True)
    res = staff_client.post("/staff/reports/results", data={"destination": "cpe_monitor"},
                            content_type="multipart/form-data")
    assert res.status_code == 400 and "Choose the response file." in res.get_data(as_text=True)
    res = staff_client.post("/staff/reports/results", data={
        "destination": "cpe_monitor", "file": (io.BytesIO(b"UAN,Status\nx,accepted\n"), "r.csv")},
        content_type="multipart/form-data")
    assert "Nothing was recorded: the file needs an Item column or the key columns NABP e-Profile ID, " \
           "UAN, Date of Participation." in res.get_data(as_text=True)


def test_reject_learner_sees_it_fixes_profile_and_only_the_corrected_item_is_exported(
        ledger_data, staff_client, client, app):
    rita = ledger_data["rita"]
    ledger.export("cpe_monitor")
    sent = {(i.sent_row or {}).get("UAN"): i for i in ReportItem.select()}
    webinar, journal = sent["0001-0000-27-001-L01-P"], sent["0001-0000-27-002-H01-P"]
    upload = (f"Item,Status,Message\n{webinar.id},rejected,ePID and birth date do not match\n"
              f"{journal.id},accepted,\n").encode()
    res = staff_client.post("/staff/reports/results", data={
        "destination": "cpe_monitor", "file": (io.BytesIO(upload), "nabp.csv")},
        content_type="multipart/form-data")
    assert "nabp.csv: 1 accepted, 1 rejected" in res.get_data(as_text=True)

    # The learner's transcript row (records includes reports/_claim_status.html).
    with app.test_request_context():
        from flask import render_template_string

        html = render_template_string('{% include "reports/_claim_status.html" %}', claim=webinar.claim)
    assert "Rejected by CPE Monitor" in html
    assert ("NABP rejected the e-Profile ID 1234567 with birth date 0315: check your NABP e-Profile ID and "
            "birth month and day in your profile.") in html
    assert 'href="/profile"' in html and "CPE Monitor said: ePID and birth date do not match" in html

    rita.birth_mmdd = "0513"
    rita.save()
    ledger.on_profile_changed(rita)
    res = staff_client.post("/staff/reports/export", data={"destination": "cpe_monitor"}, follow_redirects=True)
    assert "exported 1 item to cpe_monitor-P-20270313-0003.csv" in res.get_data(as_text=True)
    assert ExportBatch.get_by_id(3).content == CPE_HEADER + "0001,A,1234567,0513,0001-0000-27-001-L01-P,03/12/2027,1.5\r\n"


def test_staff_marks_items_by_hand_and_a_rejection_needs_a_reason(ledger_data, staff_client):
    ledger.export("pars")
    item = ReportItem.get(ReportItem.destination == "pars")
    res = staff_client.post(f"/staff/reports/items/{item.id}/result", data={"status": "rejected"},
                            follow_redirects=True)
    assert "Say why it was rejected: the learner reads this." in res.get_data(as_text=True)
    res = staff_client.post(f"/staff/reports/items/{item.id}/result",
                            data={"status": "rejected", "message": "Board ID unknown"}, follow_redirects=True)
    assert f"Item {item.id} marked rejected." in res.get_data(as_text=True)
    res = staff_client.post(f"/staff/reports/items/{item.id}/requeue", follow_redirects=True)
    assert f"Item {item.id} re-queued as item" in res.get_data(as_text=True)
    assert [i.status for i in ReportItem.select().where(ReportItem.destination == "pars",
                                                        ReportItem.claim == item.claim)
            .order_by(ReportItem.id)] == ["corrected", "due"]


def test_deadlines_page_shows_days_left_and_warnings(ledger_data, staff_client, clock):
    clock.at = dt.datetime(2027, 5, 1, 12, tzinfo=dt.timezone.utc)
    page = staff_client.get("/staff/reports/deadlines").get_data(as_text=True)
    assert "Today is May 1, 2027 in America/New_York." in page
    assert "10 days left — urgent" in page      # Mar 12 + 60 = May 11, day 50
    assert "missed — cannot be reported" in page


# The profile form (accounts) still passes SelectField choices as tuples; not this test's subject.
@pytest.mark.filterwarnings("ignore:Passing SelectField choices as tuples:DeprecationWarning")
def test_correcting_the_profile_page_requeues_the_rejected_report(ledger_data, client):
    from tests.factories import login

    rita = ledger_data["rita"]
    ledger.export("cpe_monitor")
    for item in ReportItem.select().where(ReportItem.status == "exported"):
        if item.claim.learner_id == rita.id:
            ledger.mark(item, "rejected", "ePID not found")
    assert login(client, rita).status_code == 302
    res = client.post("/profile", data=dict(
        certificate_name="Rita Moreno", first_name="Rita", last_name="Moreno", degree="PharmD",
        profession="pharmacist", nabp_epid="7654320", birth_mmdd="0315"), follow_redirects=True)
    assert "Your profile is saved." in res.get_data(as_text=True)
    statuses = [(i.status, i.claim.learner_id == rita.id) for i in
                ReportItem.select().where(ReportItem.destination == "cpe_monitor").order_by(ReportItem.id)]
    assert statuses.count(("corrected", True)) == 2 and statuses.count(("due", True)) == 2
    [batch] = ledger.export("cpe_monitor").batches
    assert batch.content == (CPE_HEADER + "0001,A,7654320,0315,0001-0000-27-001-L01-P,03/12/2027,1.5\r\n"
                             + "0001,A,7654320,0315,0001-0000-27-002-H01-P,02/28/2027,1\r\n")


def test_staff_index_reads_the_open_items_once_and_their_activities_with_them(ledger_data, staff_client, monkeypatch):
    from tests.claimserver.test_outcomes import count_queries

    calls = []
    real = ledger.open_items
    monkeypatch.setattr(ledger, "open_items", lambda *a, **kw: calls.append(a) or real(*a, **kw))
    staff_client.get("/staff/reports/")  # the first request of a session costs more (loading the user)
    calls.clear()
    with count_queries() as before:
        page = staff_client.get("/staff/reports/").get_data(as_text=True)
    assert len(calls) == 1
    assert "journal-candida-auris" not in page and "stewardship-webinar" in page  # Omar's blocked item
    for i in range(3):  # three more blocked items (no ePID), on another activity
        nobody = pharmacist(email=f"nobody{i}@example.org", nabp_epid="")
        create_claim(nobody, "journal-candida-auris", "acpe")
    ledger.sync_ledger()
    with count_queries() as after:
        page = staff_client.get("/staff/reports/").get_data(as_text=True)
    assert "journal-candida-auris" in page and "nobody2@example.org" in page
    assert len(after) == len(before), after


def test_pars_rows_take_the_activity_from_the_items_own_query(ctx):
    from tests.claimserver.test_outcomes import count_queries

    for i, slug in enumerate(("stewardship-webinar", "journal-candida-auris", "stewardship-webinar")):
        doc = create_learner(first_name="Sam", last_name=f"Okoro{i}", birth_mmdd="1231", board_id=f"ABIM-{i}",
                             pars_consent=True)
        create_claim(doc, slug, "ama_pra_1", hours=1)
    ledger.sync_ledger()
    with count_queries() as sql:
        result = ledger.export("pars")
    assert result.exported == 3
    assert [r.split(",")[0] for r in result.batches[0].content.splitlines()[1:]] == [
        "stewardship-webinar", "journal-candida-auris", "stewardship-webinar"]
    assert sum('"activity" AS' in q for q in sql) == 1


# ------------------------------------------------------------------------------------------------
# Revoked certificates are never reported (QA: revoked Florida credit re-queued and exported)
# ------------------------------------------------------------------------------------------------
def _certificate(claim):
    """create_claim makes no certificate; revoking needs one."""
    from claimserver.models import Certificate

    return (Certificate.get_or_none(Certificate.claim == claim)
            or Certificate.create(claim=claim, code=f"TEST-{claim.id:04d}", name="Lena García"))


def _ce_broker_item(lena, slug):
    return [i for i in ReportItem.select().where(ReportItem.destination == "ce_broker")
            if i.claim.learner_id == lena.id and i.claim.activity.slug == slug][-1]


def test_revoking_withdraws_the_claims_report_and_it_is_never_exported_again(ledger_data, runner, app):
    from claimserver.models import Certificate
    from claimserver.records import operations as ops

    lena = ledger_data["lena"]
    ledger.export("ce_broker")
    item = _ce_broker_item(lena, "stewardship-webinar")
    ledger.mark(item, "rejected", "License not found")
    assert ops.revoke(_certificate(item.claim), None, "claimed in error")
    item = ReportItem.get_by_id(item.id)
    assert (item.status, item.open_key) == ("withdrawn", None)
    assert "claimed in error" in item.response and "License not found" in item.response
    assert AuditLog.get(AuditLog.action == "report.withdrawn").target == f"report_item:{item.id}"

    lena.florida_licence = "CL 0099999"
    lena.save()
    res = runner.invoke(args=["reports", "sync"])
    assert "0 re-queued" in res.output
    assert ledger.on_profile_changed(lena) == 0
    [batch] = ledger.export("ce_broker", include_all=True).batches  # the other Florida claim only
    assert ",123456," not in batch.content and ",765432," in batch.content
    assert all(o.item.claim_id != item.claim_id for o in ledger.open_items())
    with app.test_request_context():
        from flask import render_template_string

        html = render_template_string('{% include "reports/_claim_status.html" %}', claim=item.claim)
    assert "Not reported to CE Broker: the certificate was revoked" in html
    assert "profile" not in html.lower()


def test_a_revoked_claim_gets_no_item_later_and_stray_items_are_never_listed(ctx):
    from claimserver.models import Certificate
    from claimserver.records import operations as ops

    rita = pharmacist()
    claim = create_claim(rita, "stewardship-webinar", "acpe")
    ops.revoke(Certificate.create(claim=claim, code="REVOKED-1", name="Rita Moreno"), None, "in error")
    assert ledger.sync_ledger().created == 0 and ledger.record_claim(claim) is None
    # an open item made some other way (e.g. before this rule) is still left out of every list
    ReportItem.create(claim=claim, destination="cpe_monitor", status="due", open_key=f"{claim.id}:cpe_monitor")
    assert list(ledger.candidates("cpe_monitor")) == [] and ledger.open_items() == []
    assert ledger.export("cpe_monitor").exported == 0


def test_revoked_after_acceptance_is_a_staff_to_do_until_corrected_by_hand(ledger_data, staff_client):
    from claimserver.models import Certificate
    from claimserver.records import operations as ops

    ledger.export("ce_broker")
    item = _ce_broker_item(ledger_data["lena"], "stewardship-webinar")
    ledger.mark(item, "accepted")
    ops.revoke(_certificate(item.claim), None, "claimed in error")
    assert ReportItem.get_by_id(item.id).status == "accepted"  # revoking cannot un-report it
    page = staff_client.get("/staff/reports/").get_data(as_text=True)
    assert "revoked after it was reported — correct it with CE Broker by hand" in page
    res = staff_client.post(f"/staff/reports/items/{item.id}/retracted", follow_redirects=True)
    assert "recorded as corrected by hand with CE Broker" in res.get_data(as_text=True)
    assert ReportItem.get_by_id(item.id).status == "retracted"
    assert "revoked after it was reported" not in staff_client.get("/staff/reports/").get_data(as_text=True)
    assert AuditLog.select().where(AuditLog.action == "report.retracted").count() == 1


def test_summary_counts_agree_with_the_lists(ledger_data, staff_client, clock):
    import re

    clock.at = dt.datetime(2027, 4, 2, 14, tzinfo=dt.timezone.utc)  # the Mar 1 CE Broker item is missed
    page = staff_client.get("/staff/reports/").get_data(as_text=True)

    def row(name):
        cells = re.search(rf'<th scope="row">{name}</th>(.*?)</tr>', page, re.S).group(1)
        return [int(n) for n in re.findall(r"<td>(\d+)</td>", cells)]

    # Due, Blocked, Exported, Rejected, Warnings, Missed
    assert row("CE Broker") == [1, 1, 0, 0, 1, 1]       # the missed one is blocked, not due
    assert row("CPE Monitor") == [3, 1, 0, 0, 1, 0]     # Omar (no ePID) is blocked, not due
    blocked = page.split("<h2>Blocked</h2>")[1].split("<h2>")[0]
    assert blocked.count("<tr><td>") == 2


def test_record_results_exits_non_zero_when_a_line_is_not_recorded(ledger_data, runner, tmp_path):
    ledger.export("pars")
    item = ReportItem.get(ReportItem.destination == "pars")
    refused = tmp_path / "refused.csv"
    refused.write_text("Item,Status,Message\n,accepted,\n99999,accepted,\nabc,accepted,\n", encoding="utf-8")
    res = runner.invoke(args=["reports", "record-results", "pars", str(refused)])
    assert res.exit_code == 1, res.output
    assert "0 accepted, 0 rejected; 3 line(s) not recorded" in res.output
    assert "line 2: no item number" in res.output and "line 3: no exported item matches" in res.output
    good = tmp_path / "good.csv"
    good.write_text(f"Item,Status,Message\n{item.id},accepted,\n", encoding="utf-8")
    assert runner.invoke(args=["reports", "record-results", "pars", str(good)]).exit_code == 0


def test_rejection_hint_has_no_space_before_punctuation(ledger_data, app):
    import re

    ledger.export("cpe_monitor")
    item = ReportItem.get(ReportItem.status == "exported")
    ledger.mark(item, "rejected", "ePID not found")
    with app.test_request_context():
        from flask import render_template_string

        html = render_template_string('{% include "reports/_claim_status.html" %}', claim=item.claim)
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())  # as a screen reader or text view reads it
    assert "Correct your profile and we send it again automatically." in text
    assert not re.search(r" [:;,.]", text)


def test_credit_sent_then_revoked_is_not_described_as_never_reported(ledger_data, app):
    from flask import render_template_string

    from claimserver.records import operations as ops

    lena = ledger_data["lena"]
    ledger.export("ce_broker")
    item = _ce_broker_item(lena, "stewardship-webinar")  # sent, no answer yet
    assert ops.revoke(_certificate(item.claim), None, "claimed in error")
    with app.test_request_context():
        html = render_template_string('{% include "reports/_claim_status.html" %}',
                                      claim=ReportItem.get_by_id(item.id).claim)
    assert "Sent to CE Broker before the certificate was revoked" in html
    assert "Not reported" not in html
