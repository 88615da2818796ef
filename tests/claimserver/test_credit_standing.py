"""Each credit type's own state on My Activities and the transcript: claimable, claimed, reported,
rejected with what to fix, missed; never one summary hiding a credit still to claim."""
from __future__ import annotations

import datetime as dt
import re

from claimserver.models import Claim, ReportItem
from claimserver.reports import ledger
from tests import factories as F
from tests.claimserver.test_claims import claim, ready


def credit_lines(html: str) -> dict[str, str]:
    """data-credit -> the line's text, whitespace collapsed."""
    out = {}
    for key, body in re.findall(r'<li data-credit="([a-z_0-9]+)">(.*?)</li>', html, re.S):
        out[key] = " ".join(re.sub(r"<[^>]+>", "", body).split())
    return out


def test_a_laboratory_scientist_sees_her_california_credit_still_unclaimed(ctx, client):
    F.login(client, ready(profession="laboratory-professional", california_licence="CLS-12345"))
    assert claim(client, credit="pace", hours="1.5").status_code == 302
    page = client.get("/my-activities").get_data(as_text=True)
    assert "Credit claimed" not in page and "Credit still to claim" in page
    lines = credit_lines(page)
    assert lines["pace"] == "Claimed P.A.C.E.® contact hours: 1.5 claimed."
    # the state's label, then the credit, then the sentence (which does not say the label again)
    assert lines["california_cls"] == ("Not claimed yet California CLS continuing education: "
                                       "Up to 1.5, claim by March 11, 2028.")
    assert lines["florida"].startswith("Not claimed yet Florida")
    assert "Add your Florida licence number to your profile to claim it." in lines["florida"]
    assert 'href="/activities/stewardship-webinar/claim">Claim credit</a>' in page
    # the transcript lists the unclaimed credit too, with its own state
    t = client.get("/transcript").get_data(as_text=True)
    assert "Credit not claimed yet" in t
    tl = credit_lines(t)
    assert tl["california_cls"].endswith("California CLS continuing education: Up to 1.5, claim by March 11, 2028.")
    assert tl["california_cls"].count("Not claimed yet") == 1


def test_reported_rejected_and_missed_each_say_so(ctx, client, clock):
    who = ready(profession="pharmacist", nabp_epid="1234567", birth_mmdd="0412")
    F.login(client, who)
    claim(client, credit="acpe", hours="1.5")
    lines = credit_lines(client.get("/my-activities").get_data(as_text=True))
    assert lines["acpe"] == ("Claimed ACPE contact hours: 1.5 claimed; to be reported to CPE Monitor "
                             "by May 11, 2027.")
    assert "claim before then" not in client.get("/my-activities").get_data(as_text=True)
    ledger.export("cpe_monitor")
    ledger.mark(ReportItem.get(), "rejected", "e-Profile ID not found")
    page = client.get("/my-activities").get_data(as_text=True)
    lines = credit_lines(page)
    assert lines["acpe"].startswith("Rejected ACPE contact hours: 1.5 claimed; rejected by CPE Monitor.")
    assert "CPE Monitor said: e-Profile ID not found" in lines["acpe"]
    assert "Credit claimed" not in page
    # once the ACPE credit is claimed, no advice to claim it before CPE Monitor's limit (issue 14 QA)
    assert "claim before then" not in page


def test_a_credit_never_claimed_is_missed_once_the_window_closes(ctx, client, clock):
    F.login(client, ready(profession="laboratory-professional", california_licence="CLS-12345"))
    claim(client, credit="pace", hours="1.5")
    clock.at = dt.datetime(2028, 3, 12, 12, tzinfo=dt.timezone.utc)
    lines = credit_lines(client.get("/my-activities").get_data(as_text=True))
    assert lines["california_cls"] == ("Missed California CLS continuing education: Not claimed: the claim window "
                                       "closed on March 11, 2028.")


def test_before_the_webinar_a_pharmacist_is_given_cpe_monitors_last_day_not_the_windows(ctx, client, clock):
    """Issue 14 QA: bought, not yet attended, My Activities said "claim by March 11, 2028" (the claim
    window's end) while the claim page says May 11, 2027 (CPE Monitor's 60 days after the session)."""
    clock.at = dt.datetime(2027, 3, 1, 15, tzinfo=dt.timezone.utc)
    who = F.create_learner(profession="pharmacist", nabp_epid="1234567", birth_mmdd="0412")
    F.create_order(who, "stewardship-webinar")
    F.login(client, who)
    page = client.get("/my-activities").get_data(as_text=True)
    lines = credit_lines(page)
    assert lines["acpe"] == "Not claimed yet ACPE contact hours: Up to 1.5, claim by May 11, 2027."
