"""Learners told when their credit is at risk: a rejected or blocked report item gets an email through
the outbox (real SMTP: aiosmtpd) and a banner on My Activities saying what to fix and the last day;
a reminder a week before that day from `flask reports remind-at-risk` (run twice: one email each);
no advice once it can no longer help. Profile saves say what changed."""
from __future__ import annotations

import datetime as dt

import pytest

from claimserver.models import Outbox, ReportItem
from claimserver.reports import ledger
from tests import factories as F
from tests.claimserver.test_followup import app_config, body, smtp  # noqa: F401  (fixtures: real SMTP)

TITLE = "Antimicrobial Stewardship in the Clinical Laboratory"
REJECTED = ("CPE Monitor rejected the report of your ACPE contact hours for “" + TITLE + "” (completed "
            "March 12, 2027). NABP rejected the e-Profile ID 1234567 with birth date 0412: check your NABP "
            "e-Profile ID and birth month and day in your profile. CPE Monitor said: “ePID not found”. "
            "Correct your profile by May 11, 2027, the last day it can still be reported to CPE Monitor; "
            "we send it again automatically.")
BLOCKED = ("We cannot report your ACPE contact hours for “" + TITLE + "” (completed March 12, 2027) to CPE "
           "Monitor yet: missing birth month and day. Add it to your profile by May 11, 2027, the last day it "
           "can still be reported to CPE Monitor.")


def pharmacist(**kw):
    fields = dict(first_name="Rita", last_name="Moreno", certificate_name="Rita Moreno", profession="pharmacist",
                  nabp_epid="1234567", birth_mmdd="0412")
    fields.update(kw)
    who = F.create_learner(**fields)
    F.create_order(who, "stewardship-webinar")
    F.create_participation(who, "stewardship-webinar")
    claim = F.create_claim(who, "stewardship-webinar", "acpe")
    ledger.record_claim(claim)
    return who


def rejected_pharmacist():
    who = pharmacist()
    ledger.export("cpe_monitor")
    ledger.mark(ReportItem.get(), "rejected", "ePID not found")
    return who


def remind(runner) -> str:
    result = runner.invoke(args=["reports", "remind-at-risk"])
    assert result.exit_code == 0, result.output
    return result.output


def banner(client) -> list[str]:
    import re

    html = client.get("/my-activities").get_data(as_text=True)
    return [" ".join(re.sub(r"<[^>]+>", "", b).split())
            for b in re.findall(r'<div class="flash flash-error at-risk".*?</div>', html, re.S)]


def test_a_rejected_report_reaches_the_learners_inbox_once(ctx, runner, smtp, client):
    who = rejected_pharmacist()
    queued = F.outbox("at-risk")
    assert len(queued) == 1 and queued[0].to == who.email  # queued with the rejection itself
    assert "1 first notice(s)" not in remind(runner)  # already queued: the command adds none
    mail = smtp.inbox.to(who.email)
    assert len(mail) == 1
    assert mail[0]["Subject"] == "Action needed: we could not report your ACPE contact hours to CPE Monitor"
    text = " ".join(body(mail[0]).split())
    assert text.startswith(REJECTED) and "Open your profile: http://ce.test/profile" in text
    assert remind(runner).startswith("at risk: 0 first notice(s), 0 reminder(s) queued")
    assert len(smtp.inbox.to(who.email)) == 1
    F.login(client, who)
    assert banner(client) == [f"Your credit is at risk. {REJECTED} Open your profile."]


def test_a_second_email_a_week_before_the_last_day(ctx, runner, smtp, clock):
    who = rejected_pharmacist()
    remind(runner)
    clock.at = dt.datetime(2027, 5, 3, 16, tzinfo=dt.timezone.utc)  # 8 days before May 11
    assert "0 reminder(s)" in remind(runner)
    clock.at = dt.datetime(2027, 5, 4, 16, tzinfo=dt.timezone.utc)  # 7 days before
    assert "0 first notice(s), 1 reminder(s) queued" in remind(runner)
    assert "0 first notice(s), 0 reminder(s) queued" in remind(runner)  # cron ran twice: still one
    mail = smtp.inbox.to(who.email)
    assert [m["Subject"] for m in mail] == [
        "Action needed: we could not report your ACPE contact hours to CPE Monitor",
        "Reminder: we still cannot report your ACPE contact hours to CPE Monitor"]
    assert " ".join(body(mail[1]).split()).startswith(REJECTED)


