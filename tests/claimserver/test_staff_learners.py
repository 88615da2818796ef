"""Staff help a learner without the command line (issue 14 item 7): find them, read their record,
correct the certificate name and reissue, grant and revoke roles, run the catalogue sync, and see
reporting flags (no result after N days; a shared NABP e-Profile ID holds the export back)."""
from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest

from claimserver.models import AuditLog, Certificate, Learner, ReportItem
from claimserver.records import operations as records_ops
from claimserver.refusals import Refused
from claimserver.reports import ledger
from tests.conftest import ACTIVITIES
from tests.factories import create_claim, create_learner, create_order, create_participation, session_id


def sign_in(client, learner):
    with client.application.app_context():  # a server-side session row (works with `rows` too)
        sid = session_id(learner)
    with client.session_transaction() as s:
        s["_user_id"] = sid
        s["_fresh"] = True


@pytest.fixture
def staff(ctx, client):
    me = create_learner(email="staff@example.org", first_name="Sam", last_name="Staff",
                        certificate_name="Sam Staff", roles="staff")
    sign_in(client, me)
    return me


def page(res) -> str:
    """The page's text as one line, no white space between tags."""
    return re.sub(r">\s+<", "><", " ".join(res.get_data(as_text=True).split()))


def issue(claim):
    """A certificate as the claim page issues it (details frozen now), and the claim's report item."""
    learner = Learner.get_by_id(claim.learner_id)
    cert = records_ops._issue_certificate(claim, learner, dt.datetime(2027, 3, 13, 15))
    ledger.record_claim(claim)
    return cert


def pharmacist(**kw):
    fields = dict(first_name="Zoë", last_name="Núñez", certificate_name="Zoe Nunes", profession="pharmacist",
                  degree="PharmD", nabp_epid="1234567", birth_mmdd="0315", email="zoe@example.org")
    fields.update(kw)
    return create_learner(**fields)


# ------------------------------------------------------------------------------------------------
# Search
# ------------------------------------------------------------------------------------------------
def names(res) -> list[str]:
    import html

    return [html.unescape(n) for n in
            re.findall(r'<a href="/staff/learners/\d+" dir="auto">([^<]+)</a>', res.get_data(as_text=True))]


def test_one_box_finds_by_partial_name_without_accents_or_case_email_epid_and_licence(staff, client):
    pharmacist()
    create_learner(first_name="Zoe", last_name="Smith", certificate_name="Zoe Smith", email="zs@example.org",
                   florida_licence="CL0012345")
    create_learner(first_name="Øyvind", last_name="Ærø", certificate_name="Øyvind Ærø", email="oy@example.org",
                   state_licence_number="MD-998877")
    create_learner(first_name="Tess", last_name="O'Neil-Ávila", certificate_name="", email="tess@example.org")
    assert names(client.get("/staff/learners/?q=zoe")) == ["Zoe Nunes", "Zoe Smith"]
    assert names(client.get("/staff/learners/?q=ZOË")) == ["Zoe Nunes", "Zoe Smith"]
    assert names(client.get("/staff/learners/?q=o%27neil-avi")) == ["Tess O'Neil-Ávila"]
    assert names(client.get("/staff/learners/?q=tess+o%27n")) == ["Tess O'Neil-Ávila"]  # first and last
    assert names(client.get("/staff/learners/?q=.*")) == []  # never a pattern
    assert names(client.get("/staff/learners/?q=NUNEZ")) == ["Zoe Nunes"]      # first/last name, folded
    assert names(client.get("/staff/learners/?q=zoë+núñ")) == ["Zoe Nunes"]    # accents typed: same
    assert names(client.get("/staff/learners/?q=oyvind")) == ["Øyvind Ærø"]
    assert names(client.get("/staff/learners/?q=ZS@EXAMPLE")) == ["Zoe Smith"]
    assert names(client.get("/staff/learners/?q=1234567")) == ["Zoe Nunes"]
    assert names(client.get("/staff/learners/?q=cl0012345")) == ["Zoe Smith"]  # licence, any case
    assert names(client.get("/staff/learners/?q=md-998877")) == ["Øyvind Ærø"]
    assert names(client.get("/staff/learners/?q=123")) == []                  # an ID matches whole
    assert "No learner matches “50%_off”." in page(client.get("/staff/learners/?q=50%25_off"))
    empty = page(client.get("/staff/learners/?q=+"))
    assert "Type part of a name, an email, an NABP e-Profile ID or a licence number." in empty


