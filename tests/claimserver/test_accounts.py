"""Sign up, log in and out, remember me, password reset and change, and safe `next` redirects."""
from __future__ import annotations

import datetime as dt
import re
from email.utils import parsedate_to_datetime

import pytest

from catalog.society import SOCIETY
from claimserver.models import AuditLog, Learner
from tests.factories import PASSWORD, create_learner, login, outbox

GOOD = "purple-otter-lamp-42"


def _learner(email):
    return Learner.get(Learner.email == email)


def _verify_link(body: str) -> str:
    return re.search(r"http://ce\.test(/verify-email/\S+)", body).group(1)


def test_signup_creates_a_lowercase_unconfirmed_account_and_the_emailed_link_logs_in(client, rows):
    r = client.post("/signup", data={"email": "  Ann.Smith@Example.ORG ", "password": GOOD})
    assert r.status_code == 200 and "We sent a message to ann.smith@example.org." in r.text
    learner = _learner("ann.smith@example.org")
    assert learner.password_hash.startswith("$argon2") and GOOD not in learner.password_hash
    assert learner.email_verified_at is None
    assert client.get("/my-activities").status_code == 302  # not logged in until the link is opened
    assert AuditLog.get(AuditLog.action == "learner.signed_up").actor_id == learner.id
    [mail] = outbox("verify-email")
    assert mail.to == "ann.smith@example.org" and mail.subject == f"Confirm your email address for {SOCIETY.portal_name}"
    r = client.get(_verify_link(mail.body))
    assert r.status_code == 302 and r.location == "/profile"
    assert _learner("ann.smith@example.org").email_verified_at is not None
    assert client.get("/my-activities").status_code == 200


def test_signup_with_a_registered_address_answers_the_same_and_emails_the_owner(client, rows):
    create_learner(email="taken@example.org")
    known = client.post("/signup", data={"email": "TAKEN@example.org", "password": GOOD})
    unknown = client.post("/signup", data={"email": "NEW@example.org", "password": GOOD})
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("taken@", "X@") == unknown.text.replace("new@", "X@")
    assert Learner.select().where(Learner.email == "taken@example.org").count() == 1
    [mail] = outbox("signup-known")
    assert mail.to == "taken@example.org" and "already has an account" in mail.body
    assert "http://ce.test/forgot" in mail.body
    assert [m.to for m in outbox("verify-email")] == ["new@example.org"]


def test_login_and_logout(client, rows):
    learner = create_learner()
    r = login(client, learner)
    assert r.status_code == 302 and r.location == "/my-activities"
    assert client.get("/my-activities").status_code == 200
    assert client.get("/logout").status_code == 405  # logging out is a POST (with CSRF) only
    r = client.post("/logout")
    assert r.status_code == 302 and r.location == "/login"
    assert client.get("/my-activities").status_code == 302


@pytest.mark.parametrize("email, password", [
    ("learner@example.org", "wrong-password-1"),
    ("nobody@example.org", PASSWORD),
])
def test_login_error_is_the_same_for_unknown_email_and_wrong_password(client, rows, email, password):
    create_learner(email="learner@example.org")
    r = client.post("/login", data={"email": email, "password": password})
    assert r.status_code == 200
    assert "The email or password is wrong." in r.text
    assert f'value="{email}"' in r.text and password not in r.text
    assert client.get("/my-activities").status_code == 302


def test_login_is_case_insensitive_on_email(client, rows):
    create_learner(email="mixed@example.org")
    r = client.post("/login", data={"email": "MIXED@Example.org", "password": PASSWORD})
    assert r.status_code == 302


def test_anonymous_is_sent_to_login_and_back(client, rows):
    learner = create_learner()
    r = client.get("/my-activities")
    assert r.status_code == 302 and r.location == "/login?next=%2Fmy-activities"
    r = client.post("/login?next=%2Fmy-activities%3Fx%3D1",
                    data={"email": learner.email, "password": PASSWORD})
    assert r.location == "/my-activities?x=1"


def test_remember_me_sets_a_bounded_cookie(client, rows, app):
    learner = create_learner()
    r = client.post("/login", data={"email": learner.email, "password": PASSWORD, "remember": "y"})
    cookie = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    # flask-login stamps the cookie from the real clock, not the app's
    lifetime = expires - dt.datetime.now(dt.timezone.utc)
    assert dt.timedelta(days=app.config["REMEMBER_DAYS"] - 1) < lifetime <= dt.timedelta(days=app.config["REMEMBER_DAYS"])
    other = app.test_client().post("/login", data={"email": learner.email, "password": PASSWORD})
    assert not [h for h in other.headers.getlist("Set-Cookie") if h.startswith("remember_token=")]


def _reset_link(body: str) -> str:
    return re.search(r"http://ce\.test(/reset/\S+)", body).group(1)


