"""A meeting whose registrants get the CE free (`free_for_registrants`): staff import the
registration list (badge ID, email) with bad rows reported by line, registrants with an account are
enrolled at once, a registrant enters their badge ID, and concurrent requests enrol them once."""
from __future__ import annotations

import io
import threading

from claimserver.models import AuditLog, Learner, Order, Outbox, Registration
from tests.claimserver.test_meetings import (  # noqa: F401  (fixtures: the meeting catalogue)
    AFTER, DURING, SLUG, app_config, code, meeting,
)
from tests.factories import create_learner, create_order, login

LIST = """badge_id,email
R-1,one@example.org
R-2,Two@Example.org
R-2,two@example.org
R 3!,three@example.org
R-4,not-an-email
R-5,five@example.org
R-5,other@example.org
"""


def upload(client, text: str, name: str = "registrations.csv"):
    return client.post(f"/staff/meetings/{SLUG}/registrations", data={"file": (io.BytesIO(text.encode()), name)},
                       content_type="multipart/form-data")


def orders(learner) -> list[tuple[int, str, str]]:
    return [(o.amount_cents, o.status, o.gateway) for o in Order.select().where(Order.learner == learner)]


def test_staff_import_the_registration_list_and_account_holders_are_enrolled(client, rows, clock):
    two = create_learner(email="two@example.org")
    unconfirmed = create_learner(email="five@example.org", email_verified_at=None)
    login(client, create_learner(roles="staff"))
    clock.at = DURING
    r = upload(client, LIST)
    text = r.text.replace("&#39;", "'")
    assert r.status_code == 200
    assert "7 rows: 3 added, 1 already on the list, 3 with problems; 1 enrolled now." in text
    for line, message in [(5, "badge ID 'R3!' is not letters, digits and hyphens of at most 40 characters"),
                          (6, "not-an-email is not an email address"),
                          (8, "badge R-5 is already registered to five@example.org")]:
        assert f"<tr><td>{line}</td><td>{message}</td></tr>" in text
    assert sorted(Registration.select(Registration.badge_id, Registration.email).tuples()) == [
        ("R-1", "one@example.org"), ("R-2", "two@example.org"), ("R-5", "five@example.org")]
    assert orders(two) == [(0, "paid", "registration")]
    assert Learner.get_by_id(two.id).badge_id == "R-2"  # their badge is now on their profile
    assert orders(unconfirmed) == []  # enrolled when they confirm their address and enter the badge
    # the same list again adds and enrols nobody twice
    r = upload(client, LIST)
    assert "7 rows: 0 added, 4 already on the list, 3 with problems; 0 enrolled now." in r.text
    assert Order.select().count() == 1 and Registration.select().count() == 3


def test_a_registrant_enters_their_badge_id_and_records_sessions(client, rows, clock):
    Registration.create(activity=meeting(), badge_id="R-9", email="nine@example.org")
    who = create_learner(email="nine@example.org")
    login(client, who)
    clock.at = DURING
    page = client.get(f"/meetings/{SLUG}").text
    assert "Your registration includes the meeting's CE." in page
    r = client.post(f"/meetings/{SLUG}/register", data={"badge_id": " r-9 "})
    assert r.status_code == 303
    assert "You are registered for this meeting: its CE is in My Activities at no charge." in client.get(r.location).text
    assert orders(who) == [(0, "paid", "registration")]
    receipt = Outbox.get(Outbox.kind == "receipt")
    assert receipt.to == "nine@example.org" and "Amount: Free" in receipt.body
    assert "Your attendance at session A is recorded" in code(client, "A")
    r = client.post(f"/meetings/{SLUG}/register", data={"badge_id": "R-9"})
    assert "already in My Activities" in client.get(r.location).text
    assert Order.select().count() == 1


def test_a_badge_that_is_not_theirs_is_refused_with_the_field_marked(client, rows, clock):
    Registration.create(activity=meeting(), badge_id="R-9", email="nine@example.org")
    login(client, create_learner(email="someone@example.org"))
    clock.at = DURING
    r = client.post(f"/meetings/{SLUG}/register", data={"badge_id": "R-9"})
    assert r.status_code == 400
    assert ("Badge R-9 is registered under another email address. Log in with the address you registered "
            "with, or ask the registration desk to correct it.") in r.text
    assert 'aria-invalid="true" aria-describedby="badge-error"' in r.text and 'value="R-9"' in r.text
    r = client.post(f"/meetings/{SLUG}/register", data={"badge_id": "R-404"})
    assert r.status_code == 400 and "Badge R-404 is not on this meeting&#39;s registration list yet." in r.text
    r = client.post(f"/meetings/{SLUG}/register", data={"badge_id": ""})
    assert r.status_code == 400 and "Enter the badge ID printed on your meeting badge: the badge ID is empty." in r.text
    assert Order.select().count() == 0


def test_a_buyer_keeps_their_order(client, rows, clock):
    who = create_learner(email="nine@example.org")
    create_order(who, SLUG)
    Registration.create(activity=meeting(), badge_id="R-9", email="nine@example.org")
    login(client, who)
    r = client.post(f"/meetings/{SLUG}/register", data={"badge_id": "R-9"})
    assert r.status_code == 303
    assert [(a, s) for a, s, _ in orders(who)] == [(19500, "paid")]


def test_concurrent_badge_entries_enrol_once(app, rows, clock):
    clock.at = DURING
    Registration.create(activity=meeting(), badge_id="R-7", email="seven@example.org")
    who = create_learner(email="seven@example.org")
    barrier = threading.Barrier(4)
    codes: list[int] = []

    def go():
        c = app.test_client()
        login(c, who)
        barrier.wait()
        codes.append(c.post(f"/meetings/{SLUG}/register", data={"badge_id": "R-7"}).status_code)

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [303] * 4
    assert orders(who) == [(0, "paid", "registration")]
    assert AuditLog.select().where(AuditLog.action == "meeting.enrolled").count() == 1
    assert Outbox.select().where(Outbox.kind == "receipt").count() == 1


def test_the_badge_id_is_on_the_profile_page(client, rows):
    who = create_learner()
    login(client, who)
    r = client.post("/profile/badge", data={"badge_id": " ab-12 3"})
    assert r.status_code == 303
    page = client.get(r.location).text
    assert "Your badge ID is saved" in page and 'id="badge_id" name="badge_id" value="AB-123"' in page
    assert Learner.get_by_id(who.id).badge_id == "AB-123"
    r = client.post("/profile/badge", data={"badge_id": "no/slashes"})
    assert "A badge ID is letters, digits and hyphens, at most 40 characters" in client.get(r.location).text
    assert Learner.get_by_id(who.id).badge_id == "AB-123"