def test_results_come_a_page_at_a_time(staff, client):
    for i in range(45):
        create_learner(first_name="Pat", last_name=f"Page{i:02d}", certificate_name=f"Pat Page{i:02d}")
    first = client.get("/staff/learners/?q=pat+page")
    assert "1–20 of 45 learners matching “pat page”" in page(first)
    assert names(first)[:2] == ["Pat Page00", "Pat Page01"] and len(names(first)) == 20
    third = client.get("/staff/learners/?q=pat+page&page=3")
    assert "41–45 of 45 learners" in page(third) and names(third) == [f"Pat Page{i}" for i in range(40, 45)]
    assert 'rel="prev"' in third.get_data(as_text=True) and 'rel="next"' not in third.get_data(as_text=True)
    assert "41–45 of 45" in page(client.get("/staff/learners/?q=pat+page&page=99"))  # past the end: last
    assert "1–20 of 45" in page(client.get("/staff/learners/?q=pat+page&page=x"))


def test_learner_pages_are_404_for_learners(ctx, client):
    learner = create_learner()
    sign_in(client, learner)
    for url in ("/staff/learners/", f"/staff/learners/{learner.id}", "/staff/catalogue"):
        assert client.get(url).status_code == 404
    assert client.post(f"/staff/learners/{learner.id}/roles", data={"role": "staff", "action": "grant"}).status_code == 404
    assert Learner.get_by_id(learner.id).roles == ""


# ------------------------------------------------------------------------------------------------
# The learner's page
# ------------------------------------------------------------------------------------------------
def test_learner_page_shows_orders_participation_claims_certificates_report_items_and_audit(staff, client):
    zoe = pharmacist()
    order = create_order(zoe, "stewardship-webinar")
    create_participation(zoe, "stewardship-webinar")
    claim = create_claim(zoe, "stewardship-webinar", "acpe")
    cert = issue(claim)
    item = ReportItem.get(ReportItem.claim == claim)
    text = page(client.get(f"/staff/learners/{zoe.id}"))
    assert "<h1 dir=\"auto\">Zoe Nunes</h1>" in text
    assert f"<td>{order.receipt_number}</td>" in text and "<td>Paid</td>" in text
    title = '<a href="/activities/stewardship-webinar">Antimicrobial Stewardship in the Clinical Laboratory</a>'
    assert f"<td>{title}</td><td>Attendance code</td><td>yes</td><td>March 12, 2027</td>" in text
    assert f'<a href="/verify/{cert.code}">{cert.code}</a>' in text and "current" in text
    assert (f"<td>{item.id}</td><td>CPE Monitor</td><td>{title} (ACPE (pharmacy))</td>"
            "<td>Due</td><td>May 11, 2027 (59 days left)</td>") in text
    assert "1.5" in text and "ACPE contact hours" in text
    assert "stewardship-webinar<" not in text and ">stewardship-webinar" not in text  # never the internal key


def test_the_learner_page_names_activities_by_their_current_title_in_every_section(staff, client):
    """QA: Participation, Evaluations and Report items showed "stewardship-webinar"; every section
    now shows the activity's current title, linked to its page, as Orders and Claims do."""
    from claimserver.models import ActivityVersion
    from tests.factories import activity, create_evaluation

    zoe = pharmacist()
    create_order(zoe, "stewardship-webinar")
    create_participation(zoe, "stewardship-webinar")
    create_evaluation(zoe, "stewardship-webinar")
    issue(create_claim(zoe, "stewardship-webinar", "acpe"))
    row, _ = activity("stewardship-webinar")
    current = ActivityVersion.current_for([row.id])[row.id]
    link = f'<a href="/activities/stewardship-webinar">{current.title}</a>'
    text = page(client.get(f"/staff/learners/{zoe.id}"))
    for section in ("participation", "evaluations", "report-items"):
        start = text.index(f'<section id="{section}"')
        part = text[start:text.index("</section>", start)]
        assert link in part, section
        assert "stewardship-webinar<" not in part and ">stewardship-webinar" not in part, section


