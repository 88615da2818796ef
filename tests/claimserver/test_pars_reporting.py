"""ACCME PARS: one deadline rule for the claim page and the ledger, and the learner's consent.

Participation in the fixture webinar is on March 12, 2027. With `PARS_REPORT_DAYS=30` the PARS
deadline is April 11; day 45 is April 26.
"""
from __future__ import annotations

import datetime as dt
import re

from claimserver.models import AuditLog, Claim, Learner, ReportItem
from claimserver.reports import ledger
from tests import factories as F
from tests.claimserver.test_claims import CLAIM, claim, ready

UTC = dt.timezone.utc
LATE = ("This credit will not be reported to ACCME PARS: the 30-day limit ended on April 11, 2027. "
        "Your certificate is not affected.")
NO_CONSENT = ("Not reported to ACCME PARS: you have not consented to ACCME PARS reporting (MOC and "
              "state boards). You can consent in your profile.")


def physician(**kw):
    return ready(first_name="Sam", last_name="Okoro", birth_mmdd="1231", board_id="ABIM-778899", **kw)


def fresh():
    """The test's app context outlives requests, and flask-login keeps the learner it loaded in `g`:
    forget it, so the next request reads the profile as the database has it (as a real request does)."""
    from flask import g

    g.pop("_login_user", None)


def text(client, url: str) -> str:
    fresh()
    return client.get(url).get_data(as_text=True).replace("&#39;", "'")


def post_profile(client, **data):
    fresh()
    return client.post("/profile", data=data, follow_redirects=True)


def test_pars_deadline_the_claim_page_and_the_ledger_agree_on_day_45(ctx, client, clock):
    """Regression: with PARS_REPORT_DAYS=30 a physician claiming on day 45 got a certificate whose PARS
    item had already missed its deadline, while ACPE was refused in the same position. Now one rule
    (Destination.missed): the AMA credit does not depend on PARS, so the certificate is issued, the
    page says before the claim that it will not be reported, and the ledger makes no item."""
    ctx.config["PARS_REPORT_DAYS"] = 30
    doc = physician(pars_consent=True)
    F.login(client, doc)
    clock.at = dt.datetime(2027, 4, 26, 16, tzinfo=UTC)  # day 45
    assert LATE in text(client, CLAIM)
    resp = claim(client, hours="1.5")
    assert resp.status_code == 302 and "/certificates/" in resp.location
    assert Claim.get().credit_type == "ama_pra_1"
    assert ReportItem.select().count() == 0
    assert ledger.sync_ledger().created == 0 and ReportItem.select().count() == 0
    assert LATE in text(client, "/transcript")
    assert ledger.open_items() == []  # nothing for staff to chase as "missed"


def test_pars_deadline_day_itself_is_in_time_and_the_item_carries_that_deadline(ctx, client, clock):
    ctx.config["PARS_REPORT_DAYS"] = 30
    doc = physician(pars_consent=True)
    F.login(client, doc)
    clock.at = dt.datetime(2027, 4, 11, 16, tzinfo=UTC)  # day 30, the last day
    assert LATE not in text(client, CLAIM)
    assert claim(client, hours="1.5").status_code == 302
    [item] = ReportItem.select()
    assert (item.destination, item.status, item.deadline) == ("pars", "due", dt.date(2027, 4, 11))
    assert "To be reported to ACCME PARS by April 11, 2027" in text(client, "/transcript")


def test_acpe_in_the_same_position_is_refused_because_cpe_monitor_holds_the_credit(ctx, client, clock):
    pharmacist = ready(profession="pharmacist", nabp_epid="1234567", birth_mmdd="0412")
    F.login(client, pharmacist)
    clock.at = dt.datetime(2027, 5, 12, 16, tzinfo=UTC)  # day 61
    page = text(client, CLAIM)
    assert "CPE Monitor no longer accepts this completion: the 60-day limit ended on May 11, 2027." in page
    assert claim(client, credit="acpe", hours="1").status_code == 302
    assert Claim.select().count() == 0


