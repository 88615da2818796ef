"""Accounts before launch: confirmed email before purchase, a real common-password list, a
sliding-window lockout that parallel guesses cannot beat, demo accounts refused in production, and
client addresses taken from a trusted proxy only."""
from __future__ import annotations

import re
import threading

import pytest

from claimserver import production
from claimserver.accounts.passwords import password_problem
from claimserver.config import ConfigError
from claimserver.db import database
from claimserver.models import Learner, LoginAttempt, Order
from tests.claimserver.test_purchase import BEFORE_TELECONFERENCE
from tests.factories import PASSWORD, create_learner, login, outbox

FREE = "free-teleconference-tb"
WRONG = "The email or password is wrong."


def test_an_unconfirmed_learner_cannot_buy_until_the_link_is_opened(client, rows, clock):
    clock.at = BEFORE_TELECONFERENCE
    learner = create_learner(email="unsure@example.org", email_verified_at=None)
    login(client, learner)
    r = client.post(f"/activities/{FREE}/purchase", follow_redirects=True)
    assert ("Please confirm your email address first: open the link we sent to unsure@example.org, "
            "or ask for a new one on your profile page.") in r.text
    assert Order.select().count() == 0
    assert "Your email address is not confirmed yet" in client.get("/profile").text
    r = client.post("/verify-email/resend")
    assert r.status_code == 302
    [mail] = outbox("verify-email")
    link = re.search(r"http://ce\.test(/verify-email/\S+)", mail.body).group(1)
    assert client.get(link).status_code == 302
    assert client.post(f"/activities/{FREE}/purchase").status_code == 302
    assert Order.get().status == "paid"


def test_a_confirmation_link_expires_and_names_only_its_address(client, rows, clock):
    client.post("/signup", data={"email": "late@example.org", "password": "purple-otter-lamp-42"})
    link = re.search(r"http://ce\.test(/verify-email/\S+)", outbox("verify-email")[0].body).group(1)
    clock.advance(days=8)
    r = client.get(link)
    assert r.status_code == 400 and "This confirmation link does not work" in r.text
    assert Learner.get(Learner.email == "late@example.org").email_verified_at is None


@pytest.mark.parametrize("password", ["q1w2e3r4t5", "trustno1234", "Sunshine2027!", "!!iloveyou99",
                                      "baseball1234", "1q2w3e4r5t6y"])
def test_passwords_from_the_top_30000_are_refused(app, password):
    with app.app_context():
        assert password_problem(password) == "This password is one of the most common ones; choose another."


def test_uncommon_passphrases_pass(app):
    with app.app_context():
        assert password_problem("purple-otter-lamp-42") is None


def test_twenty_parallel_guesses_check_at_most_ten_passwords(app, rows):
    create_learner(email="target@example.org")
    database.close()
    barrier = threading.Barrier(20)
    answers = []

    def guess(i):
        c = app.test_client()
        barrier.wait(timeout=20)
        r = c.post("/login", data={"email": "target@example.org", "password": f"wrong-guess-{i:03d}"})
        answers.append((r.status_code, WRONG in r.text, r.headers.get("Retry-After")))

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    database.connect(reuse_if_open=True)
    wrong = [a for a in answers if a[0] == 200]
    locked = [a for a in answers if a[0] == 429]
    assert len(answers) == 20 and len(wrong) <= 10 and len(wrong) + len(locked) == 20
    assert all(a[1] for a in wrong) and all(a[2] == "900" for a in locked)
    assert LoginAttempt.select().where(LoginAttempt.failed == True).count() == len(wrong)  # noqa: E712


def test_the_lockout_window_slides(client, rows, clock):
    learner = create_learner(email="slide@example.org")

    def fail():
        return client.post("/login", data={"email": "slide@example.org", "password": "wrong-guess-123"}).status_code

    assert [fail() for _ in range(5)] == [200] * 5
    clock.advance(minutes=10)
    assert [fail() for _ in range(5)] == [200] * 5
    assert login(client, learner).status_code == 429  # ten failures within 15 minutes
    clock.advance(minutes=6)  # the first five are now older than 15 minutes; five still count
    assert fail() == 200
    assert login(client, learner).status_code == 302
    client.post("/logout")
    assert fail() == 200  # a success forgave the earlier failures


class TestProduction:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "CE_ENV": "production", "SECRET_KEY": "p" * 10 + "roduction-secret-0123456789-abcdefgh",
                "TEST_PAYMENTS_IN_PRODUCTION": True, "TRUSTED_PROXIES": 1, "LOGIN_ATTEMPTS_PER_MINUTE": 3}

    def test_start_up_is_refused_while_a_demo_account_exists(self, app, rows):
        create_learner(email="director@demo.example.org", is_demo=True, roles="director")
        with pytest.raises(ConfigError, match=r"1 demonstration account\(s\) can log in .*director@demo\.example\.org"
                                               r".*`flask demo remove`"):
            production.refuse_demo_accounts(app)

    def test_a_demo_account_cannot_log_in_in_production(self, app, client, rows):
        create_learner(email="staff@demo.example.org", is_demo=True)
        r = client.post("/login", data={"email": "staff@demo.example.org", "password": PASSWORD})
        assert r.status_code == 200 and WRONG in r.text

    def test_after_demo_remove_start_up_goes_ahead(self, app, rows, runner):
        create_learner(email="learner@demo.example.org", is_demo=True)
        assert "removed 1 demonstration learner(s)" in runner.invoke(args=["demo", "remove"]).output
        production.refuse_demo_accounts(app)

    def test_rate_limits_key_on_the_client_the_trusted_proxy_names(self, client, rows):
        def attempt(ip):
            return client.post("/login", data={"email": "x@example.org", "password": "wrong-guess-123"},
                               headers={"X-Forwarded-For": ip}, base_url="https://ce.test").status_code

        assert [attempt("203.0.113.7") for _ in range(4)] == [200, 200, 200, 429]
        assert attempt("198.51.100.9") == 200  # another learner behind the same proxy is not locked out
        assert attempt("203.0.113.7, 198.51.100.9") == 200  # only the last hop is believed (1 proxy)
