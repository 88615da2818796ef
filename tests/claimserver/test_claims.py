"""Claiming credit: who may claim what, hours and increments, profile details, the claim window,
one claim and one certificate per credit type (also under concurrency), snapshots and access."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
import re
import threading

import pytest
from flask import g

from claimserver.models import AuditLog, Certificate, Claim, Learner, ReportItem
from tests import factories as F

SLUG = "stewardship-webinar"
CLAIM = f"/activities/{SLUG}/claim"
CODE_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")


def ready(slug: str = SLUG, evaluate: bool = True, **learner):
    """A learner who bought, took part in and (optionally) evaluated the activity."""
    who = F.create_learner(**learner)
    F.create_order(who, slug)
    F.create_participation(who, slug, on=dt.date(2027, 3, 12) if slug == SLUG else dt.date(2027, 2, 10))
    if evaluate:
        F.create_evaluation(who, slug)
    return who


def claim(client, credit="ama_pra_1", hours="1.5", slug=SLUG, attest="y", **extra):
    data = {"credit": credit, "hours": hours, **extra}
    if attest:
        data["attest"] = attest
    return client.post(f"/activities/{slug}/claim", data=data)


def error_text(resp) -> str:
    return " ".join(re.findall(r'class="error"[^>]*>([^<]*)', resp.get_data(as_text=True)))


def test_physician_claims_ama_credit_and_gets_a_certificate(ctx, client):
    who = ready()
    F.login(client, who)
    page = client.get(CLAIM).get_data(as_text=True)
    assert "AMA PRA Category 1 Credit™ (up to 1.5 AMA PRA Category 1 Credits™)" in page
    assert "commensurate with the extent of my participation" in page
    assert "P.A.C.E." not in page  # not a physician's credit
    resp = claim(client, hours="1.25")
    c = Claim.get()
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/certificates/{c.id}")
    assert (c.credit_type, c.quarter_hours, c.participated_on) == ("ama_pra_1", 5, dt.date(2027, 3, 12))
    assert c.designation == {"credit": "ama_pra_1", "hours": "1.5"}
    cert = Certificate.get(Certificate.claim == c)
    assert CODE_RE.match(cert.code) and cert.name == who.certificate_name
    assert AuditLog.get(AuditLog.action == "claim.created").target == f"claim:{c.id}"


@pytest.mark.parametrize("hours, message", [
    ("1.3", "steps of 0.25"),
    ("2", "at most 1.5"),
    ("0", "more than 0"),
    ("-1", "as a number"),
    ("1e0", "as a number"),
    ("NaN", "as a number"),
    ("", "Enter the hours"),
    ("0.1", "steps of 0.25"),
    ("99999999999999999999", "as a number"),
])
def test_hours_must_be_positive_within_the_maximum_in_quarter_steps(ctx, client, hours, message):
    F.login(client, ready())
    resp = claim(client, hours=hours)
    assert resp.status_code == 400
    assert message in error_text(resp)
    assert 'value="%s"' % hours in resp.get_data(as_text=True)  # input kept
    assert Claim.select().count() == 0


@pytest.mark.parametrize("attest", [None, "", "false"])
def test_attestation_is_required(ctx, client, attest):
    """Missing, empty or a hand-crafted attest=false is no attestation."""
    F.login(client, ready())
    data = {"credit": "ama_pra_1", "hours": "1.5"}
    if attest is not None:
        data["attest"] = attest
    resp = client.post(CLAIM, data=data)
    assert resp.status_code == 400 and "Tick the attestation" in error_text(resp)
    assert Claim.select().count() == 0


@pytest.mark.parametrize("hours", ["１", "１.５", "٣", "1.2.5", "1..5", "."])
def test_hours_accept_only_ascii_digits_and_one_decimal_point(ctx, client, hours):
    F.login(client, ready())
    resp = claim(client, hours=hours)
    assert resp.status_code == 400 and "as a number" in error_text(resp)
    assert Claim.select().count() == 0


@pytest.mark.parametrize("profession, hint", [
    ("physician", "in steps of 0.25 (15 minutes)"),
    ("laboratory-professional", "in steps of 0.25 (12.5 minutes)"),  # P.A.C.E.: 50-minute hours
])
def test_hours_hint_follows_the_credit_types_hour(ctx, client, profession, hint):
    F.login(client, ready(profession=profession, california_licence="CLS-1", florida_licence="CH-1"))
    page = client.get(CLAIM).get_data(as_text=True)
    assert hint in page
    assert profession == "physician" or "15 minutes" not in page


@pytest.mark.parametrize("profession, offered, not_offered", [
    ("physician", ["ama_pra_1"], ["acpe", "pace", "participation"]),
    ("pharmacist", ["acpe"], ["ama_pra_1", "pace"]),
    ("laboratory-professional", ["pace", "california_cls", "florida"], ["ama_pra_1", "acpe"]),
    ("diplomate", ["participation"], ["ama_pra_1", "pace"]),
    ("other", ["participation"], ["ama_pra_1", "acpe"]),
    ("pharmacy-technician", ["participation"], ["acpe"]),  # the webinar has a pharmacist (P) UAN only
])
def test_credit_types_offered_follow_the_profession(ctx, client, profession, offered, not_offered):
    F.login(client, ready(profession=profession))
    page = client.get(CLAIM).get_data(as_text=True)
    values = set(re.findall(r'name="credit"[^>]*value="([a-z_0-9]+)"', page)) | \
        set(re.findall(r'value="([a-z_0-9]+)"[^>]*name="credit"', page))
    assert set(offered) <= values
    assert not values & set(not_offered)


def test_a_credit_type_the_profession_may_not_claim_is_refused(ctx, client):
    F.login(client, ready(profession="pharmacist", nabp_epid="1234567", birth_mmdd="0412"))
    resp = claim(client, credit="ama_pra_1")
    assert resp.status_code == 400 and "Not a valid choice" in error_text(resp)
    assert Claim.select().count() == 0


def test_diplomate_participation_certificate_states_the_ama_designation(ctx, client):
    F.login(client, ready(profession="diplomate"))
    resp = claim(client, credit="participation", hours="1")
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Certificate of Participation" in page
    assert ("This activity was designated for a maximum of 1.5 <em>AMA PRA Category 1 Credits</em>™. "
            "The participant attended 1 hour") in page


def test_pharmacy_technician_on_a_pharmacist_only_activity_sees_no_cpe_monitor_or_physician_text(ctx, client):
    F.login(client, ready(profession="pharmacy-technician", nabp_epid="1234567", birth_mmdd="0412"))
    page = client.get(CLAIM).get_data(as_text=True)
    assert 'value="participation"' in page and "CPE Monitor" not in page
    resp = claim(client, credit="participation", hours="1.5")
    assert resp.status_code == 302
    cert_page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Physicians should claim only" not in cert_page
    assert "This activity was designated for a maximum of 1.5 <em>AMA PRA Category 1 Credits</em>™." in cert_page


@pytest.mark.parametrize("profile", [
    dict(first_name="", last_name="", certificate_name=""),
    dict(first_name="Ada", last_name="", certificate_name=" \u200b "),
    dict(profession=""),
])
def test_claiming_needs_a_name_and_a_profession(ctx, client, profile):
    """Never a certificate (or /verify page) with the email as the name."""
    F.login(client, ready(**profile))
    page = client.get(CLAIM).get_data(as_text=True)
    assert "to your profile before claiming credit" in page
    assert 'href="/profile?next=/activities/stewardship-webinar/claim"' in page
    assert 'name="hours"' not in page
    resp = claim(client)
    assert resp.status_code == 400 and "to your profile before claiming credit" in resp.get_data(as_text=True)
    resp = claim(client, credit="participation")
    assert resp.status_code == 400
    assert Claim.select().count() == 0 and Certificate.select().count() == 0


def test_first_and_last_name_are_enough_and_the_email_is_never_the_name(ctx, client):
    from claimserver.records import operations as ops

    who = ready(first_name="Ada", last_name="Lovelace", certificate_name="")
    F.login(client, who)
    assert claim(client).status_code == 302
    assert Certificate.get().name == "Ada Lovelace"
    nameless = F.create_learner(first_name="", last_name="", certificate_name="")
    assert ops.certificate_name(nameless) == "" and nameless.email not in ops.certificate_name(nameless)
    row, version = F.activity(SLUG)
    offer = ops.offers(nameless, version.model())[0]
    with pytest.raises(ops.Refused, match="name"):
        ops.issue_claim(nameless, row, version, offer, Decimal("1.5"), F.create_participation(nameless, SLUG))


def test_pharmacist_without_epid_is_sent_to_the_profile_and_sees_cpe_monitor_limit(ctx, client):
    F.login(client, ready(profession="pharmacist"))
    page = client.get(CLAIM).get_data(as_text=True)
    assert "add your NABP e-Profile ID and birth month and day (MMDD) to your profile" in page
    assert "/profile?next=/activities/stewardship-webinar/claim" in page
    assert "within\n  60 days of participation" in page and "May 11, 2027" in page
    resp = claim(client, credit="acpe")
    assert resp.status_code == 400 and "NABP e-Profile ID" in error_text(resp)
    assert Claim.select().count() == 0


def test_pharmacist_with_epid_claims_acpe_and_ledger_records_it(ctx, client):
    F.login(client, ready(profession="pharmacist", nabp_epid="1234567", birth_mmdd="0412"))
    assert claim(client, credit="acpe", hours="1.5").status_code == 302
    c = Claim.get()
    assert c.designation["reference"] == "0001-0000-27-001-L01-P"
    assert ReportItem.get(ReportItem.claim == c).destination == "cpe_monitor"


@pytest.mark.parametrize("credit, field, value", [
    ("california_cls", "california_licence", "CLS-12345"),
    ("florida", "florida_licence", "CH-98765"),
])
def test_state_claims_need_the_state_licence(ctx, client, credit, field, value):
    who = ready(profession="laboratory-professional")
    F.login(client, who)
    resp = claim(client, credit=credit, hours="1")
    assert resp.status_code == 400 and "to your profile" in error_text(resp)
    assert "/profile?next=" in resp.get_data(as_text=True)
    Learner.update(**{field: value}).where(Learner.id == who.id).execute()
    g.pop("_login_user", None)  # `ctx` keeps one app context, so flask-login's per-request user lingers
    resp = claim(client, credit=credit, hours="1")
    assert resp.status_code == 302, error_text(resp)
    assert Claim.get().credit_type == credit


def test_claim_window_closed_is_refused_with_the_date(ctx, client, clock):
    who = ready()
    F.login(client, who)
    clock.at = dt.datetime(2028, 3, 12, 12, tzinfo=dt.timezone.utc)
    resp = claim(client)
    assert resp.status_code == 302
    page = client.get(CLAIM).get_data(as_text=True)
    assert "closed on March 11, 2028" in page
    assert Claim.select().count() == 0


def test_last_day_of_window_is_open(ctx, client, clock):
    F.login(client, ready())
    clock.at = dt.datetime(2028, 3, 11, 20, tzinfo=dt.timezone.utc)
    assert claim(client).status_code == 302


def test_last_day_of_window_is_the_activitys_local_day(ctx, client, clock):
    """22:00 in New York on claim_until (already the next day in UTC): still open."""
    F.login(client, ready())
    clock.at = dt.datetime(2028, 3, 12, 3, tzinfo=dt.timezone.utc)
    assert "closed on" not in client.get(CLAIM).get_data(as_text=True)
    assert claim(client).status_code == 302
    clock.at = dt.datetime(2028, 3, 12, 5, 1, tzinfo=dt.timezone.utc)  # 00:01 on March 12 in New York
    assert "closed on March 11, 2028" in client.get(CLAIM).get_data(as_text=True)


def test_claim_date_without_a_recorded_participation_date_is_the_activitys_local_day(ctx, client, clock):
    from claimserver.models import Participation

    who = ready()
    Participation.update(participated_on=None).where(Participation.learner == who).execute()
    F.login(client, who)
    clock.at = dt.datetime(2027, 3, 13, 2, tzinfo=dt.timezone.utc)  # 21:00 on March 12 in New York
    assert claim(client).status_code == 302
    assert Claim.get().participated_on == dt.date(2027, 3, 12)


@pytest.mark.parametrize("credit, profile, last_day, message", [
    ("acpe", dict(profession="pharmacist", nabp_epid="1234567", birth_mmdd="0412"), dt.date(2027, 5, 11),
     "CPE Monitor no longer accepts this completion: the 60-day limit ended on May 11, 2027"),
    ("florida", dict(profession="laboratory-professional", florida_licence="CH-98765"), dt.date(2027, 4, 11),
     "CE Broker no longer accepts this completion: the 30-day limit ended on April 11, 2027"),
])
def test_credit_past_its_reporting_deadline_is_not_issued(ctx, client, clock, credit, profile, last_day, message):
    """Participation on March 12: ACPE must reach CPE Monitor within 60 days, Florida CE Broker within 30."""
    who = ready(**profile)
    F.login(client, who)
    clock.at = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(16), tzinfo=dt.timezone.utc)
    page = client.get(CLAIM).get_data(as_text=True)
    assert message in page
    assert f'value="{credit}"' not in page  # shown with its reason, never offered
    resp = claim(client, credit=credit, hours="1")
    assert resp.status_code == 302 and message in client.get(resp.location).get_data(as_text=True)
    assert Claim.select().count() == 0 and ReportItem.select().count() == 0
    clock.at = dt.datetime.combine(last_day, dt.time(16), tzinfo=dt.timezone.utc)  # the last day: in time
    assert claim(client, credit=credit, hours="1").status_code == 302
    assert Claim.get().credit_type == credit


def test_before_the_activity_starts_claims_are_refused(ctx, client, clock):
    F.login(client, ready())
    clock.at = dt.datetime(2027, 3, 12, 16, tzinfo=dt.timezone.utc)  # 11:00 New York, starts at noon
    resp = client.post(CLAIM, data={"credit": "ama_pra_1", "hours": "1", "attest": "y"}, follow_redirects=True)
    assert "can be claimed from March 12, 2027" in resp.get_data(as_text=True)
    assert Claim.select().count() == 0


@pytest.mark.parametrize("evaluate, paid, expected", [
    (False, True, "/activities/stewardship-webinar/evaluation"),
    (True, False, "/activities/stewardship-webinar"),
])
def test_claim_needs_payment_and_evaluation(ctx, client, evaluate, paid, expected):
    who = F.create_learner()
    if paid:
        F.create_order(who, SLUG)
    F.create_participation(who, SLUG)
    if evaluate:
        F.create_evaluation(who, SLUG)
    F.login(client, who)
    resp = client.get(CLAIM)
    assert resp.status_code == 302 and resp.headers["Location"] == expected
    assert claim(client).status_code == 302 and Claim.select().count() == 0


def test_second_claim_of_the_same_credit_returns_the_existing_one(ctx, client):
    """A double click: the second POST ends on the first claim's certificate, as the first did."""
    F.login(client, ready())
    first = claim(client)
    again = claim(client, hours="1")
    assert first.status_code == 302
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    assert Claim.select().count() == 1 and Certificate.select().count() == 1
    assert Claim.get().quarter_hours == 6