def test_password_reset_link_works_once(client, rows):
    learner = create_learner(email="forgetful@example.org")
    r = client.post("/forgot", data={"email": "Forgetful@example.org"})
    assert "If forgetful@example.org has an account" in r.text
    [mail] = outbox("password-reset")
    assert mail.to == "forgetful@example.org"
    link = _reset_link(mail.body)
    assert client.get(link).status_code == 200
    r = client.post(link, data={"password": "new-secret-walrus-7"})
    assert r.status_code == 302 and r.location == "/login"
    assert login(client, learner, "new-secret-walrus-7").status_code == 302
    client.post("/logout")
    again = client.post(link, data={"password": "another-secret-yak-8"})
    assert again.status_code == 400 and "This link no longer works" in again.text
    assert _learner("forgetful@example.org").session_version == learner.session_version + 1


def test_password_reset_for_unknown_email_looks_the_same(client, rows):
    create_learner(email="known@example.org")
    known = client.post("/forgot", data={"email": "known@example.org"}).text
    unknown = client.post("/forgot", data={"email": "unknown@example.org"}).text
    assert known.replace("known@", "X@") == unknown.replace("unknown@", "X@")
    assert [m.to for m in outbox("password-reset")] == ["known@example.org"]


def test_password_reset_link_expires(client, rows, clock, app):
    create_learner(email="slow@example.org")
    client.post("/forgot", data={"email": "slow@example.org"})
    link = _reset_link(outbox("password-reset")[0].body)
    clock.advance(minutes=app.config["RESET_LINK_MINUTES"] + 1)
    r = client.post(link, data={"password": "new-secret-walrus-7"})
    assert r.status_code == 400 and "This link no longer works" in r.text


def test_password_change_logs_out_other_sessions(app, rows):
    learner = create_learner()
    here, elsewhere = app.test_client(), app.test_client()
    login(here, learner)
    login(elsewhere, learner)
    r = here.post("/password", data={"current": "not-my-password", "password": "brand-new-pass-99"})
    assert "That is not your current password." in r.text
    r = here.post("/password", data={"current": PASSWORD, "password": "brand-new-pass-99"})
    assert r.status_code == 302
    assert here.get("/my-activities").status_code == 200  # this session carries on
    assert elsewhere.get("/my-activities").status_code == 302  # the other device is logged out
    assert AuditLog.select().where(AuditLog.action == "learner.password_changed").count() == 1


def test_log_out_everywhere(app, rows):
    learner = create_learner()
    a, b = app.test_client(), app.test_client()
    login(a, learner)
    login(b, learner)
    assert a.post("/logout-everywhere").location == "/login"
    assert b.get("/my-activities").status_code == 302


def test_repeated_wrong_passwords_lock_the_account_for_a_while(client, rows, clock):
    learner = create_learner(email="target@example.org")
    for _ in range(10):
        r = client.post("/login", data={"email": "target@example.org", "password": "wrong-guess-123"})
        assert r.status_code == 200 and "The email or password is wrong." in r.get_data(as_text=True)
    r = login(client, learner)  # even the right password waits now
    assert r.status_code == 429
    assert "Too many attempts" in r.get_data(as_text=True)
    clock.advance(minutes=16)
    assert login(client, learner).status_code == 302


def test_reset_emails_are_capped_but_the_page_answers_the_same(client, rows):
    create_learner(email="often@example.org")
    pages = [client.post("/forgot", data={"email": "often@example.org"}).get_data(as_text=True)
             for _ in range(5)]
    assert all("often@example.org" in p for p in pages)
    assert len([m for m in outbox("password-reset") if m.to == "often@example.org"]) == 3


def test_sweeping_old_per_minute_windows_keeps_the_login_lockout(client, rows, clock, monkeypatch):
    # Windows of 60 s, 900 s and 3600 s are stored on one scale, so a sweep run from a per-minute
    # hit deletes only old rows, never the 15-minute lockout or the hourly reset cap.
    from claimserver import ratelimit

    learner = create_learner(email="locked@example.org")
    for _ in range(10):
        client.post("/login", data={"email": "locked@example.org", "password": "wrong-guess-123"})
    clock.advance(minutes=5)
    monkeypatch.setattr(ratelimit.secrets, "randbelow", lambda n: 0)  # every hit sweeps
    with client.application.app_context():
        for i in range(200):
            ratelimit.hit(f"verify:10.0.0.{i}", 30)
    r = login(client, learner)
    assert r.status_code == 429 and "Too many attempts" in r.get_data(as_text=True)
    clock.advance(minutes=11)
    assert login(client, learner).status_code == 302


def test_sweep_deletes_only_windows_older_than_the_longest(rows, clock):
    from claimserver import ratelimit
    from claimserver.models import RateLimitHit

    with rows.app_context():
        ratelimit.hit("hourly", 3, 3600)
        ratelimit.hit("minute", 3, 60)
        clock.advance(minutes=30)
        assert ratelimit.sweep() == 0
        clock.advance(hours=2)
        assert ratelimit.sweep() == 2
        assert RateLimitHit.select().count() == 0