# ------------------------------------------------------------------------------------------------
# Correcting the name and reissuing
# ------------------------------------------------------------------------------------------------
def test_staff_corrects_the_name_and_reissues_the_old_code_says_superseded(staff, client, clock):
    zoe = pharmacist()
    claim = create_claim(zoe, "stewardship-webinar", "acpe")
    old = issue(claim)
    Learner.update(degree="PharmD, BCPS").where(Learner.id == zoe.id).execute()  # today's details
    clock.advance(days=2)
    res = client.post(f"/staff/learners/{zoe.id}/certificates/{old.id}/reissue",
                      data={"name": "Zoë Núñez", "reason": "Learner asked: accents were missing"})
    assert res.status_code == 302
    new = Certificate.get(Certificate.claim == claim, Certificate.superseded_by.is_null())
    assert new.code != old.code and new.name == "Zoë Núñez" and new.details["degree"] == "PharmD, BCPS"
    assert new.issued_at == dt.datetime(2027, 3, 15, 15)
    old = Certificate.get_by_id(old.id)
    assert old.superseded_by_id == new.id and old.name == "Zoe Nunes" and old.details["degree"] == "PharmD"
    assert Learner.get_by_id(zoe.id).certificate_name == "Zoë Núñez"
    shown = page(client.get(f"/staff/learners/{zoe.id}"))
    assert f"Certificate {new.code} issued to Zoë Núñez; {old.code} now says it was superseded." in shown
    assert f"superseded by {new.code}" in shown
    verify_old = page(client.get(f"/verify/{old.code}"))
    assert (f"<span class=\"status warn\">Superseded</span> This certificate was superseded by certificate <a href=\"/verify/{new.code}\">{new.code}</a>, "
            "issued on March 15, 2027.") in verify_old
    verify_new = page(client.get(f"/verify/{new.code}"))
    assert "Valid" in verify_new and "Zoë Núñez" in verify_new
    trail = {a.action: a for a in AuditLog.select().where(AuditLog.actor == staff)}
    assert trail["certificate.reissued"].details == {
        "old_code": old.code, "code": new.code, "name": "Zoë Núñez", "old_name": "Zoe Nunes",
        "old_quarter_hours": 6, "quarter_hours": 6, "reason": "Learner asked: accents were missing"}
    assert trail["learner.name_corrected"].details == {"was": "Zoe Nunes", "now": "Zoë Núñez",
                                                      "reason": "Learner asked: accents were missing"}
    assert "certificate.reissued" in shown and "learner.name_corrected" in shown  # the audit excerpt
    # the learner's own certificate page is the new one; the old one cannot be reissued or revoked
    assert records_ops.certificate_for(claim).id == new.id
    again = client.post(f"/staff/learners/{zoe.id}/certificates/{old.id}/reissue",
                        data={"name": "Zoe", "reason": "again"}, follow_redirects=True)
    assert (f"Certificate {old.code} was already superseded by certificate {new.code}: reissue that one "
            "if it needs correcting.") in page(again)
    revoke = client.post(f"/staff/certificates/{old.code}/revoke", data={"reason": "x"}, follow_redirects=True)
    assert f"Certificate {old.code} was superseded by certificate {new.code}: revoke that one instead." in page(revoke)
    assert Certificate.select().where(Certificate.claim == claim).count() == 2


def test_the_learner_is_emailed_when_staff_reissue_her_certificate(staff, client):
    """QA: staff corrected Zoë's name and reissued her certificate, and she heard nothing. One email,
    queued in the outbox with the reissue, says what changed, the new code and its link, and that
    the old code now reads superseded."""
    from tests.factories import outbox

    zoe = pharmacist()
    claim = create_claim(zoe, "stewardship-webinar", "acpe")
    old = issue(claim)
    res = client.post(f"/staff/learners/{zoe.id}/certificates/{old.id}/reissue",
                      data={"name": "Zoë Núñez", "reason": "Learner asked: accents were missing"})
    assert res.status_code == 302
    new = Certificate.get(Certificate.claim == claim, Certificate.superseded_by.is_null())
    [queued] = outbox("certificate-reissued")
    assert queued.to == "zoe@example.org"
    assert queued.subject == "Your certificate was reissued: Antimicrobial Stewardship in the Clinical Laboratory"
    body = queued.body
    assert "The name printed on it: “Zoe Nunes” is now “Zoë Núñez”." in body
    assert f"Your new certificate code: {new.code}" in body
    assert f"http://ce.test/certificates/{claim.id}" in body and f"http://ce.test/verify/{new.code}" in body
    assert f"The old code {old.code} now reads “superseded” when it is checked" in body
    assert "Learner asked" not in body  # the reason stays in the audit log
    client.get(f"/staff/learners/{zoe.id}")  # a second look sends nothing more
    assert len(outbox("certificate-reissued")) == 1