def test_extra_fields_cannot_claim_for_someone_else_or_raise_the_maximum(ctx, client):
    other = F.create_learner()
    who = ready()
    F.login(client, who)
    resp = claim(client, hours="3", learner_id=str(other.id), maximum="10", quarter_hours="40")
    assert resp.status_code == 400 and "at most 1.5" in error_text(resp)
    assert claim(client, hours="1.5", learner_id=str(other.id)).status_code == 302
    assert [(c.learner_id, c.quarter_hours) for c in Claim.select()] == [(who.id, 6)]


def test_snapshot_survives_a_later_edit_of_the_activity(ctx, client, tmp_path):
    import shutil

    from claimserver.catalog_sync import sync
    from tests.conftest import ACTIVITIES

    F.login(client, ready())
    claim(client, hours="1.5")
    folder = tmp_path / "acts"
    shutil.copytree(ACTIVITIES, folder)
    md = folder / f"{SLUG}.md"
    md.write_text(md.read_text().replace("ama_pra_1: {credits: 1.5}", "ama_pra_1: {credits: 1}")
                  .replace("title: Antimicrobial Stewardship in the Clinical Laboratory",
                           "title: Stewardship Renamed"))
    assert sync(folder).updated == [SLUG]
    c = Claim.get()
    assert c.designation["hours"] == "1.5" and c.version.title.startswith("Antimicrobial")
    page = client.get(f"/certificates/{c.id}").get_data(as_text=True)
    assert "Antimicrobial Stewardship in the Clinical Laboratory" in page and "Renamed" not in page