def test_without_consent_no_pars_item_is_made_and_the_learner_sees_why(ctx, client):
    doc = physician()
    F.login(client, doc)
    page = text(client, CLAIM)
    assert NO_CONSENT in page and 'href="/profile' in page
    assert claim(client, hours="1.5").status_code == 302
    assert ReportItem.select().count() == 0
    assert ledger.sync_ledger().created == 0
    assert NO_CONSENT in text(client, "/transcript")


PROFILE = dict(certificate_name="Sam Okoro", first_name="Sam", last_name="Okoro", degree="MD",
               profession="physician", birth_mmdd="1231", board_id="ABIM-778899")


def test_profile_asks_for_consent_with_what_is_reported_and_to_whom(ctx, client):
    F.login(client, physician())
    page = text(client, "/profile")
    assert ('<input aria-describedby="pars_consent-hint" id="pars_consent" name="pars_consent" type="checkbox" '
            'value="y"> Report my completions of AMA PRA Category 1 Credit™ activities to '
            "ACCME's Program and Activity "
            "Reporting System (PARS): my name, birth month and day, board ID and state licence, the "
            "activity, the credit and the date, which ACCME passes to my certifying board (MOC) and "
            "state medical board.") in page
    # the hint under the box, read with it: the certificate is the same without consent
    assert re.search(r'<p class="hint" id="pars_consent-hint">Optional\. Without it your certificate is the same',
                     page)


def test_consent_given_later_queues_the_claims_still_inside_the_deadline(ctx, client, clock):
    ctx.config["PARS_REPORT_DAYS"] = 30
    doc = physician()
    F.create_order(doc, "journal-candida-auris")
    F.create_participation(doc, "journal-candida-auris", on=dt.date(2027, 3, 1))
    F.create_evaluation(doc, "journal-candida-auris")
    F.login(client, doc)
    assert claim(client, hours="1.5").status_code == 302                                 # March 12
    assert claim(client, hours="1", slug="journal-candida-auris").status_code == 302     # March 1
    assert ReportItem.select().count() == 0

    clock.at = dt.datetime(2027, 4, 5, 16, tzinfo=UTC)  # Mar 1 + 30 = Mar 31 is over; Apr 11 is not
    resp = post_profile(client, **PROFILE, pars_consent="y")
    assert "Your profile is saved." in resp.get_data(as_text=True)
    assert Learner.get_by_id(doc.id).pars_consent is True
    [item] = ReportItem.select()
    assert (item.claim.activity.slug, item.status, item.deadline) == ("stewardship-webinar", "due",
                                                                      dt.date(2027, 4, 11))
    audit = AuditLog.select().where(AuditLog.action == "learner.profile_updated").order_by(AuditLog.id.desc()).get()
    assert "pars_consent" in audit.details["fields"]
    transcript = text(client, "/transcript")
    assert "To be reported to ACCME PARS by April 11, 2027" in transcript
    assert ("This credit will not be reported to ACCME PARS: the 30-day limit ended on March 31, 2027."
            in transcript)

    # Withdrawn before it was sent: the item is closed, nothing is exported, the learner sees why.
    post_profile(client, **PROFILE)
    item = ReportItem.get_by_id(item.id)
    assert (item.status, item.open_key) == ("withdrawn", None)
    assert ledger.export("pars").exported == 0
    assert NO_CONSENT in text(client, "/transcript")
    # …and given again: a new item, the same deadline.
    post_profile(client, **PROFILE, pars_consent="y")
    assert [(i.status, i.deadline) for i in ReportItem.select().order_by(ReportItem.id)] == [
        ("withdrawn", dt.date(2027, 4, 11)), ("due", dt.date(2027, 4, 11))]


def test_consent_is_kept_when_the_profession_does_not_ask_for_it(ctx, client):
    """A learner who changes profession keeps the stored answer (earlier claims may still need it)."""
    doc = physician(pars_consent=True)
    F.login(client, doc)
    post_profile(client, **{**PROFILE, "profession": "other"})
    assert Learner.get_by_id(doc.id).pars_consent is True