def test_reissue_needs_a_name_and_a_reason_and_never_a_revoked_certificate(staff, client):
    zoe = pharmacist()
    cert = issue(create_claim(zoe, "stewardship-webinar", "acpe"))
    url = f"/staff/learners/{zoe.id}/certificates/{cert.id}/reissue"
    res = client.post(url, data={"name": "  ", "reason": ""})
    assert res.status_code == 400
    text = page(res)
    assert "Enter the name as it should be printed." in text and "Say why the certificate is reissued." in text
    res = client.post(url, data={"name": "\u202e\u200b", "reason": "typo"})
    assert res.status_code == 400 and "Enter the name as it should be printed." in page(res)
    res = client.post(url, data={"name": "Zoë 🇧🇷 Núñez", "reason": "typo"})  # a flag prints as boxes
    assert res.status_code == 400 and "Certificates cannot print 🇧🇷: please remove it" in page(res)
    records_ops.revoke(cert, staff, "issued in error")
    res = client.post(url, data={"name": "Zoë Núñez", "reason": "typo"}, follow_redirects=True)
    assert f"Certificate {cert.code} was revoked, so it cannot be reissued." in page(res)
    assert Certificate.select().count() == 1 and Learner.get_by_id(zoe.id).certificate_name == "Zoe Nunes"
    other = create_learner()
    assert client.post(f"/staff/learners/{other.id}/certificates/{cert.id}/reissue",
                       data={"name": "X", "reason": "y"}).status_code == 404


def test_two_reissues_of_one_certificate_make_one_current_certificate(ctx):
    zoe = pharmacist()
    claim = create_claim(zoe, "stewardship-webinar", "acpe")
    cert = issue(claim)
    stale = Certificate.get_by_id(cert.id)  # a second request that read the row before the first wrote
    records_ops.reissue(cert, "typo", None, name="Zoë Núñez")
    with pytest.raises(Refused) as e:
        records_ops.reissue(stale, "typo", None, name="Zoë Nunez")
    assert e.value.message == (f"Certificate {cert.code} was changed a moment ago, in another window or by "
                               "someone else: look at it again before changing it.")
    assert Certificate.select().where(Certificate.claim == claim, Certificate.superseded_by.is_null()).count() == 1
    assert Learner.get_by_id(zoe.id).certificate_name == "Zoë Núñez"


# ------------------------------------------------------------------------------------------------
# Roles
# ------------------------------------------------------------------------------------------------
def test_staff_grant_and_revoke_roles_audited_never_their_own_staff_role(staff, client):
    ann = create_learner(email="ann@example.org")
    res = client.post(f"/staff/learners/{ann.id}/roles", data={"role": "director", "action": "grant"},
                      follow_redirects=True)
    assert "ann@example.org is now director." in page(res) and Learner.get_by_id(ann.id).roles == "director"
    client.post(f"/staff/learners/{ann.id}/roles", data={"role": "staff", "action": "grant"})
    assert Learner.get_by_id(ann.id).roles == "director,staff"
    res = client.post(f"/staff/learners/{ann.id}/roles", data={"role": "director", "action": "revoke"},
                      follow_redirects=True)
    assert "ann@example.org is no longer director." in page(res) and Learner.get_by_id(ann.id).roles == "staff"
    res = client.post(f"/staff/learners/{staff.id}/roles", data={"role": "staff", "action": "revoke"},
                      follow_redirects=True)
    assert "You cannot remove your own staff role: ask another staff member." in page(res)
    assert Learner.get_by_id(staff.id).has_role("staff")
    res = client.post(f"/staff/learners/{ann.id}/roles", data={"role": "root", "action": "grant"},
                      follow_redirects=True)
    assert "Choose director or staff." in page(res)
    assert [(a.action, a.target, a.details, a.actor_id) for a in AuditLog.select().where(
        AuditLog.action.startswith("role.")).order_by(AuditLog.id)] == [
        ("role.granted", f"learner:{ann.id}", {"role": "director"}, staff.id),
        ("role.granted", f"learner:{ann.id}", {"role": "staff"}, staff.id),
        ("role.revoked", f"learner:{ann.id}", {"role": "director"}, staff.id)]