def test_concurrent_claims_make_one_claim_and_one_certificate(app):
    from claimserver.db import database

    with app.app_context():
        database.connect(reuse_if_open=True)
        who = ready()
        database.close()
    barrier = threading.Barrier(8)
    results: list = []

    def worker():
        c = app.test_client()
        F.login(c, who)
        barrier.wait()
        r = claim(c)
        results.append((r.status_code, r.headers.get("Location")))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with app.app_context():
        database.connect(reuse_if_open=True)
        assert Claim.select().count() == 1 and Certificate.select().count() == 1
        cid = Claim.get().id
        database.close()
    # The same request, eight times at once: every one ends on the one certificate.
    assert results == [(302, f"/certificates/{cid}")] * 8


def test_claim_pages_need_login(client):
    resp = client.get(CLAIM)
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_another_learners_certificate_is_not_found(ctx, client):
    owner = ready()
    F.login(client, owner)
    claim(client)
    cid = Claim.get().id
    client.post("/logout")
    F.login(client, ready())
    assert client.get(f"/certificates/{cid}").status_code == 404
    assert client.get(f"/certificates/{cid}.pdf").status_code == 404
    assert client.get("/certificates/99999").status_code == 404


def test_a_licence_only_credit_the_learner_cannot_use_still_leaves_participation(ctx):
    import dataclasses

    from claimserver.records import operations as ops

    model = F.activity(SLUG)[1].model()
    florida_only = dataclasses.replace(model, designations=tuple(
        d for d in model.designations if d.credit in ("florida", "participation")))
    californian = F.create_learner(profession="laboratory-professional", california_licence="CLS 12345")
    assert [(o.key, o.missing) for o in ops.offers(californian, florida_only)] == [
        ("florida", ["florida_licence"]), ("participation", [])]
    floridian = F.create_learner(profession="laboratory-professional", florida_licence="CLS 98765")
    assert [o.key for o in ops.offers(floridian, florida_only)] == ["florida"]