def test_advice_disappears_once_it_can_no_longer_help(ctx, runner, smtp, client, clock):
    who = rejected_pharmacist()
    F.login(client, who)
    assert len(banner(client)) == 1
    clock.at = dt.datetime(2027, 5, 12, 16, tzinfo=dt.timezone.utc)  # the day after the last day
    assert banner(client) == []
    assert "0 first notice(s), 0 reminder(s)" in remind(runner)
    # corrected before the deadline instead: the re-sent item is not at risk, no banner, no reminder
    clock.at = dt.datetime(2027, 5, 5, 16, tzinfo=dt.timezone.utc)
    assert len(banner(client)) == 1
    client.post("/profile", data=dict(certificate_name="Rita Moreno", first_name="Rita", last_name="Moreno",
                                      degree="", profession="pharmacist", nabp_epid="7654321", birth_mmdd="0412"))
    assert banner(client) == []
    assert "0 first notice(s), 0 reminder(s)" in remind(runner)
    assert Outbox.select().where(Outbox.kind == "at-risk-reminder").count() == 0


def test_an_item_blocked_by_missing_profile_data_is_announced(ctx, runner, smtp, client):
    who = pharmacist(birth_mmdd="")
    assert "1 first notice(s), 0 reminder(s) queued" in remind(runner)
    assert "0 first notice(s)" in remind(runner)
    mail = smtp.inbox.to(who.email)
    assert len(mail) == 1 and " ".join(body(mail[0]).split()).startswith(BLOCKED)
    F.login(client, who)
    assert banner(client) == [f"Your credit is at risk. {BLOCKED} Open your profile."]


@pytest.mark.filterwarnings("ignore:Passing SelectField choices as tuples:DeprecationWarning")
def test_a_profile_save_says_what_was_changed(ctx, client):
    import re

    who = F.create_learner(certificate_name="Ada Lovelace", first_name="Ada", last_name="Lovelace",
                           profession="laboratory-professional")
    F.login(client, who)
    resp = client.post("/profile", data=dict(certificate_name="Ada\u202e Love\u200blace", first_name="Ada",
                                             last_name="Lovelace", degree="PhD",
                                             profession="laboratory-professional"), follow_redirects=True)
    flashes = [" ".join(f.split()) for f in re.findall(r'class="flash[^"]*"[^>]*>(.*?)</', resp.get_data(as_text=True), re.S)]
    assert ("Your profile is saved. Changed: Degree(s). Characters removed from your name on certificates: "
            "U+202E RIGHT-TO-LEFT OVERRIDE, U+200B ZERO WIDTH SPACE.") in flashes


def test_after_a_rejection_the_next_step_is_the_profile_field_to_correct(ctx, client):
    """QA: after CPE Monitor rejected her report, the next-step box still said all her credit was
    claimed. It now says what the banner says is wrong and links to the field to correct."""
    import html as H
    import re

    from tests.claimserver.test_next_step import boxes

    who = rejected_pharmacist()
    F.login(client, who)
    problem = ("NABP rejected the e-Profile ID 1234567 with birth date 0412: check your NABP e-Profile ID "
               "and birth month and day in your profile.")
    assert problem in REJECTED  # the banner's own words
    for url in ("/my-activities", "/activities/stewardship-webinar"):
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code, r.location)
        found = boxes(r.get_data(as_text=True))
        assert len(found) == 1, (url, r.get_data(as_text=True)[-3000:])
        [(step, link, text)] = found
        assert step == "certificate", url
        assert text.startswith(f"Your credit is at risk. {problem} Next step: Open your profile."), (url, text)
        assert "All your credit" not in text
        assert link == f"/profile?next={url}#nabp_epid", (url, link)
    profile = client.get("/profile").get_data(as_text=True)
    assert re.search(r'<input[^>]+id="nabp_epid"', profile)  # the anchor lands on the field
    banner_html = client.get("/my-activities").get_data(as_text=True)
    [at_risk] = re.findall(r'<div class="flash flash-error at-risk".*?</div>', banner_html, re.S)
    assert 'href="/profile?next=/my-activities#nabp_epid"' in H.unescape(at_risk)  # the banner points there too

    who.nabp_epid = "7654321"  # corrected: the item is queued again, nothing at risk
    who.save()
    ReportItem.update(status="corrected").execute()
    [(step, link, text)] = boxes(client.get("/my-activities").get_data(as_text=True))
    assert "at risk" not in text