def test_the_last_staff_member_cannot_be_demoted(ctx, runner):
    from claimserver.learners.operations import set_role

    only = create_learner(email="only@example.org", roles="staff")
    with pytest.raises(Refused) as e:
        set_role(only, "staff", False, None)
    assert e.value.message == ("only@example.org is the last staff member: grant the staff role to someone "
                               "else before removing it here.")
    out = runner.invoke(args=["users", "revoke", "only@example.org", "staff"])
    assert out.exit_code == 1 and "only@example.org is the last staff member" in out.output
    assert Learner.get_by_id(only.id).roles == "staff"
    runner.invoke(args=["users", "grant-staff", "only@example.org"])  # already: unchanged
    create_learner(email="two@example.org", roles="staff")
    assert set_role(only, "staff", False, None) is True and Learner.get_by_id(only.id).roles == ""


# ------------------------------------------------------------------------------------------------
# Catalogue sync from a button
# ------------------------------------------------------------------------------------------------
def test_staff_see_the_last_sync_and_run_it(staff, client, runner, tmp_path, ctx):
    assert "No sync has been recorded yet." in page(client.get("/staff/catalogue"))
    runner.invoke(args=["catalog", "sync"])
    text = page(client.get("/staff/catalogue"))
    assert ("March 13, 2027, 15:00 UTC by the command line (flask catalog sync): 0 new, 0 updated, "
            "4 unchanged, 0 hidden, 0 restored.") in text
    folder = tmp_path / "activities"
    shutil.copytree(ACTIVITIES, folder)
    webinar = folder / "stewardship-webinar.md"
    webinar.write_text(webinar.read_text().replace("title:", "title_typo:", 1))
    ctx.config["CATALOG_PATH"] = str(folder)
    res = client.post("/staff/catalogue/sync")
    assert res.status_code == 422
    text = page(res)
    assert "The catalogue has errors; nothing was synced." in text
    lines = re.search(r"<pre>(.*?)</pre>", res.get_data(as_text=True), re.S).group(1).strip().splitlines()
    assert lines and all(re.match(rf"{re.escape(str(webinar))}:\d+: ", line) for line in lines), lines
    assert "Traceback" not in text
    assert 'by staff@example.org: <span class="status bad">failed</span> — ' in text
    webinar.write_text(webinar.read_text().replace("title_typo:", "title:", 1).replace(
        "Antimicrobial Stewardship", "Antimicrobial Stewardship Today", 1))
    res = client.post("/staff/catalogue/sync", follow_redirects=True)
    assert "Catalogue synced: 0 new, 1 updated, 3 unchanged, 0 hidden, 0 restored." in page(res)
    assert "by staff@example.org: 0 new, 1 updated, 3 unchanged, 0 hidden, 0 restored." in page(res)


# ------------------------------------------------------------------------------------------------
# Reporting flags
# ------------------------------------------------------------------------------------------------
def test_two_learners_with_one_nabp_epid_are_flagged_and_not_exported(staff, client):
    zoe = pharmacist()
    ann = pharmacist(first_name="Ann", last_name="Lee", certificate_name="Ann Lee", email="ann@example.org")
    rita = pharmacist(first_name="Rita", last_name="Moreno", certificate_name="Rita Moreno",
                      email="rita@example.org", nabp_epid="7654321")
    for who in (zoe, ann, rita):
        issue(create_claim(who, "stewardship-webinar", "acpe"))
    text = page(client.get("/staff/reports/"))
    assert "To do: learners sharing an NABP e-Profile ID" in text
    assert (f'<td>1234567</td><td><a href="/staff/learners/{zoe.id}">Zoe Nunes (zoe@example.org)</a>; '
            f'<a href="/staff/learners/{ann.id}">Ann Lee (ann@example.org)</a></td>') in text
    assert ("duplicate NABP e-Profile ID 1234567, also on file for ann@example.org: correct the wrong profile "
            "before export") in text
    res = client.post("/staff/reports/export", data={"destination": "cpe_monitor"}, follow_redirects=True)
    assert ("exported 1 item to cpe_monitor-P-20270313-0001.csv; 2 skipped (2 duplicate NABP e-Profile ID)"
            in page(res))
    assert [i.claim.learner_id for i in ReportItem.select().where(ReportItem.status == "exported")] == [rita.id]
    assert "is also on file for" in page(client.get(f"/staff/learners/{zoe.id}"))
    Learner.update(nabp_epid="2222222").where(Learner.id == ann.id).execute()  # staff resolved it
    res = client.post("/staff/reports/export", data={"destination": "cpe_monitor"}, follow_redirects=True)
    assert "exported 2 items to cpe_monitor-P-20270313-0002.csv" in page(res)
    assert "learners sharing an NABP e-Profile ID" not in page(client.get("/staff/reports/"))