def test_my_activities_and_the_claim_page_agree_a_first_and_last_name_is_enough(ctx, client):
    """Regression: My Activities said the name was missing while the claim page accepted a learner
    with a first and last name but no separate certificate name. Both now ask accounts.profile."""
    who = ready(first_name="Ada", last_name="Lovelace", certificate_name="")
    F.login(client, who)
    assert "Your profile is missing" not in client.get("/my-activities").get_data(as_text=True)
    resp = claim(client, hours="1.5")
    assert resp.status_code == 302
    assert Certificate.get().name == "Ada Lovelace"


def test_my_activities_names_what_the_profile_lacks_in_the_claim_pages_words(ctx, client):
    who = ready(first_name="", last_name="", certificate_name="", profession="")
    F.login(client, who)
    page = client.get("/my-activities").get_data(as_text=True)
    assert ("Your profile is missing your name as it should appear on certificates and your "
            "profession") in " ".join(page.split())
    assert "Add your name as it should appear on certificates and your profession to your profile" \
        in " ".join(client.get(CLAIM).get_data(as_text=True).split())


def test_hours_refused_by_the_claim_rule_are_marked_on_the_hours_field(ctx, client):
    """The maximum and increment are the claim operation's rule; the form marks the hours field."""
    F.login(client, ready())
    resp = claim(client, hours="1.3")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert re.search(r'id="hours-error"[^>]*>\s*Claim in steps of 0.25 hours, such as 0.75, 1.25, 1.5\.', page)