def test_exported_items_with_no_result_after_the_setting_are_flagged(staff, client, clock, ctx):
    rita = pharmacist(email="rita@example.org")
    issue(create_claim(rita, "stewardship-webinar", "acpe"))
    ledger.export("cpe_monitor", actor=staff)
    item = ReportItem.get(ReportItem.status == "exported")
    clock.advance(days=14)
    assert "no result after" not in page(client.get("/staff/reports/"))
    clock.advance(days=1)
    text = page(client.get("/staff/reports/"))
    assert "To do: exported, no result after 14 days" in text
    assert (f"<td>{item.id}</td><td>CPE Monitor</td><td><a href=\"/staff/learners/{rita.id}\">Zoe Nunes "
            "(rita@example.org)</a></td><td>stewardship-webinar</td><td>March 13, 2027 (batch 1)</td>") in text
    ctx.config["REPORT_RESULT_DAYS"] = 30
    assert "no result after" not in page(client.get("/staff/reports/"))
    ctx.config["REPORT_RESULT_DAYS"] = 14
    ledger.mark(item, "accepted")
    assert "no result after" not in page(client.get("/staff/reports/"))


def test_report_result_days_must_be_a_whole_number():
    from claimserver import config

    cfg = dict(config.DEFAULTS, CE_ENV="testing", REPORT_RESULT_DAYS="-1")
    with pytest.raises(config.ConfigError, match="REPORT_RESULT_DAYS must be a whole number of days"):
        config.validate(cfg)


# ------------------------------------------------------------------------------------------------
# The staff section of the navigation
# ------------------------------------------------------------------------------------------------
def test_staff_pages_sit_in_their_own_navigation_section(rows, client):
    learner = create_learner()
    sign_in(client, learner)
    home = client.get("/my-activities").get_data(as_text=True)
    assert 'aria-label="Staff"' not in home and "/staff/" not in home
    Learner.update(roles="staff").where(Learner.id == learner.id).execute()
    text = client.get("/my-activities").get_data(as_text=True)
    main = re.search(r'<nav aria-label="Main">(.*?)</nav>', text, re.S).group(1)
    staff_nav = re.search(r'<nav class="staff-nav" aria-label="Staff">(.*?)</nav>', text, re.S).group(1)
    assert "/staff/" not in main
    assert re.findall(r">([^<>]+)</a>", staff_nav) == ["Learners", "Reporting", "Certificates", "Attendance",
                                                       "Payments", "Catalogue sync", "Staff guide"]


def test_a_refund_sees_only_the_current_certificate_after_a_reissue(ctx):
    from claimserver.payments.operations import certificates_of

    zoe = pharmacist()
    order = create_order(zoe, "stewardship-webinar")
    cert = issue(create_claim(zoe, "stewardship-webinar", "acpe"))
    new = records_ops.reissue(cert, "typo", None, name="Zoë Núñez")
    assert [c.code for c in certificates_of(order)] == [new.code]


def test_the_learners_transcript_shows_the_new_code_after_a_reissue_with_the_same_name(rows, client):
    # The rows cache is per process, and this test's SQLite and PostgreSQL runs make identical keys
    # (same ids, same fixed clock): start empty so each run shows its own database's codes.
    records_ops._ROWS_CACHE.clear()
    with rows.app_context():
        zoe = pharmacist()
        cert = issue(create_claim(zoe, "stewardship-webinar", "acpe"))
    sign_in(client, zoe)
    assert cert.code in page(client.get("/transcript"))  # rendered and cached
    with rows.app_context():
        new = records_ops.reissue(cert, "reprinted with today's details", None)
    text = page(client.get("/transcript"))
    assert new.name == "Zoe Nunes" and new.code in text and cert.code not in text
